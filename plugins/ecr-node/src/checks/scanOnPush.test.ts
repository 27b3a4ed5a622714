import { checkScanOnPush } from './scanOnPush';
import {
  deniedFact,
  goodRepository,
  ok,
  passingFacts,
} from './__testUtils__/facts';

describe('checkScanOnPush', () => {
  it('passes when scan on push is on', () => {
    expect(checkScanOnPush(passingFacts())).toMatchObject({
      id: 'scan-on-push',
      status: 'pass',
      detail: 'Scan on push is on.',
    });
  });

  it('warns when scan on push is off, with the command that turns it on', () => {
    const facts = passingFacts();
    facts.repositories = [
      {
        ...goodRepository(),
        settings: ok({ scanOnPush: false, imageTagMutability: 'IMMUTABLE' }),
      },
    ];
    const check = checkScanOnPush(facts);
    expect(check.status).toBe('warn');
    expect(check.remedy).toContain(
      'aws ecr put-image-scanning-configuration --region eu-west-2 --repository-name payments-api --image-scanning-configuration scanOnPush=true',
    );
  });

  it('is unknown when the repository does not exist yet', () => {
    const facts = passingFacts();
    facts.repositories = [{ ...goodRepository(), settings: ok(null) }];
    const check = checkScanOnPush(facts);
    expect(check.status).toBe('unknown');
    expect(check.detail).toContain('payments-api does not exist yet');
    expect(check.requiredActions).toBeUndefined();
  });

  it('is unknown naming the action when Backstage may not describe the repository', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), settings: deniedFact('ecr:DescribeRepositories') },
    ];
    expect(checkScanOnPush(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['ecr:DescribeRepositories'],
    });
  });

  it('reports the worst repository of several, each by name', () => {
    const facts = passingFacts();
    const off = goodRepository(
      'arn:aws:ecr:eu-west-2:123412341234:repository/payments-worker',
    );
    off.settings = ok({ scanOnPush: false });
    facts.repositories = [goodRepository(), off];
    const check = checkScanOnPush(facts);
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('payments-api: Scan on push is on.');
    expect(check.detail).toContain('payments-worker: Scan on push is off');
    expect(check.remedy).toContain('--repository-name payments-worker');
    expect(check.remedy).not.toContain('--repository-name payments-api ');
  });
});
