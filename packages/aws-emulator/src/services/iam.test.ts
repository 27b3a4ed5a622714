import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  InvalidInputException,
  LimitExceededException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  paginateListRoles,
  paginateListRoleTags,
  paginateSimulatePrincipalPolicy,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
  Tag,
  TagRoleCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import { clients, errorOf, KEYS, useEmulator } from '../__testUtils__/emulator';

const emulator = useEmulator();
const iam = () => clients(emulator().url).iam;
const rootIam = () => clients(emulator().url, KEYS.root).iam;

const GUIDE_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const GUIDE_ROLE_ARN = `arn:aws:iam::123412341234:role/service-role/${GUIDE_ROLE}`;
const BASE_POLICY_ARN =
  'arn:aws:iam::123412341234:policy/service-role/CodeBuildBasePolicy-proof-of-concept-snapshot-eu-west-2';
const REPO_ARN =
  'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo';
const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];
const pushPolicy = (resource: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: PUSH_ACTIONS, Resource: resource },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    ],
  });

afterEach(() => emulator().reset());

describe('roles', () => {
  it('gets a role with its path, ARN, dates and URL-encoded trust policy', async () => {
    const { Role } = await iam().send(
      new GetRoleCommand({ RoleName: GUIDE_ROLE }),
    );
    expect(Role).toMatchObject({
      RoleName: GUIDE_ROLE,
      Path: '/service-role/',
      Arn: GUIDE_ROLE_ARN,
      RoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}$/),
      MaxSessionDuration: 3600,
    });
    expect(Role!.CreateDate).toBeInstanceOf(Date);
    expect(Role!.RoleLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    expect(Role!.AssumeRolePolicyDocument).toMatch(/^%7B/);
    const trust = JSON.parse(
      decodeURIComponent(Role!.AssumeRolePolicyDocument!),
    );
    expect(trust.Statement[0].Principal.Service).toBe(
      'codebuild.amazonaws.com',
    );
  });

  it('answers NoSuchEntity with HTTP 404 for a missing role', async () => {
    const error = await errorOf(
      iam().send(new GetRoleCommand({ RoleName: 'nobody' })),
    );
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error.message).toBe('The role with name nobody cannot be found.');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('refuses role names outside the pattern with a ValidationError', async () => {
    const error = await errorOf(
      iam().send(new GetRoleCommand({ RoleName: 'no spaces' })),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      "1 validation error detected: Value 'no spaces' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  it('lists roles in pages with Marker and IsTruncated', async () => {
    const first = await iam().send(new ListRolesCommand({ MaxItems: 2 }));
    expect(first.Roles).toHaveLength(2);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeDefined();
    const names: string[] = [];
    for await (const page of paginateListRoles(
      { client: iam(), pageSize: 1 },
      {},
    )) {
      names.push(...page.Roles!.map(r => r.RoleName!));
    }
    expect(names).toEqual([
      'codebuild-base-images-service-role',
      'codebuild-checkout-web-service-role',
      'codebuild-image-resizer-role',
      'codebuild-inventory-service-service-role',
      'codebuild-notifications-worker-role',
      'codebuild-orders-api-service-role',
      'codebuild-payments-api-service-role',
      GUIDE_ROLE,
      'codebuild-search-indexer-role',
    ]);
  });

  it('filters roles by path prefix', async () => {
    const { Roles } = await iam().send(
      new ListRolesCommand({ PathPrefix: '/other/' }),
    );
    expect(Roles).toEqual([]);
  });

  it('creates a role', async () => {
    const { Role } = await rootIam().send(
      new CreateRoleCommand({
        RoleName: 'codebuild-new-service-role',
        Path: '/service-role/',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'codebuild.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    expect(Role?.Arn).toBe(
      'arn:aws:iam::123412341234:role/service-role/codebuild-new-service-role',
    );
  });

  it('refuses to create a role that exists', async () => {
    const error = await errorOf(
      rootIam().send(
        new CreateRoleCommand({
          RoleName: GUIDE_ROLE,
          AssumeRolePolicyDocument:
            '{"Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        }),
      ),
    );
    expect(error).toBeInstanceOf(EntityAlreadyExistsException);
    expect(error.$metadata.httpStatusCode).toBe(409);
  });

  it('refuses a trust policy without a principal', async () => {
    const error = await errorOf(
      rootIam().send(
        new CreateRoleCommand({
          RoleName: 'no-principal',
          AssumeRolePolicyDocument:
            '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}',
        }),
      ),
    );
    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
  });
});

describe('role policies', () => {
  it('lists the inline policies of a role', async () => {
    const { PolicyNames } = await iam().send(
      new ListRolePoliciesCommand({
        RoleName: 'codebuild-payments-api-service-role',
      }),
    );
    expect(PolicyNames).toEqual(['backstage-ecr-push-payments-api']);
  });

  it('answers an inline policy URL-encoded', async () => {
    const { PolicyDocument } = await iam().send(
      new GetRolePolicyCommand({
        RoleName: 'codebuild-payments-api-service-role',
        PolicyName: 'backstage-ecr-push-payments-api',
      }),
    );
    expect(PolicyDocument).toMatch(/^%7B/);
    const doc = JSON.parse(decodeURIComponent(PolicyDocument!));
    expect(doc.Statement[0].Action).toEqual(PUSH_ACTIONS);
    expect(doc.Statement[1]).toEqual({
      Effect: 'Allow',
      Action: 'ecr:GetAuthorizationToken',
      Resource: '*',
    });
  });

  it('answers NoSuchEntity for a missing inline policy', async () => {
    const error = await errorOf(
      iam().send(
        new GetRolePolicyCommand({ RoleName: GUIDE_ROLE, PolicyName: 'none' }),
      ),
    );
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error.message).toBe(
      'The role policy with name none cannot be found.',
    );
  });

  it('puts an inline policy, answers it back unchanged, and deletes it', async () => {
    const doc = pushPolicy(REPO_ARN);
    await iam().send(
      new PutRolePolicyCommand({
        RoleName: GUIDE_ROLE,
        PolicyName: 'backstage-ecr-push-proof-of-concept-repo',
        PolicyDocument: doc,
      }),
    );
    const got = await iam().send(
      new GetRolePolicyCommand({
        RoleName: GUIDE_ROLE,
        PolicyName: 'backstage-ecr-push-proof-of-concept-repo',
      }),
    );
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(doc);
    await clients(emulator().url, KEYS.root).iam.send(
      new DeleteRolePolicyCommand({
        RoleName: GUIDE_ROLE,
        PolicyName: 'backstage-ecr-push-proof-of-concept-repo',
      }),
    );
    const { PolicyNames } = await iam().send(
      new ListRolePoliciesCommand({ RoleName: GUIDE_ROLE }),
    );
    expect(PolicyNames).toEqual([]);
  });

  it('refuses a malformed policy document', async () => {
    const error = await errorOf(
      iam().send(
        new PutRolePolicyCommand({
          RoleName: GUIDE_ROLE,
          PolicyName: 'bad',
          PolicyDocument:
            '{"Statement":[{"Effect":"Allow","Action":"PutImage","Resource":"*"}]}',
        }),
      ),
    );
    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(error.message).toBe(
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    );
  });

  it('denies PutRolePolicy outside service-role/codebuild-* with IAM AccessDenied (403)', async () => {
    const root = clients(emulator().url, KEYS.root).iam;
    await root.send(
      new CreateRoleCommand({
        RoleName: 'admin',
        AssumeRolePolicyDocument:
          '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123412341234"},"Action":"sts:AssumeRole"}]}',
      }),
    );
    const error = await errorOf(
      iam().send(
        new PutRolePolicyCommand({
          RoleName: 'admin',
          PolicyName: 'x',
          PolicyDocument: pushPolicy('*'),
        }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      'User: arn:aws:iam::123412341234:user/backstage is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::123412341234:role/admin',
    );
  });

  it('lists attached managed policies', async () => {
    const { AttachedPolicies } = await iam().send(
      new ListAttachedRolePoliciesCommand({ RoleName: GUIDE_ROLE }),
    );
    expect(AttachedPolicies).toEqual([
      {
        PolicyName: 'CodeBuildBasePolicy-proof-of-concept-snapshot-eu-west-2',
        PolicyArn: BASE_POLICY_ARN,
      },
    ]);
  });

  it('gets a managed policy and its default version, URL-encoded', async () => {
    const { Policy } = await iam().send(
      new GetPolicyCommand({ PolicyArn: BASE_POLICY_ARN }),
    );
    expect(Policy).toMatchObject({
      Path: '/service-role/',
      DefaultVersionId: 'v1',
      AttachmentCount: 1,
      IsAttachable: true,
    });
    const { PolicyVersion } = await iam().send(
      new GetPolicyVersionCommand({
        PolicyArn: BASE_POLICY_ARN,
        VersionId: 'v1',
      }),
    );
    expect(PolicyVersion?.IsDefaultVersion).toBe(true);
    const doc = JSON.parse(decodeURIComponent(PolicyVersion!.Document!));
    const actions = doc.Statement.flatMap((s: any) => s.Action);
    expect(actions).toContain('codecommit:GitPull');
    expect(actions.some((a: string) => a.startsWith('ecr:'))).toBe(false);
  });

  it('answers NoSuchEntity for a missing policy version', async () => {
    const error = await errorOf(
      iam().send(
        new GetPolicyVersionCommand({
          PolicyArn: BASE_POLICY_ARN,
          VersionId: 'v9',
        }),
      ),
    );
    expect(error).toBeInstanceOf(NoSuchEntityException);
  });

  it('answers NoSuchEntity for a missing policy', async () => {
    const error = await errorOf(
      iam().send(
        new GetPolicyCommand({
          PolicyArn: 'arn:aws:iam::123412341234:policy/nothing-here',
        }),
      ),
    );
    expect(error).toBeInstanceOf(NoSuchEntityException);
  });
});

describe('SimulatePrincipalPolicy', () => {
  async function decisions(
    roleArn: string,
    actions: string[],
    resource: string,
  ) {
    const { EvaluationResults } = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn,
        ActionNames: actions,
        ResourceArns: [resource],
      }),
    );
    return Object.fromEntries(
      EvaluationResults!.map(r => [r.EvalActionName, r.EvalDecision]),
    );
  }

  it("shows that the guide's role cannot push", async () => {
    const result = await decisions(GUIDE_ROLE_ARN, PUSH_ACTIONS, REPO_ARN);
    expect(Object.values(result)).toEqual(
      PUSH_ACTIONS.map(() => 'implicitDeny'),
    );
  });

  it('shows that the payments-api role can push, with the matched statement', async () => {
    const { EvaluationResults } = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn:
          'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role',
        ActionNames: ['ecr:PutImage'],
        ResourceArns: [
          'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
        ],
      }),
    );
    expect(EvaluationResults![0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [
        {
          SourcePolicyId: 'backstage-ecr-push-payments-api',
          SourcePolicyType: 'role',
        },
      ],
      ResourceSpecificResults: [
        {
          EvalResourceName:
            'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
          EvalResourceDecision: 'allowed',
        },
      ],
    });
  });

  it('shows the one action the notifications-worker role lacks', async () => {
    const result = await decisions(
      'arn:aws:iam::123412341234:role/service-role/codebuild-notifications-worker-role',
      PUSH_ACTIONS,
      'arn:aws:ecr:eu-west-2:123412341234:repository/notifications-worker',
    );
    expect(result['ecr:PutImage']).toBe('implicitDeny');
    expect(result['ecr:UploadLayerPart']).toBe('allowed');
  });

  it('evaluates GetAuthorizationToken on * without ResourceSpecificResults', async () => {
    const { EvaluationResults } = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: GUIDE_ROLE_ARN,
        ActionNames: ['ecr:GetAuthorizationToken'],
      }),
    );
    expect(EvaluationResults![0]).toMatchObject({
      EvalResourceName: '*',
      EvalDecision: 'implicitDeny',
    });
    expect(EvaluationResults![0].ResourceSpecificResults).toBeUndefined();
  });

  it('includes the policies given in PolicyInputList', async () => {
    const { EvaluationResults } = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: GUIDE_ROLE_ARN,
        ActionNames: ['ecr:PutImage'],
        ResourceArns: [REPO_ARN],
        PolicyInputList: [pushPolicy(REPO_ARN)],
      }),
    );
    expect(EvaluationResults![0].EvalDecision).toBe('allowed');
    expect(EvaluationResults![0].MatchedStatements![0].SourcePolicyId).toBe(
      'PolicyInputList.1',
    );
  });

  it('reports an explicit deny', async () => {
    const { EvaluationResults } = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: GUIDE_ROLE_ARN,
        ActionNames: ['ecr:PutImage'],
        ResourceArns: [REPO_ARN],
        PolicyInputList: [
          '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:*","Resource":"*"}]}',
        ],
      }),
    );
    expect(EvaluationResults![0].EvalDecision).toBe('explicitDeny');
  });

  it('pages through results with Marker and MaxItems', async () => {
    const decided: string[] = [];
    let pages = 0;
    for await (const page of paginateSimulatePrincipalPolicy(
      { client: iam(), pageSize: 2 },
      {
        PolicySourceArn: GUIDE_ROLE_ARN,
        ActionNames: PUSH_ACTIONS,
        ResourceArns: [REPO_ARN],
      },
    )) {
      pages++;
      decided.push(...page.EvaluationResults!.map(r => r.EvalActionName!));
    }
    expect(pages).toBe(3);
    expect(decided).toEqual(PUSH_ACTIONS);
  });

  it('answers NoSuchEntity for an unknown role', async () => {
    const error = await errorOf(
      iam().send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: 'arn:aws:iam::123412341234:role/missing',
          ActionNames: ['ecr:PutImage'],
        }),
      ),
    );
    expect(error).toBeInstanceOf(NoSuchEntityException);
  });

  it('answers InvalidInput for something that is not an IAM ARN', async () => {
    const error = await errorOf(
      iam().send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: 'arn:aws:ecr:eu-west-2:123412341234:repository/x',
          ActionNames: ['ecr:PutImage'],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
  });

  it('is denied to a principal without iam:SimulatePrincipalPolicy', async () => {
    const readonly = clients(emulator().url, KEYS.readonly).iam;
    const error = await errorOf(
      readonly.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: GUIDE_ROLE_ARN,
          ActionNames: ['ecr:PutImage'],
        }),
      ),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      `User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${GUIDE_ROLE_ARN}`,
    );
  });
});

