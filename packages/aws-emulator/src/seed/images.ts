import { createHash } from 'crypto';
import { sha256Hex } from '../auth/sigv4';
import { Image, ImageScan, Repository } from '../state';
import { SeedFinding } from './schema';

/**
 * Seeded images need a manifest (BatchGetImage returns it) and layers (PutImage and
 * BatchCheckLayerAvailability look them up). Both are synthesized deterministically from the
 * repository and the image's position, so the same seed always yields the same digests.
 */

export const DOCKER_MANIFEST =
  'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export interface SynthesizedManifest {
  manifest: string;
  digest: string;
  configMediaType: string;
  layers: Array<{ digest: string; size: number; mediaType: string }>;
}

/**
 * A manifest whose layers add up to `sizeBytes` (ECR reports the sum of the compressed layer
 * sizes as imageSizeInBytes). `key` identifies the image, e.g. `repo#3`.
 */
export function synthesizeManifest(
  key: string,
  sizeBytes: number,
  mediaType: string = DOCKER_MANIFEST,
): SynthesizedManifest {
  const oci = mediaType === OCI_MANIFEST;
  const layerType = oci ? OCI_LAYER : DOCKER_LAYER;
  const configMediaType = oci ? OCI_CONFIG : DOCKER_CONFIG;
  const sizes = [Math.floor(sizeBytes * 0.6), Math.floor(sizeBytes * 0.3)];
  sizes.push(sizeBytes - sizes[0] - sizes[1]);
  const layers = sizes.map((size, i) => ({
    mediaType: layerType,
    size,
    digest: digestOf(`${key}/layer/${i}`),
  }));
  const config = {
    mediaType: configMediaType,
    size: 1400 + (sizeBytes % 600),
    digest: digestOf(`${key}/config`),
  };
  const manifest = JSON.stringify(
    { schemaVersion: 2, mediaType, config, layers },
    null,
    3,
  );
  return {
    manifest,
    digest: `sha256:${sha256Hex(manifest)}`,
    configMediaType,
    layers: [{ ...config }, ...layers],
  };
}

/** Registers the blobs a manifest references as layers present in the repository. */
export function registerLayers(
  repository: Repository,
  manifest: SynthesizedManifest,
) {
  for (const layer of manifest.layers) {
    repository.layers.set(layer.digest, {
      size: layer.size,
      mediaType: layer.mediaType,
    });
  }
}

const DEFAULT_SCORES: Record<string, number> = {
  CRITICAL: 9.8,
  HIGH: 7.5,
  MEDIUM: 5.3,
  LOW: 3.1,
  INFORMATIONAL: 0,
  UNDEFINED: 0,
  UNTRIAGED: 0,
};

/** Basic (Clair-style) findings, as ECR's basic scanning reports them. */
export function basicFinding(finding: SeedFinding): Record<string, unknown> {
  const attributes: Array<{ key: string; value: string }> = [];
  if (finding.version)
    attributes.push({ key: 'package_version', value: finding.version });
  if (finding.package)
    attributes.push({ key: 'package_name', value: finding.package });
  if (finding.vector)
    attributes.push({ key: 'CVSS2_VECTOR', value: finding.vector });
  if (finding.score !== undefined) {
    attributes.push({ key: 'CVSS2_SCORE', value: String(finding.score) });
  }
  for (const [key, value] of Object.entries(finding.attributes ?? {})) {
    attributes.push({ key, value });
  }
  return {
    name: finding.name,
    description: finding.description,
    uri: finding.uri ?? `https://nvd.nist.gov/vuln/detail/${finding.name}`,
    severity: finding.severity,
    attributes,
  };
}

/** Enhanced (Amazon Inspector) findings, as ECR's enhanced scanning reports them. */
export function enhancedFinding(
  finding: SeedFinding,
  context: {
    account: string;
    region: string;
    repository: string;
    image: Pick<Image, 'digest' | 'tags' | 'pushedAt'>;
    observedAt: Date;
  },
): Record<string, unknown> {
  const score = finding.score ?? DEFAULT_SCORES[finding.severity] ?? 0;
  const findingId = sha256Hex(
    `${context.repository}/${context.image.digest}/${finding.name}`,
  ).slice(0, 32);
  const packages = finding.package
    ? [
        {
          name: finding.package,
          version: finding.version,
          packageManager: 'OS',
          arch: 'X86_64',
        },
      ]
    : [];
  const cvss = [
    {
      baseScore: score,
      scoringVector:
        finding.vector ?? 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      source: 'NVD',
      version: '3.1',
    },
  ];
  return {
    awsAccountId: context.account,
    description: finding.description ?? finding.name,
    findingArn: `arn:aws:inspector2:${context.region}:${context.account}:finding/${findingId}`,
    firstObservedAt: context.observedAt,
    lastObservedAt: context.observedAt,
    updatedAt: context.observedAt,
    packageVulnerabilityDetails: {
      cvss,
      referenceUrls: finding.uri ? [finding.uri] : [],
      source: 'NVD',
      sourceUrl:
        finding.uri ?? `https://nvd.nist.gov/vuln/detail/${finding.name}`,
      vendorSeverity: finding.severity,
      vulnerabilityId: finding.name,
      vulnerablePackages: packages,
    },
    remediation: {
      recommendation: {
        text: finding.fixedIn
          ? `Upgrade ${finding.package ?? 'the package'} to ${
              finding.fixedIn
            } or later.`
          : 'None Provided',
      },
    },
    resources: [
      {
        details: {
          awsEcrContainerImage: {
            architecture: 'amd64',
            imageHash: context.image.digest,
            imageTags: context.image.tags,
            platform: 'LINUX',
            pushedAt: context.image.pushedAt,
            registry: context.account,
            repositoryName: context.repository,
          },
        },
        id: `arn:aws:ecr:${context.region}:${context.account}:repository/${context.repository}/${context.image.digest}`,
        type: 'AWS_ECR_CONTAINER_IMAGE',
      },
    ],
    score,
    scoreDetails: {
      cvss: {
        adjustments: [],
        score,
        scoreSource: 'NVD',
        scoringVector: cvss[0].scoringVector,
        version: '3.1',
      },
    },
    severity: finding.severity,
    status: 'ACTIVE',
    title: finding.package
      ? `${finding.name} - ${finding.package}`
      : finding.name,
    type: 'PACKAGE_VULNERABILITY',
  };
}

/** Severity counts as ECR summarizes them: only severities that occur. */
export function countSeverities(
  findings: Array<{ severity?: unknown }>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) {
    const severity = String(f.severity);
    counts[severity] = (counts[severity] ?? 0) + 1;
  }
  return counts;
}

/** A completed scan without findings, as a scan-on-push of a clean image reports. */
export function cleanScan(at: Date): ImageScan {
  return {
    type: 'basic',
    status: 'COMPLETE',
    description: 'The scan was completed successfully.',
    completedAt: at,
    vulnerabilitySourceUpdatedAt: at,
    severityCounts: {},
    findings: [],
    enhancedFindings: [],
  };
}
