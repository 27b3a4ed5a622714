/**
 * The shapes of the ECR backend's HTTP API (docs/architecture.md, "HTTP API"), shared by the backend
 * that answers and the frontend that asks. Times are ISO-8601 strings.
 */

/**
 * Vulnerability severities as ECR reports them, most severe first.
 *
 * @public
 */
export const SEVERITIES = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
] as const;
/** @public */
export type Severity = (typeof SEVERITIES)[number];

/**
 * Finding counts per severity; severities without findings are left out.
 *
 * @public
 */
export type SeverityCounts = Partial<Record<Severity, number>>;

/**
 * An image's scan, as DescribeImages summarises it.
 *
 * @public
 */
export interface ImageScanSummary {
  /** ECR's scan status (`COMPLETE`, `FAILED`, `ACTIVE`, …) or `NOT_SCANNED`. */
  status: string;
  description?: string;
  completedAt?: string;
  severityCounts: SeverityCounts;
}

/**
 * One image of a repository.
 *
 * @public
 */
export interface EcrImage {
  digest: string;
  tags: string[];
  sizeBytes: number;
  pushedAt: string;
  lastPulledAt?: string;
  mediaType?: string;
  scan: ImageScanSummary;
}

/**
 * One annotated repository with all of its images, newest `pushedAt` first.
 *
 * @public
 */
export interface EcrRepositoryImages {
  arn: string;
  name: string;
  /** `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`, for docker pull and push. */
  uri: string;
  region: string;
  accountId: string;
  /** False when the annotated repository has not been created yet. */
  exists: boolean;
  images: EcrImage[];
  imageCount: number;
}

/**
 * `GET /entity/:namespace/:kind/:name/images`
 *
 * @public
 */
export interface ImagesResponse {
  entityRef: string;
  repositories: EcrRepositoryImages[];
  /** The container port for the `docker run -p` hint. */
  containerPort: number;
  /** When the data was read from AWS. */
  fetchedAt: string;
  /** True when AWS could not be reached and an earlier answer is served. */
  stale?: boolean;
}

/**
 * One vulnerability finding of an image scan (basic or enhanced).
 *
 * @public
 */
export interface ScanFinding {
  name: string;
  severity: Severity;
  type: 'basic' | 'enhanced';
  description?: string;
  uri?: string;
  packageName?: string;
  packageVersion?: string;
  fixedInVersion?: string;
  score?: number;
}

/** `GET /entity/:namespace/:kind/:name/images/:digest/findings?repository=ARN` */
/**
 * An image's scan result as read from ECR.
 *
 * @public
 */
export interface ImageScanFindings {
  repositoryArn: string;
  digest: string;
  /** False when the image has never been scanned (ECR's ScanNotFoundException). */
  scanned: boolean;
  status: string;
  description?: string;
  completedAt?: string;
  severityCounts: SeverityCounts;
  findings: ScanFinding[];
}

/**
 * `GET /entity/:namespace/:kind/:name/images/:digest/findings`
 *
 * @public
 */
export interface FindingsResponse extends ImageScanFindings {
  /** When the findings were read from AWS. */
  fetchedAt: string;
  /** True when AWS could not be reached and an earlier answer is served. */
  stale?: boolean;
}

/**
 * The setup checks' stable ids (docs/architecture.md, "Setup checks"), in the order they are shown.
 *
 * @public
 */
export const SETUP_CHECK_IDS = [
  'annotation-valid',
  'repository-exists',
  'scan-on-push',
  'tag-immutability',
  'lifecycle-policy',
  'encryption',
  'push-role-found',
  'push-permissions',
  'codebuild-managed-policy',
  'not-root-credentials',
  'images-present',
  'repository-owner',
  'push-role-owner',
] as const;
/** @public */
export type SetupCheckId = (typeof SETUP_CHECK_IDS)[number];

/** @public */
export type SetupCheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

/**
 * One AWS resource an entity names, and who AWS says it belongs to.
 *
 * @public
 */
export interface ResourceBinding {
  kind: 'repository' | 'role';
  arn: string;
  /**
   * `entity` / `owner`: its tags bind it to the entity or its owner;
   * `unbound`: neither binding tag; `elsewhere`: bound to someone else;
   * `unknown`: its tags could not be read.
   */
  state: 'entity' | 'owner' | 'unbound' | 'elsewhere' | 'unknown';
  /** Who the tags name, for `entity`, `owner` and `elsewhere`. */
  boundTo?: string;
}

/**
 * The id of a check an adopter adds through the ECR backend's setup checks
 * extension point: a kebab-case name that is none of {@link SETUP_CHECK_IDS}.
 *
 * @public
 */
export type AddedSetupCheckId = string & {};

/**
 * One setup check's result: what it saw and, when not passing, what to do.
 *
 * @public
 */
