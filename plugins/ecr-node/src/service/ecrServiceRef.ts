import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { createEcrService } from './createEcrService';
import { EcrService } from './EcrService';

/**
 * The ECR AWS layer as a backend service. Root-scoped so that the backend
 * plugin and the scaffolder module share one set of SDK clients. Replace it
 * with your own factory to change how AWS is reached.
 *
 * @public
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
        const { service: ecr, close } = createEcrService({ config });
        lifecycle.addShutdownHook(close);
        return ecr;
      },
    }),
});
