import { PushDecision } from '../setup/facts';
import { pushPolicyName } from '../setup/pushPolicy';
import { checkPushPermissions } from './pushPermissions';
import {
  allowedDecisions,
  deniedFact,
  goodRepository,
  ok,
  passingFacts,
  REPO_ARN,
  ROLE_ARN,
} from './__testUtils__/facts';

function withDecisions(decisions: PushDecision[]) {
  const facts = passingFacts();
  facts.pushPermissions = ok(decisions);
  return facts;
}

function without(...actions: string[]) {
  return allowedDecisions().map(d =>
    actions.includes(d.action)
      ? { ...d, decision: 'implicitDeny' as const }
      : d,
  );
}

describe('checkPushPermissions', () => {
  it('passes when every push action is allowed', () => {
    const check = checkPushPermissions(passingFacts());
    expect(check.status).toBe('pass');
    expect(check.detail).toContain(ROLE_ARN);
    expect(check.missingActions).toBeUndefined();
  });

  it('fails naming every action when the role may not push at all (the setup guide case)', () => {
    const check = checkPushPermissions(
      withDecisions(
        allowedDecisions().map(d => ({
          ...d,
          decision: 'implicitDeny' as const,
        })),
      ),
    );
    expect(check.status).toBe('fail');
    expect(check.missingActions).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:CompleteLayerUpload',
      'ecr:InitiateLayerUpload',
      'ecr:PutImage',
      'ecr:UploadLayerPart',
      'ecr:GetAuthorizationToken',
    ]);
    expect(check.detail).toContain('on *: ecr:GetAuthorizationToken');
  });

  it('fails naming the one missing action, with an exact inline policy', () => {
    const check = checkPushPermissions(withDecisions(without('ecr:PutImage')));
    expect(check.status).toBe('fail');
    expect(check.missingActions).toEqual(['ecr:PutImage']);
    expect(check.detail).toContain(`on ${REPO_ARN}: ecr:PutImage`);
    const policyName = pushPolicyName({ arn: REPO_ARN, name: 'payments-api' });
    expect(policyName).toMatch(
      /^backstage-ecr-push-payments-api-[0-9a-f]{10}$/,
    );
    expect(check.remedy).toContain(`Policy ${policyName}:`);
    expect(check.remedy).toContain(
      `aws iam put-role-policy --role-name codebuild-payments-api-service-role --policy-name ${policyName} `,
    );
    const json = check.remedy!.slice(
      check.remedy!.indexOf('{'),
      check.remedy!.indexOf('\n}\n') + 2,
    );
    expect(JSON.parse(json)).toEqual({
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
          Resource: REPO_ARN,
        },
        {
          Sid: 'GetAuthorizationToken',
          Effect: 'Allow',
          Action: 'ecr:GetAuthorizationToken',
          Resource: '*',
        },
      ],
    });
  });

  it('treats an explicit deny as missing', () => {
    const decisions = allowedDecisions().map(d =>
      d.action === 'ecr:UploadLayerPart'
        ? { ...d, decision: 'explicitDeny' as const }
        : d,
    );
    expect(
      checkPushPermissions(withDecisions(decisions)).missingActions,
    ).toEqual(['ecr:UploadLayerPart']);
  });

  it('checks each repository separately', () => {
    const other =
      'arn:aws:ecr:eu-west-2:123412341234:repository/payments-worker';
    const facts = withDecisions(allowedDecisions([REPO_ARN]));
    facts.repositories = [goodRepository(), goodRepository(other)];
    const check = checkPushPermissions(facts);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(
      `on ${other}: ecr:BatchCheckLayerAvailability`,
    );
    expect(check.detail).not.toContain(`on ${REPO_ARN}:`);
    expect(check.remedy).toContain(
      pushPolicyName({ arn: other, name: 'payments-worker' }),
    );
  });

  it('is unknown naming iam:SimulatePrincipalPolicy when Backstage may not simulate', () => {
    const facts = passingFacts();
    facts.pushPermissions = deniedFact('iam:SimulatePrincipalPolicy');
    const check = checkPushPermissions(facts);
    expect(check).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:SimulatePrincipalPolicy'],
    });
    expect(check.remedy).toContain('iam:SimulatePrincipalPolicy');
  });

  it('is unknown without a known role', () => {
    const facts = passingFacts();
    facts.pushRole = {};
    delete facts.pushPermissions;
    const check = checkPushPermissions(facts);
    expect(check.status).toBe('unknown');
    expect(check.requiredActions).toBeUndefined();
  });
});

describe('checkPushPermissions with the repository policy and the decision details', () => {
  it('names an organization SCP as the reason, and asks the organization', () => {
    const check = checkPushPermissions(
      withDecisions(
        allowedDecisions().map(d =>
          d.action === 'ecr:PutImage'
            ? {
                ...d,
                decision: 'implicitDeny' as const,
                allowedByOrganizations: false,
              }
            : d,
        ),
      ),
    );
    expect(check.status).toBe('fail');
    expect(check.missingActions).toEqual(['ecr:PutImage']);
    expect(check.detail).toContain(
      'An organization SCP denies ecr:PutImage on payments-api',
    );
    expect(check.remedy).toMatch(
      /^Ask the administrators of your AWS organization/,
    );
  });

  it('passes within one account when the repository policy alone allows the role', () => {
    const facts = withDecisions(without('ecr:PutImage'));
    facts.repositories[0].repositoryPolicy = ok({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ROLE_ARN },
          Action: 'ecr:PutImage',
        },
      ],
    });
    expect(checkPushPermissions(facts).status).toBe('pass');
  });

  it('notes a statement with a condition as not evaluated', () => {
    const facts = passingFacts();
    facts.repositories[0].repositoryPolicy = ok({
      Statement: [
        {
          Sid: 'OnlyFromVpc',
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } },
        },
      ],
    });
    const check = checkPushPermissions(facts);
    expect(check.status).toBe('pass');
    expect(check.detail).toContain(
      'The repository policy of payments-api: statement "OnlyFromVpc" not evaluated (has a condition).',
    );
  });

  it('is unknown naming ecr:GetRepositoryPolicy when it was refused and the role’s own side allows', () => {
    const facts = passingFacts();
    facts.repositories[0].repositoryPolicy = deniedFact(
      'ecr:GetRepositoryPolicy',
    );
    expect(checkPushPermissions(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['ecr:GetRepositoryPolicy'],
      detail: expect.stringContaining(
        'Backstage may not call ecr:GetRepositoryPolicy on payments-api',
      ),
    });
  });
});
