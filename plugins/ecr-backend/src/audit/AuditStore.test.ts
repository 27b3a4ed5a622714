import { mockServices } from '@backstage/backend-test-utils';
import {
  AuditEntityResult,
  AuditSummary,
  UnclaimedRepository,
} from '@backstage-ecr/plugin-ecr-common';
import { Knex } from 'knex';
import { AuditRunResult, DatabaseAuditStore } from './AuditStore';
import {
  createAuditTestDatabases,
  postgresSkipReason,
} from './__testUtils__/testDatabases';

jest.setTimeout(60_000);

const { databases, ids } = createAuditTestDatabases();

const SUMMARY: AuditSummary = {
  services: 2,
  passing: 1,
  failingByCheck: { 'push-permissions': 1 },
  warningByCheck: { 'scan-on-push': 1 },
  unclaimedRepositories: 1,
};

const ENTITIES: AuditEntityResult[] = [
  {
    entityRef: 'component:default/proof-of-concept',
    owner: 'group:default/team-a',
    repositoryArns: [
      'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo',
    ],
    checks: [
      { id: 'repository-exists', status: 'pass', detail: 'It exists.' },
      {
        id: 'push-permissions',
        status: 'fail',
        detail:
          'Missing "ecr:PutImage", ecr:UploadLayerPart\nand more — ünïcödé',
      },
    ],
  },
  {
    entityRef: 'component:default/checkout-web',
    title: 'Checkout, "web"',
    owner: 'group:default/team-b',
    repositoryArns: [
      'arn:aws:ecr:eu-west-2:123412341234:repository/a',
      'arn:aws:ecr:eu-west-2:123412341234:repository/b',
    ],
    checks: [{ id: 'scan-on-push', status: 'warn', detail: 'Off.' }],
  },
];

const UNCLAIMED: UnclaimedRepository[] = [
  {
    arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/old-frontend-2019',
    name: 'old-frontend-2019',
    region: 'eu-west-2',
    accountId: '123412341234',
    createdAt: '2021-06-01T10:00:00.000Z',
  },
  {
    arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/legacy-batch-jobs',
    name: 'legacy-batch-jobs',
    region: 'eu-west-2',
    accountId: '123412341234',
  },
];

const RESULT: AuditRunResult = {
  summary: SUMMARY,
  entities: ENTITIES,
  unclaimed: UNCLAIMED,
};

const at = (minutes: number) =>
  new Date(Date.UTC(2024, 4, 1, 10, 0) + minutes * 60_000);

