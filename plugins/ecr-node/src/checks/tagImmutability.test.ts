import { checkTagImmutability } from './tagImmutability';
import { goodRepository, ok, passingFacts } from './__testUtils__/facts';

function withMutability(imageTagMutability: string) {
  const facts = passingFacts();
  facts.repositories = [
    { ...goodRepository(), settings: ok({ imageTagMutability }) },
  ];
  return facts;
}

describe('checkTagImmutability', () => {
  it('passes for IMMUTABLE tags', () => {
    expect(checkTagImmutability(passingFacts())).toMatchObject({
      status: 'pass',
      detail: 'Tags are IMMUTABLE.',
    });
  });

  it('passes for IMMUTABLE_WITH_EXCLUSION', () => {
    expect(
      checkTagImmutability(withMutability('IMMUTABLE_WITH_EXCLUSION')).status,
    ).toBe('pass');
  });

  it('warns for MUTABLE tags with the command that fixes it', () => {
    const check = checkTagImmutability(withMutability('MUTABLE'));
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('MUTABLE');
    expect(check.remedy).toContain(
      'aws ecr put-image-tag-mutability --region eu-west-2 --repository-name payments-api --image-tag-mutability IMMUTABLE',
    );
  });
});
