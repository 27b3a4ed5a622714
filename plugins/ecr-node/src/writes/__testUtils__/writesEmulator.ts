import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  CodeBuildProjectRef,
  OwnershipSubject,
  parseCodeBuildProjectArn,
  parseRepositoryArn,
  parseRoleArn,
  RepositoryRef,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../../aws/clients';
import { readEcrConfig } from '../../config';
import { DefaultEcrService } from '../../service/DefaultEcrService';

export const ACCOUNT = '123412341234';
export const ROLE_PATTERNS = ['arn:aws:iam::*:role/service-role/codebuild-*'];

export const ENTITY_REF_TAG = 'backstage.io/entity-ref';
export const OWNER_TAG = 'backstage.io/owner';
export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';

/** The entities the write tests act for, as ownership sees them. */
export const SUBJECTS = {
  proofOfConcept: {
    entityRef: 'component:default/proof-of-concept',
    ownerRef: TEAM_A,
  },
  checkoutWeb: {
    entityRef: 'component:default/checkout-web',
    ownerRef: TEAM_A,
  },
  ordersApi: { entityRef: 'component:default/orders-api', ownerRef: TEAM_A },
  inventoryService: {
    entityRef: 'component:default/inventory-service',
    ownerRef: TEAM_A,
  },
  paymentsApi: {
    entityRef: 'component:default/payments-api',
    ownerRef: TEAM_B,
  },
  notificationsWorker: {
    entityRef: 'component:default/notifications-worker',
    ownerRef: TEAM_B,
  },
} satisfies Record<string, OwnershipSubject>;

/**
 * Who each resource of the write tests belongs to, by its tags. Every other
 * resource of the demo seed is untagged here, so that the tests do not depend
 * on the demo's own bindings.
 */
const BINDINGS = {
  repositories: {
    'proof-of-concept-repo': {
      [ENTITY_REF_TAG]: SUBJECTS.proofOfConcept.entityRef,
    },
    'payments-api': {
      [ENTITY_REF_TAG]: SUBJECTS.paymentsApi.entityRef,
      [OWNER_TAG]: TEAM_B,
    },
    // Reads the same as payments-api in a policy name.
    'payments/api': { [OWNER_TAG]: TEAM_B },
    'notifications-worker': { [OWNER_TAG]: TEAM_B },
    // checkout-web is unbound.
  } as Record<string, Record<string, string>>,
  roles: {
    // Untagged: codebuild-proof-of-concept-snapshot-service-role and
    // codebuild-checkout-web-service-role belong through their projects;
    // codebuild-team-b-builder-role is team B's through its project.
    'codebuild-payments-api-service-role': { [OWNER_TAG]: TEAM_B },
    'codebuild-notifications-worker-role': { [OWNER_TAG]: TEAM_B },
    'codebuild-orders-api-service-role': {
      [ENTITY_REF_TAG]: SUBJECTS.ordersApi.entityRef,
    },
  } as Record<string, Record<string, string>>,
  projects: {
    'codebuild-proof-of-concept-snapshot': { [OWNER_TAG]: TEAM_A },
    'codebuild-payments-api': {
      [ENTITY_REF_TAG]: SUBJECTS.paymentsApi.entityRef,
    },
    'codebuild-checkout-web': { [OWNER_TAG]: TEAM_A },
    'codebuild-runs-as-admin': { [OWNER_TAG]: TEAM_A },
    'codebuild-bare-role-name': { [OWNER_TAG]: TEAM_A },
    // Team A's project running as team B's role: the role's own tags win.
    'codebuild-borrows-team-b-role': { [OWNER_TAG]: TEAM_A },
    'codebuild-team-b-builder': { [OWNER_TAG]: TEAM_B },
  } as Record<string, Record<string, string>>,
};

/** Demo keys of a user that may also delete repositories (for the rollback). */
export const DELETER_KEYS = {
  accessKeyId: 'AKIAEMULATORDELETER',
  secretAccessKey: 'emulator-deleter-secret',
};

/**
 * The demo seed, plus what the write tests need beyond it: a user that may
 * also delete repositories, Backstage's right to tag build roles (for claim),
 * an admin role outside the role patterns and a CodeBuild project that runs
 * as it, one whose role CodeBuild names bare, a repository `payments/api`,
 * and team A's project running as team B's role. Resources are bound as
 * {@link BINDINGS} says.
 */
