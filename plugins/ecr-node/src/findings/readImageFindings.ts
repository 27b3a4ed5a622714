import {
  DescribeImageScanFindingsResponse,
  ECRClient,
  EnhancedImageScanFinding,
  ImageNotFoundException,
  ImageScanFinding,
  paginateDescribeImageScanFindings,
  RepositoryNotFoundException,
  ScanNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  ImageScanFindings,
  RepositoryRef,
  ScanFinding,
} from '@backstage-ecr/plugin-ecr-common';
import { NotFoundError } from '@backstage/errors';
import { callAws } from '../aws/call';
import {
  compareSeverity,
  toSeverity,
  toSeverityCounts,
} from '../images/severity';

/** DescribeImageScanFindings' largest page. */
export const SCAN_FINDINGS_PAGE_SIZE = 1000;

/**
 * A digest as ECR names images: `sha256:` and 64 lowercase hex digits.
 *
 * @public
 */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

function attribute(finding: ImageScanFinding, key: string) {
  return finding.attributes?.find(a => a.key === key)?.value;
}

/** A basic-scanning finding (Clair-style CVE with attributes). */
export function toBasicFinding(finding: ImageScanFinding): ScanFinding {
  const score = Number(
    attribute(finding, 'CVSS3_SCORE') ?? attribute(finding, 'CVSS2_SCORE'),
  );
  return {
    name: finding.name ?? 'unnamed finding',
    severity: toSeverity(finding.severity),
    type: 'basic',
    ...(finding.description && { description: finding.description }),
    ...(finding.uri && { uri: finding.uri }),
    ...(attribute(finding, 'package_name') && {
      packageName: attribute(finding, 'package_name'),
    }),
    ...(attribute(finding, 'package_version') && {
      packageVersion: attribute(finding, 'package_version'),
    }),
    ...(Number.isFinite(score) && { score }),
  };
}

/** An enhanced-scanning finding (Amazon Inspector). */
export function toEnhancedFinding(
  finding: EnhancedImageScanFinding,
): ScanFinding {
  const details = finding.packageVulnerabilityDetails;
  const pkg = details?.vulnerablePackages?.[0];
  const score = finding.score ?? finding.scoreDetails?.cvss?.score;
  return {
    name:
      details?.vulnerabilityId ??
      finding.title ??
      finding.findingArn ??
      'unnamed finding',
    severity: toSeverity(finding.severity),
    type: 'enhanced',
    ...((finding.description ?? finding.title) && {
      description: finding.description ?? finding.title,
    }),
    ...((details?.sourceUrl ?? details?.referenceUrls?.[0]) && {
      uri: details?.sourceUrl ?? details?.referenceUrls?.[0],
    }),
    ...(pkg?.name && { packageName: pkg.name }),
    ...(pkg?.version && { packageVersion: pkg.version }),
    ...(pkg?.fixedInVersion && { fixedInVersion: pkg.fixedInVersion }),
    ...(typeof score === 'number' && { score }),
  };
}

/** Most severe first, then by name. */
export function compareFindings(a: ScanFinding, b: ScanFinding): number {
  return (
    compareSeverity(a.severity, b.severity) || a.name.localeCompare(b.name)
  );
}

/**
 * An image's scan findings, basic and enhanced, through every page. An image
 * that was never scanned is a normal answer (`scanned: false`), not an error.
 */
export async function readImageFindings(
  client: ECRClient,
  repository: RepositoryRef,
  digest: string,
): Promise<ImageScanFindings> {
  const pages = await callAws(
    'ecr:DescribeImageScanFindings',
    repository.arn,
    async () => {
      const found: DescribeImageScanFindingsResponse[] = [];
      try {
        for await (const page of paginateDescribeImageScanFindings(
          { client, pageSize: SCAN_FINDINGS_PAGE_SIZE },
          {
            registryId: repository.accountId,
            repositoryName: repository.name,
            imageId: { imageDigest: digest },
            maxResults: SCAN_FINDINGS_PAGE_SIZE,
          },
        )) {
          found.push(page);
        }
      } catch (error) {
        if (error instanceof ScanNotFoundException) return undefined;
        if (error instanceof ImageNotFoundException) {
          throw new NotFoundError(
            `Image ${digest} is not in repository ${repository.name}`,
          );
        }
        if (error instanceof RepositoryNotFoundException) {
          throw new NotFoundError(
            `Repository ${repository.name} does not exist in account ${repository.accountId}, region ${repository.region}`,
          );
        }
        throw error;
      }
      return found;
    },
  );

  if (!pages) {
    return {
      repositoryArn: repository.arn,
      digest,
      scanned: false,
      status: 'NOT_SCANNED',
      description:
        'This image has not been scanned. Turn on scan on push for the repository, or start a scan with aws ecr start-image-scan.',
      severityCounts: {},
      findings: [],
    };
  }

  const first = pages[0];
  const summary = first?.imageScanFindings;
  const findings = pages
    .flatMap(page => [
      ...(page.imageScanFindings?.findings ?? []).map(toBasicFinding),
      ...(page.imageScanFindings?.enhancedFindings ?? []).map(
        toEnhancedFinding,
      ),
    ])
    .sort(compareFindings);
  return {
    repositoryArn: repository.arn,
    digest,
    scanned: true,
    status: first?.imageScanStatus?.status ?? 'COMPLETE',
    ...(first?.imageScanStatus?.description && {
      description: first.imageScanStatus.description,
    }),
    ...(summary?.imageScanCompletedAt && {
      completedAt: summary.imageScanCompletedAt.toISOString(),
    }),
    severityCounts: toSeverityCounts(summary?.findingSeverityCounts),
    findings,
  };
}
