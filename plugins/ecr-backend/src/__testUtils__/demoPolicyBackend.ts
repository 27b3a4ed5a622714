import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  BackstageCredentials,
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createPermissionIntegrationRouter,
  createPermissionResourceRef,
  createPermissionRule,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ecrPlugin } from '../plugin';
import { testBackendConfig } from './testBackend';

/** The principals of the authorization matrix, by their role towards `team-a`'s entities. */
export const PRINCIPALS = {
  nonOwner: 'user:default/bob',
  owner: 'user:default/guest',
  platformTeam: 'user:default/alice',
};

const MEMBERSHIPS: Record<string, string[]> = {
  [PRINCIPALS.nonOwner]: [PRINCIPALS.nonOwner, 'group:default/team-b'],
  [PRINCIPALS.owner]: [PRINCIPALS.owner, 'group:default/team-a'],
  [PRINCIPALS.platformTeam]: [
    PRINCIPALS.platformTeam,
    'group:default/platform-team',
  ],
};

const PLATFORM_TEAM_REF = 'group:default/platform-team';

/** The Authorization header of each principal of the matrix; none has none. */
export const AUTH_HEADERS: Record<string, string | undefined> = {
  none: undefined,
  nonOwner: mockCredentials.user.header(PRINCIPALS.nonOwner),
  owner: mockCredentials.user.header(PRINCIPALS.owner),
  platformTeam: mockCredentials.user.header(PRINCIPALS.platformTeam),
  service: mockCredentials.service.header(),
};

function ownerRef(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: string } | undefined)?.owner;
  return owner
    ? stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      )
    : undefined;
}

const catalogEntityResourceRef = createPermissionResourceRef<
  Entity,
  unknown
>().with({ pluginId: 'catalog', resourceType: 'catalog-entity' });

/** The catalog's IS_ENTITY_OWNER rule, applied to `spec.owner`. */
const isEntityOwner = createPermissionRule<
  typeof catalogEntityResourceRef,
  { claims: string[] }
>({
  name: 'IS_ENTITY_OWNER',
  description: 'Allow entities owned by a specified claim',
  resourceRef: catalogEntityResourceRef,
  apply: (entity, params) => {
    const owner = ownerRef(entity);
    return owner !== undefined && params.claims.includes(owner);
  },
  toQuery: params => ({
    key: 'relations.ownedBy',
    values: params.claims,
  }),
});

/**
 * Stands in for the catalog backend's permission integration: resolves the
 * conditional decisions of the policy below against `entities`, as the real
 * catalog does at `/.well-known/backstage/permissions/apply-conditions`.
 *
 * The router is mounted directly rather than through
 * `coreServices.permissionsRegistry`: the registry's router only accepts a
 * user token that names its actor (the permission backend calling on the
 * user's behalf), and the mock auth service's on-behalf-of tokens name none,
 * so every conditional decision came back 403.
 */
function catalogPermissionsPlugin(entities: Entity[]) {
  return createBackendPlugin({
    pluginId: 'catalog',
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          httpRouter.use(
            createPermissionIntegrationRouter({
              resourceType: 'catalog-entity',
              rules: [isEntityOwner],
              async getResources(refs) {
                return refs.map(ref =>
                  entities.find(e => stringifyEntityRef(e) === ref),
                );
              },
            }),
          );
        },
      });
    },
  });
}

function decide(allowed: boolean): PolicyDecision {
  return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
}

/**
 * The decisions of the demo app's policy (packages/backend, docs/architecture.md, "Permissions and scoping"):
 * ecr.images.read to signed-in users, ecr.repository.create,
 * ecr.push-access.grant, ecr.repository.configure and ecr.build.start to the entity's owners (catalog IS_ENTITY_OWNER) and
 * to platform-team; ecr.audit.read, ecr.audit.run and ecr.repository.claim to
 * platform-team only. (Backstage's permission client decides for service
 * principals without asking the policy.)
 */
const demoPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ecr-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(
            request: PolicyQuery,
            user?: PolicyQueryUser,
          ): Promise<PolicyDecision> {
            const name = request.permission.name;
            const claims = user?.info.ownershipEntityRefs ?? [];
            if (
              name === 'ecr.audit.read' ||
              name === 'ecr.audit.run' ||
              name === 'ecr.repository.claim'
            ) {
              return decide(claims.includes(PLATFORM_TEAM_REF));
            }
            if (name === 'ecr.images.read') return decide(user !== undefined);
            if (
              name === 'ecr.repository.create' ||
              name === 'ecr.push-access.grant' ||
              name === 'ecr.repository.configure' ||
              name === 'ecr.build.start'
            ) {
              if (claims.length === 0) return decide(false);
              if (claims.includes(PLATFORM_TEAM_REF)) return decide(true);
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'catalog',
                resourceType: 'catalog-entity',
                conditions: {
                  rule: 'IS_ENTITY_OWNER',
                  resourceType: 'catalog-entity',
                  params: { claims },
                },
              };
            }
            if (name.startsWith('ecr.')) return decide(false);
            return decide(user !== undefined);
          },
        });
      },
    });
  },
});

/** Ownership claims of the matrix's users, as the catalog would resolve them. */
const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const userEntityRef = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef,
        ownershipEntityRefs: MEMBERSHIPS[userEntityRef] ?? [userEntityRef],
      };
    },
  }),
});

/**
 * The ECR plugin on a test backend with the demo app's permission decisions
 * (run by the real permission backend) and an in-memory catalog of `entities`.
 */
export async function startDemoPolicyBackend(options: {
  emulator: Emulator;
  entities: Entity[];
}): Promise<{ server: TestBackend['server'] }> {
  const { server } = await startTestBackend({
    features: [
      ecrPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      catalogPermissionsPlugin(options.entities),
      permissionBackend,
      demoPolicyModule,
      userInfoFactory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: testBackendConfig(options.emulator.url),
      }),
    ],
  });
  return { server };
}