describe('role tags', () => {
  const ROLE = 'codebuild-payments-api-service-role';
  const ROLE_ARN = `arn:aws:iam::123412341234:role/service-role/${ROLE}`;
  const OWNER = {
    Key: 'backstage.io/owner',
    Value: 'group:default/team-b',
  };
  const ENTITY = {
    Key: 'backstage.io/entity-ref',
    Value: 'component:default/payments-api',
  };
  const numbered = (from: number, to: number, prefix = 'key'): Tag[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      Key: `${prefix}-${from + i}`,
      Value: `value-${from + i}`,
    }));
  const tagsOf = async (roleName: string) =>
    (await iam().send(new ListRoleTagsCommand({ RoleName: roleName }))).Tags;

  it("answers the seeded tags in GetRole's Role.Tags and in ListRoleTags", async () => {
    const { Role } = await iam().send(new GetRoleCommand({ RoleName: ROLE }));
    expect(Role!.Tags).toEqual([OWNER]);
    const listed = await iam().send(
      new ListRoleTagsCommand({ RoleName: ROLE }),
    );
    expect(listed).toMatchObject({ Tags: [OWNER], IsTruncated: false });
    expect(listed.Marker).toBeUndefined();
  });

  it('answers an empty Tags list for a role without tags, and no Tags in GetRole', async () => {
    expect(await tagsOf(GUIDE_ROLE)).toEqual([]);
    const { Role } = await iam().send(
      new GetRoleCommand({ RoleName: GUIDE_ROLE }),
    );
    expect(Role!.Tags).toBeUndefined();
  });

  it('tags a build role (the backstage user may, on service-role/codebuild-*)', async () => {
    await iam().send(
      new TagRoleCommand({
        RoleName: GUIDE_ROLE,
        Tags: [
          {
            Key: 'backstage.io/entity-ref',
            Value: 'component:default/proof-of-concept',
          },
          { Key: 'note', Value: '' },
        ],
      }),
    );
    expect(await tagsOf(GUIDE_ROLE)).toEqual([
      {
        Key: 'backstage.io/entity-ref',
        Value: 'component:default/proof-of-concept',
      },
      { Key: 'note', Value: '' },
    ]);
    const { Role } = await iam().send(
      new GetRoleCommand({ RoleName: GUIDE_ROLE }),
    );
    expect(Role!.Tags).toHaveLength(2);
  });

  it('overwrites the value of a key it already has, in any case, keeping the stored case', async () => {
    await iam().send(
      new TagRoleCommand({
        RoleName: ROLE,
        Tags: [{ Key: 'BACKSTAGE.IO/OWNER', Value: 'group:default/team-a' }],
      }),
    );
    expect(await tagsOf(ROLE)).toEqual([
      { Key: 'backstage.io/owner', Value: 'group:default/team-a' },
    ]);
  });

  it('removes tags by key in any case; keys the role does not have are no error', async () => {
    await iam().send(new TagRoleCommand({ RoleName: ROLE, Tags: [ENTITY] }));
    // The demo's backstage user only adds tags; the account root removes them.
    await rootIam().send(
      new UntagRoleCommand({
        RoleName: ROLE,
        TagKeys: ['Backstage.io/Owner', 'never-set'],
      }),
    );
    expect(await tagsOf(ROLE)).toEqual([ENTITY]);
  });

  it('pages through ListRoleTags with Marker, MaxItems and IsTruncated', async () => {
    await iam().send(
      new TagRoleCommand({ RoleName: ROLE, Tags: numbered(1, 4) }),
    );
    const first = await iam().send(
      new ListRoleTagsCommand({ RoleName: ROLE, MaxItems: 2 }),
    );
    expect(first.Tags).toEqual([OWNER, numbered(1, 1)[0]]);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toEqual(expect.any(String));
    const keys: string[] = [];
    for await (const page of paginateListRoleTags(
      { client: iam(), pageSize: 2 },
      { RoleName: ROLE },
    )) {
      keys.push(...page.Tags!.map(t => t.Key!));
    }
    expect(keys).toEqual([
      'backstage.io/owner',
      'key-1',
      'key-2',
      'key-3',
      'key-4',
    ]);
  });

  it('refuses a Marker it did not issue, or one issued for another role', async () => {
    await iam().send(
      new TagRoleCommand({ RoleName: ROLE, Tags: numbered(1, 3) }),
    );
    await iam().send(
      new TagRoleCommand({ RoleName: GUIDE_ROLE, Tags: numbered(1, 3) }),
    );
    const { Marker } = await iam().send(
      new ListRoleTagsCommand({ RoleName: ROLE, MaxItems: 1 }),
    );
    expect(Marker).toBeDefined();
    for (const marker of ['not-a-marker', Marker]) {
      const error = await errorOf(
        iam().send(
          new ListRoleTagsCommand({ RoleName: GUIDE_ROLE, Marker: marker }),
        ),
      );
      expect(error.name).toBe('ValidationError');
    }
  });

  it.each([
    [
      'TagRole',
      () => new TagRoleCommand({ RoleName: 'nobody', Tags: [OWNER] }),
    ],
    [
      'UntagRole',
      () => new UntagRoleCommand({ RoleName: 'nobody', TagKeys: ['a'] }),
    ],
    ['ListRoleTags', () => new ListRoleTagsCommand({ RoleName: 'nobody' })],
  ])(
    'answers NoSuchEntity (HTTP 404) to %s for an unknown role',
    async (_, command) => {
      const error = await errorOf(rootIam().send(command() as any));
      expect(error).toBeInstanceOf(NoSuchEntityException);
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toBe('The role with name nobody cannot be found.');
    },
  );

  it('answers LimitExceeded (HTTP 409) when the role would have more than 50 tags, changing nothing', async () => {
    await iam().send(
      new TagRoleCommand({ RoleName: ROLE, Tags: numbered(1, 30) }),
    );
    const error = await errorOf(
      iam().send(
        new TagRoleCommand({ RoleName: ROLE, Tags: numbered(31, 50) }),
      ),
    );
    expect(error).toBeInstanceOf(LimitExceededException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.message).toBe('Cannot exceed quota for TagsPerRole: 50');
    expect(await tagsOf(ROLE)).toHaveLength(31);
    // Replacing values of keys it has does not count against the quota.
    await iam().send(
      new TagRoleCommand({
        RoleName: ROLE,
        Tags: [...numbered(1, 30, 'KEY'), ...numbered(31, 49)],
      }),
    );
    expect(await tagsOf(ROLE)).toHaveLength(50);
  });

  it('refuses more than 50 tags in one request with a ValidationError', async () => {
    const error = await errorOf(
      iam().send(new TagRoleCommand({ RoleName: ROLE, Tags: numbered(1, 51) })),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(
      /^1 validation error detected: Value '\[.*\]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/,
    );
  });

  it.each([
    [
      { Key: 'cost#centre', Value: 'a' },
      "Value 'cost#centre' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
    ],
    [
      { Key: 'k'.repeat(129), Value: 'a' },
      `Value '${'k'.repeat(
        129,
      )}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
    ],
    [
      { Key: 'team', Value: 'v'.repeat(257) },
      `Value '${'v'.repeat(
        257,
      )}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
    ],
  ])('validates tag %p against the model', async (tag, message) => {
    const error = await errorOf(
      iam().send(new TagRoleCommand({ RoleName: ROLE, Tags: [tag] })),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(`1 validation error detected: ${message}`);
  });

  it('accepts letters, digits, spaces and _ . : / = + - @ in any script, up to the limits', async () => {
    const tags = [
      { Key: 'Kostenstelle Zürich_.:/=+-@', Value: 'Ünïcode 42' },
      { Key: 'k'.repeat(128), Value: 'v'.repeat(256) },
    ];
    await iam().send(new TagRoleCommand({ RoleName: ROLE, Tags: tags }));
    expect(await tagsOf(ROLE)).toEqual([OWNER, ...tags]);
  });

  it('answers InvalidInput for a key in the reserved aws: prefix', async () => {
    const error = await errorOf(
      iam().send(
        new TagRoleCommand({
          RoleName: ROLE,
          Tags: [{ Key: 'AWS:cloudformation:stack-name', Value: 'x' }],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await tagsOf(ROLE)).toEqual([OWNER]);
  });

  it('answers InvalidInput for a key named twice, in any case', async () => {
    const error = await errorOf(
      iam().send(
        new TagRoleCommand({
          RoleName: ROLE,
          Tags: [
            { Key: 'Team', Value: 'a' },
            { Key: 'team', Value: 'b' },
          ],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.message).toBe(
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
  });

  it('holds CreateRole tags to the same rules', async () => {
    const error = await errorOf(
      rootIam().send(
        new CreateRoleCommand({
          RoleName: 'twice-tagged',
          AssumeRolePolicyDocument:
            '{"Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
          Tags: [
            { Key: 'Team', Value: 'a' },
            { Key: 'TEAM', Value: 'b' },
          ],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidInputException);
  });

  it('denies TagRole to a principal without iam:TagRole with IAM AccessDenied (403)', async () => {
    const readonly = clients(emulator().url, KEYS.readonly).iam;
    const error = await errorOf(
      readonly.send(new TagRoleCommand({ RoleName: ROLE, Tags: [ENTITY] })),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: iam:TagRole on resource: ${ROLE_ARN}`,
    );
    expect(await tagsOf(ROLE)).toEqual([OWNER]);
  });

  it('denies UntagRole and ListRoleTags to a principal without them', async () => {
    const readonly = clients(emulator().url, KEYS.readonly).iam;
    const untag = await errorOf(
      readonly.send(
        new UntagRoleCommand({ RoleName: ROLE, TagKeys: [OWNER.Key] }),
      ),
    );
    expect(untag.message).toBe(
      `User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: iam:UntagRole on resource: ${ROLE_ARN}`,
    );
    const list = await errorOf(
      readonly.send(new ListRoleTagsCommand({ RoleName: ROLE })),
    );
    expect(list.name).toBe('AccessDenied');
    expect(list.message).toContain('iam:ListRoleTags on resource:');
  });

  it('denies the backstage user TagRole on a role outside service-role/codebuild-*', async () => {
    await rootIam().send(
      new CreateRoleCommand({
        RoleName: 'admin',
        AssumeRolePolicyDocument:
          '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123412341234"},"Action":"sts:AssumeRole"}]}',
      }),
    );
    const error = await errorOf(
      iam().send(new TagRoleCommand({ RoleName: 'admin', Tags: [ENTITY] })),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      'User: arn:aws:iam::123412341234:user/backstage is not authorized to perform: iam:TagRole on resource: arn:aws:iam::123412341234:role/admin',
    );
  });
});
