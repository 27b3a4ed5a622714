import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidLayerException,
  InvalidLayerPartException,
  InvalidParameterException,
  InvalidTagParameterException,
  LayersNotFoundException,
  LifecyclePolicyNotFoundException,
  ListImagesCommand,
  ListTagsForResourceCommand,
  paginateDescribeImages,
  paginateDescribeImageScanFindings,
  paginateDescribeRepositories,
  paginateListImages,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  ScanNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  UploadLayerPartCommand,
  UploadNotFoundException,
} from '@aws-sdk/client-ecr';
import { createHash } from 'crypto';
import {
  ACCOUNT,
  clients,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from '../__testUtils__/emulator';

const emulator = useEmulator();
const ecr = () => clients(emulator().url).ecr;
const rootEcr = () => clients(emulator().url, KEYS.root).ecr;
const repoArn = (name: string) =>
  `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const sha256 = (data: Buffer | string) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'Expire untagged images after 14 days',
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 14,
      },
      action: { type: 'expire' },
    },
  ],
});

afterEach(() => emulator().reset());

describe('repositories', () => {
  it('describes every repository of the demo account and region', async () => {
    const { repositories } = await ecr().send(
      new DescribeRepositoriesCommand({}),
    );
    expect(repositories?.map(r => r.repositoryName)).toEqual([
      'proof-of-concept-repo',
      'payments-api',
      'notifications-worker',
      'checkout-web',
      'search-indexer',
      'reporting-api',
      'image-resizer',
      'legacy-batch-jobs',
      'old-frontend-2019',
      'sandbox-experiments',
      'data-pipeline-base',
      'ledger-service',
    ]);
  });

  it('describes a repository with its settings, ARN, URI and creation time as a Date', async () => {
    const { repositories } = await ecr().send(
      new DescribeRepositoriesCommand({ repositoryNames: ['payments-api'] }),
    );
    expect(repositories?.[0]).toMatchObject({
      repositoryArn: repoArn('payments-api'),
      registryId: ACCOUNT,
      repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api`,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(repositories?.[0].createdAt).toBeInstanceOf(Date);
  });

  it('reports KMS encryption with its key', async () => {
    const { repositories } = await ecr().send(
      new DescribeRepositoriesCommand({
        repositoryNames: ['old-frontend-2019'],
      }),
    );
    expect(repositories?.[0].encryptionConfiguration).toEqual({
      encryptionType: 'KMS',
      kmsKey: expect.stringMatching(
        /^arn:aws:kms:eu-west-2:123412341234:key\//,
      ),
    });
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const error = await errorOf(
      ecr().send(
        new DescribeRepositoriesCommand({
          repositoryNames: ['inventory-service'],
        }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryNotFoundException);
    expect(error.message).toBe(
      "The repository with name 'inventory-service' does not exist in the registry with id '123412341234'",
    );
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('pages through repositories with the SDK paginator', async () => {
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeRepositories(
      { client: ecr(), pageSize: 2 },
      {},
    )) {
      pages++;
      names.push(...(page.repositories ?? []).map(r => r.repositoryName!));
    }
    expect(pages).toBe(6);
    expect(names).toHaveLength(12);
  });

  it('is empty in a region the seed does not use', async () => {
    const client = clients(emulator().url, KEYS.backstage, 'us-east-1').ecr;
    const { repositories } = await client.send(
      new DescribeRepositoriesCommand({}),
    );
    expect(repositories).toEqual([]);
  });

  it('rejects maxResults above 1000 as AWS does', async () => {
    const error = await errorOf(
      ecr().send(new DescribeRepositoriesCommand({ maxResults: 1001 })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe(
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
    );
  });

  it('rejects maxResults of 0', async () => {
    const error = await errorOf(
      ecr().send(new DescribeRepositoriesCommand({ maxResults: 0 })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('rejects a nextToken it did not issue', async () => {
    const error = await errorOf(
      ecr().send(new DescribeRepositoriesCommand({ nextToken: 'not-a-token' })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('creates a repository with the settings asked for', async () => {
    const { repository } = await ecr().send(
      new CreateRepositoryCommand({
        repositoryName: 'inventory-service',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'AES256' },
        tags: [
          {
            Key: 'backstage.io/entity',
            Value: 'component:default/inventory-service',
          },
        ],
      }),
    );
    expect(repository).toMatchObject({
      repositoryName: 'inventory-service',
      repositoryArn: repoArn('inventory-service'),
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    });
    const tags = await ecr().send(
      new ListTagsForResourceCommand({
        resourceArn: repoArn('inventory-service'),
      }),
    );
    expect(tags.tags).toEqual([
      {
        Key: 'backstage.io/entity',
        Value: 'component:default/inventory-service',
      },
    ]);
  });

  it('creates with AWS defaults when nothing is asked for', async () => {
    const { repository } = await ecr().send(
      new CreateRepositoryCommand({ repositoryName: 'team-a/new-service' }),
    );
    expect(repository).toMatchObject({
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it('refuses to create a repository that exists', async () => {
    const error = await errorOf(
      ecr().send(
        new CreateRepositoryCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryAlreadyExistsException);
  });

  it('refuses repository names outside the pattern', async () => {
    const error = await errorOf(
      ecr().send(
        new CreateRepositoryCommand({ repositoryName: 'Payments_API' }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toContain("Invalid parameter at 'repositoryName'");
  });

  it('refuses a repository name shorter than two characters', async () => {
    const error = await errorOf(
      ecr().send(new CreateRepositoryCommand({ repositoryName: 'a' })),
    );
    expect(error.message).toContain(
      'Member must have length greater than or equal to 2',
    );
  });

  it('deletes an empty repository but not one with images unless forced', async () => {
    await ecr().send(
      new CreateRepositoryCommand({ repositoryName: 'scratch' }),
    );
    await rootEcr().send(
      new DeleteRepositoryCommand({ repositoryName: 'scratch' }),
    );
    const notEmpty = await errorOf(
      rootEcr().send(
        new DeleteRepositoryCommand({ repositoryName: 'legacy-batch-jobs' }),
      ),
    );
    expect(notEmpty).toBeInstanceOf(RepositoryNotEmptyException);
    const { repository } = await rootEcr().send(
      new DeleteRepositoryCommand({
        repositoryName: 'legacy-batch-jobs',
        force: true,
      }),
    );
    expect(repository?.repositoryName).toBe('legacy-batch-jobs');
  });
});

describe('images', () => {
  it('describes the guide repository, including tag fcd3f42 and an untagged image', async () => {
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({ repositoryName: 'proof-of-concept-repo' }),
    );
    expect(imageDetails!.length).toBeGreaterThanOrEqual(6);
    expect(imageDetails!.some(i => i.imageTags?.includes('fcd3f42'))).toBe(
      true,
    );
    expect(imageDetails!.some(i => i.imageTags === undefined)).toBe(true);
  });

  it('does not return the newest image first', async () => {
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({ repositoryName: 'proof-of-concept-repo' }),
    );
    const times = imageDetails!.map(i => i.imagePushedAt!.getTime());
    expect(times[0]).not.toBe(Math.max(...times));
  });

  it('answers image details with sizes, times as Dates, media types and scan summaries', async () => {
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: 'fcd3f42' }],
      }),
    );
    const image = imageDetails![0];
    expect(image).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: 'proof-of-concept-repo',
      imageDigest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
      imageTags: ['fcd3f42'],
      imageSizeInBytes: 112845127,
      imageManifestMediaType:
        'application/vnd.docker.distribution.manifest.v2+json',
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindingsSummary: {
        findingSeverityCounts: { CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1 },
      },
    });
    expect(image.imagePushedAt).toBeInstanceOf(Date);
    expect(image.lastRecordedPullTime).toBeInstanceOf(Date);
  });

  it('reports a failed scan without a findings summary', async () => {
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: 'a41c2d9' }],
      }),
    );
    expect(imageDetails![0].imageScanStatus?.status).toBe('FAILED');
    expect(imageDetails![0].imageScanFindingsSummary).toBeUndefined();
  });

  it('filters untagged images', async () => {
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        filter: { tagStatus: 'UNTAGGED' },
      }),
    );
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails![0].imageTags).toBeUndefined();
  });

  it('filters tagged images', async () => {
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        filter: { tagStatus: 'TAGGED' },
      }),
    );
    expect(imageDetails!.every(i => i.imageTags!.length > 0)).toBe(true);
  });

  it('answers ImageNotFoundException for an unknown tag in imageIds', async () => {
    const error = await errorOf(
      ecr().send(
        new DescribeImagesCommand({
          repositoryName: 'proof-of-concept-repo',
          imageIds: [{ imageTag: 'nope' }],
        }),
      ),
    );
    expect(error).toBeInstanceOf(ImageNotFoundException);
    expect(error.message).toBe(
      "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository with name 'proof-of-concept-repo' in the registry with id '123412341234'",
    );
  });

  it('answers RepositoryNotFoundException for images of a missing repository', async () => {
    const error = await errorOf(
      ecr().send(
        new DescribeImagesCommand({ repositoryName: 'inventory-service' }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryNotFoundException);
  });

  it('pages through images with the SDK paginator', async () => {
    const digests: string[] = [];
    for await (const page of paginateDescribeImages(
      { client: ecr(), pageSize: 2 },
      { repositoryName: 'proof-of-concept-repo' },
    )) {
      expect(page.imageDetails!.length).toBeLessThanOrEqual(2);
      digests.push(...page.imageDetails!.map(i => i.imageDigest!));
    }
    expect(new Set(digests).size).toBe(7);
  });

  it('lists image ids, one per tag, and untagged ones by digest', async () => {
    const ids = [];
    for await (const page of paginateListImages(
      { client: ecr(), pageSize: 3 },
      { repositoryName: 'proof-of-concept-repo' },
    )) {
      ids.push(...page.imageIds!);
    }
    expect(ids.filter(i => i.imageTag === undefined)).toHaveLength(1);
    expect(
      ids.filter(i => i.imageTag === 'latest' || i.imageTag === '9b1e7c0'),
    ).toHaveLength(2);
  });

  it('lists only tagged image ids when asked', async () => {
    const { imageIds } = await ecr().send(
      new ListImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        filter: { tagStatus: 'TAGGED' },
      }),
    );
    expect(imageIds!.every(i => i.imageTag)).toBe(true);
  });

  it('gets manifests and reports missing images as failures', async () => {
    const { images, failures } = await ecr().send(
      new BatchGetImageCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: 'fcd3f42' }, { imageTag: 'missing' }],
      }),
    );
    expect(images).toHaveLength(1);
    expect(JSON.parse(images![0].imageManifest!).schemaVersion).toBe(2);
    expect(failures).toEqual([
      {
        imageId: { imageTag: 'missing' },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found',
      },
    ]);
  });

  it('records a pull when a manifest is fetched', async () => {
    const before = Date.now();
    await ecr().send(
      new BatchGetImageCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: '3e8f5b1' }],
      }),
    );
    const { imageDetails } = await ecr().send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: '3e8f5b1' }],
      }),
    );
    expect(
      imageDetails![0].lastRecordedPullTime!.getTime(),
    ).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe('scan findings', () => {
  it('answers basic findings with the summary', async () => {
    const result = await ecr().send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'proof-of-concept-repo',
        imageId: { imageTag: 'fcd3f42' },
      }),
    );
    expect(result.imageScanStatus?.status).toBe('COMPLETE');
    expect(result.imageScanFindings?.findingSeverityCounts).toEqual({
      CRITICAL: 1,
      HIGH: 2,
      MEDIUM: 1,
      LOW: 1,
    });
    expect(result.imageScanFindings?.findings?.[0]).toMatchObject({
      name: 'CVE-2023-38545',
      severity: 'CRITICAL',
      attributes: expect.arrayContaining([
        { key: 'package_name', value: 'curl' },
      ]),
    });
  });

  it('answers enhanced findings for an Inspector-scanned image', async () => {
    const result = await ecr().send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'payments-api',
        imageId: { imageTag: 'v1.4.2' },
      }),
    );
    expect(result.imageScanStatus?.status).toBe('ACTIVE');
    expect(result.imageScanFindings?.enhancedFindings?.[0]).toMatchObject({
      severity: 'HIGH',
      packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2024-2961' },
      remediation: {
        recommendation: { text: expect.stringContaining('2.36-9+deb12u7') },
      },
    });
    expect(
      result.imageScanFindings?.enhancedFindings?.[0].firstObservedAt,
    ).toBeInstanceOf(Date);
  });

  it('pages through findings with the SDK paginator', async () => {
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeImageScanFindings(
      { client: ecr(), pageSize: 2 },
      {
        repositoryName: 'proof-of-concept-repo',
        imageId: { imageTag: 'fcd3f42' },
      },
    )) {
      pages++;
      names.push(...(page.imageScanFindings?.findings ?? []).map(f => f.name!));
    }
    expect(pages).toBe(3);
    expect(names).toHaveLength(5);
  });

  it('answers ScanNotFoundException for an image never scanned', async () => {
    const error = await errorOf(
      ecr().send(
        new DescribeImageScanFindingsCommand({
          repositoryName: 'proof-of-concept-repo',
          imageId: { imageTag: '3e8f5b1' },
        }),
      ),
    );
    expect(error).toBeInstanceOf(ScanNotFoundException);
  });

  it('answers a failed scan with its status and no findings', async () => {
    const result = await ecr().send(
      new DescribeImageScanFindingsCommand({
        repositoryName: 'proof-of-concept-repo',
        imageId: { imageTag: 'a41c2d9' },
      }),
    );
    expect(result.imageScanStatus?.status).toBe('FAILED');
    expect(result.imageScanFindings).toBeUndefined();
  });
});

