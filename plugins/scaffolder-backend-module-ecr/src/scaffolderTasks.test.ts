import { Emulator } from '@backstage-ecr/aws-emulator';
import { pushPolicyName } from '@backstage-ecr/plugin-ecr-node';
import { mockCredentials, TestBackend } from '@backstage/backend-test-utils';
import {
  ACCOUNT,
  BINDINGS,
  repositoryIn,
  roleIn,
  startActionsEmulator,
  tagsOf,
  writeCalls,
} from './__testUtils__/emulatorEcr';
import {
  CATALOG_ENTITIES,
  TEAM_A,
  TEAM_B,
  USERS,
} from './__testUtils__/initiators';
import {
  runTemplate,
  startScaffolderBackend,
} from './__testUtils__/scaffolderBackend';

jest.setTimeout(60_000);

const ORDERS_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`;
const PAYMENTS_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/payments-api`;
const ORDERS_ROLE = 'codebuild-orders-api-service-role';
const ORDERS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${ORDERS_ROLE}`;
const PAYMENTS_ROLE = 'codebuild-payments-api-service-role';
const PAYMENTS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${PAYMENTS_ROLE}`;
const ORDERS_POLICY = pushPolicyName({ arn: ORDERS_REPO, name: 'orders-api' });

const as = {
  guest: mockCredentials.user.header(USERS.guest),
  alice: mockCredentials.user.header(USERS.alice),
  service: mockCredentials.service.header(),
};

/** The Create page's values for the shipped template. */
function values(overrides: {
  name: string;
  owner: string;
  codeBuildProject: string;
}) {
  return {
    description: 'A containerised service',
    containerPort: 3000,
    accountId: ACCOUNT,
    region: 'eu-west-2',
    ...overrides,
  };
}

