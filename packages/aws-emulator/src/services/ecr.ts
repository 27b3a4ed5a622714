import { randomBytes, randomUUID, createHash } from 'crypto';
import { parseArn, repositoryArn } from '../arn';
import { AwsError, jsonDialect, Violation } from '../errors';
import {
  Operation,
  OperationContext,
  ResourceTarget,
  ServiceDefinition,
} from '../operations';
import { paginate } from '../pagination';
import { encodeJson, jsonListPage } from '../protocols/json';
import { cleanScan, DOCKER_MANIFEST } from '../seed/images';
import {
  checkRepositoryPolicy,
  formatRepositoryPolicy,
  RepositoryPolicyError,
} from '../ecrPolicy';
import { shape } from '../shapes';
import {
  addImage,
  Account,
  Image,
  newRepository,
  proxyEndpoint,
  registryOf,
  Repository,
  Tag,
} from '../state';

/**
 * Amazon ECR (API 2015-09-21, awsJson1_1): repositories, images, the layer upload path, scan
 * findings, lifecycle and repository policies, tags. Shapes, constraints and error codes
 * follow the service model; messages follow what ECR answers.
 */

const REPOSITORY_NAME_PATTERN =
  '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';

const registryId = shape.string({ pattern: '[0-9]{12}' });
const repositoryName = shape.string({
  min: 2,
  max: 256,
  pattern: REPOSITORY_NAME_PATTERN,
});
const maxResults = shape.integer({ min: 1, max: 1000 });
const nextToken = shape.string();
const imageTag = shape.string({ min: 1, max: 300 });
const imageIdentifier = shape.structure({
  imageDigest: shape.string(),
  imageTag,
});
const imageIdentifierList = shape.list(imageIdentifier, { min: 1, max: 100 });
const tagStatus = shape.string({ enum: ['TAGGED', 'UNTAGGED', 'ANY'] });
const tagList = shape.list(
  shape.structure({ Key: shape.string(), Value: shape.string() }),
);
const imageTagMutability = shape.string({ enum: ['MUTABLE', 'IMMUTABLE'] });
const imageScanningConfiguration = shape.structure({
  scanOnPush: shape.boolean(),
});
const uploadId = shape.string({
  pattern:
    '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
});
const layerDigest = shape.string({ pattern: '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+' });
const lifecyclePolicyText = shape.string({ min: 100, max: 30720 });
const repositoryPolicyText = shape.string({ min: 0, max: 10240 });

const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const PART_SIZE = 10_485_760;
const TOKEN_LIFETIME_MS = 12 * 3_600_000;

function error(
  code: string,
  message: string,
  fields?: Record<string, unknown>,
) {
  return new AwsError(code, message, { status: 400, fields });
}

function invalidParameter(path: string, constraint: string) {
  return error(
    'InvalidParameterException',
    `Invalid parameter at '${path}' failed to satisfy constraint: '${constraint}'`,
  );
}

function validationError(violations: Violation[]): AwsError {
  const first = violations[0];
  const constraint = first.constraint.startsWith(
    'Member must satisfy regular expression pattern: ',
  )
    ? `must satisfy regular expression '${first.constraint.slice(
        'Member must satisfy regular expression pattern: '.length,
      )}'`
    : first.constraint;
  return invalidParameter(first.path, constraint);
}

function repositoryNotFound(name: string, registry: string) {
  return error(
    'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '${registry}'`,
  );
}

function describeImageId(id: {
  imageDigest?: string;
  imageTag?: string;
}): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${
    id.imageTag ?? 'null'
  }'}`;
}

/** The registry (account) a request addresses: `registryId`, or the caller's own. */
function registryIdOf(
  input: Record<string, any>,
  ctx: OperationContext,
): string {
  return input.registryId ?? ctx.account.id;
}

function targetAccount(
  input: Record<string, any>,
  ctx: OperationContext,
): Account | undefined {
  return ctx.state.accounts.get(registryIdOf(input, ctx));
}

function findRepository(
  input: Record<string, any>,
  ctx: OperationContext,
): Repository | undefined {
  const account = targetAccount(input, ctx);
  return account
    ? registryOf(account, ctx.region).repositories.get(input.repositoryName)
    : undefined;
}

function requireRepository(
  input: Record<string, any>,
  ctx: OperationContext,
): Repository {
  const repository = findRepository(input, ctx);
  if (!repository) {
    throw repositoryNotFound(input.repositoryName, registryIdOf(input, ctx));
  }
  return repository;
}

