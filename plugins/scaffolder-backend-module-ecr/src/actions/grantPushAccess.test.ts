import { Emulator } from '@backstage-ecr/aws-emulator';
import { EcrService, pushPolicyName } from '@backstage-ecr/plugin-ecr-node';
import { ecrPushAccessGrantPermission } from '@backstage-ecr/plugin-ecr-common';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  ACCOUNT,
  ecrServiceFor,
  OWNER_TAG,
  roleIn,
  startActionsEmulator,
  writeCalls,
} from '../__testUtils__/emulatorEcr';
import {
  initiatorServices,
  startedBy,
  startedByService,
  TEAM_A,
  TEAM_B,
  USERS,
} from '../__testUtils__/initiators';
import { createEcrPushAccessGrantAction } from './grantPushAccess';

const ORDERS_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`;
const ORDERS_PROJECT = `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-orders-api`;
const ORDERS_ROLE = 'codebuild-orders-api-service-role';
const ORDERS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${ORDERS_ROLE}`;
const ORDERS_POLICY = pushPolicyName({ arn: ORDERS_REPO, name: 'orders-api' });
const PAYMENTS_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/payments-api`;
const PAYMENTS_PROJECT = `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-payments-api`;
const PAYMENTS_ROLE = 'codebuild-payments-api-service-role';
const PAYMENTS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${PAYMENTS_ROLE}`;
/** The entity and owner a template for orders-api passes, team-a's. */
const ORDERS = { entityRef: 'component:default/orders-api', owner: TEAM_A };

