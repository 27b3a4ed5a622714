import {
  decideAccess,
  Decision,
  evaluatePolicies,
  PolicySource,
  PrincipalInfo,
} from './evaluator';
import { parsePolicy } from './policy';

const REPO = 'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api';
const OTHER_REPO =
  'arn:aws:ecr:eu-west-2:123412341234:repository/legacy-batch-jobs';
const ROLE =
  'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role';

function source(
  statements: object[],
  id = 'p',
  version = '2012-10-17',
): PolicySource {
  return {
    id,
    type: 'role',
    policy: parsePolicy({ Version: version, Statement: statements }),
  };
}

const allow = (Action: unknown, Resource: unknown = '*') => ({
  Effect: 'Allow',
  Action,
  Resource,
});
const deny = (Action: unknown, Resource: unknown = '*') => ({
  Effect: 'Deny',
  Action,
  Resource,
});

type Case = [
  name: string,
  statements: object[],
  request: {
    action: string;
    resource: string;
    context?: Record<string, string[]>;
    /** The document's Version, when not 2012-10-17. */
    version?: string;
  },
  expected: Decision,
];

const cases: Case[] = [
  [
    'no statement matches: implicit deny',
    [],
    { action: 'ecr:PutImage', resource: REPO },
    'implicitDeny',
  ],
  [
    'exact action and resource',
    [allow('ecr:PutImage', REPO)],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'other action is not allowed',
    [allow('ecr:PutImage', REPO)],
    { action: 'ecr:BatchGetImage', resource: REPO },
    'implicitDeny',
  ],
  [
    'other resource is not allowed',
    [allow('ecr:PutImage', REPO)],
    { action: 'ecr:PutImage', resource: OTHER_REPO },
    'implicitDeny',
  ],
  [
    'action list',
    [allow(['ecr:InitiateLayerUpload', 'ecr:PutImage'], REPO)],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'resource list',
    [allow('ecr:PutImage', [OTHER_REPO, REPO])],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'action * matches everything',
    [allow('*')],
    { action: 'iam:PutRolePolicy', resource: ROLE },
    'allowed',
  ],
  [
    'service wildcard',
    [allow('ecr:*')],
    { action: 'ecr:DescribeImages', resource: REPO },
    'allowed',
  ],
  [
    'service wildcard does not cross services',
    [allow('ecr:*')],
    { action: 'iam:GetRole', resource: ROLE },
    'implicitDeny',
  ],
  [
    'prefix wildcard',
    [allow('ecr:Describe*')],
    { action: 'ecr:DescribeRepositories', resource: REPO },
    'allowed',
  ],
  [
    'prefix wildcard misses other verbs',
    [allow('ecr:Describe*')],
    { action: 'ecr:ListImages', resource: REPO },
    'implicitDeny',
  ],
  [
    'infix wildcard',
    [allow('ecr:*Layer*')],
    { action: 'ecr:CompleteLayerUpload', resource: REPO },
    'allowed',
  ],
  [
    '? matches one character',
    [allow('ecr:Get?uthorizationToken')],
    { action: 'ecr:GetAuthorizationToken', resource: '*' },
    'allowed',
  ],
  [
    '? does not match two characters',
    [allow('ecr:Ge?uthorizationToken')],
    { action: 'ecr:GetAuthorizationToken', resource: '*' },
    'implicitDeny',
  ],
  [
    'actions are case-insensitive',
    [allow('ECR:putimage', REPO)],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'wildcard actions are case-insensitive',
    [allow('ecr:describe*')],
    { action: 'ecr:DescribeImages', resource: REPO },
    'allowed',
  ],
  [
    'resources are case-sensitive',
    [allow('ecr:PutImage', REPO.toUpperCase().replace('ARN:AWS', 'arn:aws'))],
    { action: 'ecr:PutImage', resource: REPO },
    'implicitDeny',
  ],
  [
    'resource wildcard on the repository name',
    [allow('ecr:PutImage', 'arn:aws:ecr:eu-west-2:123412341234:repository/*')],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'resource wildcard on the region',
    [
      allow(
        'ecr:PutImage',
        'arn:aws:ecr:*:123412341234:repository/payments-api',
      ),
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'resource wildcard in the region cannot span into the account',
    [allow('ecr:PutImage', 'arn:aws:ecr:*:repository/payments-api')],
    { action: 'ecr:PutImage', resource: REPO },
    'implicitDeny',
  ],
  [
    'wrong account',
    [allow('ecr:PutImage', 'arn:aws:ecr:eu-west-2:999999999999:repository/*')],
    { action: 'ecr:PutImage', resource: REPO },
    'implicitDeny',
  ],
  [
    '? in a resource',
    [
      allow(
        'ecr:PutImage',
        'arn:aws:ecr:eu-west-?:123412341234:repository/payments-api',
      ),
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'a repository ARN does not grant the * resource',
    [allow('ecr:GetAuthorizationToken', REPO)],
    { action: 'ecr:GetAuthorizationToken', resource: '*' },
    'implicitDeny',
  ],
  [
    'resource * grants the * resource',
    [allow('ecr:GetAuthorizationToken', '*')],
    { action: 'ecr:GetAuthorizationToken', resource: '*' },
    'allowed',
  ],
  [
    'explicit deny wins over allow',
    [allow('ecr:*'), deny('ecr:PutImage')],
    { action: 'ecr:PutImage', resource: REPO },
    'explicitDeny',
  ],
  [
    'deny of another action leaves the allow',
    [allow('ecr:*'), deny('ecr:DeleteRepository')],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'deny of another resource leaves the allow',
    [allow('ecr:*'), deny('ecr:*', OTHER_REPO)],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'deny alone is an explicit deny',
    [deny('ecr:PutImage')],
    { action: 'ecr:PutImage', resource: REPO },
    'explicitDeny',
  ],
  [
    'NotAction allows everything else',
    [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'NotAction excludes the named actions',
    [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    { action: 'iam:PutRolePolicy', resource: ROLE },
    'implicitDeny',
  ],
  [
    'Deny with NotAction denies everything else',
    [
      allow('*'),
      {
        Effect: 'Deny',
        NotAction: ['ecr:Describe*', 'ecr:List*'],
        Resource: '*',
      },
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'explicitDeny',
  ],
  [
    'Deny with NotAction spares the named actions',
    [
      allow('*'),
      {
        Effect: 'Deny',
        NotAction: ['ecr:Describe*', 'ecr:List*'],
        Resource: '*',
      },
    ],
    { action: 'ecr:DescribeImages', resource: REPO },
    'allowed',
  ],
  [
    'NotResource allows other resources',
    [{ Effect: 'Allow', Action: 'ecr:*', NotResource: OTHER_REPO }],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'NotResource excludes the named resource',
    [{ Effect: 'Allow', Action: 'ecr:*', NotResource: OTHER_REPO }],
    { action: 'ecr:PutImage', resource: OTHER_REPO },
    'implicitDeny',
  ],
  [
    'Deny with NotResource protects all but one',
    [allow('ecr:*'), { Effect: 'Deny', Action: 'ecr:*', NotResource: REPO }],
    { action: 'ecr:PutImage', resource: OTHER_REPO },
    'explicitDeny',
  ],
  [
    'the guide: CodeBuild base policy lacks GetAuthorizationToken',
    [
      allow(
        ['logs:CreateLogGroup', 'logs:PutLogEvents'],
        'arn:aws:logs:eu-west-2:123412341234:log-group:/aws/codebuild/*',
      ),
      allow(
        'codecommit:GitPull',
        'arn:aws:codecommit:eu-west-2:123412341234:proof-of-concept',
      ),
    ],
    { action: 'ecr:GetAuthorizationToken', resource: '*' },
    'implicitDeny',
  ],
  [
    'the guide: the inserted block grants push on *',
    [
      allow(
        [
          'ecr:BatchCheckLayerAvailability',
          'ecr:CompleteLayerUpload',
          'ecr:GetAuthorizationToken',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        '*',
      ),
    ],
    { action: 'ecr:UploadLayerPart', resource: REPO },
    'allowed',
  ],
  [
    'IAM role path wildcard',
    [
      allow(
        'iam:PutRolePolicy',
        'arn:aws:iam::123412341234:role/service-role/codebuild-*',
      ),
    ],
    { action: 'iam:PutRolePolicy', resource: ROLE },
    'allowed',
  ],
  [
    'IAM role path wildcard misses other paths',
    [
      allow(
        'iam:PutRolePolicy',
        'arn:aws:iam::123412341234:role/service-role/codebuild-*',
      ),
    ],
    {
      action: 'iam:PutRolePolicy',
      resource: 'arn:aws:iam::123412341234:role/admin',
    },
    'implicitDeny',
  ],
  [
    'StringEquals condition holds',
    [
      {
        ...allow('ecr:*'),
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-2' } },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:requestedregion': ['eu-west-2'] },
    },
    'allowed',
  ],
  [
    'StringEquals condition fails',
    [
      {
        ...allow('ecr:*'),
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-2' } },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:requestedregion': ['us-east-1'] },
    },
    'implicitDeny',
  ],
  [
    'condition on a missing key fails',
    [
      {
        ...allow('ecr:*'),
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'team-b' } },
      },
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'implicitDeny',
  ],
  [
    'negated condition on a missing key holds',
    [
      {
        ...deny('ecr:*'),
        Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'team-b' } },
      },
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'explicitDeny',
  ],
  [
    'IfExists holds when the key is missing',
    [
      {
        ...allow('ecr:*'),
        Condition: {
          StringEqualsIfExists: { 'aws:PrincipalTag/team': 'team-b' },
        },
      },
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'StringLike with wildcards',
    [
      {
        ...allow('ecr:*'),
        Condition: { StringLike: { 'aws:userid': 'AROA*:AWSCodeBuild-*' } },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:userid': ['AROAXYZ:AWSCodeBuild-1234'] },
    },
    'allowed',
  ],
  [
    'condition keys are case-insensitive',
    [
      {
        ...allow('ecr:*'),
        Condition: { StringEquals: { 'AWS:REQUESTEDREGION': 'eu-west-2' } },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:requestedregion': ['eu-west-2'] },
    },
    'allowed',
  ],
  [
    'Bool condition',
    [
      { ...deny('*'), Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      allow('*'),
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:securetransport': ['false'] },
    },
    'explicitDeny',
  ],
  [
    'Null condition',
    [
      {
        ...allow('*'),
        Condition: { Null: { 'aws:PrincipalTag/team': 'true' } },
      },
    ],
    { action: 'ecr:PutImage', resource: REPO },
    'allowed',
  ],
  [
    'NumericLessThan condition',
    [
      {
        ...allow('*'),
        Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:multifactorauthage': ['60'] },
    },
    'allowed',
  ],
  [
    'DateLessThan condition fails after the date',
    [
      {
        ...allow('*'),
        Condition: {
          DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
        },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:currenttime': ['2024-06-01T00:00:00Z'] },
    },
    'implicitDeny',
  ],
  [
    'IpAddress condition',
    [
      {
        ...allow('*'),
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    ],
    {
      action: 'ecr:PutImage',
      resource: REPO,
      context: { 'aws:sourceip': ['10.1.2.3'] },
    },
    'allowed',
  ],
  [
    'ForAllValues over tag keys',
    [
      {
        ...allow('ecr:TagResource'),
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] },
        },
      },
    ],
    {
      action: 'ecr:TagResource',
      resource: REPO,
      context: { 'aws:tagkeys': ['team', 'owner'] },
    },
    'implicitDeny',
  ],
  [
    'ForAnyValue over tag keys',
    [
      {
        ...allow('ecr:TagResource'),
        Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } },
      },
    ],
    {
      action: 'ecr:TagResource',
      resource: REPO,
      context: { 'aws:tagkeys': ['team', 'owner'] },
    },
    'allowed',
  ],
  [
    'policy variable in a resource',
    [allow('iam:GetUser', 'arn:aws:iam::123412341234:user/${aws:username}')],
    {
      action: 'iam:GetUser',
      resource: 'arn:aws:iam::123412341234:user/backstage',
      context: { 'aws:username': ['backstage'] },
    },
    'allowed',
  ],
  [
    'policy variable without a value matches nothing',
    [allow('iam:GetUser', 'arn:aws:iam::123412341234:user/${aws:username}')],
    {
      action: 'iam:GetUser',
      resource: 'arn:aws:iam::123412341234:user/backstage',
    },
    'implicitDeny',
  ],
  [
    'policy variables are text in 2008-10-17 documents',
    [allow('iam:GetUser', 'arn:aws:iam::123412341234:user/${aws:username}')],
    {
      action: 'iam:GetUser',
      resource: 'arn:aws:iam::123412341234:user/backstage',
      context: { 'aws:username': ['backstage'] },
      version: '2008-10-17',
    },
    'implicitDeny',
  ],
  [
    '${*} is a literal star',
    [allow('s3:GetObject', 'arn:aws:s3:::bucket/${*}')],
    { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/x' },
    'implicitDeny',
  ],
];

describe('evaluatePolicies', () => {
  it.each(cases)('%s', (_name, statements, request, expected) => {
    const result = evaluatePolicies(
      [source(statements, 'p', request.version)],
      request,
    );
    expect(result.decision).toBe(expected);
  });

  it('has at least 40 table cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('lists the deny statements that decided an explicit deny', () => {
    const result = evaluatePolicies(
      [
        source([allow('ecr:*')], 'allow-all'),
        source([deny('ecr:PutImage')], 'no-push'),
      ],
      { action: 'ecr:PutImage', resource: REPO },
    );
    expect(result.matchedStatements).toEqual([
      expect.objectContaining({
        SourcePolicyId: 'no-push',
        SourcePolicyType: 'role',
      }),
    ]);
  });

  it('lists every allow statement that matched', () => {
    const result = evaluatePolicies(
      [
        source([allow('ecr:*')], 'a'),
        source([allow('ecr:PutImage', REPO)], 'b'),
      ],
      { action: 'ecr:PutImage', resource: REPO },
    );
    expect(result.matchedStatements.map(m => m.SourcePolicyId)).toEqual([
      'a',
      'b',
    ]);
  });

  it('reports condition keys missing from the context', () => {
    const result = evaluatePolicies(
      [
        source([
          {
            ...allow('*'),
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'x' } },
          },
        ]),
      ],
      { action: 'ecr:PutImage', resource: REPO },
    );
    expect(result.missingContextValues).toEqual(['aws:PrincipalTag/team']);
  });
});

describe('decideAccess', () => {
  const user: PrincipalInfo = {
    arn: 'arn:aws:iam::123412341234:user/backstage',
    accountId: '123412341234',
  };
  const outsider: PrincipalInfo = {
    arn: 'arn:aws:iam::210987654321:user/reader',
    accountId: '210987654321',
  };
  const repositoryPolicy = (
    principal: string,
    effect = 'Allow',
  ): PolicySource => ({
    id: 'ResourcePolicy',
    type: 'resource',
    policy: parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: effect,
            Principal: { AWS: principal },
            Action: 'ecr:BatchGetImage',
          },
        ],
      },
      'resource',
    ),
  });

  it('allows the account root everything in its own account', () => {
    const result = decideAccess({
      action: 'iam:PutRolePolicy',
      resource: ROLE,
      principal: {
        arn: 'arn:aws:iam::123412341234:root',
        accountId: '123412341234',
      },
      isRoot: true,
      identityPolicies: [],
    });
    expect(result.decision).toBe('allowed');
  });

  it('lets a resource policy alone grant a principal of the same account', () => {
    const result = decideAccess({
      action: 'ecr:BatchGetImage',
      resource: REPO,
      principal: user,
      identityPolicies: [],
      resourcePolicy: repositoryPolicy(user.arn),
    });
    expect(result.decision).toBe('allowed');
  });

  it('needs both identity and resource policy across accounts', () => {
    const withoutIdentity = decideAccess({
      action: 'ecr:BatchGetImage',
      resource: REPO,
      principal: outsider,
      identityPolicies: [],
      resourcePolicy: repositoryPolicy('arn:aws:iam::210987654321:root'),
      resourceAccountId: '123412341234',
    });
    const withBoth = decideAccess({
      action: 'ecr:BatchGetImage',
      resource: REPO,
      principal: outsider,
      identityPolicies: [source([allow('ecr:BatchGetImage')])],
      resourcePolicy: repositoryPolicy('210987654321'),
      resourceAccountId: '123412341234',
    });
    expect(withoutIdentity.decision).toBe('implicitDeny');
    expect(withBoth.decision).toBe('allowed');
  });

  it('lets a resource policy deny override an identity allow', () => {
    const result = decideAccess({
      action: 'ecr:BatchGetImage',
      resource: REPO,
      principal: user,
      identityPolicies: [source([allow('ecr:*')])],
      resourcePolicy: repositoryPolicy('*', 'Deny'),
    });
    expect(result.decision).toBe('explicitDeny');
  });

  const session: PrincipalInfo = {
    arn: 'arn:aws:sts::123412341234:assumed-role/builder/build-1',
    accountId: '123412341234',
    roleArn: 'arn:aws:iam::123412341234:role/builder',
  };
  const grant = (principal: unknown, effect = 'Allow'): PolicySource => ({
    id: 'ResourcePolicy',
    type: 'resource',
    policy: parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: effect, Principal: principal, Action: 'ecr:PutImage' },
        ],
      },
      'resource',
    ),
  });
  const readBoundary = [source([allow('ecr:Describe*')], 'boundary')];

  it('caps identity permissions at the permissions boundary', () => {
    const base = {
      action: 'ecr:PutImage',
      resource: REPO,
      principal: session,
      identityPolicies: [source([allow('ecr:*')])],
    };
    const bounded = decideAccess({
      ...base,
      permissionsBoundary: readBoundary,
    });
    expect(bounded.decision).toBe('implicitDeny');
    expect(bounded.detail).toMatchObject({
      identity: 'implicitDeny',
      boundary: 'implicitDeny',
    });
    expect(decideAccess(base).decision).toBe('allowed');
    expect(
      decideAccess({
        ...base,
        action: 'ecr:DescribeImages',
        permissionsBoundary: readBoundary,
      }).matchedStatements.map(m => m.SourcePolicyId),
    ).toEqual(['p']);
  });

  it('never applies a permissions boundary to the account root', () => {
    const result = decideAccess({
      action: 'ecr:PutImage',
      resource: REPO,
      principal: {
        arn: 'arn:aws:iam::123412341234:root',
        accountId: '123412341234',
      },
      isRoot: true,
      identityPolicies: [],
      permissionsBoundary: readBoundary,
    });
    expect(result.decision).toBe('allowed');
  });

  it.each<[string, unknown, Decision]>([
    [
      "the session's own ARN: not limited by the boundary",
      session.arn,
      'allowed',
    ],
    ['the role ARN: limited by the boundary', session.roleArn, 'implicitDeny'],
    ['everyone (*): limited by the boundary', '*', 'implicitDeny'],
    [
      'the account: a delegation, no grant on its own',
      '123412341234',
      'implicitDeny',
    ],
  ])(
    'within one account, a resource policy naming %s',
    (_, principal, expected) => {
      const result = decideAccess({
        action: 'ecr:PutImage',
        resource: REPO,
        principal: session,
        identityPolicies: [],
        permissionsBoundary: readBoundary,
        resourcePolicy: grant({ AWS: principal }),
      });
      expect(result.decision).toBe(expected);
    },
  );

  it('lets a resource policy naming the role grant when there is no boundary', () => {
    const result = decideAccess({
      action: 'ecr:PutImage',
      resource: REPO,
      principal: session,
      identityPolicies: [],
      resourcePolicy: grant({ AWS: session.roleArn }),
    });
    expect(result.decision).toBe('allowed');
    expect(result.matchedStatements[0].SourcePolicyId).toBe('ResourcePolicy');
  });

  it('needs the boundary to allow the identity side of a cross-account request', () => {
    const result = decideAccess({
      action: 'ecr:PutImage',
      resource: REPO,
      principal: { ...session, accountId: '210987654321' },
      identityPolicies: [source([allow('ecr:*')])],
      permissionsBoundary: readBoundary,
      resourcePolicy: grant('*'),
      resourceAccountId: '123412341234',
    });
    expect(result.decision).toBe('implicitDeny');
    expect(result.detail).toMatchObject({
      crossAccount: true,
      identity: 'implicitDeny',
      resource: 'allowed',
    });
  });

  it('applies SCPs: allowed by one, denied by none; their statements are never shown', () => {
    const scps = [
      source([allow('*')], 'FullAWSAccess'),
      source([deny('ecr:PutImage')], 'Protect'),
    ];
    const base = {
      resource: REPO,
      principal: user,
      identityPolicies: [source([allow('ecr:*')])],
      serviceControlPolicies: scps,
    };
    const denied = decideAccess({ ...base, action: 'ecr:PutImage' });
    expect(denied.decision).toBe('explicitDeny');
    expect(denied.matchedStatements).toEqual([]);
    expect(denied.detail.organizations).toBe('explicitDeny');
    const allowed = decideAccess({ ...base, action: 'ecr:DescribeImages' });
    expect(allowed.decision).toBe('allowed');
    expect(allowed.matchedStatements.map(m => m.SourcePolicyId)).toEqual(['p']);
    const allowList = decideAccess({
      ...base,
      action: 'ecr:DescribeImages',
      serviceControlPolicies: [source([allow('ecr:List*')], 'OnlyLists')],
    });
    expect(allowList.decision).toBe('implicitDeny');
    expect(allowList.detail.organizations).toBe('implicitDeny');
  });

  it('applies SCPs to the account root and to grants of resource policies', () => {
    const scps = [source([deny('ecr:*')], 'NoEcr')];
    expect(
      decideAccess({
        action: 'ecr:PutImage',
        resource: REPO,
        principal: {
          arn: 'arn:aws:iam::123412341234:root',
          accountId: '123412341234',
        },
        isRoot: true,
        identityPolicies: [],
        serviceControlPolicies: scps,
      }).decision,
    ).toBe('explicitDeny');
    expect(
      decideAccess({
        action: 'ecr:PutImage',
        resource: REPO,
        principal: session,
        identityPolicies: [],
        resourcePolicy: grant({ AWS: session.arn }),
        serviceControlPolicies: [source([allow('ecr:Describe*')], 'Reads')],
      }).decision,
    ).toBe('implicitDeny');
  });

  it('narrows a role session to its session policy', () => {
    const result = decideAccess({
      action: 'ecr:PutImage',
      resource: REPO,
      principal: user,
      identityPolicies: [source([allow('ecr:*')])],
      sessionPolicies: [source([allow('ecr:Describe*')])],
    });
    expect(result.decision).toBe('implicitDeny');
  });
});
