import { Config } from '@backstage/config';
import { DEFAULT_CONTAINER_PORT } from '@backstage-ecr/plugin-ecr-common';

/** The `ecr` configuration section (DESIGN §10), read once and checked. */
export interface EcrConfig {
  /** The AWS accounts entities may name. */
  allowedAccounts: string[];
  /** Where the audit looks for repositories no entity claims. */
  regions: string[];
  /** A local endpoint for every AWS call, or undefined for AWS itself. */
  endpoint?: string;
  /** The SDK's attempts per call, or undefined for the SDK's default. */
  maxAttempts?: number;
  /** How long answers from AWS are reused. */
  cacheTtlSeconds: number;
  /** Role ARN patterns Backstage may attach push policies to. */
  allowedRoleArnPatterns: string[];
  /** The default container port of the `docker run -p` hint. */
  containerPort: number;
}

/** Cache answers for a minute unless configured otherwise. */
export const DEFAULT_CACHE_TTL_SECONDS = 60;

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Reads the `ecr` section. Bad values fail at startup with the key named,
 * rather than at the first request.
 */
export function readEcrConfig(config: Config): EcrConfig {
  const ecr = config.getOptionalConfig('ecr');
  const allowedAccounts = ecr?.getOptionalStringArray('allowedAccounts') ?? [];
  for (const account of allowedAccounts) {
    if (!ACCOUNT_ID.test(account)) {
      throw new Error(
        `ecr.allowedAccounts: ${JSON.stringify(
          account,
        )} is not an AWS account id (12 digits; quote it in YAML)`,
      );
    }
  }

  const endpoint = ecr?.getOptionalString('endpoint');
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new Error(`ecr.endpoint: ${JSON.stringify(endpoint)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`ecr.endpoint: must be an http:// or https:// URL`);
    }
  }

  const maxAttempts = ecr?.getOptionalNumber('maxAttempts');
  if (
    maxAttempts !== undefined &&
    (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10)
  ) {
    throw new Error('ecr.maxAttempts: must be a whole number from 1 to 10');
  }

  const cacheTtlSeconds =
    ecr?.getOptionalNumber('cache.ttlSeconds') ?? DEFAULT_CACHE_TTL_SECONDS;
  if (!(cacheTtlSeconds >= 0)) {
    throw new Error('ecr.cache.ttlSeconds: must be zero or more');
  }

  const containerPort =
    ecr?.getOptionalNumber('containerPort') ?? DEFAULT_CONTAINER_PORT;
  if (
    !Number.isInteger(containerPort) ||
    containerPort < 1 ||
    containerPort > 65535
  ) {
    throw new Error('ecr.containerPort: must be a port number (1 to 65535)');
  }

  return {
    allowedAccounts,
    regions: ecr?.getOptionalStringArray('regions') ?? [],
    endpoint,
    maxAttempts,
    cacheTtlSeconds,
    allowedRoleArnPatterns:
      ecr?.getOptionalStringArray('iam.allowedRoleArnPatterns') ?? [],
    containerPort,
  };
}