// Real tasks of the shipped ecr-service template, started through the
// scaffolder's own API (POST /v2/tasks) and run by its task worker, with the
// real actions on the emulator and the demo policy in the real permission
// backend: the ways a user might try to get at another team's resources.
describe('the ecr-service template, run as real tasks', () => {
  let emulator: Emulator;
  // The catalog knows the users, their teams, and payments-api (team-b's).
  let server: TestBackend['server'];
  // The same, without payments-api: not registered yet, or not any more.
  let serverWithoutPayments: TestBackend['server'];

  beforeAll(async () => {
    emulator = await startActionsEmulator();
    server = await startScaffolderBackend({
      emulator,
      entities: CATALOG_ENTITIES,
    });
    serverWithoutPayments = await startScaffolderBackend({
      emulator,
      entities: CATALOG_ENTITIES.filter(
        e => e.metadata.name !== 'payments-api',
      ),
    });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.resetCalls();
  });

  /** The names of the role's inline policies (ListRolePolicies), in the emulator. */
  function listRolePolicies(role: string): string[] {
    return [...roleIn(emulator, role).inlinePolicies.keys()];
  }

  it("creates team-a's orders-api bound to it, grants its build role push access, and changes nothing when run again", async () => {
    const input = values({
      name: 'orders-api',
      owner: TEAM_A,
      codeBuildProject: 'codebuild-orders-api',
    });
    const first = await runTemplate(server, as.guest, input);
    expect(first).toMatchObject({
      status: 'completed',
      steps: {
        fetch: 'completed',
        repository: 'completed',
        'push-access': 'completed',
      },
    });
    expect(first.log).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`Created ${ORDERS_REPO}`),
        expect.stringContaining(
          `Put inline policy ${ORDERS_POLICY} on ${ORDERS_ROLE_ARN}`,
        ),
      ]),
    );
    expect(tagsOf(repositoryIn(emulator, 'orders-api')!)).toEqual({
      'backstage.io/entity-ref': 'component:default/orders-api',
      'backstage.io/owner': TEAM_A,
      'ecr.backstage-ecr.io/setup': 'complete',
    });
    expect(listRolePolicies(ORDERS_ROLE)).toEqual([ORDERS_POLICY]);
    expect(
      JSON.parse(
        roleIn(emulator, ORDERS_ROLE).inlinePolicies.get(ORDERS_POLICY)!,
      ).Statement.map((s: { Resource: unknown }) => s.Resource),
    ).toEqual([ORDERS_REPO, '*']);
    expect(JSON.stringify(first.completion.output)).toContain(
      `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com/orders-api`,
    );

    emulator.resetCalls();
    const again = await runTemplate(server, as.guest, input);
    expect(again.status).toBe('completed');
    expect(again.log).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `${ORDERS_REPO} exists already; reused unchanged`,
        ),
        expect.stringContaining(
          `${ORDERS_ROLE_ARN} has inline policy ${ORDERS_POLICY} already; nothing changed`,
        ),
      ]),
    );
    expect(writeCalls(emulator)).toEqual({});
    expect(listRolePolicies(ORDERS_ROLE)).toEqual([ORDERS_POLICY]);
  });

  it("fails at the repository step for payments-api, team-b's in the catalog, and grants team-a's role nothing", async () => {
    const task = await runTemplate(
      server,
      as.guest,
      values({
        name: 'payments-api',
        owner: TEAM_A,
        codeBuildProject: 'codebuild-orders-api',
      }),
    );
    expect(task.status).toBe('failed');
    expect(task.steps).toEqual({
      fetch: 'completed',
      repository: 'failed',
      'push-access': 'skipped',
    });
    expect(task.completion.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        'user:default/guest may not act for component:default/payments-api: the catalog says it is owned by group:default/team-b, which is not among your ownership claims, and ecr.repository.create is not granted to you for it',
    });
    expect(emulator.calls()).toEqual({});
    expect(tagsOf(repositoryIn(emulator, 'payments-api')!)).toEqual(
      BINDINGS.repositories['payments-api'],
    );
    expect(listRolePolicies(ORDERS_ROLE)).toEqual([]);
  });

  it("fails at the repository step for payments-api when the catalog does not know it, the repository being tagged as team-b's", async () => {
    const task = await runTemplate(
      serverWithoutPayments,
      as.guest,
      values({
        name: 'payments-api',
        owner: TEAM_A,
        codeBuildProject: 'codebuild-orders-api',
      }),
    );
    expect(task.status).toBe('failed');
    expect(task.steps).toEqual({
      fetch: 'completed',
      repository: 'failed',
      'push-access': 'skipped',
    });
    expect(task.completion.error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        `Repository ${PAYMENTS_REPO} belongs to group:default/team-b (tag backstage.io/owner); component:default/payments-api is not in the catalog`,
      ),
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(tagsOf(repositoryIn(emulator, 'payments-api')!)).toEqual(
      BINDINGS.repositories['payments-api'],
    );
    expect(listRolePolicies(ORDERS_ROLE)).toEqual([]);
  });

  it("refuses a service for team-b, not the initiator's team, before anything is created", async () => {
    const task = await runTemplate(
      server,
      as.guest,
      values({
        name: 'orders-api',
        owner: TEAM_B,
        codeBuildProject: 'codebuild-orders-api',
      }),
    );
    expect(task.status).toBe('failed');
    expect(task.steps).toEqual({
      fetch: 'completed',
      repository: 'failed',
      'push-access': 'skipped',
    });
    expect(task.completion.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        'user:default/guest may not act for component:default/orders-api: it would be owned by group:default/team-b, which is not among your ownership claims, and ecr.repository.create is not granted to you for it',
    });
    expect(emulator.calls()).toEqual({});
    expect(repositoryIn(emulator, 'orders-api')).toBeUndefined();
    expect(listRolePolicies(ORDERS_ROLE)).toEqual([]);
  });

  it('refuses a task started by a service, with no user behind it', async () => {
    const task = await runTemplate(
      server,
      as.service,
      values({
        name: 'orders-api',
        owner: TEAM_A,
        codeBuildProject: 'codebuild-orders-api',
      }),
    );
    expect(task.status).toBe('failed');
    expect(task.steps).toEqual({
      fetch: 'completed',
      repository: 'failed',
      'push-access': 'skipped',
    });
    expect(task.completion.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        'This action acts only for the user who started the task, and this task has no user behind it',
    });
    expect(emulator.calls()).toEqual({});
    expect(repositoryIn(emulator, 'orders-api')).toBeUndefined();
  });

  it('lets a platform-team member create for team-a, which they are not in, bound to team-a', async () => {
    const task = await runTemplate(
      server,
      as.alice,
      values({
        name: 'orders-api',
        owner: TEAM_A,
        codeBuildProject: 'codebuild-orders-api',
      }),
    );
    expect(task.status).toBe('completed');
    expect(tagsOf(repositoryIn(emulator, 'orders-api')!)).toMatchObject({
      'backstage.io/entity-ref': 'component:default/orders-api',
      'backstage.io/owner': TEAM_A,
    });
    expect(listRolePolicies(ORDERS_ROLE)).toEqual([ORDERS_POLICY]);
  });

  it("fails at the push-access step with team-b's build role, naming its owner, and leaves the role unchanged", async () => {
    const before = listRolePolicies(PAYMENTS_ROLE);
    const task = await runTemplate(
      server,
      as.guest,
      values({
        name: 'orders-api',
        owner: TEAM_A,
        codeBuildProject: 'codebuild-payments-api',
      }),
    );
    expect(task.status).toBe('failed');
    expect(task.steps).toEqual({
      fetch: 'completed',
      repository: 'completed',
      'push-access': 'failed',
    });
    expect(task.completion.error).toMatchObject({
      name: 'NotAllowedError',
      message: `Role ${PAYMENTS_ROLE_ARN} belongs to group:default/team-b (tag backstage.io/owner), not to this entity; Backstage grants it nothing for component:default/orders-api. Its owners can hand it over by changing the tag.`,
    });
    expect(emulator.calls()['iam:PutRolePolicy']).toBeUndefined();
    expect(listRolePolicies(PAYMENTS_ROLE)).toEqual(before);
    expect(
      roleIn(emulator, PAYMENTS_ROLE).inlinePolicies.get(
        'backstage-ecr-push-payments-api',
      ),
    ).toContain(PAYMENTS_REPO);
  });
});