/** Repository-scoped operations are authorized on the repository ARN, with its policy. */
function repositoryResource(
  input: Record<string, any>,
  ctx: OperationContext,
): ResourceTarget {
  const registry = registryIdOf(input, ctx);
  return {
    resource: repositoryArn(ctx.region, registry, input.repositoryName),
    resourcePolicy: findRepository(input, ctx)?.policyText,
    resourceAccountId: registry,
  };
}

/**
 * Whether setting `text` as the repository's policy would leave the caller unable to call
 * SetRepositoryPolicy on it again (what ECR's `force` flag is for).
 */
function locksOut(
  ctx: OperationContext,
  repository: Repository,
  text: string,
): boolean {
  try {
    ctx.authorize('ecr:SetRepositoryPolicy', repository.arn, {
      resourcePolicy: text,
      resourceAccountId: repository.registryId,
    });
    return false;
  } catch (e) {
    if (e instanceof AwsError) return true;
    throw e;
  }
}

function repositoryOutput(r: Repository) {
  return {
    repositoryArn: r.arn,
    registryId: r.registryId,
    repositoryName: r.name,
    repositoryUri: r.uri,
    createdAt: r.createdAt,
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { ...r.encryption },
  };
}

function imageDetail(r: Repository, image: Image) {
  const scan = image.scan;
  const completed =
    scan && (scan.status === 'COMPLETE' || scan.status === 'ACTIVE');
  return {
    registryId: r.registryId,
    repositoryName: r.name,
    imageDigest: image.digest,
    imageTags: image.tags.length > 0 ? [...image.tags] : undefined,
    imageSizeInBytes: image.sizeBytes,
    imagePushedAt: image.pushedAt,
    imageScanStatus: scan
      ? { status: scan.status, description: scan.description }
      : undefined,
    imageScanFindingsSummary: completed
      ? {
          imageScanCompletedAt: scan.completedAt,
          vulnerabilitySourceUpdatedAt: scan.vulnerabilitySourceUpdatedAt,
          findingSeverityCounts: { ...scan.severityCounts },
        }
      : undefined,
    imageManifestMediaType: image.manifestMediaType,
    artifactMediaType: image.artifactMediaType,
    lastRecordedPullTime: image.lastPulledAt,
  };
}

const detailCache = new WeakMap<Image, { key: string; json: Buffer }>();

/**
 * An image's ImageDetail as JSON, cached until something it shows changes (tags, last pull,
 * scan status): DescribeImages pages of 1,000 then cost a join rather than a serialization.
 */
function imageDetailJson(r: Repository, image: Image): Buffer {
  const key = `${r.name}|${image.tags.join(
    ',',
  )}|${image.lastPulledAt?.getTime()}|${image.scan?.status}`;
  const cached = detailCache.get(image);
  if (cached && cached.key === key) return cached.json;
  const json = Buffer.from(encodeJson(imageDetail(r, image)));
  detailCache.set(image, { key, json });
  return json;
}

function matchesTagStatus(image: Image, status: string | undefined): boolean {
  if (status === 'TAGGED') return image.tags.length > 0;
  if (status === 'UNTAGGED') return image.tags.length === 0;
  return true;
}

/** Finds an image by digest and/or tag; both given must agree. */
function lookupImage(
  r: Repository,
  id: { imageDigest?: string; imageTag?: string },
): Image | undefined {
  const byDigest = id.imageDigest ? r.byDigest.get(id.imageDigest) : undefined;
  const byTag = id.imageTag ? r.byTag.get(id.imageTag) : undefined;
  if (id.imageDigest && id.imageTag)
    return byDigest === byTag ? byDigest : undefined;
  return byDigest ?? byTag;
}

function imageNotFound(
  r: Repository,
  id: { imageDigest?: string; imageTag?: string },
) {
  return error(
    'ImageNotFoundException',
    `The image with imageId ${describeImageId(
      id,
    )} does not exist within the repository with name '${
      r.name
    }' in the registry with id '${r.registryId}'`,
  );
}

function invalidToken() {
  return invalidParameter('nextToken', 'Invalid NextToken');
}

/** A tag key ECR accepts: 1..128 characters, not in the prefix AWS reserves. */
function checkTagKey(key: string | undefined): string {
  if (!key || key.length > 128 || key.toLowerCase().startsWith('aws:')) {
    throw error('InvalidTagParameterException', 'Invalid parameter at tagKey');
  }
  return key;
}

