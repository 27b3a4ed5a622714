import { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { AwsClients } from '../aws/clients';
import { readEcrConfig } from '../config';
import { DefaultEcrService } from './DefaultEcrService';
import { EcrService } from './EcrService';

/**
 * Options of {@link createEcrService}.
 *
 * @public
 */
export interface CreateEcrServiceOptions {
  /** The root configuration: its `aws` and `ecr` sections. */
  config: Config;
  /**
   * Where AWS credentials come from; by default the `aws` section through
   * `@backstage/integration-aws-node`.
   */
  credentialsManager?: AwsCredentialsManager;
}

/**
 * The ECR AWS layer built on the AWS SDK clients, as `ecrServiceRef`'s default
 * factory builds it: one client per service, account and region, reused.
 * `close()` ends the clients' connections.
 *
 * @public
 */
export function createEcrService(options: CreateEcrServiceOptions): {
  service: EcrService;
  close(): void;
} {
  const ecrConfig = readEcrConfig(options.config);
  const clients = new AwsClients(
    options.credentialsManager ??
      DefaultAwsCredentialsManager.fromConfig(options.config),
    { endpoint: ecrConfig.endpoint, maxAttempts: ecrConfig.maxAttempts },
  );
  return {
    service: new DefaultEcrService(clients, ecrConfig),
    close: () => clients.destroy(),
  };
}
