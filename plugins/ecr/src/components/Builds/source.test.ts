import {
  buildLabel,
  buildOfImage,
  commitUrl,
  shortSourceVersion,
} from './source';
import { build, digestOf } from '../../__testUtils__/fixtures';

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b';

describe('commitUrl', () => {
  it.each([
    [
      'url:https://github.com/acme/proof-of-concept/tree/main/',
      `https://github.com/acme/proof-of-concept/commit/${SHA}`,
    ],
    [
      'url:https://github.example.com/acme/proof-of-concept.git',
      `https://github.example.com/acme/proof-of-concept/commit/${SHA}`,
    ],
    [
      'url:https://gitlab.com/acme/platform/proof-of-concept/-/tree/main',
      `https://gitlab.com/acme/platform/proof-of-concept/-/commit/${SHA}`,
    ],
    [
      'https://gitlab.example.com/acme/proof-of-concept',
      `https://gitlab.example.com/acme/proof-of-concept/-/commit/${SHA}`,
    ],
    [
      'url:https://bitbucket.org/acme/proof-of-concept/src/main/',
      `https://bitbucket.org/acme/proof-of-concept/commits/${SHA}`,
    ],
    [
      'url:https://bitbucket.example.com/projects/ACME/repos/proof-of-concept/browse',
      `https://bitbucket.example.com/projects/ACME/repos/proof-of-concept/commits/${SHA}`,
    ],
  ])('links %s to the commit', (location, expected) => {
    expect(commitUrl(location, SHA)).toBe(expected);
  });

  it('links nothing for other hosts, branch names or no source location', () => {
    expect(
      commitUrl('url:https://git.example.com/acme/proof-of-concept', SHA),
    ).toBeUndefined();
    expect(
      commitUrl('url:https://github.com/acme/proof-of-concept', 'main'),
    ).toBeUndefined();
    expect(
      commitUrl(
        'url:https://github.com/acme/proof-of-concept',
        'refs/heads/main',
      ),
    ).toBeUndefined();
    expect(commitUrl(undefined, SHA)).toBeUndefined();
    expect(commitUrl('url:https://github.com/acme', SHA)).toBeUndefined();
    expect(commitUrl('not a url', SHA)).toBeUndefined();
  });
});

describe('build helpers', () => {
  it('shortens commits to seven digits and keeps other versions', () => {
    expect(shortSourceVersion(SHA)).toBe('9f86d08');
    expect(shortSourceVersion('main')).toBe('main');
  });

  it('names a build by its number, or by its id without one', () => {
    expect(buildLabel(build(12))).toBe('#12');
    expect(
      buildLabel({ id: 'project:1234abcd-0000-0000-0000-000000000000' }),
    ).toBe('1234abcd');
  });

  it('finds the build that pushed an image', () => {
    const builds = [
      build(3, { imageDigests: [digestOf(9)] }),
      build(2, { imageDigests: [digestOf(7), digestOf(8)] }),
    ];
    expect(buildOfImage(builds, digestOf(8))?.buildNumber).toBe(2);
    expect(buildOfImage(builds, digestOf(1))).toBeUndefined();
    expect(buildOfImage(undefined, digestOf(8))).toBeUndefined();
  });
});