function checkTags(tags: Array<{ Key?: string; Value?: string }>): Tag[] {
  for (const tag of tags) {
    checkTagKey(tag.Key);
    if (tag.Value === undefined || tag.Value.length > 256) {
      throw error(
        'InvalidTagParameterException',
        'Invalid parameter at tagValue',
      );
    }
  }
  return tags.map(t => ({ Key: t.Key!, Value: t.Value! }));
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = new Map(existing.map(t => [t.Key, t.Value]));
  for (const tag of added) merged.set(tag.Key, tag.Value);
  if (merged.size > 50) {
    throw error(
      'TooManyTagsException',
      'A maximum of 50 tags is allowed per resource.',
    );
  }
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** TagResource, UntagResource and ListTagsForResource name the repository by ARN. */
function repositoryFromArn(arn: string, ctx: OperationContext): Repository {
  const parsed = parseArn(arn);
  const match = parsed && /^repository\/(.+)$/.exec(parsed.resource);
  if (!parsed || parsed.service !== 'ecr' || !match) {
    throw invalidParameter('resourceArn', 'Invalid ARN');
  }
  const account = ctx.state.accounts.get(parsed.account);
  const repository = account
    ? registryOf(account, parsed.region).repositories.get(match[1])
    : undefined;
  if (!repository) throw repositoryNotFound(match[1], parsed.account);
  return repository;
}

function arnResource(
  input: Record<string, any>,
  ctx: OperationContext,
): ResourceTarget {
  const parsed = parseArn(input.resourceArn);
  const match = parsed && /^repository\/(.+)$/.exec(parsed.resource);
  const account = parsed && ctx.state.accounts.get(parsed.account);
  const repository =
    match && account
      ? registryOf(account, parsed.region).repositories.get(match[1])
      : undefined;
  return {
    resource: input.resourceArn,
    resourcePolicy: repository?.policyText,
    resourceAccountId: parsed?.account,
  };
}

/** The checks ECR makes of a lifecycle policy before it accepts it. */
function validateLifecyclePolicy(text: string): void {
  const fail = (why: string) =>
    invalidParameter(
      'lifecyclePolicyText',
      `Lifecycle policy validation failure: ${why}`,
    );
  let policy: any;
  try {
    policy = JSON.parse(text);
  } catch {
    throw fail('Could not parse the lifecycle policy text as JSON.');
  }
  if (!Array.isArray(policy?.rules) || policy.rules.length === 0) {
    throw fail('object has missing required properties (["rules"])');
  }
  const priorities = new Set<number>();
  for (const rule of policy.rules) {
    if (!Number.isInteger(rule?.rulePriority) || rule.rulePriority < 1) {
      throw fail('rulePriority must be a positive integer');
    }
    if (priorities.has(rule.rulePriority)) {
      throw fail(`rulePriority ${rule.rulePriority} is used more than once`);
    }
    priorities.add(rule.rulePriority);
    const s = rule.selection;
    if (!s || !['tagged', 'untagged', 'any'].includes(s.tagStatus)) {
      throw fail('selection.tagStatus must be one of tagged, untagged, any');
    }
    if (s.tagStatus === 'tagged' && !s.tagPrefixList && !s.tagPatternList) {
      throw fail(
        'tagPrefixList or tagPatternList is required when tagStatus is tagged',
      );
    }
    if (!['imageCountMoreThan', 'sinceImagePushed'].includes(s.countType)) {
      throw fail(
        'selection.countType must be imageCountMoreThan or sinceImagePushed',
      );
    }
    if (s.countType === 'sinceImagePushed' && s.countUnit !== 'days') {
      throw fail('countUnit must be days when countType is sinceImagePushed');
    }
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1) {
      throw fail('selection.countNumber must be a positive integer');
    }
    if (rule.action?.type !== 'expire') {
      throw fail('action.type must be expire');
    }
  }
}

