import { PolicyDocumentFacts, PushDecision } from './facts';
import {
  evaluateRepositoryPolicy,
  judgePush,
  principalMatch,
} from './repositoryPolicy';

const ROLE = 'arn:aws:iam::123412341234:role/service-role/codebuild-build';
const CALLER = { roleArn: ROLE, accountId: '123412341234' };
const OTHER_ACCOUNT = '210987654321';

const policy = (...Statement: object[]): PolicyDocumentFacts =>
  ({
    Version: '2012-10-17',
    Statement,
  } as PolicyDocumentFacts);

const identity = (
  decision: PushDecision['decision'],
  extra: Partial<PushDecision> = {},
): PushDecision => ({
  action: 'ecr:PutImage',
  resource: 'arn:aws:ecr:eu-west-2:123412341234:repository/r',
  decision,
  ...extra,
});

describe('principalMatch', () => {
  it.each([
    ['*', 'anyone'],
    [{ AWS: '*' }, 'anyone'],
    [{ AWS: ROLE }, 'role'],
    [{ AWS: ['arn:aws:iam::999999999999:root', ROLE] }, 'role'],
    [{ AWS: '123412341234' }, 'account'],
    [{ AWS: 'arn:aws:iam::123412341234:root' }, 'account'],
    [{ AWS: 'arn:aws:iam::123412341234:role/other' }, undefined],
    [{ AWS: 'arn:aws:iam::999999999999:root' }, undefined],
    [{ Service: 'codebuild.amazonaws.com' }, undefined],
    [undefined, undefined],
  ])('%j names the role as %s', (principal, expected) => {
    expect(principalMatch(principal as any, CALLER)).toBe(expected);
  });
});

describe('evaluateRepositoryPolicy', () => {
  it('is an implicit deny without a policy', () => {
    expect(evaluateRepositoryPolicy(null, CALLER, 'ecr:PutImage')).toEqual({
      decision: 'implicitDeny',
      conditional: [],
    });
  });

  it('matches actions with wildcards, in any case, and NotAction', () => {
    const allow = (Action: unknown, key = 'Action') =>
      evaluateRepositoryPolicy(
        policy({ Effect: 'Allow', Principal: { AWS: ROLE }, [key]: Action }),
        CALLER,
        'ecr:PutImage',
      ).decision;
    expect(allow('ecr:*')).toBe('allowed');
    expect(allow('ECR:putimage')).toBe('allowed');
    expect(allow('ecr:Put?mage')).toBe('allowed');
    expect(allow(['ecr:BatchGetImage', 'ecr:Put*'])).toBe('allowed');
    expect(allow('ecr:PutImageTagMutability')).toBe('implicitDeny');
    expect(allow('ecr:Get*', 'NotAction')).toBe('allowed');
    expect(allow('ecr:P*', 'NotAction')).toBe('implicitDeny');
  });

  it('lets a Deny win, naming its Sid or its position', () => {
    const allow = { Effect: 'Allow', Principal: '*', Action: 'ecr:*' };
    expect(
      evaluateRepositoryPolicy(
        policy(allow, {
          Sid: 'NoPush',
          Effect: 'Deny',
          Principal: { AWS: 'arn:aws:iam::123412341234:root' },
          Action: 'ecr:PutImage',
        }),
        CALLER,
        'ecr:PutImage',
      ),
    ).toEqual({
      decision: 'explicitDeny',
      statement: 'NoPush',
      conditional: [],
    });
    expect(
      evaluateRepositoryPolicy(
        policy(allow, { Effect: 'Deny', Principal: '*', Action: 'ecr:Put*' }),
        CALLER,
        'ecr:PutImage',
      ).statement,
    ).toBe('statement 2');
  });

  it('reports a statement with a condition instead of guessing', () => {
    const verdict = evaluateRepositoryPolicy(
      policy({
        Sid: 'OnlyFromVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: 'ecr:*',
        Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } },
      }),
      CALLER,
      'ecr:PutImage',
    );
    expect(verdict).toEqual({
      decision: 'implicitDeny',
      conditional: ['OnlyFromVpc'],
    });
  });

  it('ignores statements about other principals, and NotPrincipal excludes', () => {
    const other = { AWS: 'arn:aws:iam::123412341234:role/other' };
    expect(
      evaluateRepositoryPolicy(
        policy({ Effect: 'Deny', Principal: other, Action: '*' }),
        CALLER,
        'ecr:PutImage',
      ).decision,
    ).toBe('implicitDeny');
    expect(
      evaluateRepositoryPolicy(
        policy({ Effect: 'Deny', NotPrincipal: other, Action: '*' }),
        CALLER,
        'ecr:PutImage',
      ).decision,
    ).toBe('explicitDeny');
  });
});

describe('judgePush', () => {
  const allowRole = policy({
    Sid: 'AllowPush',
    Effect: 'Allow',
    Principal: { AWS: ROLE },
    Action: 'ecr:PutImage',
  });
  const allowAccount = policy({
    Effect: 'Allow',
    Principal: { AWS: '123412341234' },
    Action: 'ecr:PutImage',
  });
  const deny = policy({
    Sid: 'NoPush',
    Effect: 'Deny',
    Principal: '*',
    Action: 'ecr:PutImage',
  });
  const judge = (
    id: PushDecision | undefined,
    doc: PolicyDocumentFacts | null | undefined,
    account = CALLER.accountId,
  ) => judgePush(id, doc, CALLER, account, 'ecr:PutImage');

  it('within one account: either side allows', () => {
    expect(judge(identity('allowed'), null).allowed).toBe(true);
    expect(judge(identity('implicitDeny'), allowRole).allowed).toBe(true);
    expect(judge(identity('implicitDeny'), null).denial).toEqual({
      by: 'identity',
    });
    // Naming the account delegates to IAM: it grants nothing by itself.
    expect(judge(identity('implicitDeny'), allowAccount).allowed).toBe(false);
  });

  it('across accounts: both sides must allow', () => {
    expect(judge(identity('allowed'), allowRole, OTHER_ACCOUNT).allowed).toBe(
      true,
    );
    expect(
      judge(identity('allowed'), allowAccount, OTHER_ACCOUNT).allowed,
    ).toBe(true);
    expect(judge(identity('allowed'), null, OTHER_ACCOUNT).denial).toEqual({
      by: 'crossAccountGap',
    });
    expect(
      judge(identity('implicitDeny'), allowRole, OTHER_ACCOUNT).denial,
    ).toEqual({ by: 'identity' });
  });

  it('lets a Deny of the repository policy win over any Allow', () => {
    for (const account of [CALLER.accountId, OTHER_ACCOUNT]) {
      expect(judge(identity('allowed'), deny, account)).toMatchObject({
        allowed: false,
        denial: { by: 'repositoryDeny', statement: 'NoPush' },
      });
    }
  });

  it('names a permissions boundary or an SCP as the reason', () => {
    expect(
      judge(
        identity('implicitDeny', { allowedByPermissionsBoundary: false }),
        allowRole,
      ).denial,
    ).toEqual({ by: 'boundary' });
    expect(
      judge(
        identity('implicitDeny', {
          allowedByOrganizations: false,
          allowedByPermissionsBoundary: true,
        }),
        allowRole,
        OTHER_ACCOUNT,
      ).denial,
    ).toEqual({ by: 'scp' });
    expect(judge(identity('explicitDeny'), null).denial).toEqual({
      by: 'identityDeny',
    });
  });

  it('judges the identity side alone when the repository policy is unknown', () => {
    expect(judge(identity('allowed'), undefined, OTHER_ACCOUNT).allowed).toBe(
      true,
    );
  });
});
