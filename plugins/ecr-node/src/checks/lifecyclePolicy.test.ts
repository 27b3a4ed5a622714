import { checkLifecyclePolicy } from './lifecyclePolicy';
import {
  deniedFact,
  goodRepository,
  ok,
  passingFacts,
} from './__testUtils__/facts';

describe('checkLifecyclePolicy', () => {
  it('passes when a lifecycle policy is set', () => {
    expect(checkLifecyclePolicy(passingFacts())).toMatchObject({
      status: 'pass',
    });
  });

  it('warns without a policy and offers one that expires untagged images', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), lifecyclePolicy: ok({ exists: false }) },
    ];
    const check = checkLifecyclePolicy(facts);
    expect(check.status).toBe('warn');
    expect(check.remedy).toContain('aws ecr put-lifecycle-policy');
    expect(check.remedy).toContain('"tagStatus":"untagged"');
    expect(check.remedy).toContain('"countNumber":14');
  });

  it('is unknown naming ecr:GetLifecyclePolicy when Backstage may not read it', () => {
    const facts = passingFacts();
    facts.repositories = [
      {
        ...goodRepository(),
        lifecyclePolicy: deniedFact('ecr:GetLifecyclePolicy'),
      },
    ];
    const check = checkLifecyclePolicy(facts);
    expect(check).toMatchObject({
      status: 'unknown',
      requiredActions: ['ecr:GetLifecyclePolicy'],
    });
    expect(check.remedy).toContain('ecr:GetLifecyclePolicy');
  });
});
