import {
  ECRClient,
  ImageDetail,
  paginateDescribeImages,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  EcrImage,
  EcrRepositoryImages,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { callAws } from '../aws/call';
import { repositoryUri } from './repositoryUri';
import { toSeverityCounts } from './severity';

/** DescribeImages' largest page. */
export const DESCRIBE_IMAGES_PAGE_SIZE = 1000;

/** One image as the API answers it; the scan summary is DescribeImages' own. */
export function toEcrImage(detail: ImageDetail): EcrImage {
  const summary = detail.imageScanFindingsSummary;
  return {
    digest: detail.imageDigest ?? '',
    tags: [...(detail.imageTags ?? [])].sort(),
    sizeBytes: detail.imageSizeInBytes ?? 0,
    pushedAt: (detail.imagePushedAt ?? new Date(0)).toISOString(),
    ...(detail.lastRecordedPullTime && {
      lastPulledAt: detail.lastRecordedPullTime.toISOString(),
    }),
    ...((detail.imageManifestMediaType || detail.artifactMediaType) && {
      mediaType: detail.imageManifestMediaType ?? detail.artifactMediaType,
    }),
    scan: {
      status: detail.imageScanStatus?.status ?? 'NOT_SCANNED',
      ...(detail.imageScanStatus?.description && {
        description: detail.imageScanStatus.description,
      }),
      ...(summary?.imageScanCompletedAt && {
        completedAt: summary.imageScanCompletedAt.toISOString(),
      }),
      severityCounts: toSeverityCounts(summary?.findingSeverityCounts),
    },
  };
}

/** Newest push first; images pushed in the same instant by digest, for a stable order. */
export function compareNewestFirst(a: EcrImage, b: EcrImage): number {
  return (
    Date.parse(b.pushedAt) - Date.parse(a.pushedAt) ||
    a.digest.localeCompare(b.digest)
  );
}

/**
 * Every image of one repository, through every page of DescribeImages, newest
 * first. Sorting happens after the last page: DescribeImages answers in no
 * particular order, so cutting the list early could hide the newest images.
 */
export async function readRepositoryImages(
  client: ECRClient,
  repository: RepositoryRef,
): Promise<EcrRepositoryImages> {
  const base = {
    arn: repository.arn,
    name: repository.name,
    uri: repositoryUri(repository),
    region: repository.region,
    accountId: repository.accountId,
  };
  const images = await callAws(
    'ecr:DescribeImages',
    repository.arn,
    async () => {
      const found: EcrImage[] = [];
      try {
        for await (const page of paginateDescribeImages(
          { client, pageSize: DESCRIBE_IMAGES_PAGE_SIZE },
          {
            registryId: repository.accountId,
            repositoryName: repository.name,
            maxResults: DESCRIBE_IMAGES_PAGE_SIZE,
          },
        )) {
          for (const detail of page.imageDetails ?? []) {
            found.push(toEcrImage(detail));
          }
        }
      } catch (error) {
        if (error instanceof RepositoryNotFoundException) return undefined;
        throw error;
      }
      return found;
    },
  );
  if (!images) {
    return { ...base, exists: false, images: [], imageCount: 0 };
  }
  images.sort(compareNewestFirst);
  return { ...base, exists: true, images, imageCount: images.length };
}