export interface SetupCheck {
  id: SetupCheckId | AddedSetupCheckId;
  status: SetupCheckStatus;
  title: string;
  detail: string;
  remedy?: string;
  /** For `unknown`: the IAM actions Backstage's own identity needs to run the check. */
  requiredActions?: string[];
  /** For `push-permissions`: the push actions the role lacks. */
  missingActions?: string[];
  /** For `repository-owner` and `push-role-owner`: each resource's binding. */
  bindings?: ResourceBinding[];
}

/**
 * `GET /entity/:namespace/:kind/:name/setup`
 *
 * @public
 */
export interface SetupStatus {
  entityRef: string;
  checks: SetupCheck[];
  checkedAt: string;
  /** True when AWS could not be reached and an earlier answer is served. */
  stale?: boolean;
}

/**
 * The settings a repository is (or would be) created with (docs/architecture.md, "Writes").
 *
 * @public
 */
export interface RepositorySettings {
  repositoryName: string;
  region: string;
  accountId: string;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryptionType: 'AES256' | 'KMS';
  kmsKey?: string;
  lifecyclePolicyText?: string;
  tags: Record<string, string>;
}

/**
 * `POST /entity/:namespace/:kind/:name/repository`
 *
 * @public
 */
export interface CreateRepositoryResponse {
  dryRun: boolean;
  /** True when this request created it; false when it existed (or on a dry run). */
  created: boolean;
  alreadyExisted: boolean;
  repositoryArn: string;
  repositoryUri: string;
  settings: RepositorySettings;
}

/**
 * An IAM policy document.
 *
 * @public
 */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Action: string | string[];
    Resource: string | string[];
  }>;
}

/**
 * `POST /entity/:namespace/:kind/:name/push-access`
 *
 * @public
 */
export interface PushAccessResponse {
  dryRun: boolean;
  /** True when this request wrote the policy; false when it was already in place. */
  changed: boolean;
  roleArn: string;
  policyName: string;
  policyDocument: PolicyDocument;
}

/**
 * A repository setting `POST …/repository/settings` can change.
 *
 * @public
 */
export type RepositorySettingName =
  | 'scanOnPush'
  | 'tagImmutability'
  | 'lifecyclePolicy';

/**
 * One setting of a repository as `POST …/repository/settings` found it and
 * what it did, or would do, to it.
 *
 * @public
 */
export interface RepositorySettingChange {
  setting: RepositorySettingName;
  /** The value found: `true`/`false`, `MUTABLE`/`IMMUTABLE`, the lifecycle policy text, or null for no policy. */
  current: string | null;
  /** The value Backstage sets. */
  desired: string;
  /**
   * `change`: set by this request (or would be, on a dry run);
   * `unchanged`: already as desired;
   * `kept`: an existing lifecycle policy that differs from the default, left
   * in place because `replaceLifecyclePolicy` was not asked for.
   */
  action: 'change' | 'unchanged' | 'kept';
  /** True when the change replaces an existing lifecycle policy. */
  overwritesExisting?: boolean;
}

/**
 * `POST /entity/:namespace/:kind/:name/repository/settings`
 *
 * @public
 */
export interface ConfigureRepositoryResponse {
  dryRun: boolean;
  /** True when this request changed a setting (never on a dry run). */
  changed: boolean;
  repositoryArn: string;
  /** The selected settings, in the order they are applied. */
  changes: RepositorySettingChange[];
}

/**
 * What a claim did, or would do, to one resource.
 *
 * @public
 */
export interface ClaimedResource {
  kind: 'repository' | 'role';
  arn: string;
  /**
   * `bound`: tagged by this request (or would be, on a dry run);
   * `already`: belonged to the entity before;
   * `refused`: bound to someone else, left alone;
   * `skipped`: not looked at or not taggable (missing, outside the role patterns).
   */
  outcome: 'bound' | 'already' | 'refused' | 'skipped';
  /** Who the resource belongs to, when it is bound. */
  boundTo?: string;
  /** Why it was refused or skipped. */
  reason?: string;
  /** The tags written (or that would be). */
  tags?: Record<string, string>;
}

/**
 * `POST /entity/:namespace/:kind/:name/claim`
 *
 * @public
 */
export interface ClaimResponse {
  dryRun: boolean;
  entityRef: string;
  /** True when this request wrote a tag. */
  changed: boolean;
  resources: ClaimedResource[];
}

/**
 * The check ids met in these results: the built-in ones in their order, then
 * those added through the backend's extension point, in the order first met.
 *
 * @public
 */
export function setupCheckIdsOf(
  checkLists: Iterable<ReadonlyArray<{ id: string }>>,
): string[] {
  const added = new Set<string>();
  const builtIn: ReadonlySet<string> = new Set(SETUP_CHECK_IDS);
  for (const checks of checkLists) {
    for (const { id } of checks) if (!builtIn.has(id)) added.add(id);
  }
  return [...SETUP_CHECK_IDS, ...added];
}