function setTag(r: Repository, image: Image, tag: string) {
  const holder = r.byTag.get(tag);
  if (holder && holder !== image) {
    if (r.imageTagMutability === 'IMMUTABLE') {
      throw error(
        'ImageTagAlreadyExistsException',
        `The image tag '${tag}' already exists in the '${r.name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
    holder.tags = holder.tags.filter(t => t !== tag);
  }
  if (!image.tags.includes(tag)) image.tags.push(tag);
  r.byTag.set(tag, image);
}

const operations: Record<string, Operation> = {
  CreateRepository: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        tags: tagList,
        imageTagMutability,
        imageScanningConfiguration,
        encryptionConfiguration: shape.structure(
          {
            encryptionType: shape.string({ enum: ['AES256', 'KMS'] }),
            kmsKey: shape.string({ min: 1, max: 2048 }),
          },
          ['encryptionType'],
        ),
      },
      ['repositoryName'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const registry = registryIdOf(input, ctx);
      const account = ctx.state.accounts.get(registry);
      if (!account) {
        throw invalidParameter(
          'registryId',
          `Registry ${registry} does not exist`,
        );
      }
      const repositories = registryOf(account, ctx.region).repositories;
      if (repositories.has(input.repositoryName)) {
        throw error(
          'RepositoryAlreadyExistsException',
          `The repository with name '${input.repositoryName}' already exists in the registry with id '${registry}'`,
        );
      }
      const encryption = input.encryptionConfiguration;
      if (encryption?.kmsKey && encryption.encryptionType !== 'KMS') {
        throw invalidParameter(
          'encryptionConfiguration.kmsKey',
          'kmsKey can only be specified when encryptionType is KMS',
        );
      }
      const tags = mergeTags([], checkTags(input.tags ?? []));
      const repository = newRepository(
        registry,
        ctx.region,
        input.repositoryName,
        {
          createdAt: ctx.now,
          imageTagMutability: input.imageTagMutability,
          scanOnPush: input.imageScanningConfiguration?.scanOnPush,
          encryption:
            encryption?.encryptionType === 'KMS'
              ? {
                  encryptionType: 'KMS',
                  kmsKey:
                    encryption.kmsKey ??
                    `arn:aws:kms:${ctx.region}:${registry}:key/${randomUUID()}`,
                }
              : { encryptionType: 'AES256' },
          tags,
        },
      );
      repositories.set(repository.name, repository);
      return { repository: repositoryOutput(repository) };
    },
  },

  DescribeRepositories: {
    input: shape.structure({
      registryId,
      repositoryNames: shape.list(repositoryName, { min: 1, max: 100 }),
      nextToken,
      maxResults,
    }),
    resources(input, ctx) {
      const registry = registryIdOf(input, ctx);
      if (!input.repositoryNames) {
        return {
          resource: repositoryArn(ctx.region, registry, '*'),
          resourceAccountId: registry,
        };
      }
      return input.repositoryNames.map((name: string) =>
        repositoryResource({ ...input, repositoryName: name }, ctx),
      );
    },
    handler(input, ctx) {
      const registry = registryIdOf(input, ctx);
      const account = targetAccount(input, ctx);
      const repositories = account
        ? registryOf(account, ctx.region).repositories
        : new Map<string, Repository>();
      if (input.repositoryNames) {
        if (input.maxResults !== undefined || input.nextToken !== undefined) {
          throw invalidParameter(
            'maxResults',
            'maxResults and nextToken cannot be used when repositoryNames is specified',
          );
        }
        const found = input.repositoryNames.map((name: string) => {
          const r = repositories.get(name);
          if (!r) throw repositoryNotFound(name, registry);
          return repositoryOutput(r);
        });
        return { repositories: found };
      }
      const page = paginate(
        [...repositories.values()],
        {
          token: input.nextToken,
          max: input.maxResults,
          defaultMax: 100,
          scope: `DescribeRepositories/${registry}/${ctx.region}`,
        },
        invalidToken,
      );
      return {
        repositories: page.items.map(repositoryOutput),
        nextToken: page.next,
      };
    },
  },

  DeleteRepository: {
    input: shape.structure(
      { registryId, repositoryName, force: shape.boolean() },
      ['repositoryName'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      if (repository.images.length > 0 && !input.force) {
        throw error(
          'RepositoryNotEmptyException',
          `The repository with name '${repository.name}' in registry with id '${repository.registryId}' cannot be deleted because it still contains images`,
        );
      }
      const account = targetAccount(input, ctx)!;
      registryOf(account, ctx.region).repositories.delete(repository.name);
      return { repository: repositoryOutput(repository) };
    },
  },

  DescribeImages: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        imageIds: imageIdentifierList,
        nextToken,
        maxResults,
        filter: shape.structure({ tagStatus }),
      },
      ['repositoryName'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const status: string | undefined = input.filter?.tagStatus;
      if (input.imageIds) {
        if (input.maxResults !== undefined || input.nextToken !== undefined) {
          throw invalidParameter(
            'maxResults',
            'maxResults and nextToken cannot be used when imageIds is specified',
          );
        }
        const seen = new Set<Image>();
        const details = [];
        for (const id of input.imageIds) {
          const image = lookupImage(repository, id);
          if (!image) throw imageNotFound(repository, id);
          if (seen.has(image) || !matchesTagStatus(image, status)) continue;
          seen.add(image);
          details.push(imageDetail(repository, image));
        }
        return { imageDetails: details };
      }
      const images =
        status && status !== 'ANY'
          ? repository.images.filter(i => matchesTagStatus(i, status))
          : repository.images;
      const page = paginate(
        images,
        {
          token: input.nextToken,
          max: input.maxResults,
          defaultMax: 100,
          scope: `DescribeImages/${repository.arn}/${status ?? 'ANY'}`,
        },
        invalidToken,
      );
      return jsonListPage(
        'imageDetails',
        page.items.map(i => imageDetailJson(repository, i)),
        page.next,
      );
    },
  },

  ListImages: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        nextToken,
        maxResults,
        filter: shape.structure({ tagStatus }),
      },
      ['repositoryName'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const status: string | undefined = input.filter?.tagStatus;
      const ids: Array<{ imageDigest: string; imageTag?: string }> = [];
      for (const image of repository.images) {
        if (!matchesTagStatus(image, status)) continue;
        if (image.tags.length === 0) ids.push({ imageDigest: image.digest });
        for (const tag of image.tags)
          ids.push({ imageDigest: image.digest, imageTag: tag });
      }
      const page = paginate(
        ids,
        {
          token: input.nextToken,
          max: input.maxResults,
          defaultMax: 100,
          scope: `ListImages/${repository.arn}/${status ?? 'ANY'}`,
        },
        invalidToken,
      );
      return { imageIds: page.items, nextToken: page.next };
    },
  },

  BatchGetImage: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        imageIds: imageIdentifierList,
        acceptedMediaTypes: shape.list(shape.string(), { min: 1, max: 100 }),
      },
      ['repositoryName', 'imageIds'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const images = [];
      const failures: Array<Record<string, unknown>> = [];
      for (const id of input.imageIds as Array<{
        imageDigest?: string;
        imageTag?: string;
      }>) {
        const failure = (failureCode: string, failureReason: string) =>
          failures.push({ imageId: id, failureCode, failureReason });
        if (!id.imageDigest && !id.imageTag) {
          failure('MissingDigestAndTag', 'Missing both digest and tag');
          continue;
        }
        if (id.imageDigest && !DIGEST_PATTERN.test(id.imageDigest)) {
          failure('InvalidImageDigest', 'Invalid image digest');
          continue;
        }
        const image = lookupImage(repository, id);
        if (!image) {
          const byDigest =
            id.imageDigest && repository.byDigest.get(id.imageDigest);
          if (byDigest && id.imageTag) {
            failure(
              'ImageTagDoesNotMatchDigest',
              'Image tag does not match digest',
            );
          } else {
            failure('ImageNotFound', 'Requested image not found');
          }
          continue;
        }
        // Docker pulls go through BatchGetImage: this is what ECR records as the last pull.
        image.lastPulledAt = ctx.now;
        images.push({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: { imageDigest: image.digest, imageTag: id.imageTag },
          imageManifest: image.manifest,
          imageManifestMediaType: image.manifestMediaType,
        });
      }
      return { images, failures };
    },
  },

  PutImage: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        imageManifest: shape.string({ min: 1, max: 4194304 }),
        imageManifestMediaType: shape.string(),
        imageTag,
        imageDigest: shape.string(),
      },
      ['repositoryName', 'imageManifest'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const text: string = input.imageManifest;
      let manifest: any;
      try {
        manifest = JSON.parse(text);
      } catch {
        throw invalidParameter('imageManifest', 'Invalid JSON syntax');
      }
      if (typeof manifest !== 'object' || manifest === null) {
        throw invalidParameter('imageManifest', 'Invalid JSON syntax');
      }
      const declared: string | undefined = manifest.mediaType;
      if (
        declared &&
        input.imageManifestMediaType &&
        declared !== input.imageManifestMediaType
      ) {
        throw invalidParameter(
          'imageManifestMediaType',
          'Manifest MediaType must match the provided imageManifestMediaType',
        );
      }
      const mediaType: string =
        input.imageManifestMediaType ??
        declared ??
        (manifest.schemaVersion === 1
          ? 'application/vnd.docker.distribution.manifest.v1+json'
          : DOCKER_MANIFEST);
      const digest = `sha256:${createHash('sha256')
        .update(text)
        .digest('hex')}`;
      if (input.imageDigest && input.imageDigest !== digest) {
        throw error(
          'ImageDigestDoesNotMatchException',
          `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The provided digest ${input.imageDigest} does not match the digest computed from the manifest ${digest}'`,
        );
      }

      let sizeBytes = 0;
      if (Array.isArray(manifest.manifests)) {
        // A manifest list or image index refers to images that must already be here.
        const missing = manifest.manifests
          .map((m: any) => m?.digest)
          .filter((d: any) => !repository.byDigest.has(d));
        if (missing.length > 0) {
          throw error(
            'ReferencedImagesNotFoundException',
            `Some of the images referenced by the manifest list or image index do not exist in the repository: '[${missing.join(
              ', ',
            )}]'`,
          );
        }
        for (const m of manifest.manifests) {
          sizeBytes += repository.byDigest.get(m.digest)!.sizeBytes;
        }
      } else {
        const blobs: Array<{
          digest?: string;
          size?: number;
          mediaType?: string;
        }> = [
          ...(manifest.config ? [manifest.config] : []),
          ...(Array.isArray(manifest.layers) ? manifest.layers : []),
          ...(Array.isArray(manifest.fsLayers)
            ? manifest.fsLayers.map((l: any) => ({ digest: l?.blobSum }))
            : []),
        ];
        const missing = blobs
          .map(b => b?.digest)
          .filter((d): d is string => !d || !repository.layers.has(d));
        if (missing.length > 0) {
          throw error(
            'LayersNotFoundException',
            `Layers with digests '[${missing.join(
              ', ',
            )}]' required for pushing image into repository with name '${
              repository.name
            }' in the registry with id '${repository.registryId}' do not exist`,
          );
        }
        for (const blob of blobs) {
          const known = repository.layers.get(blob.digest!)!;
          if (blob.mediaType) known.mediaType = blob.mediaType;
        }
        for (const layer of manifest.layers ?? []) {
          sizeBytes += repository.layers.get(layer.digest)!.size;
        }
      }

      const tag: string | undefined = input.imageTag;
      let image = repository.byDigest.get(digest);
      if (image) {
        if (!tag || image.tags.includes(tag)) {
          throw error(
            'ImageAlreadyExistsException',
            tag
              ? `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repository.name}' in registry with id '${repository.registryId}'`
              : `Image with digest '${digest}' already exists in the repository with name '${repository.name}' in registry with id '${repository.registryId}'`,
          );
        }
        setTag(repository, image, tag);
      } else {
        image = {
          digest,
          tags: [],
          sizeBytes,
          pushedAt: ctx.now,
          manifest: text,
          manifestMediaType: mediaType,
          artifactMediaType: manifest.config?.mediaType,
          scan: repository.scanOnPush ? cleanScan(ctx.now) : undefined,
        };
        if (tag) setTag(repository, image, tag);
        addImage(repository, image);
      }
      return {
        image: {
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: { imageDigest: digest, imageTag: tag },
          imageManifest: text,
          imageManifestMediaType: mediaType,
        },
      };
    },
  },

  BatchCheckLayerAvailability: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        layerDigests: shape.list(shape.string({ min: 0, max: 1000 }), {
          min: 1,
          max: 100,
        }),
      },
      ['repositoryName', 'layerDigests'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const layers = [];
      const failures = [];
      for (const digest of input.layerDigests as string[]) {
        if (!DIGEST_PATTERN.test(digest)) {
          failures.push({
            layerDigest: digest,
            failureCode: 'InvalidLayerDigest',
            failureReason: 'Invalid layer digest',
          });
          continue;
        }
        const layer = repository.layers.get(digest);
        if (!layer) {
          failures.push({
            layerDigest: digest,
            failureCode: 'MissingLayerDigest',
            failureReason: 'Could not find image layer',
          });
          continue;
        }
        layers.push({
          layerDigest: digest,
          layerAvailability: 'AVAILABLE',
          layerSize: layer.size,
          mediaType: layer.mediaType,
        });
      }
      return { layers, failures };
    },
  },

  InitiateLayerUpload: {
    input: shape.structure({ registryId, repositoryName }, ['repositoryName']),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const id = randomUUID();
      repository.uploads.set(id, { id, parts: [], received: 0 });
      return { uploadId: id, partSize: PART_SIZE };
    },
  },

  UploadLayerPart: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        uploadId,
        partFirstByte: shape.long({ min: 0 }),
        partLastByte: shape.long({ min: 0 }),
        layerPartBlob: shape.blob({ min: 0, max: 20971520 }),
      },
      [
        'repositoryName',
        'uploadId',
        'partFirstByte',
        'partLastByte',
        'layerPartBlob',
      ],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const upload = repository.uploads.get(input.uploadId);
      if (!upload) {
        throw error(
          'UploadNotFoundException',
          `The upload with id '${input.uploadId}' does not exist in the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
        );
      }
      const blob: Buffer = input.layerPartBlob;
      if (
        input.partFirstByte !== upload.received ||
        input.partLastByte !== input.partFirstByte + blob.length - 1
      ) {
        throw error(
          'InvalidLayerPartException',
          `The layer part with first byte ${input.partFirstByte} and last byte ${input.partLastByte} is not valid: the next part must start at byte ${upload.received} and cover the ${blob.length} bytes sent.`,
          {
            registryId: repository.registryId,
            repositoryName: repository.name,
            uploadId: upload.id,
            lastValidByteReceived: upload.received - 1,
          },
        );
      }
      upload.parts.push(blob);
      upload.received += blob.length;
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        uploadId: upload.id,
        lastByteReceived: input.partLastByte,
      };
    },
  },

  CompleteLayerUpload: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        uploadId,
        layerDigests: shape.list(layerDigest, { min: 1, max: 100 }),
      },
      ['repositoryName', 'uploadId', 'layerDigests'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const upload = repository.uploads.get(input.uploadId);
      if (!upload) {
        throw error(
          'UploadNotFoundException',
          `The upload with id '${input.uploadId}' does not exist in the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
        );
      }
      if (upload.received === 0) {
        throw error(
          'EmptyUploadException',
          `The layer upload '${upload.id}' is empty.`,
        );
      }
      const content = Buffer.concat(upload.parts);
      const computed = `sha256:${createHash('sha256')
        .update(content)
        .digest('hex')}`;
      const given: string = input.layerDigests[0];
      if (given !== computed) {
        throw error(
          'InvalidLayerException',
          `The calculated digest ${computed} does not match the provided digest ${given}.`,
        );
      }
      repository.uploads.delete(upload.id);
      if (repository.layers.has(computed)) {
        throw error(
          'LayerAlreadyExistsException',
          `The image layer '${computed}' already exists in the repository with name '${repository.name}' in registry with id '${repository.registryId}'`,
        );
      }
      repository.layers.set(computed, { size: content.length });
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        uploadId: upload.id,
        layerDigest: computed,
      };
    },
  },

  GetAuthorizationToken: {
    input: shape.structure({
      registryIds: shape.list(registryId, { min: 1, max: 10 }),
    }),
    resources: () => '*',
    handler(input, ctx) {
      const registries: string[] = input.registryIds ?? [ctx.account.id];
      const expiresAt = new Date(ctx.now.getTime() + TOKEN_LIFETIME_MS);
      return {
        authorizationData: registries.map(registry => {
          // Not a usable registry credential, but shaped like one: opaque base64 after "AWS:".
          const password = Buffer.from(
            JSON.stringify({
              payload: randomBytes(48).toString('base64'),
              principal: ctx.principal.arn,
              registry,
              expiration: Math.floor(expiresAt.getTime() / 1000),
            }),
          ).toString('base64');
          return {
            authorizationToken: Buffer.from(`AWS:${password}`).toString(
              'base64',
            ),
            expiresAt,
            proxyEndpoint: proxyEndpoint(ctx.region, registry),
          };
        }),
      };
    },
  },

  DescribeImageScanFindings: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        imageId: imageIdentifier,
        nextToken,
        maxResults,
      },
      ['repositoryName', 'imageId'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const id = input.imageId as { imageDigest?: string; imageTag?: string };
      if (!id.imageDigest && !id.imageTag) {
        throw invalidParameter(
          'imageId',
          'imageDigest or imageTag is required',
        );
      }
      const image = lookupImage(repository, id);
      if (!image) throw imageNotFound(repository, id);
      const scan = image.scan;
      if (!scan) {
        throw error(
          'ScanNotFoundException',
          `Image scan does not exist for the image with '${describeImageId(
            id,
          )}' in the repository with name '${
            repository.name
          }' in the registry with id '${repository.registryId}'`,
        );
      }
      const completed = scan.status === 'COMPLETE' || scan.status === 'ACTIVE';
      const list =
        scan.type === 'enhanced' ? scan.enhancedFindings : scan.findings;
      const page = paginate(
        completed ? list : [],
        {
          token: input.nextToken,
          max: input.maxResults,
          defaultMax: 100,
          scope: `DescribeImageScanFindings/${repository.arn}/${image.digest}`,
        },
        invalidToken,
      );
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageId: { imageDigest: image.digest, imageTag: id.imageTag },
        imageScanStatus: { status: scan.status, description: scan.description },
        imageScanFindings: completed
          ? {
              imageScanCompletedAt: scan.completedAt,
              vulnerabilitySourceUpdatedAt: scan.vulnerabilitySourceUpdatedAt,
              findingSeverityCounts: { ...scan.severityCounts },
              ...(scan.type === 'enhanced'
                ? { enhancedFindings: page.items }
                : { findings: page.items }),
            }
          : undefined,
        nextToken: page.next,
      };
    },
  },

  GetLifecyclePolicy: {
    input: shape.structure({ registryId, repositoryName }, ['repositoryName']),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      if (!repository.lifecyclePolicy) {
        throw error(
          'LifecyclePolicyNotFoundException',
          `Lifecycle policy does not exist for the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
        );
      }
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        lifecyclePolicyText: repository.lifecyclePolicy.text,
        lastEvaluatedAt: repository.lifecyclePolicy.lastEvaluatedAt,
      };
    },
  },

  PutLifecyclePolicy: {
    input: shape.structure(
      { registryId, repositoryName, lifecyclePolicyText },
      ['repositoryName', 'lifecyclePolicyText'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      validateLifecyclePolicy(input.lifecyclePolicyText);
      repository.lifecyclePolicy = { text: input.lifecyclePolicyText };
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        lifecyclePolicyText: input.lifecyclePolicyText,
      };
    },
  },

  PutImageScanningConfiguration: {
    input: shape.structure(
      { registryId, repositoryName, imageScanningConfiguration },
      ['repositoryName', 'imageScanningConfiguration'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      repository.scanOnPush =
        input.imageScanningConfiguration.scanOnPush ?? false;
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
      };
    },
  },

  PutImageTagMutability: {
    input: shape.structure({ registryId, repositoryName, imageTagMutability }, [
      'repositoryName',
      'imageTagMutability',
    ]),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      repository.imageTagMutability = input.imageTagMutability;
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageTagMutability: repository.imageTagMutability,
      };
    },
  },

  ListTagsForResource: {
    input: shape.structure({ resourceArn: shape.string() }, ['resourceArn']),
    resources: arnResource,
    handler(input, ctx) {
      const repository = repositoryFromArn(input.resourceArn, ctx);
      return { tags: repository.tags.map(t => ({ ...t })) };
    },
  },

  TagResource: {
    input: shape.structure({ resourceArn: shape.string(), tags: tagList }, [
      'resourceArn',
      'tags',
    ]),
    resources: arnResource,
    handler(input, ctx) {
      const repository = repositoryFromArn(input.resourceArn, ctx);
      repository.tags = mergeTags(repository.tags, checkTags(input.tags));
      return {};
    },
  },

  UntagResource: {
    input: shape.structure(
      { resourceArn: shape.string(), tagKeys: shape.list(shape.string()) },
      ['resourceArn', 'tagKeys'],
    ),
    resources: arnResource,
    handler(input, ctx) {
      const repository = repositoryFromArn(input.resourceArn, ctx);
      // ECR tag keys are case-sensitive; a key the repository does not have is no error.
      const removed = new Set((input.tagKeys as string[]).map(checkTagKey));
      repository.tags = repository.tags.filter(t => !removed.has(t.Key));
      return {};
    },
  },

  GetRepositoryPolicy: {
    input: shape.structure({ registryId, repositoryName }, ['repositoryName']),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      if (repository.policyText === undefined) {
        throw error(
          'RepositoryPolicyNotFoundException',
          `Repository policy does not exist for the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
        );
      }
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        policyText: repository.policyText,
      };
    },
  },

  SetRepositoryPolicy: {
    input: shape.structure(
      {
        registryId,
        repositoryName,
        policyText: repositoryPolicyText,
        force: shape.boolean(),
      },
      ['repositoryName', 'policyText'],
    ),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      try {
        checkRepositoryPolicy(input.policyText, ctx.state);
      } catch (e) {
        if (e instanceof RepositoryPolicyError) {
          throw invalidParameter('PolicyText', e.message);
        }
        throw e;
      }
      const text = formatRepositoryPolicy(input.policyText);
      if (!input.force && locksOut(ctx, repository, text)) {
        throw invalidParameter(
          'PolicyText',
          'The repository policy would prevent you from setting another policy in the future. Set force to apply it anyway.',
        );
      }
      repository.policyText = text;
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        policyText: text,
      };
    },
  },

  DeleteRepositoryPolicy: {
    input: shape.structure({ registryId, repositoryName }, ['repositoryName']),
    resources: repositoryResource,
    handler(input, ctx) {
      const repository = requireRepository(input, ctx);
      const text = repository.policyText;
      if (text === undefined) {
        throw error(
          'RepositoryPolicyNotFoundException',
          `Repository policy does not exist for the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
        );
      }
      repository.policyText = undefined;
      return {
        registryId: repository.registryId,
        repositoryName: repository.name,
        policyText: text,
      };
    },
  },
};

export const ecrService: ServiceDefinition = {
  name: 'ecr',
  protocol: 'json',
  targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
  errors: jsonDialect(validationError, {
    code: 'ServerException',
    status: 500,
  }),
  operations,
};
