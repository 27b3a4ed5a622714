import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { EcrDemoPermissionPolicy } from './policy';

/** Installs {@link EcrDemoPermissionPolicy} into the permission backend. */
export const permissionModuleEcrDemoPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ecr-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new EcrDemoPermissionPolicy(userInfo));
      },
    });
  },
});
