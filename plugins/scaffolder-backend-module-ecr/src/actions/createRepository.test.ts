import { Emulator } from '@backstage-ecr/aws-emulator';
import { AwsClients, DefaultEcrService } from '@backstage-ecr/plugin-ecr-node';
import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  ACCOUNT,
  checkpointStore,
  ecrServiceFor,
  repositoryIn,
  startActionsEmulator,
  writeCalls,
} from '../__testUtils__/emulatorEcr';
import { createEcrRepositoryCreateAction } from './createRepository';

const ARN = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`;
const URI = `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com/orders-api`;

describe('ecr:repository:create', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let ecr: DefaultEcrService;
  let action: ReturnType<typeof createEcrRepositoryCreateAction>;

  beforeAll(async () => {
    emulator = await startActionsEmulator();
    ({ ecr, clients } = ecrServiceFor(emulator));
    action = createEcrRepositoryCreateAction({ ecr });
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.resetCalls();
  });

  // createMockActionContext takes neither isDryRun nor checkpoint: set them after.
  function context(input: Record<string, unknown>, extra: object = {}) {
    return {
      ...createMockActionContext({
        input: input as any,
        logger: mockServices.logger.mock(),
      }),
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
      required: ['repositoryName', 'region'],
      properties: {
        repositoryName: { type: 'string', description: expect.any(String) },
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
      tags: { 'backstage.io/entity-ref': 'component:default/orders-api' },
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
    expect(created.tags).toContainEqual({
      Key: 'backstage.io/entity-ref',
      Value: 'component:default/orders-api',
    });
    expect(ctx.logger.info).toHaveBeenCalledWith(`Created ${ARN}`);
  });

  it('reuses the repository when the task runs again, writing nothing', async () => {
    const input = { repositoryName: 'orders-api', region: 'eu-west-2' };
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
      { repositoryName: 'orders-api', region: 'eu-west-2' },
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
    await expect(
      action.handler(
        context({
          repositoryName: 'payments-api',
          region: 'eu-west-2',
          ifExists: 'fail',
        }),
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
    const error = await action.handler(context(input)).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
    expect(emulator.calls()).toEqual({});
  });

  it('wants an accountId when ecr.allowedAccounts lists several', async () => {
    const several = ecrServiceFor(emulator, {
      allowedAccounts: [ACCOUNT, '210987654321'],
    });
    try {
      const error = await createEcrRepositoryCreateAction({ ecr: several.ecr })
        .handler(context({ repositoryName: 'orders-api', region: 'eu-west-2' }))
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
