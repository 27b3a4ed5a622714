import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  BackendFeature,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ecrPlugin } from '../../plugin';
import { testBackendConfig } from '../../__testUtils__/testBackend';

/** A member of platform-team, the only group the demo policy lets read the audit. */
export const PLATFORM_USER = 'user:default/alice';
/** Anyone else, such as the demo's guest. */
export const OTHER_USER = 'user:default/guest';

/** The demo policy's rule for the audit: `ecr.audit.read` to platform-team only. */
const auditPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ecr-audit-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(request, user) {
            const allowed =
              request.permission.name !== 'ecr.audit.read' ||
              user?.info.userEntityRef === PLATFORM_USER;
            return {
              result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
            };
          },
        });
      },
    });
  },
});

/** The ECR plugin on a test backend with an in-memory catalog of `entities`. */
export async function startAuditBackend(options: {
  emulator: Emulator;
  entities: Entity[];
  audit?: JsonObject;
  features?: BackendFeature[];
}): Promise<TestBackend> {
  return startTestBackend({
    features: [
      ecrPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      permissionBackend,
      auditPolicyModule,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: testBackendConfig(options.emulator.url, {
          ecr: options.audit ? { audit: options.audit } : {},
        }),
      }),
      ...(options.features ?? []),
    ],
  });
}
