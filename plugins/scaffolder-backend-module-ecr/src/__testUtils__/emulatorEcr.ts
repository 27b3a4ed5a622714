import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import { createEcrService } from '@backstage-ecr/plugin-ecr-node';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';

export const ACCOUNT = '123412341234';

/** The configuration the demo uses, pointed at an emulator. */
export function ecrConfigData(
  emulator: Emulator,
  overrides: { allowedAccounts?: string[] } = {},
): JsonObject {
  const keys = {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  };
  return {
    aws: { mainAccount: keys, accounts: [{ accountId: ACCOUNT, ...keys }] },
    ecr: {
      allowedAccounts: overrides.allowedAccounts ?? [ACCOUNT],
      endpoint: emulator.url,
      maxAttempts: 2,
      iam: {
        allowedRoleArnPatterns: [
          'arn:aws:iam::*:role/service-role/codebuild-*',
        ],
      },
    },
  };
}

export const ENTITY_REF_TAG = 'backstage.io/entity-ref';
export const OWNER_TAG = 'backstage.io/owner';

/**
 * Who the resources these tests rely on belong to, set here rather than taken
 * from the demo seed's tags, so that the tests say what they assume:
 * - the repository payments-api is component:default/payments-api's and
 *   group:default/team-b's;
 * - the CodeBuild project codebuild-orders-api is group:default/team-a's, and
 *   its service role has no tags (it belongs through the project);
 * - the CodeBuild project codebuild-payments-api is payments-api's, and its
 *   service role group:default/team-b's.
 */
export const BINDINGS = {
  repositories: {
    'payments-api': {
      [ENTITY_REF_TAG]: 'component:default/payments-api',
      [OWNER_TAG]: 'group:default/team-b',
    },
  },
  codebuildProjects: {
    'codebuild-orders-api': { [OWNER_TAG]: 'group:default/team-a' },
    'codebuild-payments-api': {
      [ENTITY_REF_TAG]: 'component:default/payments-api',
    },
  },
  roles: {
    'codebuild-orders-api-service-role': {},
    'codebuild-payments-api-service-role': {
      [OWNER_TAG]: 'group:default/team-b',
    },
  },
} as const;

function bind<T extends { name: string; tags?: Record<string, string> }>(
  list: T[] | undefined,
  tags: Record<string, Record<string, string>>,
  what: string,
) {
  for (const [name, wanted] of Object.entries(tags)) {
    const found = list?.find(item => item.name === name);
    if (!found) throw new Error(`The demo seed has no ${what} ${name}`);
    found.tags = { ...wanted };
  }
}

/**
 * The demo seed, with the bindings above, plus an admin role outside the role
 * patterns; with `ordersRepository`, also a repository orders-api that belongs
 * to component:default/orders-api and group:default/team-a, as
 * ecr:repository:create leaves it.
 */
export async function startActionsEmulator(
  options: { ordersRepository?: boolean } = {},
): Promise<Emulator> {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const account = seed.accounts[0];
  bind(account.repositories, BINDINGS.repositories, 'repository');
  bind(account.codebuildProjects, BINDINGS.codebuildProjects, 'project');
  bind(account.roles, BINDINGS.roles, 'role');
  account.roles = [...account.roles!, { name: 'Admin', path: '/' }];
  if (options.ordersRepository) {
    account.repositories = [
      ...account.repositories!,
      {
        name: 'orders-api',
        imageTagMutability: 'IMMUTABLE',
        scanOnPush: true,
        encryption: 'AES256',
        tags: {
          [ENTITY_REF_TAG]: 'component:default/orders-api',
          [OWNER_TAG]: 'group:default/team-a',
          'ecr.backstage-ecr.io/setup': 'complete',
        },
      },
    ];
  }
  return startEmulator({ port: 0, seed });
}

/** A repository's tags in the emulator, as a map. */
export function tagsOf(resource: {
  tags: Array<{ Key?: string; Value?: string }>;
}) {
  return Object.fromEntries(resource.tags.map(t => [t.Key, t.Value]));
}

/** The ECR service the module gets from ecrServiceRef, on real SDK clients. */
export function ecrServiceFor(
  emulator: Emulator,
  overrides: { allowedAccounts?: string[] } = {},
) {
  const config = new ConfigReader(ecrConfigData(emulator, overrides));
  const { service, close } = createEcrService({ config });
  return { ecr: service, clients: { destroy: close } };
}

/** Writes the emulator answered. */
export function writeCalls(emulator: Emulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.calls()).filter(
      ([op]) => !/:(Describe|Get|List|BatchGet|Simulate)/.test(op),
    ),
  );
}

export function repositoryIn(emulator: Emulator, name: string) {
  return emulator.state.accounts
    .get(ACCOUNT)!
    .registries.get('eu-west-2')
    ?.repositories.get(name);
}

export function roleIn(emulator: Emulator, name: string) {
  return emulator.state.accounts.get(ACCOUNT)!.roles.get(name)!;
}

/**
 * A checkpoint store like the scaffolder's: a re-run of the task (task
 * recovery) replays what an earlier run recorded under the same key.
 */
export function checkpointStore() {
  const saved = new Map<string, unknown>();
  return {
    saved,
    async checkpoint<T>(opts: { key: string; fn: () => Promise<T> | T }) {
      if (saved.has(opts.key)) return saved.get(opts.key) as T;
      const value = await opts.fn();
      saved.set(opts.key, value);
      return value;
    },
  };
}
