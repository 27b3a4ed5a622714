import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  EcrAnnotationsResult,
  readEcrAnnotations,
} from '@backstage-ecr/plugin-ecr-common';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { AwsClients } from '../aws/clients';
import { AwsThrottledError } from '../aws/errors';
import { evaluateSetupChecks } from '../checks';
import { gatherSetupFacts } from '../setup/gatherSetupFacts';
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

function annotated(annotations: Record<string, string>): EcrAnnotationsResult {
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations },
  };
  return readEcrAnnotations(entity, { allowedAccounts: [ACCOUNT] });
}

/** The demo catalog's annotations, and one service with two repositories. */
const DEMO = {
  'proof-of-concept': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('proof-of-concept-repo'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-proof-of-concept-snapshot',
    ),
  }),
  'inventory-service': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('inventory-service'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-inventory-service',
    ),
  }),
  'payments-api': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('payments-api'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-payments-api',
    ),
  }),
  'payments-api-again': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('payments-api'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-payments-api',
    ),
  }),
  'notifications-worker': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('notifications-worker'),
    'ecr.backstage-ecr.io/push-role-arn': role(
      'codebuild-notifications-worker-role',
    ),
  }),
  'checkout-web': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('checkout-web'),
    'aws.amazon.com/aws-codebuild-project-arn': project(
      'codebuild-checkout-web',
    ),
  }),
  'search-indexer': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('search-indexer'),
    'ecr.backstage-ecr.io/push-role-arn': role('codebuild-search-indexer-role'),
  }),
  'reporting-api': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('reporting-api'),
    'aws.amazon.com/aws-codebuild-project-arn': project('codebuild-reporting'),
  }),
  'image-resizer': annotated({
    'aws.amazon.com/amazon-ecr-arn': repo('image-resizer'),
    'ecr.backstage-ecr.io/push-role-arn': role('codebuild-image-resizer-role'),
  }),
  'pushed-by-payments-role': annotated({
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

describe('the audit session against the emulator', () => {
  let emulator: Emulator;
  let clients: AwsClients;

  beforeAll(async () => {
    const seed = readSeedFile(DEMO_SEED_PATH);
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
                Action: ['ecr:DescribeRepositories', 'ecr:DescribeImages'],
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
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.setFaults({ throttleRate: 0, errorRate: 0, throttleNext: 0 });
    emulator.resetCalls();
  });

  it('gathers the same facts as the entity route, for every demo service', async () => {
    const session = createAuditSession(clients);
    for (const [name, annotations] of Object.entries(DEMO)) {
      const direct = await gatherSetupFacts(clients, annotations);
      const shared = await session.getSetupFacts(annotations);
      expect({ name, facts: shared }).toEqual({ name, facts: direct });
      expect(evaluateSetupChecks(shared)).toEqual(evaluateSetupChecks(direct));
    }
  });

  it('asks each AWS question once per run, however many services ask it', async () => {
    const session = createAuditSession(clients);
    const all = Object.values(DEMO);
    await Promise.all(all.map(a => session.getSetupFacts(a)));
    await session.listRepositories(ACCOUNT, REGION);
    const calls = emulator.calls();
    // One listing of the account and region for every repository setting and
    // for the unclaimed repositories, instead of one call per repository.
    expect(calls['ecr:DescribeRepositories']).toBe(1);
    expect(calls['sts:GetCallerIdentity']).toBe(1);
    // Once per existing repository (payments-api is named three times).
    const existing = [
      'proof-of-concept-repo',
      'payments-api',
      'notifications-worker',
      'checkout-web',
      'search-indexer',
      'reporting-api',
      'image-resizer',
    ];
    expect(calls['ecr:GetLifecyclePolicy']).toBe(existing.length);
    expect(calls['ecr:DescribeImages']).toBe(existing.length);
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
    const session = createAuditSession(clients);
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
      const session = createAuditSession(limited);
      const annotations = DEMO['pushed-by-payments-role'];
      const facts = await session.getSetupFacts(annotations);
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
      await session.getSetupFacts(annotations);
      // The listing once (denied), then each repository once.
      expect(emulator.calls()['ecr:DescribeRepositories']).toBe(3);
      await expect(
        session.listRepositories(ACCOUNT, REGION),
      ).resolves.toMatchObject({
        ok: false,
        deniedAction: 'ecr:DescribeRepositories',
      });
    } finally {
      limited.destroy();
    }
  });

  it('backs off and asks again when throttling outlasts the SDK’s retries', async () => {
    const session = createAuditSession(clients, {
      attempts: 3,
      baseDelayMs: 5,
    });
    // The SDK tries twice (ecr.maxAttempts 2) and gives up; the session waits
    // and tries again, and AWS answers the fifth call.
    emulator.setFaults({
      throttleNext: 4,
      operations: ['ecr:DescribeRepositories'],
    });
    const facts = await session.getSetupFacts(DEMO['payments-api']);
    expect(facts.repositories[0].settings).toMatchObject({ ok: true });
    expect(emulator.calls()['ecr:DescribeRepositories']).toBe(5);
  });

  it('reports throttling that outlasts its own retries too as AwsThrottledError', async () => {
    const session = createAuditSession(clients, {
      attempts: 2,
      baseDelayMs: 5,
    });
    emulator.setFaults({ throttleRate: 1 });
    const error = await session
      .getSetupFacts(DEMO['payments-api'])
      .catch(e => e);
    expect(error).toBeInstanceOf(AwsThrottledError);
  });

  it('shares a failure too: a run asks no question twice', async () => {
    const session = createAuditSession(clients, { attempts: 1 });
    emulator.setFaults({ errorRate: 1 });
    const failing = await Promise.allSettled([
      session.getSetupFacts(DEMO['payments-api']),
      session.getSetupFacts(DEMO['payments-api-again']),
    ]);
    expect(failing.map(f => f.status)).toEqual(['rejected', 'rejected']);
    // One question, which the SDK tried twice (ecr.maxAttempts 2).
    expect(emulator.calls()['ecr:DescribeRepositories']).toBe(2);
  });
});
