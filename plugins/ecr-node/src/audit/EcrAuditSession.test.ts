import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  Seed,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  EcrAnnotationsResult,
  OwnershipSubject,
  ownershipSubjectOf,
  readEcrAnnotations,
} from '@backstage-ecr/plugin-ecr-common';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../aws/clients';
import { evaluateSetupChecks } from '../checks';
import { readEcrConfig } from '../config';
import {
  failedFacts,
  gatherSetupFacts,
  ownershipFacts,
  transientFailures,
} from '../setup/gatherSetupFacts';
import { createAuditSession } from './EcrAuditSession';

// The audit's shared fact gathering against the emulator, through the real
// SDK clients.

const ACCOUNT = '123412341234';
const REGION = 'eu-west-2';
const repo = (name: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const project = (name: string) =>
  `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${name}`;
const role = (name: string) =>
  `arn:aws:iam::${ACCOUNT}:role/service-role/${name}`;

const CONFIG = readEcrConfig(
  new ConfigReader({
    ecr: {
      allowedAccounts: [ACCOUNT],
      iam: {
        allowedRoleArnPatterns: [
          'arn:aws:iam::*:role/service-role/codebuild-*',
        ],
      },
    },
  }),
);

interface DemoEntity {
  annotations: EcrAnnotationsResult;
  subject: OwnershipSubject;
}

function annotated(
  name: string,
  owner: string,
  annotations: Record<string, string>,
): DemoEntity {
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: { owner },
  };
  return {
    annotations: readEcrAnnotations(entity, { allowedAccounts: [ACCOUNT] }),
    subject: ownershipSubjectOf(entity),
  };
}

const ENTITY_REF_TAG = 'backstage.io/entity-ref';
const OWNER_TAG = 'backstage.io/owner';

/**
 * Who the demo's resources belong to in this test, whatever the demo seed
 * says: every resource not named here is untagged. reporting-api is team
 * B's, though team A's reporting-api names it.
 */
const BINDINGS: Record<
  'repositories' | 'roles' | 'codebuildProjects',
  Record<string, Record<string, string>>
> = {
  repositories: {
    'proof-of-concept-repo': {
      [ENTITY_REF_TAG]: 'component:default/proof-of-concept',
    },
    'payments-api': {
      [ENTITY_REF_TAG]: 'component:default/payments-api',
      [OWNER_TAG]: 'group:default/team-b',
    },
    'notifications-worker': { [OWNER_TAG]: 'group:default/team-b' },
    'search-indexer': { [ENTITY_REF_TAG]: 'component:default/search-indexer' },
    'reporting-api': { [OWNER_TAG]: 'group:default/team-b' },
    'image-resizer': { [OWNER_TAG]: 'group:default/team-b' },
  },
  roles: {
    'codebuild-payments-api-service-role': {
      [OWNER_TAG]: 'group:default/team-b',
    },
    'codebuild-notifications-worker-role': {
      [OWNER_TAG]: 'group:default/team-b',
    },
    'codebuild-search-indexer-role': {
      [ENTITY_REF_TAG]: 'component:default/search-indexer',
    },
    'codebuild-image-resizer-role': { [OWNER_TAG]: 'group:default/team-b' },
  },
  codebuildProjects: {
    'codebuild-proof-of-concept-snapshot': {
      [OWNER_TAG]: 'group:default/team-a',
    },
    'codebuild-payments-api': {
      [ENTITY_REF_TAG]: 'component:default/payments-api',
    },
    'codebuild-inventory-service': {
      [ENTITY_REF_TAG]: 'component:default/inventory-service',
    },
    'codebuild-checkout-web': { [OWNER_TAG]: 'group:default/team-a' },
  },
};

function bind(seed: Seed): void {
  const account = seed.accounts[0];
  for (const kind of ['repositories', 'roles', 'codebuildProjects'] as const) {
    for (const resource of account[kind] ?? []) {
      resource.tags = { ...BINDINGS[kind][resource.name] };
    }
  }
}