describe('ecr:push-access:grant', () => {
  let emulator: Emulator;
  let clients: { destroy(): void };
  let ecr: EcrService;
  let services: ReturnType<typeof initiatorServices>;
  let action: ReturnType<typeof createEcrPushAccessGrantAction>;

  beforeAll(async () => {
    // orders-api exists already, bound to its entity and team-a, as
    // ecr:repository:create leaves it.
    emulator = await startActionsEmulator({ ordersRepository: true });
    ({ ecr, clients } = ecrServiceFor(emulator));
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.resetCalls();
    services = initiatorServices();
    action = createEcrPushAccessGrantAction({ ecr, ...services });
  });

  // createMockActionContext takes neither isDryRun, checkpoint nor
  // getInitiatorCredentials (its own always answer user:default/mock): set
  // them after. The task is guest's (team-a) unless `extra` says otherwise.
  function context(input: Record<string, unknown>, extra: object = {}) {
    return {
      ...createMockActionContext({
        input: input as any,
        logger: mockServices.logger.mock(),
      }),
      getInitiatorCredentials: startedBy(USERS.guest),
      ...extra,
    };
  }

  function inlinePolicyNames(role: string) {
    return [...roleIn(emulator, role).inlinePolicies.keys()];
  }

  function outputs(ctx: ReturnType<typeof context>) {
    return Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );
  }

  it('declares its id, dry-run support, examples and schemas', () => {
    expect(action.id).toBe('ecr:push-access:grant');
    expect(action.supportsDryRun).toBe(true);
    expect(action.examples!.length).toBeGreaterThan(0);
    expect(action.schema?.input).toMatchObject({
      required: ['repositoryArn', 'entityRef', 'owner'],
      properties: {
        entityRef: { type: 'string' },
        owner: { type: 'string' },
        roleArn: { type: 'string' },
        codeBuildProjectArn: { type: 'string' },
      },
    });
  });

  it('grants the CodeBuild project’s service role push access through its own inline policy', async () => {
    const ctx = context({
      repositoryArn: ORDERS_REPO,
      codeBuildProjectArn: ORDERS_PROJECT,
      ...ORDERS,
    });
    await action.handler(ctx);
    expect(outputs(ctx)).toEqual({
      roleArn: ORDERS_ROLE_ARN,
      policyName: ORDERS_POLICY,
    });
    expect(writeCalls(emulator)).toEqual({ 'iam:PutRolePolicy': 1 });
    expect(
      JSON.parse(
        roleIn(emulator, ORDERS_ROLE).inlinePolicies.get(ORDERS_POLICY)!,
      ).Statement.map((s: any) => s.Resource),
    ).toEqual([ORDERS_REPO, '*']);
  });

  it('grants a role named by its ARN, when its own tags bind it', async () => {
    roleIn(emulator, ORDERS_ROLE).tags.push({ Key: OWNER_TAG, Value: TEAM_A });
    const ctx = context({
      repositoryArn: ORDERS_REPO,
      roleArn: ORDERS_ROLE_ARN,
      ...ORDERS,
    });
    await action.handler(ctx);
    expect(outputs(ctx).roleArn).toBe(ORDERS_ROLE_ARN);
    expect([...roleIn(emulator, ORDERS_ROLE).inlinePolicies.keys()]).toEqual([
      ORDERS_POLICY,
    ]);
  });

  it('refuses an untagged role named by its ARN: no project vouches for it', async () => {
    await expect(
      action.handler(
        context({
          repositoryArn: ORDERS_REPO,
          roleArn: ORDERS_ROLE_ARN,
          ...ORDERS,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        `Role ${ORDERS_ROLE_ARN} is unbound: it has neither a backstage.io/entity-ref nor a backstage.io/owner tag; Backstage grants it nothing for component:default/orders-api`,
      ),
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(inlinePolicyNames(ORDERS_ROLE)).toEqual([]);
  });

  it('changes nothing when the task runs again', async () => {
    const input = {
      repositoryArn: ORDERS_REPO,
      codeBuildProjectArn: ORDERS_PROJECT,
      ...ORDERS,
    };
    await action.handler(context(input));
    emulator.resetCalls();
    const rerun = context(input);
    await action.handler(rerun);
    expect(outputs(rerun)).toEqual({
      roleArn: ORDERS_ROLE_ARN,
      policyName: ORDERS_POLICY,
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('writes nothing in a dry run, logging the policy it would put', async () => {
    const ctx = context(
      {
        repositoryArn: ORDERS_REPO,
        codeBuildProjectArn: ORDERS_PROJECT,
        ...ORDERS,
      },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(outputs(ctx)).toEqual({
      roleArn: ORDERS_ROLE_ARN,
      policyName: ORDERS_POLICY,
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(roleIn(emulator, ORDERS_ROLE).inlinePolicies.size).toBe(0);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      expect.stringContaining(
        `Dry run: would put inline policy ${ORDERS_POLICY} on ${ORDERS_ROLE_ARN}: {"Version":"2012-10-17"`,
      ),
    );
  });

  it('refuses a role outside ecr.iam.allowedRoleArnPatterns', async () => {
    await expect(
      action.handler(
        context({
          repositoryArn: ORDERS_REPO,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
          ...ORDERS,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'matches none of ecr.iam.allowedRoleArnPatterns',
      ),
    });
    // IAM was asked nothing about the role, and nothing was written (the
    // AWS layer may have read the repository's tags first).
    expect(
      Object.keys(emulator.calls()).filter(
        op => op !== 'ecr:ListTagsForResource',
      ),
    ).toEqual([]);
  });

  it.each([
    [
      { repositoryArn: ORDERS_REPO },
      'Give exactly one of roleArn and codeBuildProjectArn',
    ],
    [
      {
        repositoryArn: ORDERS_REPO,
        roleArn: ORDERS_ROLE_ARN,
        codeBuildProjectArn: ORDERS_PROJECT,
      },
      'Give exactly one of roleArn and codeBuildProjectArn',
    ],
    [
      { repositoryArn: 'orders-api', roleArn: ORDERS_ROLE_ARN },
      'Invalid repositoryArn: "orders-api" is not an ARN',
    ],
    [
      { repositoryArn: ORDERS_REPO, roleArn: ORDERS_PROJECT },
      'Invalid roleArn: ',
    ],
    [
      { repositoryArn: ORDERS_REPO, codeBuildProjectArn: ORDERS_ROLE_ARN },
      'Invalid codeBuildProjectArn: ',
    ],
    [
      {
        repositoryArn:
          'arn:aws:ecr:eu-west-2:999999999999:repository/orders-api',
        codeBuildProjectArn: ORDERS_PROJECT,
      },
      'is in account 999999999999, which is not one of the accounts this Backstage may use',
    ],
  ])('refuses %j with a clear InputError', async (input, message) => {
    const error = await action
      .handler(context({ ...input, ...ORDERS }))
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
    expect(emulator.calls()).toEqual({});
  });

  it('refuses a repository that does not exist yet, granting nothing', async () => {
    await expect(
      action.handler(
        context({
          repositoryArn: `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/inventory-service`,
          codeBuildProjectArn: ORDERS_PROJECT,
          ...ORDERS,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('does not exist yet: create it first'),
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  describe("as the task's initiator", () => {
    const forbidden = { name: 'NotAllowedError' };

    it('refuses a task with no user behind it, before asking anyone anything', async () => {
      const error = await action
        .handler(
          context(
            {
              repositoryArn: ORDERS_REPO,
              codeBuildProjectArn: ORDERS_PROJECT,
              ...ORDERS,
            },
            { getInitiatorCredentials: startedByService() },
          ),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message: expect.stringContaining('this task has no user behind it'),
      });
      expect(services.permissions.authorize).not.toHaveBeenCalled();
      expect(emulator.calls()).toEqual({});
    });

    it("refuses to grant for another team's entity, asking the policy first", async () => {
      const error = await action
        .handler(
          context({
            repositoryArn: ORDERS_REPO,
            codeBuildProjectArn: ORDERS_PROJECT,
            entityRef: 'component:default/orders-api',
            owner: TEAM_B,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message:
          'user:default/guest may not act for component:default/orders-api: it would be owned by group:default/team-b, which is not among your ownership claims, and ecr.push-access.grant is not granted to you for it',
      });
      expect(services.permissions.authorize).toHaveBeenCalledWith(
        [
          {
            permission: ecrPushAccessGrantPermission,
            resourceRef: 'component:default/orders-api',
          },
        ],
        { credentials: await startedBy(USERS.guest)() },
      );
      expect(emulator.calls()).toEqual({});
    });

    it("refuses push access to a catalogued entity's repository for a non-member, whatever owner the input names", async () => {
      const error = await action
        .handler(
          context({
            repositoryArn: PAYMENTS_REPO,
            codeBuildProjectArn: ORDERS_PROJECT,
            entityRef: 'component:default/payments-api',
            owner: TEAM_A,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message: expect.stringContaining(
          'the catalog says it is owned by group:default/team-b',
        ),
      });
      expect(emulator.calls()).toEqual({});
      expect(inlinePolicyNames(ORDERS_ROLE)).toEqual([]);
    });

    it("refuses another team's role (its owner tag), naming the owner, and leaves it unchanged", async () => {
      const before = new Map(roleIn(emulator, PAYMENTS_ROLE).inlinePolicies);
      const error = await action
        .handler(
          context({
            repositoryArn: ORDERS_REPO,
            roleArn: PAYMENTS_ROLE_ARN,
            ...ORDERS,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message: `Role ${PAYMENTS_ROLE_ARN} belongs to group:default/team-b (tag backstage.io/owner), not to this entity; Backstage grants it nothing for component:default/orders-api. Its owners can hand it over by changing the tag.`,
      });
      expect(writeCalls(emulator)).toEqual({});
      expect(roleIn(emulator, PAYMENTS_ROLE).inlinePolicies).toEqual(before);
    });

    it("refuses another team's CodeBuild project's role the same way", async () => {
      const error = await action
        .handler(
          context({
            repositoryArn: ORDERS_REPO,
            codeBuildProjectArn: PAYMENTS_PROJECT,
            ...ORDERS,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject(forbidden);
      expect(error.message).toContain(
        `Role ${PAYMENTS_ROLE_ARN} belongs to group:default/team-b (tag backstage.io/owner)`,
      );
      expect(writeCalls(emulator)).toEqual({});
      expect(inlinePolicyNames(PAYMENTS_ROLE)).toEqual([
        'backstage-ecr-push-payments-api',
      ]);
    });

    it("does not grant push access to another team's repository when its entity is not in the catalog", async () => {
      // The catalog does not know payments-api, so the owner comes from the
      // input; the repository's entity-ref tag names payments-api, and its
      // owner tag says team-b's.
      const uncatalogued = createEcrPushAccessGrantAction({
        ecr,
        ...services,
        catalog: catalogServiceMock({ entities: [] }),
      });
      const error = await uncatalogued
        .handler(
          context({
            repositoryArn: PAYMENTS_REPO,
            codeBuildProjectArn: ORDERS_PROJECT,
            entityRef: 'component:default/payments-api',
            owner: TEAM_A,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message: expect.stringContaining(
          `Repository ${PAYMENTS_REPO} belongs to group:default/team-b (tag backstage.io/owner); component:default/payments-api is not in the catalog`,
        ),
      });
      expect(writeCalls(emulator)).toEqual({});
      expect(inlinePolicyNames(ORDERS_ROLE)).toEqual([]);
    });

    it('lets the platform team grant for a team it is not in', async () => {
      const ctx = context(
        {
          repositoryArn: ORDERS_REPO,
          codeBuildProjectArn: ORDERS_PROJECT,
          ...ORDERS,
        },
        { getInitiatorCredentials: startedBy(USERS.alice) },
      );
      await action.handler(ctx);
      expect(outputs(ctx)).toEqual({
        roleArn: ORDERS_ROLE_ARN,
        policyName: ORDERS_POLICY,
      });
      expect(inlinePolicyNames(ORDERS_ROLE)).toEqual([ORDERS_POLICY]);
    });
  });
});
