import { checkRepositoryExists } from './repositoryExists';
import {
  deniedFact,
  goodRepository,
  ok,
  passingFacts,
} from './__testUtils__/facts';

describe('checkRepositoryExists', () => {
  it('passes when every repository exists', () => {
    expect(checkRepositoryExists(passingFacts())).toMatchObject({
      status: 'pass',
      detail: 'payments-api exists.',
    });
  });

  it('fails for a missing repository and says how to create it', () => {
    const facts = passingFacts();
    facts.repositories = [{ ...goodRepository(), settings: ok(null) }];
    const check = checkRepositoryExists(facts);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'payments-api does not exist in account 123412341234, region eu-west-2.',
    );
    expect(check.remedy).toContain(
      'aws ecr create-repository --region eu-west-2 --repository-name payments-api',
    );
    expect(check.remedy).toContain('--image-tag-mutability IMMUTABLE');
  });

  it('fails when one of several repositories is missing, naming the ones that exist', () => {
    const facts = passingFacts();
    const other = goodRepository(
      'arn:aws:ecr:eu-west-2:123412341234:repository/payments-worker',
    );
    facts.repositories = [goodRepository(), { ...other, settings: ok(null) }];
    const check = checkRepositoryExists(facts);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('payments-worker does not exist');
    expect(check.detail).toContain('payments-api exist');
  });

  it('is unknown, naming ecr:DescribeRepositories, when Backstage may not describe', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), settings: deniedFact('ecr:DescribeRepositories') },
    ];
    expect(checkRepositoryExists(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['ecr:DescribeRepositories'],
    });
  });
});