export async function startWritesEmulator(): Promise<Emulator> {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const account = seed.accounts[0];
  const backstage = account.users!.find(u => u.name === 'backstage')!;
  backstage.inlinePolicies = {
    ...backstage.inlinePolicies,
    'bind-build-roles': {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iam:TagRole',
          Resource: `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-*`,
        },
      ],
    },
  };
  account.users = [
    ...account.users!,
    {
      name: 'backstage-with-delete',
      accessKeys: [
        { id: DELETER_KEYS.accessKeyId, secret: DELETER_KEYS.secretAccessKey },
      ],
      inlinePolicies: {
        ...backstage.inlinePolicies,
        rollback: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ecr:DeleteRepository',
              Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/*`,
            },
          ],
        },
      },
    },
  ];
  const trustCodeBuild = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  account.roles = [
    ...account.roles!,
    { name: 'Admin', path: '/', trustPolicy: trustCodeBuild },
    {
      name: 'codebuild-team-b-builder-role',
      path: '/service-role/',
      trustPolicy: trustCodeBuild,
    },
  ];
  account.codebuildProjects = [
    ...account.codebuildProjects!,
    {
      name: 'codebuild-runs-as-admin',
      serviceRole: `arn:aws:iam::${ACCOUNT}:role/Admin`,
    },
    {
      name: 'codebuild-bare-role-name',
      serviceRole: 'codebuild-orders-api-service-role',
    },
    {
      name: 'codebuild-borrows-team-b-role',
      serviceRole: `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-notifications-worker-role`,
    },
    {
      name: 'codebuild-team-b-builder',
      serviceRole: `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-team-b-builder-role`,
    },
  ];
  account.repositories = [
    ...account.repositories!,
    { name: 'payments/api', imageTagMutability: 'IMMUTABLE', scanOnPush: true },
  ];
  for (const repository of account.repositories) {
    repository.tags = { ...BINDINGS.repositories[repository.name] };
  }
  for (const role of account.roles) {
    role.tags = { ...BINDINGS.roles[role.name] };
  }
  for (const project of account.codebuildProjects) {
    project.tags = { ...BINDINGS.projects[project.name] };
  }
  return startEmulator({ port: 0, seed });
}

/** The ECR service on real SDK clients, pointed at the emulator. */
export function serviceFor(
  emulator: Emulator,
  options: {
    keys?: { accessKeyId: string; secretAccessKey: string };
    allowedRoleArnPatterns?: string[];
    /** `ecr.regions`: where writes are allowed; unset, every region. */
    regions?: string[];
    /** `ecr.ownership`. */
    ownership?: Record<string, string>;
    /** Where the clients send their calls, when not to the emulator itself (a proxy in front of it). */
    endpoint?: string;
  } = {},
) {
  const keys = options.keys ?? {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  };
  const config = new ConfigReader({
    aws: { accounts: [{ accountId: ACCOUNT, ...keys }] },
    ecr: {
      allowedAccounts: [ACCOUNT],
      endpoint: options.endpoint ?? emulator.url,
      maxAttempts: 2,
      iam: {
        allowedRoleArnPatterns: options.allowedRoleArnPatterns ?? ROLE_PATTERNS,
      },
      ...(options.regions && { regions: options.regions }),
      ...(options.ownership && { ownership: options.ownership }),
    },
  });
  const ecrConfig = readEcrConfig(config);
  const clients = new AwsClients(
    DefaultAwsCredentialsManager.fromConfig(config),
    { endpoint: ecrConfig.endpoint, maxAttempts: ecrConfig.maxAttempts },
  );
  return { service: new DefaultEcrService(clients, ecrConfig), clients };
}

function parsed<T>(
  result: { ok: true; value: T } | { ok: false; error: string },
): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

export const refs = {
  repository: (name: string, region = 'eu-west-2'): RepositoryRef =>
    parsed(
      parseRepositoryArn(`arn:aws:ecr:${region}:${ACCOUNT}:repository/${name}`),
    ),
  role: (pathAndName: string): RoleRef =>
    parsed(parseRoleArn(`arn:aws:iam::${ACCOUNT}:role/${pathAndName}`)),
  project: (name: string): CodeBuildProjectRef =>
    parsed(
      parseCodeBuildProjectArn(
        `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${name}`,
      ),
    ),
};

/** Writes the emulator answered (any call whose name is not a read). */
export function writeCalls(emulator: Emulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.calls()).filter(
      ([operation]) =>
        !/:(Describe|Get|List|BatchGet|Simulate)/.test(operation),
    ),
  );
}

/** A repository as the emulator holds it, or undefined. */
export function repositoryIn(emulator: Emulator, name: string) {
  return emulator.state.accounts
    .get(ACCOUNT)!
    .registries.get('eu-west-2')
    ?.repositories.get(name);
}

/** A repository's tags as the emulator holds them. */
export function repositoryTags(
  emulator: Emulator,
  name: string,
): Record<string, string> {
  return Object.fromEntries(
    repositoryIn(emulator, name)!.tags.map(t => [t.Key, t.Value]),
  );
}

/** A role's tags as the emulator holds them. */
export function roleTags(
  emulator: Emulator,
  name: string,
): Record<string, string> {
  return Object.fromEntries(
    roleIn(emulator, name).tags.map(t => [t.Key, t.Value]),
  );
}

/** A role's inline policies as the emulator holds them, by name. */
export function inlinePoliciesOf(
  emulator: Emulator,
  name: string,
): Record<string, string> {
  return Object.fromEntries(roleIn(emulator, name).inlinePolicies);
}

/** A role as the emulator holds it. */
export function roleIn(emulator: Emulator, name: string) {
  return emulator.state.accounts.get(ACCOUNT)!.roles.get(name)!;
}

/** A customer-managed policy as the emulator holds it, by name. */
export function managedPolicyIn(emulator: Emulator, name: string) {
  return [...emulator.state.accounts.get(ACCOUNT)!.policies.values()].find(
    p => p.name === name,
  )!;
}
