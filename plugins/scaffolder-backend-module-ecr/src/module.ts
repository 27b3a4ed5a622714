import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ecrServiceRef } from '@backstage-ecr/plugin-ecr-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createEcrPushAccessGrantAction } from './actions/grantPushAccess';
import { createEcrRepositoryCreateAction } from './actions/createRepository';

/**
 * The Amazon ECR actions for the scaffolder: `ecr:repository:create` and
 * `ecr:push-access:grant`, on the same ECR service as the ECR backend plugin.
 *
 * @public
 */
export const scaffolderModuleEcr = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ecr',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        ecr: ecrServiceRef,
        catalog: catalogServiceRef,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
      },
      async init({ scaffolder, ecr, catalog, userInfo, permissions }) {
        const services = { ecr, catalog, userInfo, permissions };
        scaffolder.addActions(
          createEcrRepositoryCreateAction(services),
          createEcrPushAccessGrantAction(services),
        );
      },
    });
  },
});