describe('repository settings', () => {
  it('answers LifecyclePolicyNotFoundException when there is none', async () => {
    const error = await errorOf(
      ecr().send(
        new GetLifecyclePolicyCommand({
          repositoryName: 'proof-of-concept-repo',
        }),
      ),
    );
    expect(error).toBeInstanceOf(LifecyclePolicyNotFoundException);
  });

  it('answers the seeded lifecycle policy', async () => {
    const result = await ecr().send(
      new GetLifecyclePolicyCommand({ repositoryName: 'payments-api' }),
    );
    expect(JSON.parse(result.lifecyclePolicyText!).rules).toHaveLength(2);
  });

  it('puts a lifecycle policy and answers it back', async () => {
    await ecr().send(
      new PutLifecyclePolicyCommand({
        repositoryName: 'proof-of-concept-repo',
        lifecyclePolicyText: LIFECYCLE,
      }),
    );
    const result = await ecr().send(
      new GetLifecyclePolicyCommand({
        repositoryName: 'proof-of-concept-repo',
      }),
    );
    expect(result.lifecyclePolicyText).toBe(LIFECYCLE);
  });

  it('refuses a lifecycle policy text shorter than 100 characters', async () => {
    const error = await errorOf(
      ecr().send(
        new PutLifecyclePolicyCommand({
          repositoryName: 'proof-of-concept-repo',
          lifecyclePolicyText: '{"rules":[]}',
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toContain(
      'Member must have length greater than or equal to 100',
    );
  });

  it('refuses a lifecycle policy ECR would not accept', async () => {
    const bad = LIFECYCLE.replace('"expire"', '"archive"');
    const error = await errorOf(
      ecr().send(
        new PutLifecyclePolicyCommand({
          repositoryName: 'proof-of-concept-repo',
          lifecyclePolicyText: bad,
        }),
      ),
    );
    expect(error.message).toContain('Lifecycle policy validation failure');
  });

  it('turns scan on push on', async () => {
    const result = await ecr().send(
      new PutImageScanningConfigurationCommand({
        repositoryName: 'proof-of-concept-repo',
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    expect(result.imageScanningConfiguration).toEqual({ scanOnPush: true });
  });

  it('makes tags immutable', async () => {
    const result = await ecr().send(
      new PutImageTagMutabilityCommand({
        repositoryName: 'proof-of-concept-repo',
        imageTagMutability: 'IMMUTABLE',
      }),
    );
    expect(result.imageTagMutability).toBe('IMMUTABLE');
    const { repositories } = await ecr().send(
      new DescribeRepositoriesCommand({
        repositoryNames: ['proof-of-concept-repo'],
      }),
    );
    expect(repositories![0].imageTagMutability).toBe('IMMUTABLE');
  });

  it('refuses a tag mutability outside the enum', async () => {
    const error = await errorOf(
      ecr().send(
        new PutImageTagMutabilityCommand({
          repositoryName: 'proof-of-concept-repo',
          imageTagMutability: 'SOMETIMES' as any,
        }),
      ),
    );
    expect(error.message).toContain(
      'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]',
    );
  });

  it('adds tags, overwriting values of the same key', async () => {
    await ecr().send(
      new TagResourceCommand({
        resourceArn: repoArn('payments-api'),
        tags: [
          { Key: 'team', Value: 'payments' },
          { Key: 'cost-centre', Value: '42' },
        ],
      }),
    );
    const { tags } = await ecr().send(
      new ListTagsForResourceCommand({ resourceArn: repoArn('payments-api') }),
    );
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'payments' },
        { Key: 'cost-centre', Value: '42' },
      ]),
    );
  });

  it('answers RepositoryNotFoundException when tagging a missing repository', async () => {
    const error = await errorOf(
      ecr().send(
        new TagResourceCommand({
          resourceArn: repoArn('inventory-service'),
          tags: [{ Key: 'a', Value: 'b' }],
        }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryNotFoundException);
  });

  it('answers RepositoryPolicyNotFoundException when there is no repository policy', async () => {
    const error = await errorOf(
      ecr().send(
        new GetRepositoryPolicyCommand({ repositoryName: 'payments-api' }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryPolicyNotFoundException);
  });

  it('answers a seeded repository policy', async () => {
    const { policyText } = await ecr().send(
      new GetRepositoryPolicyCommand({ repositoryName: 'legacy-batch-jobs' }),
    );
    expect(JSON.parse(policyText!).Statement[0].Sid).toBe(
      'AllowPullFromDataAccount',
    );
  });
});

describe('repository tags', () => {
  const ENTITY = {
    Key: 'backstage.io/entity-ref',
    Value: 'component:default/payments-api',
  };
  const OWNER = { Key: 'backstage.io/owner', Value: 'group:default/team-b' };
  const tagsOf = async (name: string) =>
    (
      await ecr().send(
        new ListTagsForResourceCommand({ resourceArn: repoArn(name) }),
      )
    ).tags;

  it("lists the demo seed's binding tags, also to the read-only user", async () => {
    expect(await tagsOf('payments-api')).toEqual([ENTITY, OWNER]);
    const readonly = clients(emulator().url, KEYS.readonly).ecr;
    const { tags } = await readonly.send(
      new ListTagsForResourceCommand({
        resourceArn: repoArn('proof-of-concept-repo'),
      }),
    );
    expect(tags).toEqual([
      {
        Key: 'backstage.io/entity-ref',
        Value: 'component:default/proof-of-concept',
      },
    ]);
    expect(await tagsOf('checkout-web')).toEqual([]);
  });

  it('removes tags by key; keys the repository does not have are no error', async () => {
    await rootEcr().send(
      new UntagResourceCommand({
        resourceArn: repoArn('payments-api'),
        tagKeys: ['backstage.io/owner', 'never-set'],
      }),
    );
    expect(await tagsOf('payments-api')).toEqual([ENTITY]);
  });

  it('matches keys case-sensitively, as ECR does', async () => {
    await rootEcr().send(
      new UntagResourceCommand({
        resourceArn: repoArn('payments-api'),
        tagKeys: ['BACKSTAGE.IO/OWNER'],
      }),
    );
    expect(await tagsOf('payments-api')).toEqual([ENTITY, OWNER]);
  });

  it('tags and untags a repository back to no tags', async () => {
    await ecr().send(
      new TagResourceCommand({
        resourceArn: repoArn('checkout-web'),
        tags: [{ Key: 'backstage.io/owner', Value: 'group:default/team-a' }],
      }),
    );
    expect(await tagsOf('checkout-web')).toHaveLength(1);
    await rootEcr().send(
      new UntagResourceCommand({
        resourceArn: repoArn('checkout-web'),
        tagKeys: ['backstage.io/owner'],
      }),
    );
    expect(await tagsOf('checkout-web')).toEqual([]);
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const error = await errorOf(
      rootEcr().send(
        new UntagResourceCommand({
          resourceArn: repoArn('inventory-service'),
          tagKeys: ['a'],
        }),
      ),
    );
    expect(error).toBeInstanceOf(RepositoryNotFoundException);
  });

  it('answers InvalidParameterException for an ARN that is no repository', async () => {
    const error = await errorOf(
      rootEcr().send(
        new UntagResourceCommand({
          resourceArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:image/payments-api`,
          tagKeys: ['a'],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it.each([['aws:createdBy'], [''], ['k'.repeat(129)]])(
    'answers InvalidTagParameterException for the key %p, removing nothing',
    async key => {
      const error = await errorOf(
        rootEcr().send(
          new UntagResourceCommand({
            resourceArn: repoArn('payments-api'),
            tagKeys: ['backstage.io/owner', key],
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidTagParameterException);
      expect(await tagsOf('payments-api')).toEqual([ENTITY, OWNER]);
    },
  );

  it('answers TooManyTagsException past 50 tags per repository', async () => {
    const error = await errorOf(
      ecr().send(
        new TagResourceCommand({
          resourceArn: repoArn('payments-api'),
          tags: Array.from({ length: 49 }, (_, i) => ({
            Key: `key-${i}`,
            Value: 'v',
          })),
        }),
      ),
    );
    expect(error).toBeInstanceOf(TooManyTagsException);
    expect(await tagsOf('payments-api')).toEqual([ENTITY, OWNER]);
  });

  it('denies UntagResource to a principal without ecr:UntagResource', async () => {
    const readonly = clients(emulator().url, KEYS.readonly).ecr;
    const error = await errorOf(
      readonly.send(
        new UntagResourceCommand({
          resourceArn: repoArn('payments-api'),
          tagKeys: ['backstage.io/owner'],
        }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: ecr:UntagResource on resource: ${repoArn(
        'payments-api',
      )}`,
    );
  });
});

describe('authorization token', () => {
  it('answers a token that decodes to AWS:<password> with the registry endpoint', async () => {
    const { authorizationData } = await ecr().send(
      new GetAuthorizationTokenCommand({}),
    );
    const token = Buffer.from(
      authorizationData![0].authorizationToken!,
      'base64',
    ).toString();
    expect(token).toMatch(/^AWS:\S+$/);
    expect(authorizationData![0].proxyEndpoint).toBe(
      `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
    );
    expect(authorizationData![0].expiresAt!.getTime()).toBeGreaterThan(
      Date.now(),
    );
  });

  it("denies the guide's CodeBuild role session with the guide's message", async () => {
    const client = clients(emulator().url, KEYS.codebuildSession).ecr;
    const error = await errorOf(
      client.send(new GetAuthorizationTokenCommand({})),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      'User: arn:aws:sts::123412341234:assumed-role/codebuild-proof-of-concept-snapshot-service-role/AWSCodeBuild-4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f is not authorized to perform: ecr:GetAuthorizationToken on resource: *',
    );
  });

  it('denies writes the read-only principal has no policy for, naming the repository', async () => {
    const client = clients(emulator().url, KEYS.readonly).ecr;
    const error = await errorOf(
      client.send(
        new CreateRepositoryCommand({ repositoryName: 'inventory-service' }),
      ),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `User: arn:aws:iam::123412341234:user/backstage-readonly is not authorized to perform: ecr:CreateRepository on resource: ${repoArn(
        'inventory-service',
      )}`,
    );
  });
});

describe('push', () => {
  async function uploadBlob(
    repositoryName: string,
    content: Buffer,
    partSize = 1024,
  ) {
    const client = rootEcr();
    const { uploadId } = await client.send(
      new InitiateLayerUploadCommand({ repositoryName }),
    );
    for (let first = 0; first < content.length; first += partSize) {
      const part = content.subarray(first, first + partSize);
      await client.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: first,
          partLastByte: first + part.length - 1,
          layerPartBlob: part,
        }),
      );
    }
    const { layerDigest } = await client.send(
      new CompleteLayerUploadCommand({
        repositoryName,
        uploadId,
        layerDigests: [sha256(content)],
      }),
    );
    return layerDigest!;
  }

  function manifestFor(config: Buffer, layers: Buffer[]) {
    return JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: layers.map(l => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: l.length,
        digest: sha256(l),
      })),
    });
  }

  it('pushes an image that then shows in DescribeImages with its digest, size and tag', async () => {
    const client = rootEcr();
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layers = [Buffer.alloc(3000, 1), Buffer.alloc(1500, 2)];
    await uploadBlob('proof-of-concept-repo', config);
    for (const layer of layers)
      await uploadBlob('proof-of-concept-repo', layer);
    const { layers: available } = await client.send(
      new BatchCheckLayerAvailabilityCommand({
        repositoryName: 'proof-of-concept-repo',
        layerDigests: layers.map(sha256),
      }),
    );
    expect(available!.map(l => l.layerAvailability)).toEqual([
      'AVAILABLE',
      'AVAILABLE',
    ]);

    const manifest = manifestFor(config, layers);
    const { image } = await client.send(
      new PutImageCommand({
        repositoryName: 'proof-of-concept-repo',
        imageManifest: manifest,
        imageTag: 'd00dfeed',
      }),
    );
    expect(image?.imageId?.imageDigest).toBe(sha256(manifest));

    const { imageDetails } = await client.send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: 'd00dfeed' }],
      }),
    );
    expect(imageDetails![0]).toMatchObject({
      imageDigest: sha256(manifest),
      imageTags: ['d00dfeed'],
      imageSizeInBytes: 4500,
      imageManifestMediaType:
        'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    });
  });

  it('scans a pushed image when the repository scans on push', async () => {
    const config = Buffer.from('{"os":"linux","v":2}');
    const layer = Buffer.alloc(100, 7);
    await uploadBlob('notifications-worker', config);
    await uploadBlob('notifications-worker', layer);
    await rootEcr().send(
      new PutImageCommand({
        repositoryName: 'notifications-worker',
        imageManifest: manifestFor(config, [layer]),
        imageTag: 'scanned',
      }),
    );
    const { imageDetails } = await rootEcr().send(
      new DescribeImagesCommand({
        repositoryName: 'notifications-worker',
        imageIds: [{ imageTag: 'scanned' }],
      }),
    );
    expect(imageDetails![0].imageScanStatus?.status).toBe('COMPLETE');
  });

  it('reports layers not uploaded yet as missing', async () => {
    const { layers, failures } = await rootEcr().send(
      new BatchCheckLayerAvailabilityCommand({
        repositoryName: 'proof-of-concept-repo',
        layerDigests: [sha256('never uploaded')],
      }),
    );
    expect(layers).toEqual([]);
    expect(failures![0].failureCode).toBe('MissingLayerDigest');
  });

  it('refuses a manifest whose layers were never uploaded', async () => {
    const error = await errorOf(
      rootEcr().send(
        new PutImageCommand({
          repositoryName: 'proof-of-concept-repo',
          imageManifest: manifestFor(Buffer.from('x'), [Buffer.from('y')]),
          imageTag: 'broken',
        }),
      ),
    );
    expect(error).toBeInstanceOf(LayersNotFoundException);
  });

  it('refuses a digest that does not match the manifest', async () => {
    const config = Buffer.from('{"c":1}');
    await uploadBlob('proof-of-concept-repo', config);
    const error = await errorOf(
      rootEcr().send(
        new PutImageCommand({
          repositoryName: 'proof-of-concept-repo',
          imageManifest: manifestFor(config, []),
          imageDigest: sha256('something else'),
        }),
      ),
    );
    expect(error).toBeInstanceOf(ImageDigestDoesNotMatchException);
  });

  it('refuses to move a tag in an immutable repository', async () => {
    const config = Buffer.from('{"c":2}');
    await uploadBlob('payments-api', config);
    const error = await errorOf(
      rootEcr().send(
        new PutImageCommand({
          repositoryName: 'payments-api',
          imageManifest: manifestFor(config, []),
          imageTag: 'v1.4.2',
        }),
      ),
    );
    expect(error).toBeInstanceOf(ImageTagAlreadyExistsException);
  });

  it('moves a tag to the new image in a mutable repository', async () => {
    const config = Buffer.from('{"c":3}');
    await uploadBlob('proof-of-concept-repo', config);
    const manifest = manifestFor(config, []);
    await rootEcr().send(
      new PutImageCommand({
        repositoryName: 'proof-of-concept-repo',
        imageManifest: manifest,
        imageTag: 'latest',
      }),
    );
    const { imageDetails } = await rootEcr().send(
      new DescribeImagesCommand({
        repositoryName: 'proof-of-concept-repo',
        imageIds: [{ imageTag: '9b1e7c0' }],
      }),
    );
    expect(imageDetails![0].imageTags).toEqual(['9b1e7c0']);
  });

  it('refuses to push the same image and tag twice', async () => {
    const config = Buffer.from('{"c":4}');
    await uploadBlob('proof-of-concept-repo', config);
    const put = () =>
      rootEcr().send(
        new PutImageCommand({
          repositoryName: 'proof-of-concept-repo',
          imageManifest: manifestFor(config, []),
          imageTag: 'twice',
        }),
      );
    await put();
    expect(await errorOf(put())).toBeInstanceOf(ImageAlreadyExistsException);
  });

  it('refuses a layer part that does not continue the upload', async () => {
    const { uploadId } = await rootEcr().send(
      new InitiateLayerUploadCommand({
        repositoryName: 'proof-of-concept-repo',
      }),
    );
    const error = await errorOf(
      rootEcr().send(
        new UploadLayerPartCommand({
          repositoryName: 'proof-of-concept-repo',
          uploadId,
          partFirstByte: 10,
          partLastByte: 19,
          layerPartBlob: Buffer.alloc(10),
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidLayerPartException);
    expect(error.lastValidByteReceived).toBe(-1);
  });

  it('refuses to complete an upload with the wrong digest', async () => {
    const client = rootEcr();
    const { uploadId } = await client.send(
      new InitiateLayerUploadCommand({
        repositoryName: 'proof-of-concept-repo',
      }),
    );
    await client.send(
      new UploadLayerPartCommand({
        repositoryName: 'proof-of-concept-repo',
        uploadId,
        partFirstByte: 0,
        partLastByte: 2,
        layerPartBlob: Buffer.from('abc'),
      }),
    );
    const error = await errorOf(
      client.send(
        new CompleteLayerUploadCommand({
          repositoryName: 'proof-of-concept-repo',
          uploadId,
          layerDigests: [sha256('abd')],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidLayerException);
  });

  it('answers UploadNotFoundException for an unknown upload', async () => {
    const error = await errorOf(
      rootEcr().send(
        new UploadLayerPartCommand({
          repositoryName: 'proof-of-concept-repo',
          uploadId: '00000000-0000-4000-8000-000000000000',
          partFirstByte: 0,
          partLastByte: 0,
          layerPartBlob: Buffer.from('a'),
        }),
      ),
    );
    expect(error).toBeInstanceOf(UploadNotFoundException);
  });
});
