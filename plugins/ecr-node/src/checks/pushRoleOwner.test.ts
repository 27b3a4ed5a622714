import { SetupFacts } from '../setup/facts';
import { checkPushRoleOwner } from './pushRoleOwner';
import {
  deniedFact,
  ENTITY_REF,
  ENTITY_REF_TAG,
  ok,
  OTHER_ENTITY_REF,
  OTHER_OWNER_REF,
  OWNER_REF,
  OWNER_TAG,
  passingFacts,
  PROJECT_ARN,
  ROLE_ARN,
} from './__testUtils__/facts';

/** The passing facts, with the role's and the project's tags as given. */
function withTags(
  roleTags: Record<string, string>,
  projectTags: Record<string, string> = {},
  withheld?: string,
): SetupFacts {
  const facts = passingFacts();
  facts.pushRole = {
    ...facts.pushRole,
    codeBuildProject: {
      arn: PROJECT_ARN,
      name: 'codebuild-payments-api',
      lookup: ok({ found: true, serviceRole: ROLE_ARN, tags: projectTags }),
    },
    role: ok({ exists: true, arn: ROLE_ARN, tags: roleTags }),
    ...(withheld && { withheld }),
  };
  return facts;
}

describe('checkPushRoleOwner', () => {
  it('passes a role whose entity-ref tag names the entity', () => {
    expect(
      checkPushRoleOwner(withTags({ [ENTITY_REF_TAG]: ENTITY_REF })),
    ).toMatchObject({
      id: 'push-role-owner',
      status: 'pass',
      detail: `${ROLE_ARN} belongs to ${ENTITY_REF} (tag ${ENTITY_REF_TAG}).`,
    });
  });

  it('passes a role whose owner tag names the entity’s owner', () => {
    expect(
      checkPushRoleOwner(withTags({ [OWNER_TAG]: OWNER_REF })),
    ).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining(
        `belongs to ${OWNER_REF}, the entity's owner`,
      ),
    });
  });

  it('passes an untagged role through the CodeBuild project whose service role it is', () => {
    expect(
      checkPushRoleOwner(withTags({}, { [OWNER_TAG]: OWNER_REF })),
    ).toMatchObject({
      status: 'pass',
      detail: `${ROLE_ARN} has no binding tag of its own; it is this entity's because its CodeBuild project codebuild-payments-api belongs to ${OWNER_REF}, the entity's owner (tag ${OWNER_TAG}).`,
    });
  });

  it('fails a role bound to another team, even when its project is the entity’s', () => {
    const check = checkPushRoleOwner(
      withTags(
        { [OWNER_TAG]: OTHER_OWNER_REF },
        { [ENTITY_REF_TAG]: ENTITY_REF },
        `The role belongs to ${OTHER_OWNER_REF} (tag ${OWNER_TAG}), not to this entity`,
      ),
    );
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`belongs to ${OTHER_OWNER_REF}`),
      remedy: expect.stringContaining(`ask the owners of ${OTHER_OWNER_REF}`),
    });
    expect(check.remedy).not.toContain('tag-role');
  });

  it('fails an untagged role whose project is another entity’s', () => {
    expect(
      checkPushRoleOwner(
        withTags(
          {},
          { [ENTITY_REF_TAG]: OTHER_ENTITY_REF },
          `The role is unbound, and its CodeBuild project belongs to ${OTHER_ENTITY_REF}`,
        ),
      ),
    ).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(OTHER_ENTITY_REF),
    });
  });

  it('fails an unbound role of an unbound project, saying how to bind it', () => {
    expect(
      checkPushRoleOwner(
        withTags(
          {},
          {},
          'The role is unbound, and so is its CodeBuild project',
        ),
      ),
    ).toMatchObject({
      status: 'fail',
      remedy: expect.stringContaining(
        `aws iam tag-role --role-name codebuild-payments-api-service-role --tags Key=${ENTITY_REF_TAG},Value=${ENTITY_REF}`,
      ),
    });
  });

  it('fails an unbound role named by the annotation: no project vouches for it', () => {
    const facts = withTags(
      {},
      { [OWNER_TAG]: OWNER_REF },
      'The role is unbound',
    );
    facts.pushRole.source = 'annotation';
    facts.pushRole.annotatedRoleArn = ROLE_ARN;
    expect(checkPushRoleOwner(facts).status).toBe('fail');
  });

  it('is unknown, and says why, for a role outside the patterns (IAM was not asked)', () => {
    const facts = passingFacts();
    const admin = 'arn:aws:iam::123412341234:role/Admin';
    facts.pushRole = {
      annotatedRoleArn: admin,
      source: 'annotation',
      candidateRoleArn: admin,
      withheld: `${admin} matches none of ecr.iam.allowedRoleArnPatterns`,
    };
    expect(checkPushRoleOwner(facts)).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining(
        'Not checked: arn:aws:iam::123412341234:role/Admin matches none',
      ),
    });
  });

  it('is unknown, naming the action, when Backstage may not call GetRole', () => {
    const facts = passingFacts();
    facts.pushRole.role = deniedFact('iam:GetRole');
    facts.pushRole.withheld = 'who the role belongs to is unknown';
    expect(checkPushRoleOwner(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetRole'],
    });
  });

  it('is unknown when the facts carry no entity to judge them against', () => {
    const facts = passingFacts();
    delete facts.ownership;
    expect(checkPushRoleOwner(facts).status).toBe('unknown');
  });
});
