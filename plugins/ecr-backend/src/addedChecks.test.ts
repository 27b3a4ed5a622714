import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  AuditReport,
  SETUP_CHECK_IDS,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import {
  EcrSetupCheck,
  ecrSetupChecksExtensionPoint,
  SetupFacts,
} from '@backstage-ecr/plugin-ecr-node';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  startDemoEmulator,
  startEcrBackend,
} from './__testUtils__/testBackend';
import {
  PLATFORM_USER,
  startAuditBackend,
} from './audit/__testUtils__/auditBackend';
import { demoCatalogEntities } from './audit/__testUtils__/auditFixtures';

const USER = mockCredentials.user.header('user:default/guest');

/** A module that adds checks, as an adopter's backend module would. */
function checksModule(...checks: EcrSetupCheck[]) {
  return createBackendModule({
    pluginId: 'ecr',
    moduleId: 'test-checks',
    register(env) {
      env.registerInit({
        deps: { extension: ecrSetupChecksExtensionPoint },
        async init({ extension }) {
          extension.addSetupCheck(...checks);
        },
      });
    },
  });
}

/** Passes when every readable repository carries a cost-center tag. */
const costCenter: EcrSetupCheck = {
  id: 'cost-center-tag',
  title: 'Cost center tag',
  evaluate(facts: SetupFacts) {
    const missing = facts.repositories
      .filter(r => r.tags?.ok && r.tags.value && !r.tags.value['cost-center'])
      .map(r => r.name);
    return missing.length
      ? {
          status: 'warn',
          detail: `No cost-center tag on ${missing.join(', ')}.`,
          remedy: 'Tag the repository with its cost center.',
        }
      : { status: 'pass', detail: 'Every repository names its cost center.' };
  },
};

describe('setup checks added through the extension point', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startDemoEmulator();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  async function setup(
    server: Awaited<ReturnType<typeof startEcrBackend>>['server'],
    name: string,
  ): Promise<SetupStatus> {
    const res = await request(server)
      .get(`/api/ecr/entity/default/component/${name}/setup`)
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('shows an added check after the built-in ones, judged from the entity’s facts, at no extra AWS call', async () => {
    const plain = await startEcrBackend({ emulator });
    emulator.resetCalls();
    await setup(plain.server, 'payments-api');
    const callsWithout = emulator.calls();

    const { server } = await startEcrBackend({
      emulator,
      features: [checksModule(costCenter)],
    });
    emulator.resetCalls();
    const status = await setup(server, 'payments-api');
    expect(emulator.calls()).toEqual(callsWithout);
    expect(status.checks.map(c => c.id)).toEqual([
      ...SETUP_CHECK_IDS,
      'cost-center-tag',
    ]);
    expect(status.checks.at(-1)).toEqual({
      id: 'cost-center-tag',
      title: 'Cost center tag',
      status: 'warn',
      detail: 'No cost-center tag on payments-api.',
      remedy: 'Tag the repository with its cost center.',
    });
  });

  it('costs only itself when it throws or answers nonsense', async () => {
    const throws: EcrSetupCheck = {
      id: 'throws',
      title: 'Throws',
      evaluate() {
        throw new Error('no such tag list');
      },
    };
    const nonsense = {
      id: 'nonsense',
      title: 'Nonsense',
      evaluate: () => ({ status: 'great' }),
    } as unknown as EcrSetupCheck;
    const { server } = await startEcrBackend({
      emulator,
      features: [checksModule(throws, nonsense, costCenter)],
    });
    const status = await setup(server, 'payments-api');
    const byId = Object.fromEntries(status.checks.map(c => [c.id, c]));
    expect(byId.throws).toMatchObject({
      status: 'unknown',
      detail: 'Not checked: the check failed (no such tag list).',
    });
    expect(byId.nonsense).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('did not answer a status'),
    });
    expect(byId['cost-center-tag'].status).toBe('warn');
    expect(
      status.checks
        .filter(c => (SETUP_CHECK_IDS as readonly string[]).includes(c.id))
        .every(c => c.status === 'pass'),
    ).toBe(true);
  });

  it('shows an added check in the platform audit, counted like the built-in ones', async () => {
    const backend = await startAuditBackend({
      emulator,
      entities: demoCatalogEntities(),
      features: [checksModule(costCenter)],
    });
    try {
      const platform = mockCredentials.user.header(PLATFORM_USER);
      const run = await request(backend.server)
        .post('/api/ecr/audit/run?wait=true')
        .set('Authorization', platform);
      expect(run.status).toBe(200);
      const res = await request(backend.server)
        .get('/api/ecr/audit')
        .set('Authorization', platform);
      expect(res.status).toBe(200);
      const report: AuditReport = res.body;
      const payments = report.entities.find(
        e => e.entityRef === 'component:default/payments-api',
      );
      expect(payments?.checks.at(-1)).toEqual({
        id: 'cost-center-tag',
        status: 'warn',
        detail: 'No cost-center tag on payments-api.',
      });
      expect(report.run?.summary?.warningByCheck['cost-center-tag']).toBe(
        report.entities.filter(e =>
          e.checks.some(c => c.id === 'cost-center-tag' && c.status === 'warn'),
        ).length,
      );
    } finally {
      await backend.stop();
    }
  });

  it.each([
    ['a built-in id', { ...costCenter, id: 'push-permissions' }, /built in/],
    [
      'an id that is not kebab-case',
      { ...costCenter, id: 'Cost Center' },
      /kebab-case/,
    ],
    ['no title', { ...costCenter, title: ' ' }, /needs a title/],
  ])('refuses %s at startup', async (_what, check, message) => {
    await expect(
      startEcrBackend({ emulator, features: [checksModule(check)] }),
    ).rejects.toThrow(message);
  });

  it('refuses the same id twice at startup', async () => {
    await expect(
      startEcrBackend({
        emulator,
        features: [checksModule(costCenter, { ...costCenter })],
      }),
    ).rejects.toThrow(/added twice/);
  });
});
