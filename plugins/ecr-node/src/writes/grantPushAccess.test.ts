import { Emulator } from '@backstage-ecr/aws-emulator';
import { AwsClients } from '../aws/clients';
import { DefaultEcrService } from '../service/DefaultEcrService';
import { pushPolicyDocument, pushPolicyName } from '../setup/pushPolicy';
import {
  inlinePoliciesOf,
  managedPolicyIn,
  refs,
  roleIn,
  serviceFor,
  startWritesEmulator,
  SUBJECTS,
  writeCalls,
} from './__testUtils__/writesEmulator';

const POC_REPO = refs.repository('proof-of-concept-repo');
const POC_PROJECT = refs.project('codebuild-proof-of-concept-snapshot');
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const POC_ROLE_ARN = `arn:aws:iam::123412341234:role/service-role/${POC_ROLE}`;
const POC_POLICY = pushPolicyName(POC_REPO);
/** proof-of-concept, team A's: its repository by its entity tag, its role through its project. */
const POC = SUBJECTS.proofOfConcept;
/** payments-api's push policy as named before names carried a hash. */
const LEGACY_PAYMENTS_POLICY = 'backstage-ecr-push-payments-api';

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
      subject: POC,
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
      subject: POC,
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
      subject: SUBJECTS.paymentsApi,
    });
    expect(answer).toMatchObject({
      changed: false,
      policyName: pushPolicyName(repository),
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('is idempotent: the second grant writes nothing', async () => {
    const request = {
      repository: POC_REPO,
      codeBuildProject: POC_PROJECT,
      subject: POC,
    };
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
      subject: SUBJECTS.notificationsWorker,
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
      subject: SUBJECTS.ordersApi,
      dryRun: true,
    });
    expect(answer.policyName).toMatch(
      /^backstage-ecr-push-team-a-orders-api-[0-9a-f]{10}$/,
    );
  });

  it('never overwrites the policy of a repository whose name reads the same', async () => {
    // Team B's role, and two repositories of team B's whose names read the
    // same in a policy name: payments-api and payments/api.
    const role = refs.role('service-role/codebuild-payments-api-service-role');
    // Without the demo's grant under the name of old, which would answer for
    // payments-api (see below).
    roleIn(emulator, role.name).inlinePolicies.delete(LEGACY_PAYMENTS_POLICY);
    const before = inlinePoliciesOf(emulator, role.name);
    const dashed = refs.repository('payments-api');
    const slashed = refs.repository('payments/api');
    const first = await service.grantPushAccess({
      repository: dashed,
      role,
      subject: SUBJECTS.paymentsApi,
    });
    const second = await service.grantPushAccess({
      repository: slashed,
      role,
      subject: SUBJECTS.paymentsApi,
    });
    expect(first).toMatchObject({ changed: true });
    expect(second).toMatchObject({ changed: true });
    expect(first.policyName).not.toBe(second.policyName);
    expect(inlinePoliciesOf(emulator, role.name)).toEqual({
      ...before,
      [first.policyName]: JSON.stringify(pushPolicyDocument(dashed.arn)),
      [second.policyName]: JSON.stringify(pushPolicyDocument(slashed.arn)),
    });
    expect(writeCalls(emulator)).toEqual({ 'iam:PutRolePolicy': 2 });
  });

  it('leaves a grant under the name of old alone when granting a repository whose name reads the same', async () => {
    // Before names carried a hash, payments-api's grant was
    // backstage-ecr-push-payments-api, the name payments/api would have had.
    const role = refs.role('service-role/codebuild-payments-api-service-role');
    const legacy = JSON.stringify(
      pushPolicyDocument(refs.repository('payments-api').arn),
    );
    roleIn(emulator, role.name).inlinePolicies.set(
      LEGACY_PAYMENTS_POLICY,
      legacy,
    );
    const slashed = await service.grantPushAccess({
      repository: refs.repository('payments/api'),
      role,
      subject: SUBJECTS.paymentsApi,
    });
    expect(slashed).toMatchObject({
      changed: true,
      policyName: pushPolicyName(refs.repository('payments/api')),
    });
    expect(inlinePoliciesOf(emulator, role.name)[LEGACY_PAYMENTS_POLICY]).toBe(
      legacy,
    );
    // payments-api's grant is the one of old: recognised, not doubled.
    await expect(
      service.grantPushAccess({
        repository: refs.repository('payments-api'),
        role,
        subject: SUBJECTS.paymentsApi,
      }),
    ).resolves.toMatchObject({
      changed: false,
      policyName: LEGACY_PAYMENTS_POLICY,
    });
    expect(writeCalls(emulator)).toEqual({ 'iam:PutRolePolicy': 1 });
  });

  it('finds the role’s path with GetRole when CodeBuild names it bare', async () => {
    const answer = await service.grantPushAccess({
      repository: refs.repository('orders-api'),
      codeBuildProject: refs.project('codebuild-bare-role-name'),
      subject: SUBJECTS.ordersApi,
      dryRun: true,
    });
    expect(answer.roleArn).toBe(
      'arn:aws:iam::123412341234:role/service-role/codebuild-orders-api-service-role',
    );
  });

  it('refuses a role outside ecr.iam.allowedRoleArnPatterns with 403, asking IAM nothing', async () => {
    const error = await service
      .grantPushAccess({
        repository: POC_REPO,
        role: refs.role('Admin'),
        subject: POC,
      })
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
        subject: POC,
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
          subject: POC,
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
        subject: POC,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('answers 404 for a project or role that does not exist', async () => {
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        codeBuildProject: refs.project('codebuild-nothing-here'),
        subject: POC,
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
        subject: POC,
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'Role codebuild-ghost does not exist in account 123412341234',
    });
  });

  it('wants exactly one of role and project', async () => {
    await expect(
      service.grantPushAccess({ repository: POC_REPO, subject: POC }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        role: refs.role(`service-role/${POC_ROLE}`),
        codeBuildProject: POC_PROJECT,
        subject: POC,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('answers a failing PutRolePolicy with 502, naming the action', async () => {
    emulator.setFaults({ errorNext: 2, operations: ['iam:PutRolePolicy'] });
    await expect(
      service.grantPushAccess({
        repository: POC_REPO,
        codeBuildProject: POC_PROJECT,
        subject: POC,
      }),
    ).rejects.toThrow(
      `AWS failed iam:PutRolePolicy on ${POC_ROLE_ARN} (HTTP 500, ServiceFailureException)`,
    );
    expect(roleIn(emulator, POC_ROLE).inlinePolicies.size).toBe(0);
  });

  describe('ownership: the repository and the role must both be the entity’s', () => {
    const refused = (
      request: Parameters<DefaultEcrService['grantPushAccess']>[0],
    ) => service.grantPushAccess(request).catch(e => e);

    it('refuses (403) another team’s repository with the entity’s own role, changing no policy', async () => {
      for (const dryRun of [true, false]) {
        const error = await refused({
          repository: refs.repository('payments-api'),
          codeBuildProject: POC_PROJECT,
          subject: POC,
          dryRun,
        });
        expect(error.name).toBe('NotAllowedError');
        expect(error.message).toContain(
          'belongs to component:default/payments-api (tag backstage.io/entity-ref), not to this entity',
        );
      }
      expect(inlinePoliciesOf(emulator, POC_ROLE)).toEqual({});
      expect(writeCalls(emulator)).toEqual({});
      // The repository was judged before IAM was asked anything.
      expect(emulator.calls()['iam:GetRole']).toBeUndefined();
    });

    it('refuses (403) the entity’s repository with another team’s project, leaving its role unchanged', async () => {
      const teamB = 'codebuild-payments-api-service-role';
      const before = inlinePoliciesOf(emulator, teamB);
      const error = await refused({
        repository: POC_REPO,
        codeBuildProject: refs.project('codebuild-payments-api'),
        subject: POC,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain(
        'belongs to group:default/team-b (tag backstage.io/owner), not to this entity',
      );
      expect(inlinePoliciesOf(emulator, teamB)).toEqual(before);
      expect(writeCalls(emulator)).toEqual({});
    });

    it('refuses (403) another team’s role named by its ARN', async () => {
      const teamB = 'codebuild-notifications-worker-role';
      const before = inlinePoliciesOf(emulator, teamB);
      const error = await refused({
        repository: POC_REPO,
        role: refs.role(`service-role/${teamB}`),
        subject: POC,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain(
        `Role arn:aws:iam::123412341234:role/service-role/${teamB} belongs to group:default/team-b`,
      );
      expect(inlinePoliciesOf(emulator, teamB)).toEqual(before);
      expect(writeCalls(emulator)).toEqual({});
    });

    it('refuses (403) another team’s role even through the entity’s own project: the role’s tags win', async () => {
      // codebuild-borrows-team-b-role is team A's, and runs as team B's role.
      const teamB = 'codebuild-notifications-worker-role';
      const before = inlinePoliciesOf(emulator, teamB);
      const error = await refused({
        repository: POC_REPO,
        codeBuildProject: refs.project('codebuild-borrows-team-b-role'),
        subject: POC,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('belongs to group:default/team-b');
      expect(inlinePoliciesOf(emulator, teamB)).toEqual(before);
      expect(writeCalls(emulator)).toEqual({});
    });

    it('refuses (403) a role bound to another team under a binding key in another case', async () => {
      // IAM tag keys ignore case: to IAM this is the owner tag.
      roleIn(emulator, POC_ROLE).tags = [
        { Key: 'BACKSTAGE.IO/OWNER', Value: 'group:default/team-b' },
      ];
      const error = await refused({
        repository: POC_REPO,
        codeBuildProject: POC_PROJECT,
        subject: POC,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('belongs to group:default/team-b');
      expect(inlinePoliciesOf(emulator, POC_ROLE)).toEqual({});
      expect(writeCalls(emulator)).toEqual({});
    });

    it('refuses (403) an untagged role whose project is another team’s', async () => {
      const error = await refused({
        repository: POC_REPO,
        codeBuildProject: refs.project('codebuild-team-b-builder'),
        subject: POC,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain(
        'is unbound, and its CodeBuild project belongs to group:default/team-b',
      );
      expect(
        inlinePoliciesOf(emulator, 'codebuild-team-b-builder-role'),
      ).toEqual({});
      expect(writeCalls(emulator)).toEqual({});
    });

    it('refuses (403) an untagged role of an untagged project, saying how to bind it', async () => {
      const error = await refused({
        repository: refs.repository('inventory-service'),
        codeBuildProject: refs.project('codebuild-inventory-service'),
        subject: SUBJECTS.inventoryService,
        dryRun: true,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('and so is its CodeBuild project');
      expect(error.message).toContain('Claim');
    });

    it('refuses (403) an unbound repository, saying how to bind it', async () => {
      const error = await refused({
        repository: refs.repository('checkout-web'),
        codeBuildProject: refs.project('codebuild-checkout-web'),
        subject: SUBJECTS.checkoutWeb,
      });
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain('is unbound');
      expect(error.message).toContain(
        'backstage.io/entity-ref=component:default/checkout-web',
      );
      expect(writeCalls(emulator)).toEqual({});
    });

    it('answers 409 for a repository that does not exist, unless dry run', async () => {
      const request = {
        repository: refs.repository('orders-api'),
        role: refs.role('service-role/codebuild-orders-api-service-role'),
        subject: SUBJECTS.ordersApi,
      };
      await expect(service.grantPushAccess(request)).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('does not exist yet'),
      });
      await expect(
        service.grantPushAccess({ ...request, dryRun: true }),
      ).resolves.toMatchObject({ dryRun: true, changed: true });
      expect(writeCalls(emulator)).toEqual({});
      expect(
        inlinePoliciesOf(emulator, 'codebuild-orders-api-service-role'),
      ).toEqual({});
    });

    it('answers 409, and leaves it as it is, for a policy of the computed name that grants something else', async () => {
      const foreign = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      });
      roleIn(emulator, POC_ROLE).inlinePolicies.set(POC_POLICY, foreign);
      for (const dryRun of [true, false]) {
        const error = await refused({
          repository: POC_REPO,
          codeBuildProject: POC_PROJECT,
          subject: POC,
          dryRun,
        });
        expect(error.name).toBe('ConflictError');
        expect(error.message).toContain(
          `has an inline policy ${POC_POLICY} that does not grant exactly push access to ${POC_REPO.arn}`,
        );
      }
      expect(inlinePoliciesOf(emulator, POC_ROLE)).toEqual({
        [POC_POLICY]: foreign,
      });
      expect(writeCalls(emulator)).toEqual({});
    });

    it('answers 409 for a policy of the computed name that grants push to another repository', async () => {
      // The right shape, the wrong resource: still not Backstage's policy for this repository.
      const other = JSON.stringify(
        pushPolicyDocument(refs.repository('payments-api').arn),
      );
      roleIn(emulator, POC_ROLE).inlinePolicies.set(POC_POLICY, other);
      await expect(
        service.grantPushAccess({
          repository: POC_REPO,
          codeBuildProject: POC_PROJECT,
          subject: POC,
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(inlinePoliciesOf(emulator, POC_ROLE)).toEqual({
        [POC_POLICY]: other,
      });
    });

    it('refuses (403) a repository in a region outside ecr.regions, asking AWS nothing', async () => {
      const limited = serviceFor(emulator, { regions: ['eu-west-2'] });
      try {
        const error = await limited.service
          .grantPushAccess({
            repository: refs.repository('proof-of-concept-repo', 'us-east-1'),
            codeBuildProject: POC_PROJECT,
            subject: POC,
          })
          .catch(e => e);
        expect(error.name).toBe('NotAllowedError');
        expect(error.message).toContain(
          'is in region us-east-1, where Backstage may not make changes',
        );
        expect(emulator.calls()).toEqual({});
        expect(inlinePoliciesOf(emulator, POC_ROLE)).toEqual({});
      } finally {
        limited.clients.destroy();
      }
    });
  });
});
