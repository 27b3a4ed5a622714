import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  AuthService,
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
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { scaffolderModuleEcr } from '../module';
import { ecrConfigData } from './emulatorEcr';
import { PLATFORM_TEAM, userInfoFactory } from './initiators';

/** The demo's software template, as shipped. */
export const TEMPLATE_DIR = path.resolve(
  __dirname,
  '../../../../examples/templates/ecr-service',
);

/**
 * The shipped template as the catalog holds it, registered from its file, so
 * that its `./skeleton` resolves next to it.
 */
export function templateEntity(): Entity {
  const file = path.join(TEMPLATE_DIR, 'template.yaml');
  const template = yaml.parse(fs.readFileSync(file, 'utf8')) as Entity;
  return {
    ...template,
    metadata: {
      ...template.metadata,
      namespace: 'default',
      annotations: {
        ...template.metadata.annotations,
        'backstage.io/managed-by-location': `file:${file}`,
        'backstage.io/managed-by-origin-location': `file:${file}`,
      },
    },
  };
}

function ownerOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string') return undefined;
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    }),
  );
}

const catalogEntity = createPermissionResourceRef<Entity, unknown>().with({
  pluginId: 'catalog',
  resourceType: 'catalog-entity',
});

/** The catalog's IS_ENTITY_OWNER, judged on `spec.owner`. */
const isEntityOwner = createPermissionRule<
  typeof catalogEntity,
  { claims: string[] }
>({
  name: 'IS_ENTITY_OWNER',
  description: 'Allow entities owned by one of the claims',
  resourceRef: catalogEntity,
  apply: (entity, { claims }) => {
    const owner = ownerOf(entity);
    return owner !== undefined && claims.includes(owner);
  },
  toQuery: ({ claims }) => ({ key: 'relations.ownedBy', values: claims }),
});

/**
 * The catalog's side of conditional decisions on catalog entities, as the
 * catalog backend answers them at
 * `/.well-known/backstage/permissions/apply-conditions`: an entity that is
 * not in `entities` matches no condition. (Mounted on the plugin's router
 * rather than through coreServices.permissionsRegistry, whose router wants
 * on-behalf-of tokens that name their actor, which the mock auth service's
 * do not.)
 */
function catalogConditionsPlugin(entities: Entity[]) {
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
                  entities.find(
                    e =>
                      stringifyEntityRef(e).toLocaleLowerCase('en-US') ===
                      ref.toLocaleLowerCase('en-US'),
                  ),
                );
              },
            }),
          );
        },
      });
    },
  });
}

/**
 * The mock auth service, except that a plugin's token on behalf of a user
 * names the plugin as its actor, as real on-behalf-of tokens do. The mock's
 * own on-behalf-of tokens name none, and the real permission backend refuses
 * a user request without an actor that asks about a resource permission
 * without a resourceRef, which the scaffolder does for every task
 * (scaffolder.template.parameter.read, scaffolder.template.step.read):
 * POST /v2/tasks would answer 400.
 */
const authWithActorsFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => auth.authenticate(token, options),
      getNoneCredentials: () => auth.getNoneCredentials(),
      getOwnServiceCredentials: () => auth.getOwnServiceCredentials(),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials => auth.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => auth.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type?: string;
          userEntityRef?: string;
          actor?: { subject: string };
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: principal.actor ?? { subject: `plugin:${plugin.getId()}` },
            }),
          };
        }
        return auth.getPluginRequestToken(options);
      },
    };
  },
});

function decide(allowed: boolean): PolicyDecision {
  return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
}

/**
 * The decisions of the demo app's policy (packages/backend): the ECR writes
 * to the entity's owners (catalog IS_ENTITY_OWNER) and to platform-team,
 * nothing to a request without claims; everything else (the scaffolder's own
 * permissions among them) to signed-in users.
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
            query: PolicyQuery,
            user?: PolicyQueryUser,
          ): Promise<PolicyDecision> {
            const name = query.permission.name;
            const claims = user?.info.ownershipEntityRefs ?? [];
            if (
              name === 'ecr.repository.create' ||
              name === 'ecr.push-access.grant'
            ) {
              if (claims.length === 0) return decide(false);
              if (claims.includes(PLATFORM_TEAM)) return decide(true);
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

/**
 * The scaffolder with this module, the real actions on `emulator`, a catalog
 * of `entities` (the shipped template added), and the real permission
 * backend running the demo policy; users' claims from
 * {@link userInfoFactory}. Requests name their principal in the
 * Authorization header (mockCredentials.*.header()); none means none.
 */
export async function startScaffolderBackend(options: {
  emulator: Emulator;
  entities: Entity[];
}): Promise<TestBackend['server']> {
  const entities = [...options.entities, templateEntity()];
  const { server } = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleEcr,
      catalogServiceMock.factory({ entities }),
      catalogConditionsPlugin(entities),
      permissionBackend,
      demoPolicyModule,
      userInfoFactory,
      authWithActorsFactory,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          ...ecrConfigData(options.emulator),
          permission: { enabled: true },
        },
      }),
    ],
  });
  return server;
}

/** A finished task, as the scaffolder's API reports it. */
export interface FinishedTask {
  id: string;
  status: string;
  /** The messages of its log events, in order. */
  log: string[];
  /** Each step's last status, from the log events. */
  steps: Record<string, string>;
  /** The completion event's body: its error and the template's output. */
  completion: {
    message?: string;
    error?: { name?: string; message?: string };
    output?: unknown;
  };
}

/**
 * Starts the shipped template as a real task through `POST /v2/tasks`, as the
 * Create page does, waits for it to end, and reads its events.
 */
export async function runTemplate(
  server: TestBackend['server'],
  authorization: string,
  values: Record<string, unknown>,
): Promise<FinishedTask> {
  const created = await request(server)
    .post('/api/scaffolder/v2/tasks')
    .set('Authorization', authorization)
    .send({ templateRef: 'template:default/ecr-service', values });
  if (created.status !== 201) {
    throw new Error(
      `POST /v2/tasks answered ${created.status}: ${JSON.stringify(
        created.body,
      )}`,
    );
  }
  const id: string = created.body.id;
  const deadline = Date.now() + 30_000;
  let status = 'open';
  while (!['completed', 'failed', 'cancelled'].includes(status)) {
    if (Date.now() > deadline) {
      throw new Error(`Task ${id} still ${status} after 30 s`);
    }
    await new Promise(r => setTimeout(r, 50));
    const task = await request(server)
      .get(`/api/scaffolder/v2/tasks/${id}`)
      .set('Authorization', authorization);
    if (task.status !== 200) {
      throw new Error(`GET /v2/tasks/${id} answered ${task.status}`);
    }
    status = task.body.status;
  }
  const events = await request(server)
    .get(`/api/scaffolder/v2/tasks/${id}/events`)
    .set('Authorization', authorization);
  type Event = {
    type: string;
    body: { message?: string; stepId?: string; status?: string } & Record<
      string,
      unknown
    >;
  };
  const list = events.body as Event[];
  const steps: Record<string, string> = {};
  for (const event of list) {
    if (event.body.stepId && event.body.status) {
      steps[event.body.stepId] = event.body.status;
    }
  }
  return {
    id,
    status,
    log: list
      .filter(e => e.type === 'log')
      .map(e => String(e.body.message ?? '')),
    steps,
    completion: (list.find(e => e.type === 'completion')?.body ??
      {}) as FinishedTask['completion'],
  };
}
