import { Emulator } from '@backstage-ecr/aws-emulator';
import { AwsClients } from '../aws/clients';
import { DefaultEcrService } from '../service/DefaultEcrService';
import { pushPolicyDocument, pushPolicyName } from '../setup/pushPolicy';
import {
  managedPolicyIn,
  refs,
  roleIn,
  serviceFor,
  startWritesEmulator,
  writeCalls,
} from './__testUtils__/writesEmulator';

const POC_REPO = refs.repository('proof-of-concept-repo');
const POC_PROJECT = refs.project('codebuild-proof-of-concept-snapshot');
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const POC_ROLE_ARN = `arn:aws:iam::123412341234:role/service-role/${POC_ROLE}`;
const POC_POLICY = pushPolicyName(POC_REPO);

describe('grantPushAccess', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let service: DefaultEcrService;

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    ({ service, clients } = serviceFor(emulator));
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults({ errorNext: 0, throttleNext: 0, operations: [] });
    emulator.resetCalls();
  });

  it('answers a dry run with the exact role, policy name and document, and writes nothing', async () => {
    const answer = await service.grantPushAccess({
      repository: POC_REPO,
      codeBuildProject: POC_PROJECT,
      dryRun: true,
    });
    expect(answer).toEqual({
      dryRun: true,
      changed: true,
      roleArn: POC_ROLE_ARN,
      policyName: POC_POLICY,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PushImages',
            Effect: 'Allow',
            Action: [
              'ecr:BatchCheckLayerAvailability',
              'ecr:CompleteLayerUpload',
              'ecr:InitiateLayerUpload',
              'ecr:PutImage',
              'ecr:UploadLayerPart',
            ],
            Resource: POC_REPO.arn,
          },
          {
            Sid: 'GetAuthorizationToken',
            Effect: 'Allow',
            Action: 'ecr:GetAuthorizationToken',
            Resource: '*',
          },
        ],
      },
    });
    expect(writeCalls(emulator)).toEqual({});
    expect([...roleIn(emulator, POC_ROLE).inlinePolicies.keys()]).toEqual([]);
  });

  it('attaches the inline policy to the CodeBuild project’s service role, and nothing else', async () => {
    const basePolicy = managedPolicyIn(
      emulator,
      'CodeBuildBasePolicy-proof-of-concept-snapshot-eu-west-2',
    );
    const baseVersions = JSON.stringify(basePolicy.versions);
    const answer = await service.grantPushAccess({
      repository: POC_REPO,
      codeBuildProject: POC_PROJECT,
    });
    expect(answer).toMatchObject({ dryRun: false, changed: true });
    const role = roleIn(emulator, POC_ROLE);
    expect([...role.inlinePolicies.keys()]).toEqual([POC_POLICY]);
    expect(POC_POLICY).toMatch(
      /^backstage-ecr-push-proof-of-concept-repo-[0-9a-f]{10}$/,
    );
    expect(JSON.parse(role.inlinePolicies.get(POC_POLICY)!)).toEqual(
      pushPolicyDocument(POC_REPO.arn),
    );
    // The CodeBuild-managed policy is neither edited nor detached.
    expect(role.attachedPolicies).toEqual([basePolicy.arn]);
    expect(JSON.stringify(basePolicy.versions)).toBe(baseVersions);
    expect(writeCalls(emulator)).toEqual({ 'iam:PutRolePolicy': 1 });
  });

  it('changes nothing when the role has an equivalent policy already', async () => {
    // payments-api's role has the policy, written without statement ids (the
    // demo seed has it under the name without a hash; put it under this one).
    const repository = refs.repository('payments-api');
    const role = roleIn(emulator, 'codebuild-payments-api-service-role');
    role.inlinePolicies.set(
      pushPolicyName(repository),
      role.inlinePolicies.get('backstage-ecr-push-payments-api')!,
    );
    const answer = await service.grantPushAccess({
      repository,
      codeBuildProject: refs.project('codebuild-payments-api'),
    });
    expect(answer).toMatchObject({
      changed: false,
      policyName: pushPolicyName(repository),
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('is idempotent: the second grant writes nothing', async () => {
    const request = { repository: POC_REPO, codeBuildProject: POC_PROJECT };
    await service.grantPushAccess(request);
    emulator.resetCalls();
    await expect(service.grantPushAccess(request)).resolves.toMatchObject({
      changed: false,
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('grants a role named by its ARN, keeping its other inline policies', async () => {
    const role = 'codebuild-notifications-worker-role';
    const answer = await service.grantPushAccess({
      repository: refs.repository('notifications-worker'),
      role: refs.role(`service-role/${role}`),
    });
    expect(answer).toMatchObject({
      changed: true,
      roleArn: `arn:aws:iam::123412341234:role/service-role/${role}`,
      policyName: pushPolicyName(refs.repository('notifications-worker')),
    });
    expect([...roleIn(emulator, role).inlinePolicies.keys()].sort()).toEqual([
      pushPolicyName(refs.repository('notifications-worker')),
      'ecr-push',
    ]);
  });

  it('names the policy after a repository with slashes replaced', async () => {
    const answer = await service.grantPushAccess({
      repository: refs.repository('team-a/orders-api'),
      role: refs.role('service-role/codebuild-orders-api-service-role'),
      dryRun: true,
    });
    expect(answer.policyName).toMatch(
      /^backstage-ecr-push-team-a-orders-api-[0-9a-f]{10}$/,
    );
  });

  it('never overwrites the policy of a repository whose name reads the same', async () => {
    const role = refs.role('service-role/codebuild-orders-api-service-role');
    await service.grantPushAccess({
      repository: refs.repository('payments-api'),
      role,
    });
    await service.grantPushAccess({
      repository: refs.repository('payments/api'),
      role,
    });
    const policies = roleIn(emulator, role.name).inlinePolicies;
    expect(
      [...policies.values()].map(
        document => JSON.parse(document).Statement[0].Resource,
      ),
    ).toEqual(
      expect.arrayContaining([
        refs.repository('payments-api').arn,
        refs.repository('payments/api').arn,
      ]),
    );
    expect(writeCalls(emulator)).toEqual({ 'iam:PutRolePolicy': 2 });
  });

  it('finds the role’s path with GetRole when CodeBuild names it bare', async () => {
    const answer = await service.grantPushAccess({
      repository: refs.repository('orders-api'),
      codeBuildProject: refs.project('codebuild-bare-role-name'),
      dryRun: true,
    });
    expect(answer.roleArn).toBe(
      'arn:aws:iam::123412341234:role/service-role/codebuild-orders-api-service-role',
    );
  });

  it('refuses a role outside ecr.iam.allowedRoleArnPatterns with 403, asking IAM nothing', async () => {
    const error = await service
      .grantPushAccess({ repository: POC_REPO, role: refs.role('Admin') })
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      'Backstage may not attach a push policy to arn:aws:iam::123412341234:role/Admin: the role matches none of ecr.iam.allowedRoleArnPatterns (arn:aws:iam::*:role/service-role/codebuild-*). Only build roles the platform team has opened to Backstage can be changed from here; grant push access in IAM directly, or ask for the pattern to be widened.',
    );
    expect(emulator.calls()).toEqual({});
  });

  it('refuses a CodeBuild project whose service role is outside the patterns', async () => {
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        codeBuildProject: refs.project('codebuild-runs-as-admin'),
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(writeCalls(emulator)).toEqual({});
    expect(roleIn(emulator, 'Admin').inlinePolicies.size).toBe(0);
  });

  it('refuses every role when no pattern is configured', async () => {
    const unconfigured = serviceFor(emulator, { allowedRoleArnPatterns: [] });
    try {
      await expect(
        unconfigured.service.grantPushAccess({
          repository: POC_REPO,
          codeBuildProject: POC_PROJECT,
        }),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          'ecr.iam.allowedRoleArnPatterns is empty',
        ),
      });
    } finally {
      unconfigured.clients.destroy();
    }
  });

  it('refuses a role in an account outside ecr.allowedAccounts', async () => {
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        role: {
          ...refs.role('service-role/codebuild-x'),
          accountId: '999999999999',
          arn: 'arn:aws:iam::999999999999:role/service-role/codebuild-x',
        },
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('answers 404 for a project or role that does not exist', async () => {
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        codeBuildProject: refs.project('codebuild-nothing-here'),
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'CodeBuild project codebuild-nothing-here does not exist in account 123412341234, region eu-west-2',
    });
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        role: refs.role('service-role/codebuild-ghost'),
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'Role codebuild-ghost does not exist in account 123412341234',
    });
  });

  it('wants exactly one of role and project', async () => {
    await expect(
      service.grantPushAccess({ repository: POC_REPO }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        role: refs.role(`service-role/${POC_ROLE}`),
        codeBuildProject: POC_PROJECT,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('answers a failing PutRolePolicy with 502, naming the action', async () => {
    emulator.setFaults({ errorNext: 2, operations: ['iam:PutRolePolicy'] });
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        codeBuildProject: POC_PROJECT,
      }),
    ).rejects.toThrow(
      `AWS failed iam:PutRolePolicy on ${POC_ROLE_ARN} (ServiceFailureException)`,
    );
    expect(roleIn(emulator, POC_ROLE).inlinePolicies.size).toBe(0);
  });
});
