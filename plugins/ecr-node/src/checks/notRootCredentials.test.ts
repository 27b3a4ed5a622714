import { checkNotRootCredentials } from './notRootCredentials';
import { deniedFact, ok, passingFacts } from './__testUtils__/facts';

describe('checkNotRootCredentials', () => {
  it('passes for an IAM user and says what kind of identity, not its name', () => {
    const check = checkNotRootCredentials(passingFacts());
    expect(check).toMatchObject({
      status: 'pass',
      detail:
        'In account 123412341234 Backstage signs its AWS calls as an IAM user, not as the root user.',
    });
    expect(check.detail).not.toContain('user/backstage');
  });

  it('passes for an assumed role', () => {
    const facts = passingFacts();
    facts.callerIdentities = [
      {
        accountId: '123412341234',
        identity: ok({
          arn: 'arn:aws:sts::123412341234:assumed-role/backstage/session',
          accountId: '123412341234',
        }),
      },
    ];
    expect(checkNotRootCredentials(facts).detail).toContain(
      'as an assumed IAM role',
    );
  });

  it('fails for the account root', () => {
    const facts = passingFacts();
    facts.callerIdentities = [
      {
        accountId: '123412341234',
        identity: ok({
          arn: 'arn:aws:iam::123412341234:root',
          accountId: '123412341234',
        }),
      },
    ];
    const check = checkNotRootCredentials(facts);
    expect(check.status).toBe('fail');
    expect(check.remedy).toContain('delete the root access keys');
  });

  it('is unknown naming sts:GetCallerIdentity when denied', () => {
    const facts = passingFacts();
    facts.callerIdentities = [
      {
        accountId: '123412341234',
        identity: deniedFact('sts:GetCallerIdentity'),
      },
    ];
    expect(checkNotRootCredentials(facts)).toMatchObject({
      status: 'unknown',
      requiredActions: ['sts:GetCallerIdentity'],
    });
  });
});
