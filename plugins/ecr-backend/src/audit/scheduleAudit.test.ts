import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  coreServices,
  createBackendModule,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import request from 'supertest';
import { startDemoEmulator } from '../__testUtils__/testBackend';
import { DEFAULT_AUDIT_SCHEDULE, readAuditConfig } from './config';
import { AUDIT_TASK_ID } from './scheduleAudit';
import { PLATFORM_USER, startAuditBackend } from './__testUtils__/auditBackend';
import { demoCatalogEntities } from './__testUtils__/auditFixtures';

jest.setTimeout(60_000);

type ScheduledTask = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

describe('the scheduled audit', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startDemoEmulator();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('is a global task with the schedule of ecr.audit.schedule, and runs the audit', async () => {
    const scheduler = mockServices.scheduler.mock();
    const backend = await startAuditBackend({
      emulator,
      entities: demoCatalogEntities(),
      audit: {
        schedule: {
          frequency: { minutes: 30 },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 15 },
        },
        concurrency: 2,
      },
      features: [scheduler.factory],
    });
    try {
      expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
      const task: ScheduledTask = scheduler.scheduleTask.mock.calls[0][0];
      expect(task).toEqual({
        id: AUDIT_TASK_ID,
        frequency: { minutes: 30 },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 15 },
        scope: 'global',
        fn: expect.any(Function),
      });
      expect(AUDIT_TASK_ID).toBe('ecr-audit');

      await task.fn(new AbortController().signal);
      const res = await request(backend.server)
        .get('/api/ecr/audit')
        .set('Authorization', mockCredentials.user.header(PLATFORM_USER));
      expect(res.body.run).toMatchObject({
        status: 'complete',
        trigger: 'schedule',
      });
    } finally {
      await backend.stop();
    }
  });

  it('is registered with Backstage’s own scheduler as a global task', async () => {
    let scheduler: SchedulerService | undefined;
    const probe = createBackendModule({
      pluginId: 'ecr',
      moduleId: 'scheduler-probe',
      register(reg) {
        reg.registerInit({
          deps: { s: coreServices.scheduler },
          async init({ s }) {
            scheduler = s;
          },
        });
      },
    });
    const backend = await startAuditBackend({
      emulator,
      entities: [],
      audit: {
        schedule: { frequency: { hours: 2 }, timeout: { minutes: 10 } },
      },
      features: [schedulerServiceFactory, probe],
    });
    try {
      const tasks = await scheduler!.getScheduledTasks();
      expect(tasks).toEqual([
        {
          id: AUDIT_TASK_ID,
          scope: 'global',
          settings: expect.objectContaining({
            cadence: 'PT2H',
            timeoutAfterDuration: 'PT10M',
            initialDelayDuration: 'PT1M',
          }),
        },
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('runs every six hours by default, a minute after start-up', async () => {
    const scheduler = mockServices.scheduler.mock();
    const backend = await startAuditBackend({
      emulator,
      entities: [],
      features: [scheduler.factory],
    });
    try {
      expect(scheduler.scheduleTask.mock.calls[0][0]).toMatchObject({
        id: 'ecr-audit',
        frequency: { hours: 6 },
        timeout: { minutes: 30 },
        initialDelay: { minutes: 1 },
        scope: 'global',
      });
    } finally {
      await backend.stop();
    }
  });
});

describe('readAuditConfig', () => {
  const read = (audit: object) =>
    readAuditConfig(new ConfigReader({ ecr: { audit } }));

  it('has defaults', () => {
    expect(readAuditConfig(new ConfigReader({}))).toEqual({
      schedule: DEFAULT_AUDIT_SCHEDULE,
      timeoutMs: 30 * 60_000,
      concurrency: 8,
      keepRuns: 500,
    });
  });

  it('takes the timeout of the schedule for every run, in ISO form too', () => {
    expect(
      read({ schedule: { frequency: 'PT1H', timeout: 'PT5M' } }).timeoutMs,
    ).toBe(5 * 60_000);
  });

  it('keeps a cron schedule and adds the default initial delay', () => {
    expect(
      read({
        schedule: { frequency: { cron: '0 3 * * *' }, timeout: { hours: 1 } },
      }).schedule,
    ).toEqual({
      frequency: { cron: '0 3 * * *' },
      timeout: { hours: 1 },
      initialDelay: { minutes: 1 },
      scope: undefined,
    });
  });

  it.each([
    [{ concurrency: 0 }, /ecr.audit.concurrency/],
    [{ concurrency: 2.5 }, /ecr.audit.concurrency/],
    [{ concurrency: 65 }, /ecr.audit.concurrency/],
    [{ keepRuns: 0 }, /ecr.audit.keepRuns/],
    [{ schedule: { frequency: { hours: 1 } } }, /ecr.audit.schedule/],
  ])('refuses %j, naming the key', (audit, message) => {
    expect(() => read(audit)).toThrow(message);
  });
});
