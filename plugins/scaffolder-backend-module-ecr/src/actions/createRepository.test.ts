import { Emulator } from '@backstage-ecr/aws-emulator';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ecrRepositoryCreatePermission } from '@backstage-ecr/plugin-ecr-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  ACCOUNT,
  BINDINGS,
  checkpointStore,
  ecrServiceFor,
  repositoryIn,
  startActionsEmulator,
  tagsOf,
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
import { createEcrRepositoryCreateAction } from './createRepository';

const ARN = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`;
const URI = `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com/orders-api`;
const PAYMENTS_ARN = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/payments-api`;
/** The entity and owner a template for orders-api passes, team-a's. */
const ORDERS = { entityRef: 'component:default/orders-api', owner: TEAM_A };

describe('ecr:repository:create', () => {
  let emulator: Emulator;
  let clients: { destroy(): void };
  let ecr: EcrService;
  let services: ReturnType<typeof initiatorServices>;
  let action: ReturnType<typeof createEcrRepositoryCreateAction>;

  beforeAll(async () => {
    emulator = await startActionsEmulator();
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
    action = createEcrRepositoryCreateAction({ ecr, ...services });
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

  function outputs(ctx: ReturnType<typeof context>) {
    return Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );
  }

  it('declares its id, dry-run support, examples and schemas', () => {
    expect(action.id).toBe('ecr:repository:create');
    expect(action.supportsDryRun).toBe(true);
    expect(action.examples!.length).toBeGreaterThan(0);
    expect(action.schema?.input).toMatchObject({
      type: 'object',
      required: ['repositoryName', 'region', 'entityRef', 'owner'],
      properties: {
        repositoryName: { type: 'string', description: expect.any(String) },
        entityRef: { type: 'string', description: expect.any(String) },
        owner: { type: 'string', description: expect.any(String) },
        ifExists: { enum: ['reuse', 'fail'] },
      },
    });
    expect(Object.keys((action.schema?.output as any).properties)).toEqual([
      'repositoryArn',
      'repositoryUri',
      'repositoryName',
    ]);
  });

  it('creates the repository with the safe defaults and outputs it for later steps', async () => {
    const ctx = context({
      repositoryName: 'orders-api',
      region: 'eu-west-2',
      ...ORDERS,
      tags: { 'cost-centre': 'shop' },
    });
    await action.handler(ctx);
    expect(outputs(ctx)).toEqual({
      repositoryArn: ARN,
      repositoryUri: URI,
      repositoryName: 'orders-api',
    });
    const created = repositoryIn(emulator, 'orders-api')!;
    expect(created).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      scanOnPush: true,
      encryption: { encryptionType: 'AES256' },
      lifecyclePolicy: {
        text: expect.stringContaining('"tagStatus":"untagged"'),
      },
    });
    expect(tagsOf(created)).toEqual({
      'backstage.io/entity-ref': 'component:default/orders-api',
      'backstage.io/owner': TEAM_A,
      'cost-centre': 'shop',
      'ecr.backstage-ecr.io/setup': 'complete',
    });
    expect(ctx.logger.info).toHaveBeenCalledWith(`Created ${ARN}`);
    // guest is in team-a: their claims let them in, the policy is not asked.
    expect(services.permissions.authorize).not.toHaveBeenCalled();
  });

  it('binds the repository to the entity and owner it is for, whatever the tags input says', async () => {
    await action.handler(
      context({
        repositoryName: 'orders-api',
        region: 'eu-west-2',
        ...ORDERS,
        tags: {
          'backstage.io/entity-ref': 'component:default/payments-api',
          'backstage.io/owner': TEAM_B,
        },
      }),
    );
    expect(tagsOf(repositoryIn(emulator, 'orders-api')!)).toMatchObject({
      'backstage.io/entity-ref': 'component:default/orders-api',
      'backstage.io/owner': TEAM_A,
    });
  });

  it('reuses the repository when the task runs again, writing nothing', async () => {
    const input = {
      repositoryName: 'orders-api',
      region: 'eu-west-2',
      ...ORDERS,
    };
    await action.handler(context(input));
    emulator.resetCalls();
    const rerun = context(input);
    await action.handler(rerun);
    expect(outputs(rerun)).toEqual({
      repositoryArn: ARN,
      repositoryUri: URI,
      repositoryName: 'orders-api',
    });
    expect(writeCalls(emulator)).toEqual({});
    expect(rerun.logger.info).toHaveBeenCalledWith(
      `${ARN} exists already; reused unchanged`,
    );
  });

  it('writes nothing in a dry run, and still outputs what later steps need', async () => {
    const ctx = context(
      { repositoryName: 'orders-api', region: 'eu-west-2', ...ORDERS },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(outputs(ctx)).toEqual({
      repositoryArn: ARN,
      repositoryUri: URI,
      repositoryName: 'orders-api',
    });
    expect(emulator.calls()).toEqual({ 'ecr:DescribeRepositories': 1 });
    expect(repositoryIn(emulator, 'orders-api')).toBeUndefined();
    expect(ctx.logger.info).toHaveBeenCalledWith(
      `Dry run: would create ${ARN}`,
    );
  });

  it('fails on an existing repository with ifExists: fail', async () => {
    // bob is in team-b, which owns payments-api.
    await expect(
      action.handler(
        context(
          {
            repositoryName: 'payments-api',
            region: 'eu-west-2',
            entityRef: 'component:default/payments-api',
            owner: TEAM_B,
            ifExists: 'fail',
          },
          { getInitiatorCredentials: startedBy(USERS.bob) },
        ),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'Repository payments-api exists already',
      ),
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('does not fail on its own repository when task recovery replays the step', async () => {
    const store = checkpointStore();
    const input = {
      repositoryName: 'orders-api',
      region: 'eu-west-2',
      ...ORDERS,
      ifExists: 'fail',
    };
    await action.handler(context(input, { checkpoint: store.checkpoint }));
    emulator.resetCalls();
    const recovered = context(input, { checkpoint: store.checkpoint });
    await action.handler(recovered);
    expect(outputs(recovered).repositoryArn).toBe(ARN);
    expect(emulator.calls()).toEqual({});
  });

  it('applies the settings given: KMS, mutability, scanning and a lifecycle policy object', async () => {
    const lifecyclePolicy = {
      rules: [
        {
          rulePriority: 1,
          description: 'Keep the last 30 images',
          selection: {
            tagStatus: 'any',
            countType: 'imageCountMoreThan',
            countNumber: 30,
          },
          action: { type: 'expire' },
        },
      ],
    };
    await action.handler(
      context({
        repositoryName: 'team-a/orders-api',
        region: 'eu-west-2',
        accountId: ACCOUNT,
        ...ORDERS,
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
        encryption: 'KMS',
        kmsKey: 'alias/team-a',
        lifecyclePolicy,
      }),
    );
    expect(repositoryIn(emulator, 'team-a/orders-api')).toMatchObject({
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryption: { encryptionType: 'KMS', kmsKey: 'alias/team-a' },
      lifecyclePolicy: { text: JSON.stringify(lifecyclePolicy) },
    });
  });

  describe("as the task's initiator", () => {
    const forbidden = { name: 'NotAllowedError' };

    it('refuses a task with no user behind it, before asking anyone anything', async () => {
      const error = await action
        .handler(
          context(
            { repositoryName: 'orders-api', region: 'eu-west-2', ...ORDERS },
            { getInitiatorCredentials: startedByService() },
          ),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message:
          'This action acts only for the user who started the task, and this task has no user behind it',
      });
      expect(services.permissions.authorize).not.toHaveBeenCalled();
      expect(emulator.calls()).toEqual({});
      expect(repositoryIn(emulator, 'orders-api')).toBeUndefined();
    });

    it("refuses to create for another team's new entity, asking the policy first", async () => {
      const error = await action
        .handler(
          context({
            repositoryName: 'orders-api',
            region: 'eu-west-2',
            entityRef: 'component:default/orders-api',
            owner: TEAM_B,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message:
          'user:default/guest may not act for component:default/orders-api: it would be owned by group:default/team-b, which is not among your ownership claims, and ecr.repository.create is not granted to you for it',
      });
      expect(services.permissions.authorize).toHaveBeenCalledTimes(1);
      expect(services.permissions.authorize).toHaveBeenCalledWith(
        [
          {
            permission: ecrRepositoryCreatePermission,
            resourceRef: 'component:default/orders-api',
          },
        ],
        { credentials: await startedBy(USERS.guest)() },
      );
      expect(emulator.calls()).toEqual({});
    });

    it('refuses in a dry run too', async () => {
      const error = await action
        .handler(
          context(
            {
              repositoryName: 'orders-api',
              region: 'eu-west-2',
              entityRef: 'component:default/orders-api',
              owner: TEAM_B,
            },
            { isDryRun: true },
          ),
        )
        .catch(e => e);
      expect(error).toMatchObject(forbidden);
      expect(emulator.calls()).toEqual({});
    });

    it('takes a catalogued entity with its owner from the catalog, not from the input', async () => {
      // guest says payments-api is team-a's; the catalog says team-b's.
      const error = await action
        .handler(
          context({
            repositoryName: 'payments-api',
            region: 'eu-west-2',
            entityRef: 'component:default/payments-api',
            owner: TEAM_A,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        ...forbidden,
        message:
          'user:default/guest may not act for component:default/payments-api: the catalog says it is owned by group:default/team-b, which is not among your ownership claims, and ecr.repository.create is not granted to you for it',
      });
      expect(emulator.calls()).toEqual({});
    });

    it("tags what it creates with the catalog's owner, even when the policy lets a non-member act", async () => {
      // alice is in platform-team, which the policy allows; the input names the wrong owner.
      await action.handler(
        context(
          {
            repositoryName: 'payments-api-cache',
            region: 'eu-west-2',
            entityRef: 'payments-api',
            owner: TEAM_A,
          },
          { getInitiatorCredentials: startedBy(USERS.alice) },
        ),
      );
      expect(
        tagsOf(repositoryIn(emulator, 'payments-api-cache')!),
      ).toMatchObject({
        'backstage.io/entity-ref': 'component:default/payments-api',
        'backstage.io/owner': TEAM_B,
      });
    });

    it('lets the platform team create for a team it is not in, bound to that team', async () => {
      const ctx = context(
        { repositoryName: 'orders-api', region: 'eu-west-2', ...ORDERS },
        { getInitiatorCredentials: startedBy(USERS.alice) },
      );
      await action.handler(ctx);
      expect(outputs(ctx).repositoryArn).toBe(ARN);
      expect(tagsOf(repositoryIn(emulator, 'orders-api')!)).toMatchObject({
        'backstage.io/entity-ref': 'component:default/orders-api',
        'backstage.io/owner': TEAM_A,
      });
      expect(services.permissions.authorize).toHaveBeenCalledWith(
        [
          {
            permission: ecrRepositoryCreatePermission,
            resourceRef: 'component:default/orders-api',
          },
        ],
        expect.anything(),
      );
    });

    it.each([
      ['entityRef', { entityRef: 'component:default/not a name' }],
      ['owner', { owner: 'team a; drop' }],
      ['owner', { owner: 'group:default/' }],
    ])(
      'refuses an %s that is not an entity ref, before AWS is asked, even for the platform team',
      async (input, bad) => {
        const ctx = context(
          {
            repositoryName: 'orders-api',
            region: 'eu-west-2',
            ...ORDERS,
            ...bad,
          },
          { getInitiatorCredentials: startedBy(USERS.alice) },
        );
        await expect(action.handler(ctx)).rejects.toThrow(
          new RegExp(`^${input} ".*" is not an entity ref`),
        );
        expect(emulator.calls()).toEqual({});
        expect(repositoryIn(emulator, 'orders-api')).toBeUndefined();
      },
    );

    it('does not reuse an existing repository that belongs to another entity (403 naming it)', async () => {
      // guest may act for orders-api, but payments-api is not orders-api's.
      const error = await action
        .handler(
          context({
            repositoryName: 'payments-api',
            region: 'eu-west-2',
            ...ORDERS,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject(forbidden);
      expect(error.message).toContain(
        `Repository ${PAYMENTS_ARN} exists already and belongs to component:default/payments-api (tag backstage.io/entity-ref), not to this entity`,
      );
      expect(writeCalls(emulator)).toEqual({});
      expect(tagsOf(repositoryIn(emulator, 'payments-api')!)).toEqual(
        BINDINGS.repositories['payments-api'],
      );
    });

    it("does not hand over another team's repository when its entity is not in the catalog", async () => {
      // The catalog does not know payments-api (yet, or any more), so the
      // owner comes from the input; AWS says the repository is team-b's.
      const uncatalogued = createEcrRepositoryCreateAction({
        ecr,
        ...services,
        catalog: catalogServiceMock({ entities: [] }),
      });
      const error = await uncatalogued
        .handler(
          context({
            repositoryName: 'payments-api',
            region: 'eu-west-2',
            entityRef: 'component:default/payments-api',
            owner: TEAM_A,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject(forbidden);
      expect(error.message).toContain(TEAM_B);
      expect(writeCalls(emulator)).toEqual({});
    });
  });

  it.each([
    [
      { repositoryName: 'Orders_API', region: 'eu-west-2' },
      'Invalid repositoryName, region and accountId: "arn:aws:ecr:eu-west-2:123412341234:repository/Orders_API" names repository "Orders_API", which is not a valid ECR repository name',
    ],
    [
      { repositoryName: 'orders-api', region: 'london' },
      'names region "london", which is not an AWS region',
    ],
    [
      {
        repositoryName: 'orders-api',
        region: 'eu-west-2',
        accountId: '999999999999',
      },
      'is in account 999999999999, which is not one of the accounts this Backstage may use (ecr.allowedAccounts: 123412341234)',
    ],
    [
      { repositoryName: 'orders-api', region: 'eu-west-2', kmsKey: 'alias/x' },
      'kmsKey can only be given with encryption KMS',
    ],
    [
      {
        repositoryName: 'orders-api',
        region: 'eu-west-2',
        lifecyclePolicy: 'keep everything',
      },
      'The lifecycle policy is not valid JSON',
    ],
  ])('refuses %j with a clear InputError', async (input, message) => {
    const error = await action
      .handler(context({ ...input, ...ORDERS }))
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
    expect(emulator.calls()).toEqual({});
  });

  it('wants an accountId when ecr.allowedAccounts lists several', async () => {
    const several = ecrServiceFor(emulator, {
      allowedAccounts: [ACCOUNT, '210987654321'],
    });
    try {
      const error = await createEcrRepositoryCreateAction({
        ecr: several.ecr,
        ...services,
      })
        .handler(
          context({
            repositoryName: 'orders-api',
            region: 'eu-west-2',
            ...ORDERS,
          }),
        )
        .catch(e => e);
      expect(error).toMatchObject({
        name: 'InputError',
        message:
          'accountId is required: ecr.allowedAccounts lists several (123412341234, 210987654321)',
      });
    } finally {
      several.clients.destroy();
    }
  });
});
