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

/** A member of platform-team, the only group the demo policy lets read the audit or start a run. */
export const PLATFORM_USER = 'user:default/alice';
/** Anyone else, such as the demo's guest. */
export const OTHER_USER = 'user:default/guest';
/** A user this test policy lets read the audit (`ecr.audit.read`) but not start a run. */
export const AUDIT_READER = 'user:default/auditor';

/**
 * The demo policy's rules for the audit: `ecr.audit.read` and `ecr.audit.run`
 * to platform-team only; and `ecr.audit.read` alone to AUDIT_READER.
 */
const auditPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ecr-audit-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(request, user) {
            const who = user?.info.userEntityRef;
            const name = request.permission.name;
            let allowed = true;
            if (name === 'ecr.audit.read') {
              allowed = who === PLATFORM_USER || who === AUDIT_READER;
            } else if (name === 'ecr.audit.run') {
              allowed = who === PLATFORM_USER;
            }
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
