import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
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
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { JsonObject } from '@backstage/types';
import { ecrPlugin } from '../plugin';

export const ACCOUNT = '123412341234';
/** The demo's second account, holding base-images' repository. */
export const SHARED_ACCOUNT = '210987654321';

/** The demo seed's scanned proof-of-concept image (it has findings). */
export const POC_SCANNED =
  'sha256:34a5077dc2003d7cdf31e1c92244fedb9487aa49f2122a9464a393a9ac4d8db5';

export const KEYS = {
  backstage: {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  },
  readonly: {
    accessKeyId: 'AKIAEMULATORREADONLY',
    secretAccessKey: 'emulator-readonly-secret',
  },
  nothing: {
    accessKeyId: 'AKIAEMULATORNOTHING',
    secretAccessKey: 'emulator-nothing-secret',
  },
  /** Backstage's user in the shared account. */
  shared: {
    accessKeyId: 'AKIAEMULATORSHARED',
    secretAccessKey: 'emulator-shared-secret',
  },
};

/**
 * The app config the test backends share: the demo account's keys, the
 * emulator as the endpoint, few SDK retries, no cache unless asked, the demo's
 * role patterns. `ecr` is merged over the defaults.
 */
export function testBackendConfig(
  emulatorUrl: string,
  options: {
    keys?: { accessKeyId: string; secretAccessKey: string };
    ecr?: JsonObject;
  } = {},
): JsonObject {
  const keys = options.keys ?? KEYS.backstage;
  return {
    permission: { enabled: true },
    aws: {
      mainAccount: keys,
      accounts: [{ accountId: ACCOUNT, ...keys }],
    },
    ecr: {
      allowedAccounts: [ACCOUNT],
      regions: ['eu-west-2'],
      endpoint: emulatorUrl,
      maxAttempts: 2,
      cache: { ttlSeconds: 0 },
      containerPort: 8080,
      iam: {
        allowedRoleArnPatterns: [
          'arn:aws:iam::*:role/service-role/codebuild-*',
        ],
      },
      ...options.ecr,
    },
  };
}

/** The demo seed, plus an identity that may do nothing at all. */
export async function startDemoEmulator(): Promise<Emulator> {
  const seed = readSeedFile(DEMO_SEED_PATH);
  seed.accounts[0].users = [
    ...(seed.accounts[0].users ?? []),
    {
      name: 'no-permissions',
      accessKeys: [
        { id: KEYS.nothing.accessKeyId, secret: KEYS.nothing.secretAccessKey },
      ],
    },
  ];
  return startEmulator({ port: 0, seed });
}

const arn = {
  repo: (name: string) => `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`,
  project: (name: string) =>
    `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${name}`,
};

