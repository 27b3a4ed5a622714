import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand,
  ListTagsForResourceCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetPolicyCommand,
  GetRoleCommand,
  InvalidInputException,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  SimulatePrincipalPolicyCommand,
  SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import {
  ACCESS_KEYS,
  accessModelSeed,
  BASE_IMAGES_ROLE_ARN,
  BOUNDED_ROLE_ARN,
  NOBODY_ARN,
  PUSH_ACTIONS,
  PUSHER_ARN,
  pushImage,
  READ_BOUNDARY_ARN,
  SHARED_ACCOUNT,
  SHARED_REPOSITORY,
  SHARED_REPOSITORY_ARN,
} from '../__testUtils__/accessModel';
import {
  ACCOUNT,
  clients,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from '../__testUtils__/emulator';

const emulator = useEmulator({ seed: accessModelSeed() });
const as = (keys: Parameters<typeof clients>[1] = KEYS.root) =>
  clients(emulator().url, keys);

const policy = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const repoArn = (name: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;

afterEach(() => emulator().reset());

async function simulate(
  input: SimulatePrincipalPolicyCommandInput,
  keys = KEYS.backstage,
) {
  const { EvaluationResults } = await as(keys).iam.send(
    new SimulatePrincipalPolicyCommand(input),
  );
  return EvaluationResults!;
}

describe('permissions boundaries on roles', () => {
  it('answers the boundary in GetRole, and counts its use in GetPolicy', async () => {
    const { Role } = await as().iam.send(
      new GetRoleCommand({ RoleName: 'codebuild-bounded-role' }),
    );
    expect(Role!.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: READ_BOUNDARY_ARN,
    });
    const { Policy } = await as().iam.send(
      new GetPolicyCommand({ PolicyArn: READ_BOUNDARY_ARN }),
    );
    expect(Policy!.PermissionsBoundaryUsageCount).toBe(1);
    expect(Policy!.AttachmentCount).toBe(0);

    const other = await as().iam.send(
      new GetRoleCommand({ RoleName: 'codebuild-payments-api-service-role' }),
    );
    expect(other.Role!.PermissionsBoundary).toBeUndefined();
  });

  it('limits what the role session may do to what the boundary allows', async () => {
    const bounded = as(ACCESS_KEYS.boundedBuild).ecr;
    // ecr:* by identity; the boundary's ecr:Describe*, List*, Get* and BatchGetImage.
    await bounded.send(
      new DescribeImagesCommand({ repositoryName: 'payments-api' }),
    );
    await bounded.send(new GetAuthorizationTokenCommand({}));
    const push = await errorOf(
      pushImage(bounded, 'proof-of-concept-repo', 'x'),
    );
    expect(push.name).toBe('AccessDeniedException');
    expect(push.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/codebuild-bounded-role/AWSCodeBuild-bounded is not authorized to perform: ecr:InitiateLayerUpload on resource: ${repoArn(
        'proof-of-concept-repo',
      )}`,
    );
  });

  it('lifts the limit with DeleteRolePermissionsBoundary and sets it again with PutRolePermissionsBoundary', async () => {
    const iam = as().iam;
    const bounded = as(ACCESS_KEYS.boundedBuild).ecr;
    await iam.send(
      new DeleteRolePermissionsBoundaryCommand({
        RoleName: 'codebuild-bounded-role',
      }),
    );
    const { Role } = await iam.send(
      new GetRoleCommand({ RoleName: 'codebuild-bounded-role' }),
    );
    expect(Role!.PermissionsBoundary).toBeUndefined();
    await pushImage(bounded, 'proof-of-concept-repo', 'unbounded');

    await iam.send(
      new PutRolePermissionsBoundaryCommand({
        RoleName: 'codebuild-bounded-role',
        PermissionsBoundary: READ_BOUNDARY_ARN,
      }),
    );
    const push = await errorOf(
      pushImage(bounded, 'proof-of-concept-repo', 'again'),
    );
    expect(push.name).toBe('AccessDeniedException');
  });

  it('takes an AWS-managed or customer-managed policy of the account as boundary', async () => {
    await as().iam.send(
      new PutRolePermissionsBoundaryCommand({
        RoleName: 'codebuild-payments-api-service-role',
        PermissionsBoundary: READ_BOUNDARY_ARN,
      }),
    );
    const results = await simulate({
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-payments-api-service-role`,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [repoArn('payments-api')],
    });
    expect(results[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      PermissionsBoundaryDecisionDetail: {
        AllowedByPermissionsBoundary: false,
      },
    });
  });

  it('answers NoSuchEntity (404) for a boundary policy that does not exist', async () => {
    const error = await errorOf(
      as().iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: 'codebuild-bounded-role',
          PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/missing`,
        }),
      ),
    );
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.message).toBe(
      `Scope ARN: arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.`,
    );
  });

  it('answers InvalidInput for an ARN that names no policy', async () => {
    const error = await errorOf(
      as().iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: 'codebuild-bounded-role',
          PermissionsBoundary: BOUNDED_ROLE_ARN,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
  });

  it('answers NoSuchEntity for a missing role, and for a role without a boundary to delete', async () => {
    const missing = await errorOf(
      as().iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: 'missing',
          PermissionsBoundary: READ_BOUNDARY_ARN,
        }),
      ),
    );
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect(missing.message).toBe('The role with name missing cannot be found.');
    const none = await errorOf(
      as().iam.send(
        new DeleteRolePermissionsBoundaryCommand({
          RoleName: 'codebuild-payments-api-service-role',
        }),
      ),
    );
    expect(none).toBeInstanceOf(NoSuchEntityException);
  });

  it('stores the boundary CreateRole is given', async () => {
    const { Role } = await as().iam.send(
      new CreateRoleCommand({
        RoleName: 'new-bounded',
        AssumeRolePolicyDocument: policy({
          Effect: 'Allow',
          Principal: { Service: 'codebuild.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
        PermissionsBoundary: READ_BOUNDARY_ARN,
      }),
    );
    expect(Role!.PermissionsBoundary?.PermissionsBoundaryArn).toBe(
      READ_BOUNDARY_ARN,
    );
    const got = await as().iam.send(
      new GetRoleCommand({ RoleName: 'new-bounded' }),
    );
    expect(got.Role!.PermissionsBoundary?.PermissionsBoundaryArn).toBe(
      READ_BOUNDARY_ARN,
    );
  });

  it('denies the backstage user PutRolePermissionsBoundary with IAM AccessDenied (403)', async () => {
    const error = await errorOf(
      as(KEYS.backstage).iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: 'codebuild-bounded-role',
          PermissionsBoundary: READ_BOUNDARY_ARN,
        }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('limits a repository-policy grant to the role, but not one to the role session itself', async () => {
    const bounded = as(ACCESS_KEYS.boundedBuild).ecr;
    const grant = (principal: string) =>
      as().ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'proof-of-concept-repo',
          policyText: policy({
            Effect: 'Allow',
            Principal: { AWS: principal },
            Action: PUSH_ACTIONS,
          }),
        }),
      );
    // Named by role ARN: the boundary's implicit deny still limits it.
    await grant(BOUNDED_ROLE_ARN);
    const limited = await errorOf(
      pushImage(bounded, 'proof-of-concept-repo', 'a'),
    );
    expect(limited.name).toBe('AccessDeniedException');
    // Named by the session's own ARN: granted to the session directly.
    await grant(
      `arn:aws:sts::${ACCOUNT}:assumed-role/codebuild-bounded-role/AWSCodeBuild-bounded`,
    );
    await pushImage(bounded, 'proof-of-concept-repo', 'b');
  });

  it('simulates the boundary: implicitDeny with AllowedByPermissionsBoundary false where only the boundary refuses', async () => {
    const results = await simulate({
      PolicySourceArn: BOUNDED_ROLE_ARN,
      ActionNames: ['ecr:PutImage', 'ecr:DescribeImages'],
      ResourceArns: [repoArn('proof-of-concept-repo')],
    });
    expect(results[0]).toMatchObject({
      EvalActionName: 'ecr:PutImage',
      EvalDecision: 'implicitDeny',
      MatchedStatements: [],
      PermissionsBoundaryDecisionDetail: {
        AllowedByPermissionsBoundary: false,
      },
      ResourceSpecificResults: [
        {
          EvalResourceDecision: 'implicitDeny',
          PermissionsBoundaryDecisionDetail: {
            AllowedByPermissionsBoundary: false,
          },
        },
      ],
    });
    expect(results[1]).toMatchObject({
      EvalActionName: 'ecr:DescribeImages',
      EvalDecision: 'allowed',
      MatchedStatements: [
        { SourcePolicyId: 'ecr-everything', SourcePolicyType: 'role' },
      ],
      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
    });
    expect(results[0].OrganizationsDecisionDetail).toBeUndefined();
  });

  it('simulates the boundary given in PermissionsBoundaryPolicyInputList instead of the role’s own', async () => {
    const results = await simulate({
      PolicySourceArn: BOUNDED_ROLE_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [repoArn('proof-of-concept-repo')],
      PermissionsBoundaryPolicyInputList: [
        policy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }),
      ],
    });
    expect(results[0]).toMatchObject({
      EvalDecision: 'allowed',
      PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: true },
    });
  });

  it('reports an explicit deny in the boundary as explicitDeny', async () => {
    const results = await simulate({
      PolicySourceArn: BOUNDED_ROLE_ARN,
      ActionNames: ['ecr:DescribeImages'],
      PermissionsBoundaryPolicyInputList: [
        policy(
          { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
          { Effect: 'Deny', Action: 'ecr:Describe*', Resource: '*' },
        ),
      ],
    });
    expect(results[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      PermissionsBoundaryDecisionDetail: {
        AllowedByPermissionsBoundary: false,
      },
      MatchedStatements: [
        {
          SourcePolicyId: 'PermissionsBoundaryPolicyInputList.1',
          SourcePolicyType: 'none',
        },
      ],
    });
  });
});

describe('SimulatePrincipalPolicy with ResourcePolicy, ResourceOwner and CallerArn', () => {
  const SHARED_ROOT = `arn:aws:iam::${SHARED_ACCOUNT}:root`;
  const pushPolicyFor = (principal: string | string[]) =>
    policy({
      Sid: 'AllowPush',
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: PUSH_ACTIONS,
    });

  it('allows the cross-account push only when both the identity and the resource policy allow', async () => {
    const both = await simulate({
      PolicySourceArn: PUSHER_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPOSITORY_ARN],
      ResourcePolicy: pushPolicyFor(PUSHER_ARN),
      ResourceOwner: SHARED_ROOT,
    });
    expect(both[0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [
        { SourcePolicyId: 'push-shared-base-images', SourcePolicyType: 'user' },
        { SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' },
      ],
      EvalDecisionDetails: {
        'IAM Policy': 'allowed',
        'Resource Policy': 'allowed',
      },
      ResourceSpecificResults: [
        {
          EvalResourceName: SHARED_REPOSITORY_ARN,
          EvalResourceDecision: 'allowed',
          EvalDecisionDetails: {
            'IAM Policy': 'allowed',
            'Resource Policy': 'allowed',
          },
        },
      ],
    });

    const resourceOnly = await simulate({
      PolicySourceArn: NOBODY_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPOSITORY_ARN],
      ResourcePolicy: pushPolicyFor(NOBODY_ARN),
      ResourceOwner: SHARED_ROOT,
    });
    expect(resourceOnly[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      MatchedStatements: [],
      EvalDecisionDetails: {
        'IAM Policy': 'implicitDeny',
        'Resource Policy': 'allowed',
      },
    });

    const identityOnly = await simulate({
      PolicySourceArn: PUSHER_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPOSITORY_ARN],
      ResourcePolicy: pushPolicyFor(BASE_IMAGES_ROLE_ARN),
      ResourceOwner: SHARED_ROOT,
    });
    expect(identityOnly[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      EvalDecisionDetails: {
        'IAM Policy': 'allowed',
        'Resource Policy': 'implicitDeny',
      },
    });
  });

  it('lets the resource policy alone allow within one account, with EvalDecisionDetails empty', async () => {
    const results = await simulate({
      PolicySourceArn: NOBODY_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [repoArn('payments-api')],
      ResourcePolicy: pushPolicyFor(NOBODY_ARN),
    });
    expect(results[0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [
        { SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' },
      ],
    });
    expect(results[0].EvalDecisionDetails).toEqual({});
    expect(
      results[0].ResourceSpecificResults![0].EvalDecisionDetails,
    ).toBeUndefined();

    // ResourceOwner naming the caller's own account is the same thing.
    const owned = await simulate({
      PolicySourceArn: NOBODY_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [repoArn('payments-api')],
      ResourcePolicy: pushPolicyFor(NOBODY_ARN),
      ResourceOwner: `arn:aws:iam::${ACCOUNT}:root`,
    });
    expect(owned[0].EvalDecision).toBe('allowed');
  });

  it('lets an explicit Deny in the resource policy win, naming its statement', async () => {
    const results = await simulate({
      PolicySourceArn: PUSHER_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPOSITORY_ARN],
      ResourcePolicy: policy(
        {
          Effect: 'Allow',
          Principal: { AWS: PUSHER_ARN },
          Action: PUSH_ACTIONS,
        },
        { Effect: 'Deny', Principal: '*', Action: 'ecr:PutImage' },
      ),
      ResourceOwner: SHARED_ROOT,
    });
    expect(results[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      MatchedStatements: [
        { SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' },
      ],
      EvalDecisionDetails: {
        'IAM Policy': 'allowed',
        'Resource Policy': 'explicitDeny',
      },
    });
  });

  it("simulates the base-images role's push with a CallerArn, against whom the resource policy is matched", async () => {
    // The identity side alone: the role's own policy allows the push.
    const identity = await simulate({
      PolicySourceArn: BASE_IMAGES_ROLE_ARN,
      ActionNames: PUSH_ACTIONS,
      ResourceArns: [SHARED_REPOSITORY_ARN],
    });
    expect(identity.map(r => r.EvalDecision)).toEqual(
      PUSH_ACTIONS.map(() => 'allowed'),
    );
    // With the repository policy, IAM needs a user as caller (CallerArn): the role's
    // policies are evaluated as if that user had them. A repository policy naming the
    // demo account lets the caller in…
    const accountGrant = await simulate({
      PolicySourceArn: BASE_IMAGES_ROLE_ARN,
      CallerArn: PUSHER_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPOSITORY_ARN],
      ResourcePolicy: pushPolicyFor(`arn:aws:iam::${ACCOUNT}:root`),
      ResourceOwner: SHARED_ROOT,
    });
    expect(accountGrant[0].EvalDecision).toBe('allowed');
    // …one naming only the role does not match the caller.
    const roleGrant = await simulate({
      PolicySourceArn: BASE_IMAGES_ROLE_ARN,
      CallerArn: NOBODY_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPOSITORY_ARN],
      ResourcePolicy: pushPolicyFor(BASE_IMAGES_ROLE_ARN),
      ResourceOwner: SHARED_ROOT,
    });
    expect(roleGrant[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      EvalDecisionDetails: {
        'IAM Policy': 'allowed',
        'Resource Policy': 'implicitDeny',
      },
    });
  });

  it('refuses a ResourcePolicy for a role without CallerArn, and a CallerArn that is no user', async () => {
    const noCaller = await errorOf(
      simulate({
        PolicySourceArn: BASE_IMAGES_ROLE_ARN,
        ActionNames: ['ecr:PutImage'],
        ResourcePolicy: pushPolicyFor(BASE_IMAGES_ROLE_ARN),
      }),
    );
    expect(noCaller).toBeInstanceOf(InvalidInputException);
    expect(noCaller.$metadata.httpStatusCode).toBe(400);
    const roleCaller = await errorOf(
      simulate({
        PolicySourceArn: BASE_IMAGES_ROLE_ARN,
        CallerArn: BASE_IMAGES_ROLE_ARN,
        ActionNames: ['ecr:PutImage'],
        ResourcePolicy: pushPolicyFor(BASE_IMAGES_ROLE_ARN),
      }),
    );
    expect(roleCaller).toBeInstanceOf(InvalidInputException);
    const missing = await errorOf(
      simulate({
        PolicySourceArn: PUSHER_ARN,
        CallerArn: `arn:aws:iam::${ACCOUNT}:user/missing`,
        ActionNames: ['ecr:PutImage'],
      }),
    );
    expect(missing).toBeInstanceOf(NoSuchEntityException);
  });

  it('refuses a ResourceOwner that is not an account ARN, as IAM does', async () => {
    const error = await errorOf(
      simulate({
        PolicySourceArn: PUSHER_ARN,
        ActionNames: ['ecr:PutImage'],
        ResourceOwner: SHARED_ACCOUNT,
      }),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.message).toBe(
      `'${SHARED_ACCOUNT}' is not a valid as a Resource Owner.`,
    );
  });

  it('refuses a ResourcePolicy without a Principal with InvalidInput', async () => {
    const error = await errorOf(
      simulate({
        PolicySourceArn: PUSHER_ARN,
        ActionNames: ['ecr:PutImage'],
        ResourcePolicy: policy({ Effect: 'Allow', Action: 'ecr:PutImage' }),
      }),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.message).toBe('Missing required field Principal');
  });

  it('leaves EvalDecisionDetails out for `*`', async () => {
    const results = await simulate({
      PolicySourceArn: PUSHER_ARN,
      ActionNames: ['ecr:GetAuthorizationToken'],
    });
    expect(results[0]).toMatchObject({
      EvalResourceName: '*',
      EvalDecision: 'allowed',
    });
    expect(results[0].EvalDecisionDetails).toBeUndefined();
  });
});

describe('service control policies', () => {
  const SHARED_BACKSTAGE = `arn:aws:iam::${SHARED_ACCOUNT}:user/backstage`;
  const SHARED_REPO = SHARED_REPOSITORY_ARN;

  it('deny the account root of a member account what an SCP denies', async () => {
    const error = await errorOf(
      as(ACCESS_KEYS.sharedRoot).ecr.send(
        new DeleteRepositoryCommand({
          repositoryName: SHARED_REPOSITORY,
          force: true,
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `User: arn:aws:iam::${SHARED_ACCOUNT}:root is not authorized to perform: ecr:DeleteRepository on resource: ${SHARED_REPO} with an explicit deny`,
    );
    // What the SCPs allow still works.
    await as(ACCESS_KEYS.sharedBackstage).ecr.send(
      new DescribeImagesCommand({ repositoryName: SHARED_REPOSITORY }),
    );
  });

  it('do not limit callers from another account', async () => {
    const digest = await pushImage(
      as(ACCESS_KEYS.baseImagesBuild).ecr,
      SHARED_REPOSITORY,
      'scp-elsewhere',
      SHARED_ACCOUNT,
    );
    expect(digest).toMatch(/^sha256:/);
  });

  it('are simulated: explicitDeny with AllowedByOrganizations false and no EvalDecisionDetails', async () => {
    const results = await simulate(
      {
        PolicySourceArn: SHARED_BACKSTAGE,
        ActionNames: ['ecr:DeleteRepository', 'ecr:DescribeImages'],
        ResourceArns: [SHARED_REPO],
        PolicyInputList: [
          policy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }),
        ],
      },
      ACCESS_KEYS.sharedBackstage,
    );
    expect(results[0]).toMatchObject({
      EvalActionName: 'ecr:DeleteRepository',
      EvalDecision: 'explicitDeny',
      // The SCP's statement is not shown: the account cannot read its SCPs.
      MatchedStatements: [],
      OrganizationsDecisionDetail: { AllowedByOrganizations: false },
    });
    expect(results[0].EvalDecisionDetails).toBeUndefined();
    expect(results[1]).toMatchObject({
      EvalActionName: 'ecr:DescribeImages',
      EvalDecision: 'allowed',
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
    });
  });

  it('deny implicitly what no SCP allows', async () => {
    emulator().state.accounts.get(SHARED_ACCOUNT)!.organization = {
      scps: [
        policy({
          Effect: 'Allow',
          Action: ['ecr:Describe*', 'iam:SimulatePrincipalPolicy'],
          Resource: '*',
        }),
      ],
    };
    const error = await errorOf(
      as(ACCESS_KEYS.sharedBackstage).ecr.send(
        new ListTagsForResourceCommand({ resourceArn: SHARED_REPO }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).not.toContain('explicit deny');
    const results = await simulate(
      {
        PolicySourceArn: SHARED_BACKSTAGE,
        ActionNames: ['ecr:ListTagsForResource', 'ecr:DescribeImages'],
        ResourceArns: [SHARED_REPO],
      },
      ACCESS_KEYS.sharedBackstage,
    );
    expect(results[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      MatchedStatements: [],
      OrganizationsDecisionDetail: { AllowedByOrganizations: false },
    });
    expect(results[0].EvalDecisionDetails).toBeUndefined();
    expect(results[1]).toMatchObject({
      EvalDecision: 'allowed',
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
    });
  });

  it('are not reported for accounts in no organization', async () => {
    const results = await simulate({
      PolicySourceArn: PUSHER_ARN,
      ActionNames: ['ecr:PutImage'],
      ResourceArns: [SHARED_REPO],
    });
    expect(results[0].OrganizationsDecisionDetail).toBeUndefined();
  });
});
