import { checkPushRoleFound } from './pushRoleFound';
import {
  deniedFact,
  ok,
  passingFacts,
  PROJECT_ARN,
  ROLE_ARN,
} from './__testUtils__/facts';

describe('checkPushRoleFound', () => {
  it('passes with the CodeBuild project service role', () => {
    const check = checkPushRoleFound(passingFacts());
    expect(check.status).toBe('pass');
    expect(check.detail).toBe(
      `${ROLE_ARN} (the service role of CodeBuild project codebuild-payments-api).`,
    );
  });

  it('passes with the role annotation', () => {
    const facts = passingFacts();
    facts.pushRole = {
      annotatedRoleArn: ROLE_ARN,
      source: 'annotation',
      candidateRoleArn: ROLE_ARN,
      role: ok({ exists: true, arn: ROLE_ARN }),
    };
    const check = checkPushRoleFound(facts);
    expect(check.status).toBe('pass');
    expect(check.detail).toContain(
      'named by ecr.backstage-ecr.io/push-role-arn',
    );
  });

  it('fails when neither a project nor a role is annotated', () => {
    const facts = passingFacts();
    facts.pushRole = {};
    const check = checkPushRoleFound(facts);
    expect(check.status).toBe('fail');
    expect(check.remedy).toContain('aws.amazon.com/aws-codebuild-project-arn');
    expect(check.remedy).toContain('ecr.backstage-ecr.io/push-role-arn');
  });

  it('fails when the CodeBuild project does not exist', () => {
    const facts = passingFacts();
    facts.pushRole = {
      codeBuildProject: {
        arn: PROJECT_ARN,
        name: 'codebuild-payments-api',
        lookup: ok({ found: false }),
      },
    };
    const check = checkPushRoleFound(facts);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('does not exist');
  });

  it('fails when the role does not exist in IAM', () => {
    const facts = passingFacts();
    facts.pushRole.role = ok({ exists: false });
    const check = checkPushRoleFound(facts);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      `${ROLE_ARN} (the service role of CodeBuild project codebuild-payments-api) does not exist in IAM.`,
    );
  });

  it('is unknown naming codebuild:BatchGetProjects when Backstage may not read the project', () => {
    const facts = passingFacts();
    facts.pushRole = {
      codeBuildProject: {
        arn: PROJECT_ARN,
        name: 'codebuild-payments-api',
        lookup: deniedFact('codebuild:BatchGetProjects'),
      },
    };
    expect(checkPushRoleFound(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['codebuild:BatchGetProjects'],
    });
  });

  it('is unknown naming iam:GetRole, but still names the role, when Backstage may not get it', () => {
    const facts = passingFacts();
    facts.pushRole.role = deniedFact('iam:GetRole');
    const check = checkPushRoleFound(facts);
    expect(check).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetRole'],
    });
    expect(check.detail).toContain(ROLE_ARN);
  });
});
