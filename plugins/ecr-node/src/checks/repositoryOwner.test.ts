import { checkRepositoryOwner } from './repositoryOwner';
import {
  deniedFact,
  ENTITY_REF,
  ENTITY_REF_TAG,
  goodRepository,
  ok,
  OTHER_ENTITY_REF,
  OTHER_OWNER_REF,
  ownership,
  OWNER_REF,
  OWNER_TAG,
  passingFacts,
  REPO_ARN,
} from './__testUtils__/facts';

const OTHER_REPO_ARN =
  'arn:aws:ecr:eu-west-2:123412341234:repository/checkout-web';

/** The passing facts, with the repository's tags as given. */
function taggedWith(
  tags: Parameters<typeof ok<Record<string, string> | null>>[0],
) {
  const facts = passingFacts();
  facts.repositories = [{ ...goodRepository(), tags: ok(tags) }];
  return facts;
}

describe('checkRepositoryOwner', () => {
  it('passes a repository whose entity-ref tag names the entity', () => {
    expect(
      checkRepositoryOwner(taggedWith({ [ENTITY_REF_TAG]: ENTITY_REF })),
    ).toMatchObject({
      id: 'repository-owner',
      status: 'pass',
      detail: `It belongs to ${ENTITY_REF} (tag ${ENTITY_REF_TAG}).`,
    });
  });

  it('passes a repository whose owner tag names the entity’s owner', () => {
    expect(
      checkRepositoryOwner(taggedWith({ [OWNER_TAG]: OWNER_REF })),
    ).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining("the entity's owner"),
    });
  });

  it('passes a repository that does not exist yet: creating it binds it', () => {
    expect(checkRepositoryOwner(taggedWith(null)).status).toBe('pass');
  });

  it('fails a repository bound to another entity, naming it and offering no fix of its own', () => {
    const check = checkRepositoryOwner(
      taggedWith({ [ENTITY_REF_TAG]: OTHER_ENTITY_REF }),
    );
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        `belongs to ${OTHER_ENTITY_REF} (tag ${ENTITY_REF_TAG}), not to this entity`,
      ),
      remedy: expect.stringContaining(
        `ask the owners of ${OTHER_ENTITY_REF} to hand it over`,
      ),
    });
    expect(check.remedy).not.toContain('tag-resource');
  });

  it('fails a repository whose owner tag names another team, even under unbound: allow', () => {
    const facts = taggedWith({ [OWNER_TAG]: OTHER_OWNER_REF });
    facts.ownership = ownership({ unbound: 'allow' });
    expect(checkRepositoryOwner(facts)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`belongs to ${OTHER_OWNER_REF}`),
    });
  });

  it('fails an unbound repository, saying how to bind it', () => {
    expect(checkRepositoryOwner(taggedWith({ team: 'team-b' }))).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('is unbound'),
      remedy: expect.stringContaining(
        `aws ecr tag-resource --region eu-west-2 --resource-arn ${REPO_ARN} --tags Key=${ENTITY_REF_TAG},Value=${ENTITY_REF}`,
      ),
    });
  });

  it('only warns of an unbound repository under ecr.ownership.unbound: allow', () => {
    const facts = taggedWith({});
    facts.ownership = ownership({ unbound: 'allow' });
    expect(checkRepositoryOwner(facts)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('shown read-only'),
    });
  });

  it('says an unbound repository is not shown under ecr.ownership.unbound: deny', () => {
    const facts = taggedWith({});
    facts.ownership = ownership({ unbound: 'deny' });
    expect(checkRepositoryOwner(facts)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('it is not shown'),
    });
  });

  it('judges by the configured tag keys', () => {
    const facts = taggedWith({ [ENTITY_REF_TAG]: ENTITY_REF });
    facts.ownership = ownership({
      entityRefTag: 'example.com/entity',
      ownerTag: 'example.com/team',
    });
    expect(checkRepositoryOwner(facts).status).toBe('fail');
    facts.repositories[0].tags = ok({ 'example.com/entity': ENTITY_REF });
    expect(checkRepositoryOwner(facts).status).toBe('pass');
  });

  it('is unknown, naming the action, when Backstage may not list the repository’s tags', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), tags: deniedFact('ecr:ListTagsForResource') },
    ];
    expect(checkRepositoryOwner(facts)).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining(
        'Backstage may not call ecr:ListTagsForResource',
      ),
      requiredActions: ['ecr:ListTagsForResource'],
      remedy: expect.stringContaining('ecr:ListTagsForResource'),
    });
  });

  it('answers the worst of several repositories, naming each', () => {
    const facts = passingFacts();
    facts.repositories = [
      goodRepository(),
      {
        ...goodRepository(OTHER_REPO_ARN),
        tags: ok({ [ENTITY_REF_TAG]: OTHER_ENTITY_REF }),
      },
    ];
    const check = checkRepositoryOwner(facts);
    expect(check.status).toBe('fail');
    expect(check.detail.split('\n')).toEqual([
      expect.stringMatching(/^payments-api: It belongs to /),
      expect.stringMatching(
        /^checkout-web: It belongs to component:default\/checkout-web/,
      ),
    ]);
  });

  it('is unknown when the facts carry no entity to judge them against', () => {
    const facts = passingFacts();
    delete facts.ownership;
    expect(checkRepositoryOwner(facts).status).toBe('unknown');
  });
});
