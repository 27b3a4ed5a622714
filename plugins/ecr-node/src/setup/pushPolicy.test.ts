import { pushPolicyName } from './pushPolicy';

const ACCOUNT = '123412341234';

function repository(name: string, region = 'eu-west-2', account = ACCOUNT) {
  return { arn: `arn:aws:ecr:${region}:${account}:repository/${name}`, name };
}

describe('pushPolicyName', () => {
  it('is the readable repository name and a hash of its ARN', () => {
    expect(pushPolicyName(repository('proof-of-concept-repo'))).toMatch(
      /^backstage-ecr-push-proof-of-concept-repo-[0-9a-f]{10}$/,
    );
    expect(pushPolicyName(repository('team-a/orders-api'))).toMatch(
      /^backstage-ecr-push-team-a-orders-api-[0-9a-f]{10}$/,
    );
  });

  it('is deterministic', () => {
    expect(pushPolicyName(repository('payments-api'))).toBe(
      pushPolicyName(repository('payments-api')),
    );
    // The first ten hex digits of sha256 of the ARN, fixed so that a change of
    // scheme (which would leave the policies already granted behind) is seen.
    expect(pushPolicyName(repository('payments-api'))).toBe(
      'backstage-ecr-push-payments-api-c6f024e86f',
    );
  });

  it.each([
    ['payments/api', 'payments-api'],
    ['a/b', 'a-b'],
    ['team/a-b', 'team-a/b'],
  ])(
    'gives %s and %s, which read the same, different names',
    (first, second) => {
      expect(pushPolicyName(repository(first))).not.toBe(
        pushPolicyName(repository(second)),
      );
    },
  );

  it('gives one repository name in two regions or accounts different names', () => {
    const names = new Set([
      pushPolicyName(repository('orders-api', 'eu-west-2')),
      pushPolicyName(repository('orders-api', 'us-east-1')),
      pushPolicyName(repository('orders-api', 'eu-west-2', '999999999999')),
    ]);
    expect(names.size).toBe(3);
  });

  it('stays within IAM’s 128 characters and character set for a 256-character name, keeping the whole hash', () => {
    const long = `${'a'.repeat(100)}/${'b'.repeat(100)}/${'c'.repeat(54)}`;
    expect(long).toHaveLength(256);
    const name = pushPolicyName(repository(long));
    expect(name).toHaveLength(128);
    expect(name).toMatch(/^[\w+=,.@-]+$/);
    expect(name).toMatch(/^backstage-ecr-push-a{98}-[0-9a-f]{10}$/);
    // Two long names that differ only past the cut still differ.
    const other = `${long.slice(0, 255)}d`;
    expect(pushPolicyName(repository(other))).not.toBe(name);
    expect(pushPolicyName(repository(other)).length).toBeLessThanOrEqual(128);
  });
});
