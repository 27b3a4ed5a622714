import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  AuditHistory,
  AuditReport,
  AuditRunResponse,
  SETUP_CHECK_IDS,
} from '@backstage-ecr/plugin-ecr-common';
import { mockCredentials, TestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startDemoEmulator } from '../__testUtils__/testBackend';
import { AUDIT_CSV_COLUMNS } from './csv';
import {
  AUDIT_READER,
  OTHER_USER,
  PLATFORM_USER,
  startAuditBackend,
} from './__testUtils__/auditBackend';
import { recordingAuditor } from '../__testUtils__/recordingAuditor';
import {
  demoCatalogEntities,
  demoEcrComponents,
} from './__testUtils__/auditFixtures';
import { parseCsv } from './__testUtils__/parseCsv';

jest.setTimeout(60_000);

const PLATFORM = mockCredentials.user.header(PLATFORM_USER);
const OTHER = mockCredentials.user.header(OTHER_USER);
const READER = mockCredentials.user.header(AUDIT_READER);

const ROUTES: Array<['get' | 'post', string]> = [
  ['get', '/api/ecr/audit'],
  ['get', '/api/ecr/audit?format=csv'],
  ['get', '/api/ecr/audit/history'],
  ['post', '/api/ecr/audit/run'],
];

describe('the audit routes', () => {
  let emulator: Emulator;
  let backend: TestBackend;
  const server = () => backend.server;
  const services = demoEcrComponents().length;

  beforeAll(async () => {
    emulator = await startDemoEmulator();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(async () => {
    emulator.setFaults({ errorRate: 0, latencyMs: 0 });
    emulator.resetCalls();
    backend = await startAuditBackend({
      emulator,
      entities: demoCatalogEntities(),
    });
  });

  afterEach(async () => {
    await backend.stop();
  });

  async function runAudit(): Promise<AuditRunResponse['run']> {
    const res = await request(server())
      .post('/api/ecr/audit/run?wait=true')
      .set('Authorization', PLATFORM);
    expect(res.status).toBe(200);
    return res.body.run;
  }

  describe('permissions', () => {
    it.each(ROUTES)('answers 401 without credentials: %s %s', async (m, p) => {
      const res = await request(server())[m](p);
      expect(res.status).toBe(401);
      expect(res.body.error.name).toBe('AuthenticationError');
    });

    it.each(ROUTES)(
      'answers 403 to a user without ecr.audit.read: %s %s',
      async (m, p) => {
        const res = await request(server())[m](p).set('Authorization', OTHER);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({
          name: 'NotAllowedError',
          message: expect.stringContaining(
            m === 'post' ? 'ecr.audit.run' : 'ecr.audit.read',
          ),
        });
        expect(emulator.calls()).toEqual({});
      },
    );

    it('lets a user with ecr.audit.read alone read the audit', async () => {
      for (const path of ['/api/ecr/audit', '/api/ecr/audit/history']) {
        const res = await request(server())
          .get(path)
          .set('Authorization', READER);
        expect(res.status).toBe(200);
      }
    });

    it.each(['/api/ecr/audit/run', '/api/ecr/audit/run?wait=true'])(
      'answers 403 to a user with ecr.audit.read but not ecr.audit.run, starting nothing: POST %s',
      async path => {
        const res = await request(server())
          .post(path)
          .set('Authorization', READER);
        expect(res.status).toBe(403);
        expect(res.body.error).toEqual({
          name: 'NotAllowedError',
          message: 'Permission ecr.audit.run is not granted',
        });
        expect(emulator.calls()).toEqual({});
        const history = await request(server())
          .get('/api/ecr/audit/history')
          .set('Authorization', READER);
        expect(history.body.runs).toEqual([]);
      },
    );
  });

  describe('GET /audit', () => {
    it('answers no run and empty lists before the first run', async () => {
      const res = await request(server())
        .get('/api/ecr/audit')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ entities: [], unclaimed: [] });
    });

    it('answers the latest complete run with every ECR entity and the unclaimed repositories', async () => {
      const run = await runAudit();
      const res = await request(server())
        .get('/api/ecr/audit')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(200);
      const body: AuditReport = res.body;
      expect(body.run).toEqual(run);
      expect(body.run?.summary?.services).toBe(services);
      expect(body.entities).toHaveLength(services);
      expect(
        body.entities.find(e => e.entityRef.endsWith('/payments-api')),
      ).toEqual({
        entityRef: 'component:default/payments-api',
        owner: 'group:default/team-b',
        repositoryArns: [
          'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
        ],
        checks: SETUP_CHECK_IDS.map(id => ({
          id,
          status: 'pass',
          detail: expect.any(String),
        })),
        bindings: [
          {
            kind: 'repository',
            arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
            state: 'entity',
            boundTo: 'component:default/payments-api',
          },
          {
            kind: 'role',
            arn: 'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role',
            state: 'owner',
            boundTo: 'group:default/team-b',
          },
        ],
        latestBuild: {
          id: 'codebuild-payments-api:a3c5e7f9-2b4d-4e6f-9a1c-3e5f7b9d1f24',
          status: 'SUCCEEDED',
        },
      });
      expect(body.ownership?.orphanBindings).toEqual([
        {
          arn: 'arn:aws:ecr:eu-west-2:123412341234:repository/legacy-batch-jobs',
          boundTo: 'component:default/legacy-batch-jobs',
        },
      ]);
      expect(body.unclaimed.map(u => u.name)).toEqual([
        'data-pipeline-base',
        'legacy-batch-jobs',
        'old-frontend-2019',
        'sandbox-experiments',
      ]);
    });

    it('answers the run as CSV, one row per entity and check', async () => {
      const run = await runAudit();
      const res = await request(server())
        .get('/api/ecr/audit?format=csv')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="ecr-audit-${run.finishedAt!.slice(0, 10)}.csv"`,
      );
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
      expect(rows).toHaveLength(1 + services * SETUP_CHECK_IDS.length);
      const payments = rows.filter(
        r => r[0] === 'component:default/payments-api',
      );
      expect(payments.map(r => [r[4], r[5]])).toEqual(
        SETUP_CHECK_IDS.map(id => [id, 'pass']),
      );
      expect(payments[0]).toEqual([
        'component:default/payments-api',
        '',
        'group:default/team-b',
        'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
        'annotation-valid',
        'pass',
        expect.any(String),
        run.id,
        run.finishedAt,
      ]);
    });

    it('answers the CSV header alone before the first run', async () => {
      const res = await request(server())
        .get('/api/ecr/audit?format=csv')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(200);
      expect(res.text).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
    });

    it.each(['json', 'xml', ''])('answers 400 for format=%s', async format => {
      const res = await request(server())
        .get('/api/ecr/audit')
        .query({ format })
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    });

    it('answers a run that completed while AWS failed, its checks unknown and counted', async () => {
      await runAudit();
      emulator.setFaults({ errorRate: 1 });
      const degraded = await runAudit();
      expect(degraded.status).toBe('complete');
      expect(degraded.summary?.unknownByCheck?.['repository-owner']).toBe(
        services,
      );
      const res = await request(server())
        .get('/api/ecr/audit')
        .set('Authorization', PLATFORM);
      expect(res.body.run).toEqual(degraded);
      expect(res.body.entities).toHaveLength(services);
    });
  });

  describe('POST /audit/run', () => {
    describe('auditor events', () => {
      const auditor = recordingAuditor();
      let audited: TestBackend;

      beforeEach(async () => {
        auditor.events.length = 0;
        audited = await startAuditBackend({
          emulator,
          entities: demoCatalogEntities(),
          features: [auditor.factory],
        });
      });

      afterEach(async () => {
        await audited.stop();
      });

      it('records a started run: the actor, that it did not wait, the run id and its outcome', async () => {
        const res = await request(audited.server)
          .post('/api/ecr/audit/run')
          .set('Authorization', PLATFORM);
        expect(res.status).toBe(202);
        const runId = res.body.run.id;
        expect(auditor.events).toEqual([
          {
            plugin: 'ecr',
            eventId: 'audit-run',
            severityLevel: 'medium',
            status: 'initiated',
            actorId: PLATFORM_USER,
            meta: { wait: false },
          },
          {
            plugin: 'ecr',
            eventId: 'audit-run',
            severityLevel: 'medium',
            status: 'succeeded',
            actorId: PLATFORM_USER,
            meta: { wait: false, runId, started: true, outcome: 'running' },
          },
        ]);
        // Let the run end before the backend stops.
        await request(audited.server)
          .post('/api/ecr/audit/run?wait=true')
          .set('Authorization', PLATFORM);
      });

      it('records a waited-for run with its final outcome', async () => {
        const res = await request(audited.server)
          .post('/api/ecr/audit/run?wait=true')
          .set('Authorization', PLATFORM);
        expect(res.status).toBe(200);
        expect(auditor.events.at(-1)).toMatchObject({
          eventId: 'audit-run',
          status: 'succeeded',
          actorId: PLATFORM_USER,
          meta: {
            wait: true,
            runId: res.body.run.id,
            started: true,
            outcome: 'complete',
          },
        });
      });

      it('records a refused request as failed, with the actor and the refusal', async () => {
        const res = await request(audited.server)
          .post('/api/ecr/audit/run?wait=true')
          .set('Authorization', READER);
        expect(res.status).toBe(403);
        expect(auditor.events).toEqual([
          expect.objectContaining({
            eventId: 'audit-run',
            status: 'initiated',
            actorId: AUDIT_READER,
          }),
          expect.objectContaining({
            eventId: 'audit-run',
            status: 'failed',
            actorId: AUDIT_READER,
            meta: { wait: true },
            error: expect.objectContaining({
              name: 'NotAllowedError',
              message: 'Permission ecr.audit.run is not granted',
            }),
          }),
        ]);
      });
    });

    it('answers 202 with the started run, which then completes', async () => {
      const res = await request(server())
        .post('/api/ecr/audit/run')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(202);
      const { run }: AuditRunResponse = res.body;
      expect(run).toEqual({
        id: expect.any(String),
        status: 'running',
        trigger: 'manual',
        startedAt: expect.any(String),
      });
      let latest = run;
      for (let i = 0; i < 200 && latest.status === 'running'; i++) {
        await new Promise(resolve => setTimeout(resolve, 50));
        const history = await request(server())
          .get('/api/ecr/audit/history')
          .set('Authorization', PLATFORM);
        latest = (history.body as AuditHistory).runs[0];
      }
      expect(latest).toMatchObject({ id: run.id, status: 'complete' });
    });

    it('answers 200 with the finished run with ?wait=true', async () => {
      const run = await runAudit();
      expect(run).toMatchObject({
        status: 'complete',
        trigger: 'manual',
        finishedAt: expect.any(String),
        summary: { services, unclaimedRepositories: 4 },
      });
    });

    it('starts no second run while one is in progress: both requests get the same run', async () => {
      emulator.setFaults({ latencyMs: 20 });
      const [a, b] = await Promise.all([
        request(server())
          .post('/api/ecr/audit/run')
          .set('Authorization', PLATFORM),
        request(server())
          .post('/api/ecr/audit/run?wait=true')
          .set('Authorization', PLATFORM),
      ]);
      expect([a.status, b.status]).toEqual([202, 200]);
      expect(b.body.run.id).toBe(a.body.run.id);
      const history = await request(server())
        .get('/api/ecr/audit/history')
        .set('Authorization', PLATFORM);
      expect(history.body.runs).toHaveLength(1);
    });

    it('answers 400 for a wait that is not true or false', async () => {
      const res = await request(server())
        .post('/api/ecr/audit/run?wait=maybe')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(400);
    });
  });

  describe('GET /audit/history', () => {
    it('answers the runs newest first, with summaries only', async () => {
      const first = await runAudit();
      const second = await runAudit();
      const res = await request(server())
        .get('/api/ecr/audit/history')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ runs: [second, first] });
      expect(res.body.runs[0]).not.toHaveProperty('entities');
      const one = await request(server())
        .get('/api/ecr/audit/history?limit=1')
        .set('Authorization', PLATFORM);
      expect(one.body).toEqual({ runs: [second] });
    });

    it.each(['0', '501', 'ten', '1.5', '-1'])(
      'answers 400 for limit=%s',
      async limit => {
        const res = await request(server())
          .get('/api/ecr/audit/history')
          .query({ limit })
          .set('Authorization', PLATFORM);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('from 1 to 500');
      },
    );

    it('accepts limit=500', async () => {
      const res = await request(server())
        .get('/api/ecr/audit/history?limit=500')
        .set('Authorization', PLATFORM);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ runs: [] });
    });
  });
});
