import {
  IMAGE_DIGEST,
  toBasicFinding,
  toEnhancedFinding,
} from './readImageFindings';

describe('finding mapping', () => {
  it('maps a basic finding and its attributes', () => {
    expect(
      toBasicFinding({
        name: 'CVE-2023-38545',
        severity: 'CRITICAL',
        uri: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
        attributes: [
          { key: 'package_name', value: 'curl' },
          { key: 'package_version', value: '7.88.1-10' },
          { key: 'CVSS3_SCORE', value: '9.8' },
        ],
      }),
    ).toEqual({
      name: 'CVE-2023-38545',
      severity: 'CRITICAL',
      type: 'basic',
      uri: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
      packageName: 'curl',
      packageVersion: '7.88.1-10',
      score: 9.8,
    });
  });

  it('maps an enhanced finding with the fixed version', () => {
    expect(
      toEnhancedFinding({
        severity: 'UNTRIAGED',
        title: 'CVE-2024-2961 - glibc',
        score: 7.3,
        packageVulnerabilityDetails: {
          vulnerabilityId: 'CVE-2024-2961',
          sourceUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2024-2961',
          vulnerablePackages: [
            {
              name: 'glibc',
              version: '2.36-9',
              fixedInVersion: '2.36-9+deb12u7',
            },
          ],
        },
      }),
    ).toEqual({
      name: 'CVE-2024-2961',
      severity: 'UNDEFINED',
      type: 'enhanced',
      description: 'CVE-2024-2961 - glibc',
      uri: 'https://nvd.nist.gov/vuln/detail/CVE-2024-2961',
      packageName: 'glibc',
      packageVersion: '2.36-9',
      fixedInVersion: '2.36-9+deb12u7',
      score: 7.3,
    });
  });
});

describe('IMAGE_DIGEST', () => {
  it('accepts only sha256 digests', () => {
    expect(IMAGE_DIGEST.test(`sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(IMAGE_DIGEST.test(`sha256:${'A'.repeat(64)}`)).toBe(false);
    expect(IMAGE_DIGEST.test(`sha256:${'a'.repeat(63)}`)).toBe(false);
    expect(IMAGE_DIGEST.test('latest')).toBe(false);
  });
});
