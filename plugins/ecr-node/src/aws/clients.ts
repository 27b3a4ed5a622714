import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsServiceError } from './errors';

/** Options shared by every client. */
export interface AwsClientOptions {
  /** A local endpoint for every service; unset leaves the SDK's own resolution. */
  endpoint?: string;
  /** The SDK's attempts per call, first try included. */
  maxAttempts?: number;
}

/** The region IAM, a global service, signs in for each partition. */
const IAM_REGIONS: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

interface ClientConfig {
  region: string;
  credentials: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
  }>;
  endpoint?: string;
  maxAttempts?: number;
  customUserAgent: string;
}

/**
 * The SDK clients, one per service, account and region, each created on first
 * use and reused: clients hold connection pools and credential caches, so
 * creating one per request would defeat both.
 */
export class AwsClients {
  private readonly clients = new Map<string, unknown>();

  constructor(
    private readonly credentialsManager: AwsCredentialsManager,
    private readonly options: AwsClientOptions = {},
  ) {}

  ecr(accountId: string, region: string): ECRClient {
    return this.client('ecr', accountId, region, c => new ECRClient(c));
  }

  codeBuild(accountId: string, region: string): CodeBuildClient {
    return this.client(
      'codebuild',
      accountId,
      region,
      c => new CodeBuildClient(c),
    );
  }

  logs(accountId: string, region: string): CloudWatchLogsClient {
    return this.client(
      'logs',
      accountId,
      region,
      c => new CloudWatchLogsClient(c),
    );
  }

  iam(accountId: string, partition = 'aws'): IAMClient {
    const region = IAM_REGIONS[partition] ?? IAM_REGIONS.aws;
    return this.client('iam', accountId, region, c => new IAMClient(c));
  }

  tagging(accountId: string, region: string): ResourceGroupsTaggingAPIClient {
    return this.client(
      'tagging',
      accountId,
      region,
      c => new ResourceGroupsTaggingAPIClient(c),
    );
  }

  sts(accountId: string, region: string): STSClient {
    return this.client('sts', accountId, region, c => new STSClient(c));
  }

  /** Closes every client's connections. */
  destroy(): void {
    for (const client of this.clients.values()) {
      (client as { destroy(): void }).destroy();
    }
    this.clients.clear();
  }

  private client<T>(
    service: string,
    accountId: string,
    region: string,
    create: (config: ClientConfig) => T,
  ): T {
    const key = `${service}/${accountId}/${region}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      client = create({
        region,
        credentials: () => this.credentialsFor(accountId),
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
        ...(this.options.maxAttempts
          ? { maxAttempts: this.options.maxAttempts }
          : {}),
        customUserAgent: 'backstage-plugin-ecr',
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private async credentialsFor(accountId: string) {
    try {
      const provider = await this.credentialsManager.getCredentialProvider({
        accountId,
      });
      return await provider.sdkCredentialProvider();
    } catch (error) {
      // integration-aws-node explains a missing account in plain words; the
      // SDK's own provider errors may name files and paths, so only the name.
      const explained =
        error instanceof Error && /no AWS integration/i.test(error.message);
      throw new AwsServiceError(
        explained
          ? `Backstage has no AWS credentials for account ${accountId}; add it to aws.accounts in the configuration`
          : `Backstage could not obtain AWS credentials for account ${accountId} (${
              (error as Error)?.name ?? 'Error'
            })`,
        'CredentialsError',
        'credentials',
      );
    }
  }
}
