import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../aws/clients';
import { readEcrConfig } from '../config';
import { DefaultEcrService } from './DefaultEcrService';
import { EcrService } from './EcrService';

/**
 * The ECR AWS layer as a backend service. Root-scoped so that the backend
 * plugin and the scaffolder module share one set of SDK clients. Replace it
 * with your own factory to change how AWS is reached.
 */
export const ecrServiceRef = createServiceRef<EcrService>({
  id: 'ecr.aws',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        lifecycle: coreServices.rootLifecycle,
      },
      factory({ config, lifecycle }) {
        const ecrConfig = readEcrConfig(config);
        const clients = new AwsClients(
          DefaultAwsCredentialsManager.fromConfig(config),
          { endpoint: ecrConfig.endpoint, maxAttempts: ecrConfig.maxAttempts },
        );
        lifecycle.addShutdownHook(() => clients.destroy());
        return new DefaultEcrService(clients, ecrConfig);
      },
    }),
});
