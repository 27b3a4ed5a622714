import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  AwsClients,
  DefaultEcrService,
  pushPolicyName,
} from '@backstage-ecr/plugin-ecr-node';
import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  ACCOUNT,
  ecrServiceFor,
  roleIn,
  startActionsEmulator,
  writeCalls,
} from '../__testUtils__/emulatorEcr';
import { createEcrPushAccessGrantAction } from './grantPushAccess';

const ORDERS_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/orders-api`;
const ORDERS_PROJECT = `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-orders-api`;
const ORDERS_ROLE = 'codebuild-orders-api-service-role';
const ORDERS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${ORDERS_ROLE}`;
const ORDERS_POLICY = pushPolicyName({ arn: ORDERS_REPO, name: 'orders-api' });

describe('ecr:push-access:grant', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let ecr: DefaultEcrService;
  let action: ReturnType<typeof createEcrPushAccessGrantAction>;

  beforeAll(async () => {
    emulator = await startActionsEmulator();
    ({ ecr, clients } = ecrServiceFor(emulator));
    action = createEcrPushAccessGrantAction({ ecr });
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
    expect(action.id).toBe('ecr:push-access:grant');
    expect(action.supportsDryRun).toBe(true);
    expect(action.examples!.length).toBeGreaterThan(0);
    expect(action.schema?.input).toMatchObject({
      required: ['repositoryArn'],
      properties: {
        roleArn: { type: 'string' },
        codeBuildProjectArn: { type: 'string' },
      },
    });
  });

  it('grants the CodeBuild project’s service role push access through its own inline policy', async () => {
    const ctx = context({
      repositoryArn: ORDERS_REPO,
      codeBuildProjectArn: ORDERS_PROJECT,
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

  it('grants a role named by its ARN', async () => {
    const ctx = context({
      repositoryArn: ORDERS_REPO,
      roleArn: ORDERS_ROLE_ARN,
    });
    await action.handler(ctx);
    expect(outputs(ctx).roleArn).toBe(ORDERS_ROLE_ARN);
    expect([...roleIn(emulator, ORDERS_ROLE).inlinePolicies.keys()]).toEqual([
      ORDERS_POLICY,
    ]);
  });

  it('changes nothing when the task runs again', async () => {
    const input = {
      repositoryArn: ORDERS_REPO,
      codeBuildProjectArn: ORDERS_PROJECT,
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
      { repositoryArn: ORDERS_REPO, codeBuildProjectArn: ORDERS_PROJECT },
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
        }),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'matches none of ecr.iam.allowedRoleArnPatterns',
      ),
    });
    expect(emulator.calls()).toEqual({});
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
    const error = await action.handler(context(input)).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
    expect(emulator.calls()).toEqual({});
  });
});
