import { roleArnMatches } from './allowedTargets';

describe('roleArnMatches', () => {
  const pattern = 'arn:aws:iam::*:role/service-role/codebuild-*';

  it.each([
    [
      'arn:aws:iam::123412341234:role/service-role/codebuild-x-service-role',
      true,
    ],
    ['arn:aws:iam::123412341234:role/service-role/other', false],
    ['arn:aws:iam::123412341234:role/codebuild-x', false],
    ['xarn:aws:iam::123412341234:role/service-role/codebuild-x', false],
  ])('%s → %s', (arn, expected) => {
    expect(roleArnMatches(arn, pattern)).toBe(expected);
  });

  it('treats everything but * literally', () => {
    expect(
      roleArnMatches('arn:aws:iam::1:role/a.b', 'arn:aws:iam::1:role/a.b'),
    ).toBe(true);
    expect(
      roleArnMatches('arn:aws:iam::1:role/aXb', 'arn:aws:iam::1:role/a.b'),
    ).toBe(false);
    expect(
      roleArnMatches('arn:aws:iam::1:role/a+', 'arn:aws:iam::1:role/a+'),
    ).toBe(true);
  });
});