/** The demo catalog's annotations and owners, and one service with two repositories. */
const DEMO = {
  'proof-of-concept': annotated('proof-of-concept', 'team-a', {
    'aws.amazon.com/amazon-ecr-arn': repo('proof-of-concept-repo'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-proof-of-concept-snapshot',
    ),
  }),
  'inventory-service': annotated('inventory-service', 'team-a', {
    'aws.amazon.com/amazon-ecr-arn': repo('inventory-service'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-inventory-service',
    ),
  }),
  'payments-api': annotated('payments-api', 'team-b', {
    'aws.amazon.com/amazon-ecr-arn': repo('payments-api'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-payments-api',
    ),
  }),
  'payments-api-again': annotated('payments-api', 'team-b', {
    'aws.amazon.com/amazon-ecr-arn': repo('payments-api'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-payments-api',
    ),
  }),
  'notifications-worker': annotated('notifications-worker', 'team-b', {
    'aws.amazon.com/amazon-ecr-arn': repo('notifications-worker'),
    'ecr.backstage-ecr.io/push-role-arn': role(
      'codebuild-notifications-worker-role',
    ),
  }),
  'checkout-web': annotated('checkout-web', 'team-a', {
    'aws.amazon.com/amazon-ecr-arn': repo('checkout-web'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-checkout-web',
    ),
  }),
  'search-indexer': annotated('search-indexer', 'team-b', {
    'aws.amazon.com/amazon-ecr-arn': repo('search-indexer'),
    'ecr.backstage-ecr.io/push-role-arn': role('codebuild-search-indexer-role'),
  }),
  'reporting-api': annotated('reporting-api', 'team-a', {
    'aws.amazon.com/amazon-ecr-arn': repo('reporting-api'),
    'aws.amazon.com/aws-codebuild-project-arn': project('codebuild-reporting'),
  }),
  'image-resizer': annotated('image-resizer', 'team-b', {
    'aws.amazon.com/amazon-ecr-arn': repo('image-resizer'),
    'ecr.backstage-ecr.io/push-role-arn': role('codebuild-image-resizer-role'),
  }),
  'pushed-by-payments-role': annotated('pushed-by-payments-role', 'team-b', {
    'aws.amazon.com/amazon-ecr-arn': `${repo('payments-api')},${repo(
      'notifications-worker',
    )}`,
    'ecr.backstage-ecr.io/push-role-arn': role(
      'codebuild-payments-api-service-role',
    ),
  }),
};

function clientsFor(
  emulator: Emulator,
  keys = {
    accessKeyId: 'AKIAEMULATORBACKSTAGE',
    secretAccessKey: 'emulator-backstage-secret',
  },
) {
  const config = new ConfigReader({
    aws: { accounts: [{ accountId: ACCOUNT, ...keys }] },
  });
  return new AwsClients(DefaultAwsCredentialsManager.fromConfig(config), {
    endpoint: emulator.url,
    maxAttempts: 2,
  });
}

/**
 * Waits until no call has reached the emulator for `windowMs`, so that calls
 * a test left retrying (it failed fast, as Promise.all does) are not counted
 * in the next. The SDK waits up to a second before it retries a throttled
 * call.
 */
async function quiet(emulator: Emulator, windowMs = 100): Promise<void> {
  let last: string | undefined;
  for (;;) {
    const now = JSON.stringify(emulator.calls());
    if (now === last) return;
    last = now;
    await new Promise(resolve => setTimeout(resolve, windowMs));
  }
}

