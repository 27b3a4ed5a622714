import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  AuditEntityResult,
  ownershipSubjectOf,
  readEcrAnnotations,
  SETUP_CHECK_IDS,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { mockServices } from '@backstage/backend-test-utils';
import { ServiceUnavailableError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ACCOUNT,
  SHARED_ACCOUNT,
  startDemoEmulator,
} from '../__testUtils__/testBackend';
import { AuditRunner, AuditRunnerOptions } from './AuditRunner';
import { DatabaseAuditStore } from './AuditStore';
import {
  demoCatalogEntities,
  demoEcrComponents,
  ecrServiceFor,
  EDGE_ENTITIES,
} from './__testUtils__/auditFixtures';
import { createAuditTestDatabases } from './__testUtils__/testDatabases';

jest.setTimeout(60_000);

const { databases } = createAuditTestDatabases();

const repo = (name: string) =>
  `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`;

function byRef(entities: AuditEntityResult[]) {
  return Object.fromEntries(entities.map(e => [e.entityRef, e]));
}

function statuses(entity: AuditEntityResult) {
  return Object.fromEntries(entity.checks.map(c => [c.id, c.status]));
}

describe('AuditRunner against the emulator', () => {
  let emulator: Emulator;
  let clients: { destroy(): void };
  let ecr: EcrService;
  const catalogEntities = [...demoCatalogEntities(), ...EDGE_ENTITIES];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ ecr, clients } = ecrServiceFor(emulator));
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.setFaults({
      throttleRate: 0,
      errorRate: 0,
      latencyMs: 0,
      throttleNext: 0,
      errorNext: 0,
      operations: [],
    });
    emulator.resetCalls();
  });

  async function createRunner(
    overrides: Partial<AuditRunnerOptions> & { entities?: Entity[] } = {},
  ) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseAuditStore.create({
      database: mockServices.database({ knex }),
    });
    const runner = new AuditRunner({
      catalog: catalogServiceMock({
        entities: overrides.entities ?? catalogEntities,
      }),
      auth: mockServices.auth(),
      ecr,
      store,
      logger: mockServices.logger.mock(),
      concurrency: 4,
      timeoutMs: 60_000,
      keepRuns: 100,
      backoff: { attempts: 2, baseDelayMs: 5 },
      ...overrides,
    });
    return { runner, store };
  }

  it('audits every catalog entity with an ECR annotation, and only those', async () => {
    const { runner, store } = await createRunner();
    const run = await runner.run('manual');
    expect(run).toMatchObject({ status: 'complete', trigger: 'manual' });
    const report = await store.getLatestReport();
    expect(report.run).toEqual(run);
    expect(report.entities.map(e => e.entityRef).sort()).toEqual(
      [...demoEcrComponents(), ...EDGE_ENTITIES]
        .map(e => stringifyEntityRef(e))
        .sort(),
    );
    for (const entity of report.entities) {
      expect(entity.checks.map(c => c.id)).toEqual([...SETUP_CHECK_IDS]);
    }
  });

  it('gives each entity the same checks as its setup route', async () => {
    const { runner, store } = await createRunner();
    await runner.run('manual');
    const { entities } = await store.getLatestReport();
    const results = byRef(entities);
    for (const entity of catalogEntities.filter(
      e => e.metadata.annotations?.['aws.amazon.com/amazon-ecr-arn'],
    )) {
      const facts = await ecr.getSetupFacts(
        readEcrAnnotations(entity, {
          allowedAccounts: [ACCOUNT, SHARED_ACCOUNT],
        }),
        ownershipSubjectOf(entity),
      );
      const expected = ecr
        .evaluateSetupChecks(facts)
        .map(({ id, status, detail }) => ({ id, status, detail }));
      expect(results[stringifyEntityRef(entity)].checks).toEqual(expected);
    }
  });

  it('finds what the demo shows: one complete setup, and each kind of problem', async () => {
    const { runner, store } = await createRunner();
    await runner.run('schedule');
    const results = byRef((await store.getLatestReport()).entities);
    const payments = results['component:default/payments-api'];
    expect(payments).toMatchObject({
      owner: 'group:default/team-b',
      repositoryArns: [repo('payments-api')],
    });
    expect(payments.checks.filter(c => c.status !== 'pass')).toEqual([]);
    expect(
      statuses(results['component:default/proof-of-concept']),
    ).toMatchObject({ 'push-permissions': 'fail', 'scan-on-push': 'warn' });
    expect(
      statuses(results['component:default/inventory-service']),
    ).toMatchObject({ 'repository-exists': 'fail' });
    expect(results['component:default/checkout-web']).toMatchObject({
      title: 'Checkout web',
      owner: 'group:default/team-a',
      // Its repository has no binding tag; its project is team-a's.
      bindings: [
        { kind: 'repository', arn: repo('checkout-web'), state: 'unbound' },
        {
          kind: 'role',
          state: 'owner',
          boundTo: 'group:default/team-a',
        },
      ],
    });
    expect(statuses(results['component:default/checkout-web'])).toMatchObject({
      'repository-owner': 'fail',
      'push-role-owner': 'pass',
      'push-permissions': 'pass',
      'codebuild-managed-policy': 'warn',
      encryption: 'pass',
    });
    expect(statuses(results['component:default/search-indexer'])).toEqual(
      expect.objectContaining({
        'push-permissions': 'pass',
        'images-present': 'warn',
      }),
    );
    expect(
      Object.values(statuses(results['component:default/search-indexer'])),
    ).not.toContain('fail');
    // Its repository is team-b's: nothing of it is read for team-a's entity.
    expect(statuses(results['component:default/reporting-api'])).toMatchObject({
      'push-role-found': 'fail',
      'repository-owner': 'fail',
      'tag-immutability': 'unknown',
    });
    expect(results['component:default/reporting-api'].bindings).toEqual([
      {
        kind: 'repository',
        arn: repo('reporting-api'),
        state: 'elsewhere',
        boundTo: 'group:default/team-b',
      },
    ]);
    const resizer = results['component:default/image-resizer'];
    expect(statuses(resizer)['push-permissions']).toBe('fail');
    expect(
      resizer.checks.find(c => c.id === 'push-permissions')?.detail,
    ).toContain('ecr:PutImage');
  });

  it('fails annotation-valid for bad annotations, leaves the rest unknown and carries on', async () => {
    const { runner, store } = await createRunner();
    await runner.run('manual');
    const results = byRef((await store.getLatestReport()).entities);
    for (const name of ['bad-annotations', 'foreign-account']) {
      const [first, ...rest] = results[`component:default/${name}`].checks;
      expect(first).toMatchObject({ id: 'annotation-valid', status: 'fail' });
      expect(rest.every(c => c.status === 'unknown')).toBe(true);
    }
    expect(
      results['component:default/foreign-account'].checks[0].detail,
    ).toContain('account 999999999999 is not one of the accounts');
    expect(results['component:default/foreign-account'].owner).toBe(
      'user:default/mallory',
    );
    expect(results['component:default/frontend-archive'].owner).toBe(
      'group:other-namespace/team-c',
    );
  });

  it('lists the repositories no entity names as unclaimed', async () => {
    const { runner, store } = await createRunner();
    await runner.run('manual');
    const { unclaimed } = await store.getLatestReport();
    // old-frontend-2019 is claimed by frontend-archive, whose annotations
    // are otherwise invalid.
    expect(unclaimed.map(u => u.name)).toEqual([
      'data-pipeline-base',
      'legacy-batch-jobs',
      'sandbox-experiments',
    ]);
    expect(unclaimed[1]).toEqual({
      arn: repo('legacy-batch-jobs'),
      name: 'legacy-batch-jobs',
      region: 'eu-west-2',
      accountId: ACCOUNT,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      // Its tag names an entity the catalog does not have.
      boundTo: 'component:default/legacy-batch-jobs',
      orphaned: true,
    });
    expect(unclaimed[0]).toMatchObject({
      name: 'data-pipeline-base',
      boundTo: 'group:default/platform-team',
    });
    expect(unclaimed[0].orphaned).toBeUndefined();
    expect(unclaimed[2].boundTo).toBeUndefined();
  });

  it('flags who claims what: shared repositories, foreign claims, orphan bindings', async () => {
    const { runner, store } = await createRunner();
    await runner.run('manual');
    const { ownership } = await store.getLatestReport();
    expect(ownership?.orphanBindings).toEqual([
      {
        arn: repo('legacy-batch-jobs'),
        boundTo: 'component:default/legacy-batch-jobs',
      },
    ]);
    expect(ownership?.foreignClaims).toContainEqual({
      entityRef: 'component:default/reporting-api',
      kind: 'repository',
      arn: repo('reporting-api'),
      boundTo: 'group:default/team-b',
    });
    for (const shared of ownership?.sharedRepositories ?? []) {
      expect(shared.entityRefs.length).toBeGreaterThan(1);
    }
  });

  it('sums the run up', async () => {
    const { runner } = await createRunner({ entities: demoEcrComponents() });
    const run = await runner.run('manual');
    // The demo catalog: payments-api, search-indexer and base-images pass
    // (with warnings); checkout-web's repository is unbound and
    // reporting-api's is team-b's (repository-owner); proof-of-concept,
    // inventory-service, notifications-worker, reporting-api and
    // image-resizer fail their other checks; ledger-service, found by its
    // tags, names no CodeBuild project or push role (push-role-found).
    expect(run.summary).toEqual({
      services: 10,
      passing: 3,
      failingByCheck: {
        'repository-exists': 1,
        'push-role-found': 2,
        'push-permissions': 4,
        'repository-owner': 2,
      },
      warningByCheck: expect.objectContaining({
        // reporting-api's repository is no longer read.
        'scan-on-push': 1,
        'codebuild-managed-policy': 1,
        'images-present': 2,
      }),
      // What could not be checked: mostly the repositories that do not
      // exist (inventory-service) or are not read (reporting-api's).
      unknownByCheck: {
        'codebuild-managed-policy': 2,
        encryption: 2,
        'images-present': 1,
        'lifecycle-policy': 2,
        'push-permissions': 2,
        'push-role-owner': 2,
        'repository-exists': 1,
        'scan-on-push': 2,
        'tag-immutability': 2,
      },
      unclaimedRepositories: 4,
      // proof-of-concept's newest build was refused the ECR login.
      latestBuildPushFailures: 1,
    });
  });

  it('stores each entity’s latest build: proof-of-concept’s refused the ECR login, payments-api’s succeeded', async () => {
    const { runner, store } = await createRunner({
      entities: demoEcrComponents(),
    });
    await runner.run('manual');
    const results = byRef((await store.getLatestReport()).entities);
    expect(results['component:default/proof-of-concept'].latestBuild).toEqual({
      id: 'codebuild-proof-of-concept-snapshot:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f',
      status: 'FAILED',
      diagnosis: {
        checkId: 'push-permissions',
        message: expect.stringContaining(
          'is not authorized to perform: ecr:GetAuthorizationToken',
        ),
      },
    });
    expect(results['component:default/payments-api'].latestBuild).toEqual({
      id: 'codebuild-payments-api:a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24',
      status: 'SUCCEEDED',
    });
    // An entity naming no project has none.
    expect(
      results['component:default/notifications-worker'].latestBuild,
    ).toBeUndefined();
  });

  /** Runs twice, the second time with `operation` failing every call. */
  async function runWhileFailing(operation: string) {
    const { runner, store } = await createRunner({
      entities: demoEcrComponents(),
    });
    const before = await runner.run('manual');
    const checksBefore = (await store.getLatestReport()).entities.map(e => [
      e.entityRef,
      e.checks,
    ]);
    emulator.setFaults({ errorRate: 1, operations: [operation] });
    const run = await runner.run('manual');
    const { entities } = await store.getLatestReport();
    return { before, run, entities, checksBefore };
  }

  it('completes the run when CodeBuild fails: only the latest builds are missing', async () => {
    const { before, run, entities, checksBefore } = await runWhileFailing(
      'codebuild:ListBuildsForProject',
    );
    expect(run.status).toBe('complete');
    expect(entities.map(e => [e.entityRef, e.checks])).toEqual(checksBefore);
    expect(entities.every(e => e.latestBuild === undefined)).toBe(true);
    expect(before.summary?.latestBuildPushFailures).toBe(1);
    expect(run.summary?.latestBuildPushFailures).toBe(0);
  });

  it('completes the run when the logs fail: the latest builds come without diagnosis', async () => {
    const { run, entities, checksBefore } = await runWhileFailing(
      'logs:GetLogEvents',
    );
    expect(run.status).toBe('complete');
    expect(entities.map(e => [e.entityRef, e.checks])).toEqual(checksBefore);
    expect(
      byRef(entities)['component:default/proof-of-concept'].latestBuild,
    ).toEqual({
      id: expect.any(String),
      status: 'FAILED',
    });
    expect(run.summary?.latestBuildPushFailures).toBe(0);
  });

  it('shares AWS answers across entities: one listing per account and region, one simulation per role and repository', async () => {
    const { runner } = await createRunner();
    await runner.run('manual');
    const calls = emulator.calls();
    // One listing and one caller identity per account (the demo has two).
    expect(calls['ecr:DescribeRepositories']).toBe(2);
    expect(calls['sts:GetCallerIdentity']).toBe(2);
    // Eight roles of the demo: one simulation per role and repository, one
    // per role for GetAuthorizationToken on *.
    expect(calls['iam:SimulatePrincipalPolicy']).toBe(8 + 8);
    expect(calls['iam:GetRole']).toBe(8);
    // Nine of the repositories the valid annotations name (or find by tag:
    // ledger-service's) exist; each one its entity may read (all but
    // reporting-api's, which is team-b's) is read once.
    expect(calls['ecr:GetLifecyclePolicy']).toBe(8);
    expect(calls['ecr:DescribeImages']).toBe(8);
    // ledger-service's tags, looked up once per account and region.
    expect(calls['tagging:GetResources']).toBe(2);
  });

  it('backs off and carries on when AWS throttles beyond the SDK’s retries', async () => {
    const { runner } = await createRunner();
    // The SDK's two tries fail, the runner's second round succeeds.
    emulator.setFaults({
      throttleNext: 2,
      operations: ['iam:SimulatePrincipalPolicy'],
    });
    const run = await runner.run('manual');
    expect(run.status).toBe('complete');
  });

  it('completes a run while AWS fails every call: each entity says why its checks are unknown, and the run counts them', async () => {
    const { runner, store } = await createRunner({
      entities: demoEcrComponents(),
    });
    emulator.setFaults({ errorRate: 1 });
    const run = await runner.run('manual');
    expect(run.status).toBe('complete');
    const { entities } = await store.getLatestReport();
    expect(entities).toHaveLength(10);
    for (const entity of entities) {
      const byId = Object.fromEntries(entity.checks.map(c => [c.id, c]));
      // Nothing AWS-side could be read; the annotations still could.
      expect(byId['annotation-valid'].status).toBe('pass');
      expect(byId['repository-owner'].status).toBe('unknown');
      // ledger-service's repositories are found by tag: not even the list.
      expect(byId['repository-owner'].detail).toMatch(
        entity.entityRef === 'component:default/ledger-service'
          ? /tag:GetResources/
          : /ecr:ListTagsForResource/,
      );
    }
    expect(run.summary?.unknownByCheck?.['repository-owner']).toBe(10);
  });

  it('records a run that cannot run at all as failed; the previous complete run stays the latest', async () => {
    const { runner, store } = await createRunner();
    const good = await runner.run('schedule');
    const broken = catalogServiceMock.mock({
      queryEntities: jest
        .fn()
        .mockRejectedValue(new ServiceUnavailableError('the catalog is down')),
    }) as unknown as CatalogService;
    // A second runner on the same store, whose catalog is down.
    const { runner: failing } = await createRunner({ catalog: broken, store });
    const bad = await failing.run('manual');
    expect(bad).toMatchObject({ status: 'failed', trigger: 'manual' });
    expect(bad.error).toBe('the catalog is down');
    expect(bad.finishedAt).toBeDefined();
    const report = await store.getLatestReport();
    expect(report.run).toEqual(good);
    expect(report.entities.length).toBeGreaterThan(0);
    expect((await store.listRuns(10)).map(r => r.status)).toEqual([
      'failed',
      'complete',
    ]);
  });

  it('runs once at a time: asking again while a run is in progress joins it', async () => {
    const { runner, store } = await createRunner();
    emulator.setFaults({ latencyMs: 20 });
    const [first, second] = await Promise.all([
      runner.start('manual'),
      runner.start('schedule'),
    ]);
    expect(second.run.id).toBe(first.run.id);
    expect([first.started, second.started]).toEqual([true, false]);
    const third = await runner.start('manual');
    expect(third).toMatchObject({ started: false, run: { id: first.run.id } });
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a).toEqual(b);
    expect(await store.listRuns(10)).toHaveLength(1);
    // Once finished, the next request starts a new run.
    const next = await runner.start('manual');
    expect(next.started).toBe(true);
    await next.done;
    expect(await store.listRuns(10)).toHaveLength(2);
  });

  it('checks at most ecr.audit.concurrency entities at once', async () => {
    let inFlight = 0;
    let most = 0;
    const counting: EcrService = Object.assign(Object.create(ecr), {
      startAudit: (options: Parameters<EcrService['startAudit']>[0]) => {
        const session = ecr.startAudit(options);
        return {
          ...session,
          getSetupFacts: async (
            ...args: Parameters<typeof session.getSetupFacts>
          ) => {
            most = Math.max(most, ++inFlight);
            try {
              return await session.getSetupFacts(...args);
            } finally {
              inFlight--;
            }
          },
        };
      },
    });
    emulator.setFaults({ latencyMs: 10 });
    const { runner } = await createRunner({ ecr: counting, concurrency: 2 });
    expect((await runner.run('manual')).status).toBe('complete');
    expect(most).toBe(2);
  });

  it('reads the catalog page by page with the plugin’s own credentials', async () => {
    const [first, ...rest] = demoEcrComponents();
    const queryEntities = jest
      .fn()
      .mockResolvedValueOnce({
        items: [first],
        totalItems: 10,
        pageInfo: { nextCursor: 'page-2' },
      })
      .mockResolvedValueOnce({ items: rest, totalItems: 10, pageInfo: {} });
    const catalog = catalogServiceMock.mock({
      queryEntities,
    }) as unknown as CatalogService;
    const { runner } = await createRunner({ catalog });
    const run = await runner.run('manual');
    expect(run.summary?.services).toBe(10);
    expect(queryEntities).toHaveBeenCalledTimes(2);
    const [[request, options], [next]] = queryEntities.mock.calls;
    // Entities naming their repositories by ARN or by tags.
    expect(request.filter).toEqual([
      {
        'metadata.annotations.aws.amazon.com/amazon-ecr-arn':
          CATALOG_FILTER_EXISTS,
      },
      {
        'metadata.annotations.aws.amazon.com/amazon-ecr-tags':
          CATALOG_FILTER_EXISTS,
      },
    ]);
    expect(options.credentials.principal).toMatchObject({ type: 'service' });
    expect(next).toMatchObject({ cursor: 'page-2' });
  });

  it('stops a run that outlives its timeout and records it as failed', async () => {
    emulator.setFaults({ latencyMs: 300 });
    const { runner, store } = await createRunner({ timeoutMs: 100 });
    const run = await runner.run('schedule');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/stopped after/);
    expect((await store.getLatestReport()).run).toBeUndefined();
  });

  it('fails runs a stopped backend left running, and joins a run another instance has in progress', async () => {
    const { runner, store } = await createRunner({ pollIntervalMs: 10 });
    await store.createRun({
      id: 'abandoned',
      trigger: 'schedule',
      startedAt: new Date(Date.now() - 2 * 60 * 60_000),
    });
    await store.createRun({
      id: 'elsewhere',
      trigger: 'schedule',
      startedAt: new Date(),
    });
    const joined = await runner.start('manual');
    expect(joined).toMatchObject({ started: false, run: { id: 'elsewhere' } });
    await expect(store.getRun('abandoned')).resolves.toMatchObject({
      status: 'failed',
    });
    await store.failRun('elsewhere', 'it broke over there', new Date());
    await expect(joined.done).resolves.toMatchObject({
      id: 'elsewhere',
      status: 'failed',
    });
  });
});