/** A component with these annotations, owned by `owner` (team-a by default). */
export function component(
  name: string,
  annotations: Record<string, string>,
  owner = 'team-a',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** The demo catalog's ECR entities, and a few that test the edges. */
export const ENTITIES: Entity[] = [
  component('proof-of-concept', {
    'aws.amazon.com/amazon-ecr-arn': arn.repo('proof-of-concept-repo'),
    'aws.amazon.com/aws-codebuild-project-arn': arn.project(
      'codebuild-proof-of-concept-snapshot',
    ),
  }),
  component('inventory-service', {
    'aws.amazon.com/amazon-ecr-arn': arn.repo('inventory-service'),
    'aws.amazon.com/aws-codebuild-project-arn': arn.project(
      'codebuild-inventory-service',
    ),
  }),
  component(
    'payments-api',
    {
      'aws.amazon.com/amazon-ecr-arn': arn.repo('payments-api'),
      'aws.amazon.com/aws-codebuild-project-arn': arn.project(
        'codebuild-payments-api',
      ),
      'ecr.backstage-ecr.io/container-port': '3000',
    },
    'team-b',
  ),
  component(
    'notifications-worker',
    {
      'aws.amazon.com/amazon-ecr-arn': arn.repo('notifications-worker'),
      'ecr.backstage-ecr.io/push-role-arn': `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-notifications-worker-role`,
    },
    'team-b',
  ),
  component('developer-handbook', {}, 'team-b'),
  // Team-b's two repositories (their owner tag names team-b), named by
  // another team-b entity.
  component(
    'two-repositories',
    {
      'aws.amazon.com/amazon-ecr-arn': `${arn.repo('payments-api')},${arn.repo(
        'notifications-worker',
      )}`,
    },
    'team-b',
  ),
  component('bad-annotations', {
    'aws.amazon.com/amazon-ecr-arn': 'proof-of-concept-repo',
    'ecr.backstage-ecr.io/container-port': 'eighty',
  }),
  component('foreign-account', {
    'aws.amazon.com/amazon-ecr-arn':
      'arn:aws:ecr:eu-west-2:999999999999:repository/payments-api',
  }),
  component(
    'hidden-service',
    { 'aws.amazon.com/amazon-ecr-arn': arn.repo('payments-api') },
    'team-b',
  ),
];

/** Users the test catalog hides `hidden-service` from. */
export const OUTSIDER = 'user:default/outsider';
/** A user the test policy refuses ecr.images.read. */
export const DENIED_USER = 'user:default/mallory';
/** A user the test policy lets read but refuses every ECR write. */
export const READ_ONLY_USER = 'user:default/reader';
const WRITE_PERMISSIONS = [
  'ecr.repository.create',
  'ecr.push-access.grant',
  'ecr.repository.claim',
  'ecr.build.start',
  'ecr.repository.configure',
];

/**
 * A permission policy for the tests, run by the real permission backend: it
 * allows everything except ecr.images.read to DENIED_USER.
 */
const testPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ecr-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(
            request: PolicyQuery,
            user?: PolicyQueryUser,
          ): Promise<PolicyDecision> {
            const refused =
              (request.permission.name === 'ecr.images.read' &&
                user?.info.userEntityRef === DENIED_USER) ||
              (WRITE_PERMISSIONS.includes(request.permission.name) &&
                user?.info.userEntityRef === READ_ONLY_USER);
            return {
              result: refused ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
            };
          },
        });
      },
    });
  },
});

/** The ECR plugin on a test backend, against the emulator. */
export async function startEcrBackend(options: {
  emulator: Emulator;
  keys?: { accessKeyId: string; secretAccessKey: string };
  ttlSeconds?: number;
  /** Entities the test catalog holds besides ENTITIES. */
  entities?: Entity[];
  /** More features, e.g. a recording auditor. */
  features?: BackendFeature[];
}): Promise<{ server: TestBackend['server'] }> {
  const keys = options.keys ?? KEYS.backstage;
  const catalog = catalogServiceMock.mock({
    async getEntityByRef(ref, requestOptions) {
      const credentials = (
        requestOptions as { credentials?: { principal: unknown } }
      )?.credentials;
      const wanted =
        typeof ref === 'string'
          ? ref
          : `${ref.kind}:${ref.namespace ?? 'default'}/${ref.name}`;
      const [kind, rest] = wanted.toLocaleLowerCase('en-US').split(':');
      const [namespace, name] = rest.split('/');
      if (name === 'explodes') {
        throw new Error('ENOENT: /srv/backstage/secret/path.ts:12');
      }
      const found = [...ENTITIES, ...(options.entities ?? [])].find(
        e =>
          e.kind.toLocaleLowerCase('en-US') === kind &&
          (e.metadata.namespace ?? 'default') === namespace &&
          e.metadata.name === name,
      );
      const principal = credentials?.principal as { userEntityRef?: string };
      if (found?.metadata.name === 'hidden-service') {
        return principal?.userEntityRef === OUTSIDER ? undefined : found;
      }
      return found;
    },
  });
  const { server } = await startTestBackend({
    features: [
      ecrPlugin,
      catalog.factory,
      permissionBackend,
      testPolicyModule,
      // As in production: a request without a token has no credentials.
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: testBackendConfig(options.emulator.url, {
          keys,
          ecr: { cache: { ttlSeconds: options.ttlSeconds ?? 0 } },
        }),
      }),
      ...(options.features ?? []),
    ],
  });
  return { server };
}