describe('the audit session against the emulator', () => {
  let emulator: Emulator;
  let clients: AwsClients;

  beforeAll(async () => {
    const seed = readSeedFile(DEMO_SEED_PATH);
    bind(seed);
    // May describe the demo's repositories one by one, but not list them.
    seed.accounts[0].users = [
      ...(seed.accounts[0].users ?? []),
      {
        name: 'no-listing',
        accessKeys: [{ id: 'AKIAEMULATORNOLIST', secret: 'no-list-secret' }],
        inlinePolicies: {
          'named-repositories': {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'ecr:ListTagsForResource',
                  'ecr:DescribeRepositories',
                  'ecr:DescribeImages',
                ],
                Resource: [repo('payments-api'), repo('notifications-worker')],
              },
              {
                Effect: 'Allow',
                Action: 'ecr:GetLifecyclePolicy',
                Resource: '*',
              },
            ],
          },
        },
      },
    ];
    emulator = await startEmulator({ port: 0, seed });
    clients = clientsFor(emulator);
  });

  afterAll(async () => {
    await quiet(emulator, 1500);
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(async () => {
    emulator.setFaults({
      throttleRate: 0,
      errorRate: 0,
      throttleNext: 0,
      operations: [],
    });
    await quiet(emulator);
    emulator.resetCalls();
  });

  // Ten services, each gathered twice, one after the other.
  jest.setTimeout(20_000);

  it('gathers the same facts as the entity route, for every demo service', async () => {
    const session = createAuditSession(clients, CONFIG);
    for (const [name, { annotations, subject }] of Object.entries(DEMO)) {
      const direct = await gatherSetupFacts(
        clients,
        annotations,
        ownershipFacts(CONFIG, subject),
      );
      const shared = await session.getSetupFacts(annotations, subject);
      expect({ name, facts: shared }).toEqual({ name, facts: direct });
      expect(evaluateSetupChecks(shared)).toEqual(evaluateSetupChecks(direct));
    }
  });

  it('asks each AWS question once per run, however many services ask it', async () => {
    const session = createAuditSession(clients, CONFIG);
    const all = Object.values(DEMO);
    await Promise.all(
      all.map(e => session.getSetupFacts(e.annotations, e.subject)),
    );
    await session.listRepositories(ACCOUNT, REGION);
    const calls = emulator.calls();
    // One listing of the account and region for every repository setting and
    // for the unclaimed repositories, instead of one call per repository.
    expect(calls['ecr:DescribeRepositories']).toBe(1);
    expect(calls['sts:GetCallerIdentity']).toBe(1);
    // Who each annotated repository belongs to, once (inventory-service does
    // not exist; payments-api is named three times).
    expect(calls['ecr:ListTagsForResource']).toBe(8);
    // Once per existing repository its entity may read: reporting-api is
    // team B's, so team A's reporting-api reads nothing more of it.
    const readable = [
      'proof-of-concept-repo',
      'payments-api',
      'notifications-worker',
      'checkout-web',
      'search-indexer',
      'image-resizer',
    ];
    expect(calls['ecr:GetLifecyclePolicy']).toBe(readable.length);
    expect(calls['ecr:DescribeImages']).toBe(readable.length);
    expect(calls['ecr:GetRepositoryPolicy']).toBe(readable.length);
    // One simulation per role and repository, and one per role for the token:
    // proof-of-concept, inventory, payments (payments-api and
    // notifications-worker), notifications-worker, checkout-web,
    // search-indexer and image-resizer roles.
    const pairs = 1 + 1 + 2 + 1 + 1 + 1 + 1;
    const roles = 7;
    expect(calls['iam:SimulatePrincipalPolicy']).toBe(pairs + roles);
    expect(calls['iam:GetRole']).toBe(roles);
    expect(calls['iam:ListAttachedRolePolicies']).toBe(roles);
    // codebuild-reporting does not exist; payments is looked up once.
    expect(calls['codebuild:BatchGetProjects']).toBe(5);
  });

  it('lists every repository of an account and region', async () => {
    const session = createAuditSession(clients, CONFIG);
    const listing = await session.listRepositories(ACCOUNT, REGION);
    expect(listing.ok).toBe(true);
    const repositories = listing.ok ? listing.value : [];
    expect(repositories.map(r => r.name)).toEqual(
      expect.arrayContaining([
        'legacy-batch-jobs',
        'old-frontend-2019',
        'sandbox-experiments',
        'data-pipeline-base',
      ]),
    );
    expect(repositories.find(r => r.name === 'old-frontend-2019')).toEqual({
      arn: repo('old-frontend-2019'),
      name: 'old-frontend-2019',
      region: REGION,
      accountId: ACCOUNT,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      settings: expect.objectContaining({ encryptionType: 'KMS' }),
    });
    // A region the seed never names simply has no repositories.
    await expect(
      session.listRepositories(ACCOUNT, 'us-east-1'),
    ).resolves.toEqual({ ok: true, value: [] });
  });

  it('describes repositories one by one where Backstage may not list them', async () => {
    const limited = clientsFor(emulator, {
      accessKeyId: 'AKIAEMULATORNOLIST',
      secretAccessKey: 'no-list-secret',
    });
    try {
      const session = createAuditSession(limited, CONFIG);
      const { annotations, subject } = DEMO['pushed-by-payments-role'];
      const facts = await session.getSetupFacts(annotations, subject);
      expect(facts.repositories.map(r => r.settings)).toEqual([
        {
          ok: true,
          value: expect.objectContaining({ imageTagMutability: 'IMMUTABLE' }),
        },
        {
          ok: true,
          value: expect.objectContaining({ imageTagMutability: 'MUTABLE' }),
        },
      ]);
      await session.getSetupFacts(annotations, subject);
      // The listing once (denied), then each repository once.
      expect(emulator.calls()['ecr:DescribeRepositories']).toBe(3);
      await expect(
        session.listRepositories(ACCOUNT, REGION),
      ).resolves.toMatchObject({
        ok: false,
        kind: 'denied',
        deniedAction: 'ecr:DescribeRepositories',
      });
    } finally {
      limited.destroy();
    }
  });

  it('backs off and asks again when throttling outlasts the SDK’s retries', async () => {
    const session = createAuditSession(clients, CONFIG, {
      attempts: 3,
      baseDelayMs: 5,
    });
    // The SDK tries twice (ecr.maxAttempts 2) and gives up; the session waits
    // and tries again, and AWS answers the fifth call.
    emulator.setFaults({
      throttleNext: 4,
      operations: ['ecr:DescribeRepositories'],
    });
    const payments = DEMO['payments-api'];
    const facts = await session.getSetupFacts(
      payments.annotations,
      payments.subject,
    );
    expect(facts.repositories[0].settings).toMatchObject({ ok: true });
    expect(emulator.calls()['ecr:DescribeRepositories']).toBe(5);
  });

  it('turns throttling that outlasts its own retries too into throttled facts, so the run goes on', async () => {
    const session = createAuditSession(clients, CONFIG, {
      attempts: 2,
      baseDelayMs: 5,
    });
    emulator.setFaults({ throttleRate: 1 });
    const { annotations, subject } = DEMO['payments-api'];
    const facts = await session.getSetupFacts(annotations, subject);
    // Backed off once and asked again: the SDK's two tries, twice.
    expect(emulator.calls()['ecr:ListTagsForResource']).toBe(4);
    expect(facts.repositories[0].tags).toEqual({
      ok: false,
      kind: 'throttled',
      operation: 'ecr:ListTagsForResource',
      awsCode: 'ThrottlingException',
      httpStatus: 400,
      transient: true,
    });
    const failed = failedFacts(facts);
    expect(new Set(failed.map(f => f.kind))).toEqual(new Set(['throttled']));
    expect(transientFailures(facts)).toEqual(failed);
    const checks = evaluateSetupChecks(facts);
    expect(checks.find(c => c.id === 'repository-owner')).toMatchObject({
      status: 'unknown',
      detail:
        'AWS throttled ecr:ListTagsForResource through every retry (HTTP 400, ThrottlingException), so Backstage cannot tell who the repository belongs to; nothing else of it is read or changed.',
      remedy: 'AWS is throttling Backstage’s calls; try again shortly.',
    });
    expect(checks.filter(c => c.status !== 'unknown').map(c => c.id)).toEqual([
      'annotation-valid',
    ]);
  });

  it('shares a failure too: a run asks no question twice', async () => {
    // The throttled calls of the test above have stopped retrying; fresh
    // clients, whose retry quota that test did not drain.
    await quiet(emulator, 1500);
    emulator.resetCalls();
    const fresh = clientsFor(emulator);
    try {
      const session = createAuditSession(fresh, CONFIG, { attempts: 1 });
      emulator.setFaults({
        errorRate: 1,
        operations: ['ecr:ListTagsForResource'],
      });
      const failing = await Promise.all(
        [DEMO['payments-api'], DEMO['payments-api-again']].map(e =>
          session.getSetupFacts(e.annotations, e.subject),
        ),
      );
      // Each entity's facts say so, with the same failure.
      for (const facts of failing) {
        expect(facts.repositories[0].tags).toEqual({
          ok: false,
          kind: 'unavailable',
          reason: 'server',
          operation: 'ecr:ListTagsForResource',
          awsCode: 'ServerException',
          httpStatus: 500,
          transient: true,
        });
        expect(facts.repositories[0].withheld).toBe(
          'who payments-api belongs to is unknown: AWS failed ecr:ListTagsForResource (HTTP 500, ServerException)',
        );
      }
      await quiet(emulator);
      // One question (who the repository belongs to, asked first), which the
      // SDK tried twice (ecr.maxAttempts 2); nothing else of it was asked.
      expect(emulator.calls()['ecr:ListTagsForResource']).toBe(2);
      expect(emulator.calls()['ecr:DescribeRepositories']).toBeUndefined();
    } finally {
      fresh.destroy();
    }
  });
});
