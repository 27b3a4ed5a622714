import { NotAllowedError } from '@backstage/errors';
import { requireAllowedRegion, roleArnMatches } from './allowedTargets';

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
    // `*` stops at `/`: a deeper path is a different, possibly powerful, role.
    [
      'arn:aws:iam::123412341234:role/service-role/codebuild-ops/OpsAdmin',
      false,
    ],
    ['arn:aws:iam::123412341234:role/service-role/codebuild-/x', false],
    ['arn:aws:iam::1/2:role/service-role/codebuild-x', false],
  ])('%s → %s', (arn, expected) => {
    expect(roleArnMatches(arn, pattern)).toBe(expected);
  });

  it('lets ** cross /', () => {
    const deep = 'arn:aws:iam::*:role/service-role/**';
    expect(
      roleArnMatches(
        'arn:aws:iam::123412341234:role/service-role/codebuild-ops/OpsAdmin',
        deep,
      ),
    ).toBe(true);
    expect(
      roleArnMatches('arn:aws:iam::123412341234:role/service-role/x', deep),
    ).toBe(true);
    expect(roleArnMatches('arn:aws:iam::123412341234:role/other/x', deep)).toBe(
      false,
    );
    expect(
      roleArnMatches(
        'arn:aws:iam::123412341234:role/a/b/codebuild-x',
        'arn:aws:iam::123412341234:role/**/codebuild-*',
      ),
    ).toBe(true);
    expect(
      roleArnMatches(
        'arn:aws:iam::123412341234:role/a/b/codebuild-x/y',
        'arn:aws:iam::123412341234:role/**/codebuild-*',
      ),
    ).toBe(false);
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

describe('requireAllowedRegion', () => {
  it('allows any region when ecr.regions is empty', () => {
    expect(() =>
      requireAllowedRegion('ap-south-1', [], 'Repository x'),
    ).not.toThrow();
  });

  it('allows a listed region', () => {
    expect(() =>
      requireAllowedRegion('eu-west-2', ['eu-west-2', 'us-east-1'], 'x'),
    ).not.toThrow();
  });

  it('refuses (403) a region outside ecr.regions, saying why', () => {
    let error: unknown;
    try {
      requireAllowedRegion(
        'ap-south-1',
        ['eu-west-2', 'us-east-1'],
        'Repository arn:aws:ecr:ap-south-1:123412341234:repository/x1',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotAllowedError);
    expect((error as Error).message).toBe(
      'Repository arn:aws:ecr:ap-south-1:123412341234:repository/x1 is in region ap-south-1, where Backstage may not make changes: writes from Backstage are limited to the regions in ecr.regions (eu-west-2, us-east-1). Make the change in AWS directly, or ask the platform team to add ap-south-1 to ecr.regions.',
    );
  });
});
