import { Entity } from '@backstage/catalog-model';
import {
  BuildsResponse,
  BuildSummary,
  ClaimResponse,
  EcrImage,
  FindingsResponse,
  SetupCheck,
  ImagesResponse,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrApi } from '../api/EcrApi';

export const REPO_ARN =
  'arn:aws:ecr:eu-west-2:123412341234:repository/proof-of-concept-repo';
export const REPO_URI =
  '123412341234.dkr.ecr.eu-west-2.amazonaws.com/proof-of-concept-repo';

export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'proof-of-concept',
    namespace: 'default',
    annotations: { 'aws.amazon.com/amazon-ecr-arn': REPO_ARN },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'experimental' },
};

export function digestOf(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

export function image(n: number, overrides: Partial<EcrImage> = {}): EcrImage {
  return {
    digest: digestOf(n),
    tags: [`v${n}`],
    sizeBytes: 1024 * 1024 * n,
    pushedAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    scan: { status: 'COMPLETE', severityCounts: {} },
    ...overrides,
  };
}

/** `count` images, newest first, as the backend answers. */
export function imagesResponse(
  images: EcrImage[],
  overrides: Partial<ImagesResponse> = {},
): ImagesResponse {
  return {
    entityRef: 'component:default/proof-of-concept',
    containerPort: 8080,
    fetchedAt: new Date().toISOString(),
    repositories: [
      {
        arn: REPO_ARN,
        name: 'proof-of-concept-repo',
        uri: REPO_URI,
        region: 'eu-west-2',
        accountId: '123412341234',
        exists: true,
        images,
        imageCount: images.length,
      },
    ],
    ...overrides,
  };
}

export const guideImages: EcrImage[] = [
  image(3, {
    tags: ['fcd3f42', 'latest'],
    sizeBytes: 157286400,
    scan: {
      status: 'COMPLETE',
      severityCounts: { CRITICAL: 1, HIGH: 2, LOW: 5 },
    },
  }),
  image(2, {
    tags: ['a1b2c3d'],
    sizeBytes: 1536,
    lastPulledAt: '2026-01-01T10:00:00.000Z',
  }),
  image(1, {
    tags: [],
    sizeBytes: 512,
    scan: { status: 'NOT_SCANNED', severityCounts: {} },
  }),
];

export const setupStatus: SetupStatus = {
  entityRef: 'component:default/proof-of-concept',
  checkedAt: new Date().toISOString(),
  checks: [
    {
      id: 'annotation-valid',
      status: 'pass',
      title: 'Annotations are valid',
      detail: 'One repository, one CodeBuild project.',
    },
    {
      id: 'repository-exists',
      status: 'pass',
      title: 'Repository exists',
      detail: 'proof-of-concept-repo exists.',
    },
    {
      id: 'scan-on-push',
      status: 'warn',
      title: 'Images are scanned on push',
      detail: 'Scan on push is off.',
      remedy: 'Turn on scan on push.',
    },
    {
      id: 'push-permissions',
      status: 'fail',
      title: 'The build role can push',
      detail:
        'codebuild-proof-of-concept-snapshot-service-role is not allowed ecr:GetAuthorizationToken, ecr:PutImage.',
      remedy: 'Attach the push policy.',
      missingActions: ['ecr:GetAuthorizationToken', 'ecr:PutImage'],
    },
    {
      id: 'not-root-credentials',
      status: 'unknown',
      title: 'Backstage does not use root credentials',
      detail: 'Backstage may not call sts:GetCallerIdentity.',
      requiredActions: ['sts:GetCallerIdentity'],
    },
  ],
};

export const ROLE_ARN =
  'arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role';

/** `repository-owner` as the backend words it, for each binding. */
export const repositoryOwnerCheck = {
  unbound: {
    id: 'repository-owner',
    status: 'fail',
    title: 'The repositories belong to this entity',
    detail:
      'It is unbound: it has neither a backstage.io/entity-ref nor a backstage.io/owner tag, so it is shown read-only and Backstage offers no fix for it.',
    remedy: `Bind it to this entity: a member of the platform team can use Claim, or tag it in AWS:\n\naws ecr tag-resource --region eu-west-2 --resource-arn ${REPO_ARN} --tags Key=backstage.io/entity-ref,Value=component:default/proof-of-concept`,
  },
  elsewhere: {
    id: 'repository-owner',
    status: 'fail',
    title: 'The repositories belong to this entity',
    detail:
      'It belongs to group:default/team-b (tag backstage.io/owner), not to this entity: it is not shown here, and Backstage changes nothing of it for this entity.',
    remedy: `Remove ${REPO_ARN} from this entity's annotation, or ask the owners of group:default/team-b to hand it over by changing its backstage.io/owner tag.`,
  },
  pass: {
    id: 'repository-owner',
    status: 'pass',
    title: 'The repositories belong to this entity',
    detail:
      'It belongs to component:default/proof-of-concept (tag backstage.io/entity-ref).',
  },
} satisfies Record<string, SetupCheck>;

/** `push-role-owner` as the backend words it. */
export const pushRoleOwnerCheck = {
  unbound: {
    id: 'push-role-owner',
    status: 'fail',
    title: 'The pushing role belongs to this entity',
    detail: `The role is unbound: it has neither a backstage.io/entity-ref nor a backstage.io/owner tag, and so is its CodeBuild project. Backstage reads no permissions of ${ROLE_ARN} and grants it nothing for this entity.`,
    remedy:
      'Bind the role (or its CodeBuild project) to this entity: a member of the platform team can use Claim, or tag it in AWS.',
  },
  elsewhere: {
    id: 'push-role-owner',
    status: 'fail',
    title: 'The pushing role belongs to this entity',
    detail: `The role belongs to group:default/team-b (tag backstage.io/owner), not to this entity. Backstage reads no permissions of ${ROLE_ARN} and grants it nothing for this entity.`,
  },
  pass: {
    id: 'push-role-owner',
    status: 'pass',
    title: 'The pushing role belongs to this entity',
    detail: `${ROLE_ARN} has no binding tag of its own; it is this entity's because its CodeBuild project codebuild-proof-of-concept-snapshot belongs to group:default/team-a, the entity's owner (tag backstage.io/owner).`,
  },
} satisfies Record<string, SetupCheck>;

/** The fixture's checks with the owner checks given. */
export function setupWithOwners(
  repositoryOwner: SetupCheck,
  pushRoleOwner: SetupCheck,
): SetupStatus {
  return {
    ...setupStatus,
    checks: [...setupStatus.checks, repositoryOwner, pushRoleOwner],
  };
}

/** A claim of the fixture's entity: the repository bound, the role already its. */
export function claimResponse(dryRun: boolean): ClaimResponse {
  const tags = {
    'backstage.io/entity-ref': 'component:default/proof-of-concept',
    'backstage.io/owner': 'group:default/team-a',
  };
  return {
    dryRun,
    entityRef: 'component:default/proof-of-concept',
    changed: !dryRun,
    resources: [
      { kind: 'repository', arn: REPO_ARN, outcome: 'bound', tags },
      {
        kind: 'role',
        arn: ROLE_ARN,
        outcome: 'already',
        boundTo: 'group:default/team-a',
      },
    ],
  };
}

export const findings: FindingsResponse = {
  repositoryArn: REPO_ARN,
  digest: digestOf(3),
  scanned: true,
  status: 'COMPLETE',
  completedAt: '2026-01-02T00:00:00.000Z',
  severityCounts: { CRITICAL: 1, HIGH: 2 },
  fetchedAt: '2026-01-02T00:05:00.000Z',
  findings: [
    {
      name: 'CVE-2026-0001',
      severity: 'HIGH',
      type: 'basic',
      packageName: 'openssl',
      packageVersion: '3.0.1',
      fixedInVersion: '3.0.9',
      uri: 'https://example.com/CVE-2026-0001',
    },
    {
      name: 'CVE-2026-0002',
      severity: 'CRITICAL',
      type: 'enhanced',
      packageName: 'glibc',
      packageVersion: '2.36',
      uri: 'https://example.com/CVE-2026-0002',
    },
    {
      name: 'CVE-2026-0003',
      severity: 'HIGH',
      type: 'basic',
      packageName: 'zlib',
      packageVersion: '1.2.11',
      fixedInVersion: '1.2.13',
    },
  ],
};

export const PROJECT_ARN =
  'arn:aws:codebuild:eu-west-2:123412341234:project/codebuild-proof-of-concept-snapshot';
export const PROJECT_NAME = 'codebuild-proof-of-concept-snapshot';

/** Build number `n` of the fixture's project, succeeded, pushing nothing. */
export function build(
  n: number,
  overrides: Partial<BuildSummary> = {},
): BuildSummary {
  const id = `${PROJECT_NAME}:0000000${n}-aaaa-bbbb-cccc-dddddddddddd`;
  const startTime = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  return {
    id,
    buildNumber: n,
    status: 'SUCCEEDED',
    currentPhase: 'COMPLETED',
    startTime,
    endTime: new Date(Date.parse(startTime) + 192_000).toISOString(),
    durationSeconds: 192,
    sourceVersion: `${n}`.repeat(40).slice(0, 40),
    initiator: 'GitHub-Hookshot/abc123',
    logUrl: `https://console.aws.amazon.com/cloudwatch/home?region=eu-west-2#logEvent:group=/aws/codebuild/${PROJECT_NAME};stream=${n}`,
    consoleUrl: `https://eu-west-2.console.aws.amazon.com/codesuite/codebuild/123412341234/projects/${PROJECT_NAME}/build/${encodeURIComponent(
      id,
    )}`,
    imageDigests: [],
    ...overrides,
  };
}

/** The fixture's project with `builds` (newest first, as the backend answers). */
export function buildsResponse(
  builds: BuildSummary[],
  overrides: Partial<BuildsResponse> = {},
): BuildsResponse {
  return {
    project: { arn: PROJECT_ARN, name: PROJECT_NAME },
    builds,
    fetchedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

/** An EcrApi whose every method is a jest mock answering the fixtures. */
export function mockEcrApi(
  overrides: Partial<EcrApi> = {},
): jest.Mocked<EcrApi> {
  return {
    getImages: jest.fn(async () => imagesResponse(guideImages)),
    getSetup: jest.fn(async () => setupStatus),
    getFindings: jest.fn(async () => findings),
    createRepository: jest.fn(),
    getAudit: jest.fn(),
    getAuditHistory: jest.fn(),
    runAudit: jest.fn(),
    getAuditCsv: jest.fn(),
    grantPushAccess: jest.fn(),
    configureRepository: jest.fn(),
    claim: jest.fn(),
    getBuilds: jest.fn(async () => ({
      project: null,
      builds: [],
      fetchedAt: '2026-11-20T10:00:00.000Z',
    })),
    startBuild: jest.fn(),
    ...overrides,
  } as jest.Mocked<EcrApi>;
}