describe.each(ids)('DatabaseAuditStore on %s', id => {
  let knex: Knex;
  let store: DatabaseAuditStore;

  beforeEach(async () => {
    knex = await databases.init(id);
    store = await DatabaseAuditStore.create({
      database: mockServices.database({ knex }),
    });
  });

  it('has no run, an empty report and no history before the first run', async () => {
    await expect(store.getLatestReport()).resolves.toEqual({
      entities: [],
      unclaimed: [],
    });
    await expect(store.listRuns(50)).resolves.toEqual([]);
    await expect(store.getRunningRun()).resolves.toBeUndefined();
  });

  it('records a run from start to finish, with its results', async () => {
    const started = await store.createRun({
      id: 'run-1',
      trigger: 'manual',
      startedAt: at(0),
    });
    expect(started).toEqual({
      id: 'run-1',
      status: 'running',
      trigger: 'manual',
      startedAt: '2024-05-01T10:00:00.000Z',
    });
    await expect(store.getRunningRun()).resolves.toEqual(started);

    const finished = await store.completeRun('run-1', RESULT, at(3));
    expect(finished).toEqual({
      id: 'run-1',
      status: 'complete',
      trigger: 'manual',
      startedAt: '2024-05-01T10:00:00.000Z',
      finishedAt: '2024-05-01T10:03:00.000Z',
      summary: SUMMARY,
    });
    await expect(store.getRunningRun()).resolves.toBeUndefined();

    const report = await store.getLatestReport();
    expect(report.run).toEqual(finished);
    // Entities by ref; unclaimed repositories by account, region and name.
    expect(report.entities).toEqual([ENTITIES[1], ENTITIES[0]]);
    expect(report.unclaimed).toEqual([UNCLAIMED[1], UNCLAIMED[0]]);
  });

  it('keeps the previous complete run the latest when a run fails', async () => {
    await store.createRun({
      id: 'good',
      trigger: 'schedule',
      startedAt: at(0),
    });
    await store.completeRun('good', RESULT, at(2));
    await store.createRun({ id: 'bad', trigger: 'manual', startedAt: at(10) });
    const failed = await store.failRun(
      'bad',
      'AWS failed ecr:DescribeRepositories (ServerException)',
      at(11),
    );
    expect(failed).toEqual({
      id: 'bad',
      status: 'failed',
      trigger: 'manual',
      startedAt: at(10).toISOString(),
      finishedAt: at(11).toISOString(),
      error: 'AWS failed ecr:DescribeRepositories (ServerException)',
    });
    const report = await store.getLatestReport();
    expect(report.run?.id).toBe('good');
    expect(report.entities).toHaveLength(2);
    // A running run does not replace it either.
    await store.createRun({ id: 'now', trigger: 'manual', startedAt: at(20) });
    expect((await store.getLatestReport()).run?.id).toBe('good');
  });

  it('lists runs newest first, with their summaries, up to the limit', async () => {
    for (let i = 0; i < 4; i++) {
      await store.createRun({
        id: `run-${i}`,
        trigger: 'schedule',
        startedAt: at(i * 60),
      });
      if (i % 2 === 0) {
        await store.completeRun(`run-${i}`, RESULT, at(i * 60 + 1));
      } else {
        await store.failRun(`run-${i}`, 'throttled', at(i * 60 + 1));
      }
    }
    const runs = await store.listRuns(3);
    expect(runs.map(r => [r.id, r.status])).toEqual([
      ['run-3', 'failed'],
      ['run-2', 'complete'],
      ['run-1', 'failed'],
    ]);
    expect(runs[1].summary).toEqual(SUMMARY);
    expect(runs[0].summary).toBeUndefined();
    expect(runs[0].error).toBe('throttled');
  });

  it('marks runs abandoned by a stopped backend as failed', async () => {
    await store.createRun({ id: 'old', trigger: 'schedule', startedAt: at(0) });
    await store.createRun({ id: 'new', trigger: 'manual', startedAt: at(50) });
    await expect(
      store.failAbandonedRuns(at(30), 'The backend stopped', at(60)),
    ).resolves.toBe(1);
    await expect(store.getRun('old')).resolves.toMatchObject({
      status: 'failed',
      error: 'The backend stopped',
      finishedAt: at(60).toISOString(),
    });
    await expect(store.getRun('new')).resolves.toMatchObject({
      status: 'running',
    });
  });

  it('deletes old runs with their results, keeping the latest complete run', async () => {
    await store.createRun({ id: 'c0', trigger: 'schedule', startedAt: at(0) });
    await store.completeRun('c0', RESULT, at(1));
    await store.createRun({ id: 'c1', trigger: 'schedule', startedAt: at(10) });
    await store.completeRun('c1', RESULT, at(11));
    for (let i = 2; i < 5; i++) {
      await store.createRun({
        id: `f${i}`,
        trigger: 'schedule',
        startedAt: at(i * 10),
      });
      await store.failRun(`f${i}`, 'throttled', at(i * 10 + 1));
    }
    await expect(store.pruneRuns(2)).resolves.toBe(2);
    expect((await store.listRuns(50)).map(r => r.id)).toEqual([
      'f4',
      'f3',
      'c1',
    ]);
    expect((await store.getLatestReport()).entities).toHaveLength(2);
    await expect(
      knex('ecr_audit_entity_results').where({ run_id: 'c0' }),
    ).resolves.toEqual([]);
    await expect(
      knex('ecr_audit_unclaimed').where({ run_id: 'c0' }),
    ).resolves.toEqual([]);
  });

  it('stores a run over thousands of entities', async () => {
    const many: AuditEntityResult[] = Array.from({ length: 2500 }, (_, i) => ({
      entityRef: `component:default/service-${String(i).padStart(4, '0')}`,
      repositoryArns: [
        `arn:aws:ecr:eu-west-2:123412341234:repository/service-${i}`,
      ],
      checks: [{ id: 'repository-exists', status: 'pass', detail: 'Yes.' }],
    }));
    await store.createRun({ id: 'big', trigger: 'schedule', startedAt: at(0) });
    await store.completeRun(
      'big',
      { summary: SUMMARY, entities: many, unclaimed: [] },
      at(5),
    );
    const report = await store.getLatestReport();
    expect(report.entities).toHaveLength(2500);
    expect(report.entities[2499].entityRef).toBe(
      'component:default/service-2499',
    );
  });

  it('runs its migrations once: a second start keeps the runs', async () => {
    await store.createRun({ id: 'kept', trigger: 'manual', startedAt: at(0) });
    const again = await DatabaseAuditStore.create({
      database: mockServices.database({ knex }),
    });
    await expect(again.getRun('kept')).resolves.toMatchObject({ id: 'kept' });
  });
});

describe('DatabaseAuditStore migrations', () => {
  it('are left alone when database.migrations.skip is set', async () => {
    const knex = await databases.init('SQLITE_3');
    await DatabaseAuditStore.create({
      database: mockServices.database({ knex, migrations: { skip: true } }),
    });
    await expect(knex.schema.hasTable('ecr_audit_runs')).resolves.toBe(false);
  });

  // Reported among the skipped tests, with the variable that would run it.
  const skipped = postgresSkipReason();
  if (skipped) {
    // eslint-disable-next-line jest/no-disabled-tests, jest/valid-title, jest/expect-expect
    it.skip(skipped, () => {});
  }
});
