import { checkImagesPresent } from './imagesPresent';
import {
  deniedFact,
  goodRepository,
  ok,
  passingFacts,
} from './__testUtils__/facts';

describe('checkImagesPresent', () => {
  it('passes with images and says how many', () => {
    expect(checkImagesPresent(passingFacts())).toMatchObject({
      status: 'pass',
      detail: '3 images, the newest pushed 2024-05-01T10:00:00.000Z.',
    });
  });

  it('warns for an empty repository and says how to push', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), images: ok({ count: 0, more: false }) },
    ];
    const check = checkImagesPresent(facts);
    expect(check.status).toBe('warn');
    expect(check.remedy).toContain(
      'docker push 123412341234.dkr.ecr.eu-west-2.amazonaws.com/payments-api:TAG',
    );
  });

  it('warns when the repository does not exist', () => {
    const facts = passingFacts();
    facts.repositories = [{ ...goodRepository(), settings: ok(null) }];
    expect(checkImagesPresent(facts).status).toBe('warn');
  });

  it('is unknown naming ecr:DescribeImages when denied', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), images: deniedFact('ecr:DescribeImages') },
    ];
    expect(checkImagesPresent(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['ecr:DescribeImages'],
    });
  });
});
