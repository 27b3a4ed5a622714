import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  AuditEntityResult,
  AuditReport,
  AuditRunResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, TestBackend } from '@backstage/backend-test-utils';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { ACCOUNT, startDemoEmulator } from '../__testUtils__/testBackend';
import { PLATFORM_USER, startAuditBackend } from './__testUtils__/auditBackend';
import { demoCatalogEntities } from './__testUtils__/auditFixtures';
import {
  ecrTabLink,
  findBreaks,
  notificationScope,
  AUDIT_NOTIFICATION_TOPIC,
} from './notifyBreaks';

jest.setTimeout(60_000);

const PLATFORM = mockCredentials.user.header(PLATFORM_USER);
const PAYMENTS = 'component:default/payments-api';

/** A notification service that records what it is asked to send, or refuses. */
function recordingNotifications(options: { fail?: boolean } = {}) {
  const sent: NotificationSendOptions[] = [];
  let attempts = 0;
  const factory = createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      async send(notification: NotificationSendOptions) {
        attempts++;
        if (options.fail) throw new Error('the notifications backend is down');
        sent.push(notification);
      },
    }),
  });
  return { factory, sent, attempts: () => attempts };
}

describe('notifying owners of what broke', () => {
  let emulator: Emulator;
  let backend: TestBackend | undefined;

  beforeAll(async () => {
    emulator = await startDemoEmulator();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    emulator.reset();
  });

  async function start(
    notifications: ReturnType<typeof recordingNotifications>,
    audit?: { notifications: { enabled: boolean } },
  ) {
    backend = await startAuditBackend({
      emulator,
      entities: demoCatalogEntities(),
      audit,
      features: [notifications.factory],
    });
  }

  async function runAudit(): Promise<AuditRunResponse['run']> {
    const res = await request(backend!.server)
      .post('/api/ecr/audit/run?wait=true')
      .set('Authorization', PLATFORM);
    expect(res.status).toBe(200);
    expect(res.body.run.status).toBe('complete');
    return res.body.run;
  }

  async function payments(): Promise<AuditEntityResult> {
    const res = await request(backend!.server)
      .get('/api/ecr/audit')
      .set('Authorization', PLATFORM);
    expect(res.status).toBe(200);
    const report = res.body as AuditReport;
    return report.entities.find(e => e.entityRef === PAYMENTS)!;
  }

  function checkStatus(entity: AuditEntityResult, id: string) {
    return entity.checks.find(c => c.id === id)?.status;
  }

  /**
   * Deletes the push policy of payments-api's build role in the emulator (and
   * any grant in the repository's policy), as someone in the AWS console might.
   */
  function breakPushPolicy() {
    const account = emulator.state.accounts.get(ACCOUNT)!;
    const role = account.roles.get('codebuild-payments-api-service-role')!;
    expect(role.inlinePolicies.delete('backstage-ecr-push-payments-api')).toBe(
      true,
    );
    const repository = account.registries
      .get('eu-west-2')!
      .repositories.get('payments-api')!;
    repository.policyText = undefined;
  }

  it('tells the owner once, with a link to the ECR tab, and not again while it stays broken', async () => {
    const notifications = recordingNotifications();
    await start(notifications);

    await runAudit();
    expect(checkStatus(await payments(), 'push-permissions')).toBe('pass');
    // A first run has nothing to compare with.
    expect(notifications.sent).toEqual([]);

    breakPushPolicy();
    const second = await runAudit();
    expect(checkStatus(await payments(), 'push-permissions')).toBe('fail');
    expect(notifications.sent).toHaveLength(1);
    const [notification] = notifications.sent;
    expect(notification.recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/team-b',
    });
    expect(notification.payload).toMatchObject({
      title: expect.stringContaining('payments-api'),
      description: expect.stringContaining('push-permissions'),
      link: '/catalog/default/component/payments-api/ecr',
      topic: AUDIT_NOTIFICATION_TOPIC,
      scope: notificationScope(second.id, PAYMENTS),
    });
    expect(notification.payload.title).toContain('push-permissions');

    await runAudit();
    expect(checkStatus(await payments(), 'push-permissions')).toBe('fail');
    expect(notifications.sent).toHaveLength(1);
  });

  it('tells nobody when ecr.audit.notifications.enabled is false', async () => {
    const notifications = recordingNotifications();
    await start(notifications, { notifications: { enabled: false } });
    await runAudit();
    breakPushPolicy();
    await runAudit();
    expect(checkStatus(await payments(), 'push-permissions')).toBe('fail');
    expect(notifications.attempts()).toBe(0);
  });

  it('completes the run when the notifications cannot be sent', async () => {
    const notifications = recordingNotifications({ fail: true });
    await start(notifications);
    await runAudit();
    breakPushPolicy();
    const run = await runAudit();
    expect(notifications.attempts()).toBe(1);
    const res = await request(backend!.server)
      .get('/api/ecr/audit')
      .set('Authorization', PLATFORM);
    expect(res.body.run).toMatchObject({ id: run.id, status: 'complete' });
  });
});

describe('findBreaks', () => {
  const entity = (
    checks: Record<string, 'pass' | 'warn' | 'fail' | 'unknown'>,
    latestBuild?: AuditEntityResult['latestBuild'],
  ): AuditEntityResult => ({
    entityRef: PAYMENTS,
    owner: 'group:default/team-b',
    repositoryArns: [],
    checks: Object.entries(checks).map(([id, status]) => ({
      id: id as AuditEntityResult['checks'][number]['id'],
      status,
      detail: '',
    })),
    ...(latestBuild && { latestBuild }),
  });
  const pushFailure = (id: string): AuditEntityResult['latestBuild'] => ({
    id,
    status: 'FAILED',
    diagnosis: { checkId: 'push-permissions', message: 'denied' },
  });

  it('finds checks that passed or warned and fail now, only those', () => {
    const before = entity({
      'scan-on-push': 'pass',
      'tag-immutability': 'warn',
      'push-permissions': 'fail',
      encryption: 'unknown',
      'images-present': 'pass',
    });
    const now = entity({
      'scan-on-push': 'fail',
      'tag-immutability': 'fail',
      'push-permissions': 'fail',
      encryption: 'fail',
      'images-present': 'pass',
    });
    expect(findBreaks([before], [now])).toEqual([
      { entity: now, checks: ['scan-on-push', 'tag-immutability'] },
    ]);
  });

  it('finds a new latest build that could not push, not the same one again', () => {
    const passing = { 'push-permissions': 'pass' } as const;
    const first = entity(passing, pushFailure('build:1'));
    const second = entity(passing, pushFailure('build:2'));
    expect(findBreaks([entity(passing)], [first])).toEqual([
      {
        entity: first,
        checks: [],
        buildFailure: { id: 'build:1', checkId: 'push-permissions' },
      },
    ]);
    expect(findBreaks([first], [first])).toEqual([]);
    expect(findBreaks([first], [second])).toHaveLength(1);
  });

  it('finds nothing for an entity the previous run did not have', () => {
    expect(findBreaks([], [entity({ 'scan-on-push': 'fail' })])).toEqual([]);
  });
});

describe('ecrTabLink', () => {
  it('routes as the catalog does: kind and namespace in lower case', () => {
    expect(ecrTabLink('Component:Prod/My-Service')).toBe(
      '/catalog/prod/component/My-Service/ecr',
    );
  });
});
