import { checkCodeBuildManagedPolicy } from './codebuildManagedPolicy';
import { deniedFact, ok, passingFacts } from './__testUtils__/facts';

const MANAGED = {
  arn: 'arn:aws:iam::123412341234:policy/service-role/CodeBuildBasePolicy-proof-of-concept-snapshot-eu-west-2',
  name: 'CodeBuildBasePolicy-proof-of-concept-snapshot-eu-west-2',
};

describe('checkCodeBuildManagedPolicy', () => {
  it('passes when the CodeBuild-managed policy grants no ECR push action', () => {
    expect(checkCodeBuildManagedPolicy(passingFacts())).toMatchObject({
      status: 'pass',
    });
  });

  it('passes when no CodeBuild-managed policy is attached', () => {
    const facts = passingFacts();
    facts.attachedPolicies = ok([
      { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', name: 'ReadOnlyAccess' },
    ]);
    expect(checkCodeBuildManagedPolicy(facts).status).toBe('pass');
  });

  it('warns when the guide edit put the push actions into the managed policy', () => {
    const facts = passingFacts();
    facts.attachedPolicies = ok([
      {
        ...MANAGED,
        document: ok({
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'ecr:BatchCheckLayerAvailability',
                'ecr:CompleteLayerUpload',
                'ecr:GetAuthorizationToken',
                'ecr:InitiateLayerUpload',
                'ecr:PutImage',
                'ecr:UploadLayerPart',
              ],
              Resource: '*',
            },
            { Effect: 'Allow', Action: 'logs:*', Resource: '*' },
          ],
        }),
      },
    ]);
    const check = checkCodeBuildManagedPolicy(facts);
    expect(check.status).toBe('warn');
    expect(check.detail).toContain(MANAGED.name);
    expect(check.detail).toContain('ecr:PutImage');
    expect(check.remedy).toContain('inline policy');
  });

  it('warns for a wildcard grant such as ecr:*', () => {
    const facts = passingFacts();
    facts.attachedPolicies = ok([
      {
        ...MANAGED,
        document: ok({
          Statement: { Effect: 'Allow', Action: 'ECR:*', Resource: '*' },
        }),
      },
    ]);
    expect(checkCodeBuildManagedPolicy(facts).status).toBe('warn');
  });

  it('is unknown naming iam:ListAttachedRolePolicies when Backstage may not list', () => {
    const facts = passingFacts();
    facts.attachedPolicies = deniedFact('iam:ListAttachedRolePolicies');
    expect(checkCodeBuildManagedPolicy(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:ListAttachedRolePolicies'],
    });
  });

  it('is unknown naming the read actions when Backstage may not read the policy', () => {
    const facts = passingFacts();
    facts.attachedPolicies = ok([
      { ...MANAGED, document: deniedFact('iam:GetPolicy') },
    ]);
    expect(checkCodeBuildManagedPolicy(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
    });
  });

  it('is unknown without a known role', () => {
    const facts = passingFacts();
    delete facts.attachedPolicies;
    expect(checkCodeBuildManagedPolicy(facts).status).toBe('unknown');
  });
});
