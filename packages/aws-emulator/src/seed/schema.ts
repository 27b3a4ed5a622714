/**
 * The seed format (documented in the package README) and its validation. A seed names
 * everything the emulator starts with; validation reports the first problem with its path,
 * e.g. `accounts[0].repositories[1].images[2].scan.status: must be one of …`, and rejects
 * unknown keys, because a mistyped key in a hand-written seed is otherwise silently ignored.
 *
 * `tags` (on managed policies, users, roles, repositories, CodeBuild projects and generated
 * repositories) map keys to values; the loader holds them to the rules of the service's own
 * tagging calls (at most 50, key and value lengths, allowed characters, no `aws:` prefix).
 */

export type SeedTime = string | Date;
/** A policy document: a JSON object, or its JSON text. */
export type SeedDocument = string | Record<string, unknown>;

export interface SeedAccessKey {
  id: string;
  secret: string;
}

export interface SeedManagedPolicy {
  name: string;
  path?: string;
  description?: string;
  createdAt?: SeedTime;
  document?: SeedDocument;
  versions?: Array<{
    id: string;
    document: SeedDocument;
    createdAt?: SeedTime;
  }>;
  defaultVersion?: string;
  tags?: Record<string, string>;
}

export interface SeedUser {
  name: string;
  path?: string;
  createdAt?: SeedTime;
  tags?: Record<string, string>;
  inlinePolicies?: Record<string, SeedDocument>;
  managedPolicies?: string[];
  accessKeys?: SeedAccessKey[];
}

export interface SeedRoleSession {
  name: string;
  accessKeyId: string;
  secret: string;
  sessionToken: string;
}

export interface SeedRole {
  name: string;
  path?: string;
  description?: string;
  createdAt?: SeedTime;
  maxSessionDuration?: number;
  trustPolicy?: SeedDocument;
  /** Served by GetRole (Role.Tags) and ListRoleTags; keys are case-insensitive, as in IAM. */
  tags?: Record<string, string>;
  inlinePolicies?: Record<string, SeedDocument>;
  managedPolicies?: string[];
  lastUsed?: { date: SeedTime; region: string };
  sessions?: SeedRoleSession[];
  /**
   * The managed policy (name or ARN, the account's own or AWS's) set as the role's
   * permissions boundary: GetRole's PermissionsBoundary, and the most the role may do.
   */
  permissionsBoundary?: string;
}

export interface SeedFinding {
  name: string;
  severity: string;
  description?: string;
  uri?: string;
  package?: string;
  version?: string;
  fixedIn?: string;
  score?: number;
  vector?: string;
  attributes?: Record<string, string>;
}

export interface SeedScan {
  type?: 'basic' | 'enhanced';
  status?: string;
  description?: string;
  completedAt?: SeedTime;
  vulnerabilitySourceUpdatedAt?: SeedTime;
  severityCounts?: Record<string, number>;
  findings?: SeedFinding[];
}

export interface SeedImage {
  digest?: string;
  tags?: string[];
  sizeBytes?: number;
  pushedAt?: SeedTime;
  lastPulledAt?: SeedTime;
  mediaType?: string;
  artifactMediaType?: string;
  scan?: SeedScan;
}

export interface SeedRepository {
  name: string;
  region?: string;
  createdAt?: SeedTime;
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush?: boolean;
  encryption?: 'AES256' | 'KMS';
  kmsKey?: string;
  /** Served by ListTagsForResource. */
  tags?: Record<string, string>;
  lifecyclePolicy?: SeedDocument;
  repositoryPolicy?: SeedDocument;
  images?: SeedImage[];
}

export interface SeedProject {
  name: string;
  region?: string;
  description?: string;
  serviceRole: string;
  source?: Record<string, unknown>;
  environment?: Record<string, unknown>;
  artifacts?: Record<string, unknown>;
  createdAt?: SeedTime;
  /** Served by BatchGetProjects in CodeBuild's shape: `tags: [{ key, value }]`. */
  tags?: Record<string, string>;
  /**
   * Plain-text environment variables of the project (added to `environment`'s). The build's
   * buildspec pushes to `IMAGE_REPO_NAME` in account `AWS_ACCOUNT_ID` (default: the project's).
   */
  environmentVariables?: Record<string, string>;
  /** Builds that already ran, oldest first or not: they are numbered by start time. */
  builds?: SeedBuild[];
}

/** A build that already ran, with the log its outcome gives. */
export interface SeedBuild {
  /** The uuid part of the build id (`<project>:<uuid>`), also its log stream's name. */
  id?: string;
  /** A commit id: its first 7 characters are the image tag. */
  sourceVersion: string;
  startTime: SeedTime;
  /** Default 120. */
  durationSeconds?: number;
  /** Default: the project's service role session. */
  initiator?: string;
  /**
   * SUCCEEDED: the build pushed the image of the project's repository tagged with the first 7
   * characters of `sourceVersion` (which must be there). FAILED: `error` says how.
   */
  status: 'SUCCEEDED' | 'FAILED';
  error?: SeedBuildError;
}

export interface SeedBuildError {
  /** PRE_BUILD: the ECR login failed; POST_BUILD: the push failed. */
  phase: 'PRE_BUILD' | 'POST_BUILD';
  /** The ECR operation that failed, e.g. GetAuthorizationToken, PutImage. */
  operation: string;
  /** The error code, e.g. AccessDeniedException, ImageTagAlreadyExistsException. */
  code: string;
  /** Default for AccessDeniedException: AWS's text naming the build's session. */
  message?: string;
}

export interface SeedGenerate {
  repository: string;
  region?: string;
  images: number;
  start?: SeedTime;
  intervalMinutes?: number;
  scanned?: boolean;
  /** Tags of the generated repository, e.g. the entity-ref tag of the entity claiming it. */
  tags?: Record<string, string>;
}

export interface SeedOrganization {
  /**
   * The service control policies in force for the account, as AWS Organizations applies
   * them: an action must be allowed by one and denied by none (include an Allow of `*`, as
   * AWS's FullAWSAccess, unless you mean an allow-list).
   */
  scps: SeedDocument[];
}

export interface SeedAccount {
  id: string;
  alias?: string;
  /** Membership of an AWS Organization, with the SCPs that limit the account's principals. */
  organization?: SeedOrganization;
  regions?: string[];
  rootAccessKeys?: SeedAccessKey[];
  managedPolicies?: SeedManagedPolicy[];
  users?: SeedUser[];
  roles?: SeedRole[];
  repositories?: SeedRepository[];
  codebuildProjects?: SeedProject[];
  generate?: SeedGenerate[];
}

export interface Seed {
  defaults?: { account?: string; region?: string };
  awsManagedPolicies?: SeedManagedPolicy[];
  accounts: SeedAccount[];
}

export class SeedError extends Error {}

type Check = (value: unknown, path: string) => void;

function fail(path: string, message: string): never {
  throw new SeedError(`${path}: ${message}`);
}

const isString: Check = (v, p) => {
  if (typeof v !== 'string' || v === '') fail(p, 'must be a non-empty string');
};
const isNumber: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    fail(p, 'must be a non-negative number');
  }
};
const isInteger: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    fail(p, 'must be a non-negative integer');
  }
};
const isBoolean: Check = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'must be true or false');
};

export const RELATIVE_TIME = /^-(\d+(?:\.\d+)?)([smhdw])$/;

const isTime: Check = (v, p) => {
  if (v instanceof Date) return;
  if (typeof v === 'string' && (v === 'now' || RELATIVE_TIME.test(v))) return;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return;
  fail(p, 'must be an ISO-8601 time, "now", or a relative time such as "-3d"');
};
const isDocument: Check = (v, p) => {
  if (typeof v === 'string') {
    try {
      JSON.parse(v);
      return;
    } catch {
      fail(p, 'must be a JSON object or JSON text');
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail(p, 'must be a JSON object or JSON text');
  }
};
const oneOf =
  (...values: string[]): Check =>
  (v, p) => {
    if (typeof v !== 'string' || !values.includes(v)) {
      fail(p, `must be one of ${values.join(', ')}`);
    }
  };
const pattern =
  (re: RegExp, what: string): Check =>
  (v, p) => {
    if (typeof v !== 'string' || !re.test(v)) fail(p, `must be ${what}`);
  };
const listOf =
  (item: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, 'must be a list');
    v.forEach((x, i) => item(x, `${p}[${i}]`));
  };
const mapOf =
  (value: Check): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      fail(p, 'must be a mapping');
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      value(x, `${p}.${k}`);
    }
  };
const tagMap: Check = mapOf((v, p) => {
  if (typeof v !== 'string') fail(p, 'must be a string (quote numbers)');
});

const object =
  (
    required: Record<string, Check>,
    optional: Record<string, Check> = {},
  ): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      fail(p, 'must be a mapping');
    }
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(key in required) && !(key in optional)) {
        fail(
          `${p}.${key}`,
          `unknown key (expected one of ${[
            ...Object.keys(required),
            ...Object.keys(optional),
          ].join(', ')})`,
        );
      }
    }
    for (const [key, check] of Object.entries(required)) {
      if (record[key] === undefined || record[key] === null) {
        fail(`${p}.${key}`, 'is required');
      }
      check(record[key], `${p}.${key}`);
    }
    for (const [key, check] of Object.entries(optional)) {
      if (record[key] !== undefined && record[key] !== null) {
        check(record[key], `${p}.${key}`);
      }
    }
  };

const ACCOUNT_ID = pattern(
  /^\d{12}$/,
  'a 12-digit account id (quote it in YAML)',
);
const IAM_PATH = pattern(
  /^\/([\x21-\x7e]*\/)?$/,
  'an IAM path such as / or /service-role/',
);
const IAM_NAME = pattern(
  /^[\w+=,.@-]{1,64}$/,
  'an IAM name ([\\w+=,.@-], 1–64 characters)',
);
const REPOSITORY_NAME = pattern(
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  'a valid ECR repository name',
);
const DIGEST = pattern(/^sha256:[a-f0-9]{64}$/, 'a sha256:<64 hex> digest');
const SEVERITY = oneOf(
  'INFORMATIONAL',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
  'UNDEFINED',
  'UNTRIAGED',
);
export const SCAN_STATUSES = [
  'IN_PROGRESS',
  'COMPLETE',
  'FAILED',
  'UNSUPPORTED_IMAGE',
  'ACTIVE',
  'PENDING',
  'SCAN_ELIGIBILITY_EXPIRED',
  'FINDINGS_UNAVAILABLE',
];

const accessKey = object({
  id: pattern(
    /^[A-Z0-9]{16,128}$/,
    'an access key id (upper-case letters and digits, 16+)',
  ),
  secret: isString,
});

const managedPolicy = object(
  { name: IAM_NAME },
  {
    path: IAM_PATH,
    description: isString,
    createdAt: isTime,
    document: isDocument,
    versions: listOf(
      object(
        {
          id: pattern(/^v[1-9]\d*$/, 'a version id such as v1'),
          document: isDocument,
        },
        { createdAt: isTime },
      ),
    ),
    defaultVersion: pattern(/^v[1-9]\d*$/, 'a version id such as v1'),
    tags: tagMap,
  },
);

const finding = object(
  { name: isString, severity: SEVERITY },
  {
    description: isString,
    uri: isString,
    package: isString,
    version: isString,
    fixedIn: isString,
    score: isNumber,
    vector: isString,
    attributes: tagMap,
  },
);

const image = object(
  {},
  {
    digest: DIGEST,
    tags: listOf(pattern(/^[\w][\w.-]{0,127}$/, 'a valid image tag')),
    sizeBytes: isInteger,
    pushedAt: isTime,
    lastPulledAt: isTime,
    mediaType: isString,
    artifactMediaType: isString,
    scan: object(
      {},
      {
        type: oneOf('basic', 'enhanced'),
        status: oneOf(...SCAN_STATUSES),
        description: isString,
        completedAt: isTime,
        vulnerabilitySourceUpdatedAt: isTime,
        severityCounts: mapOf((v, p) => {
          SEVERITY(p.slice(p.lastIndexOf('.') + 1), p);
          isInteger(v, p);
        }),
        findings: listOf(finding),
      },
    ),
  },
);

const seedSchema = object(
  {
    accounts: listOf(
      object(
        { id: ACCOUNT_ID },
        {
          alias: isString,
          organization: object({ scps: listOf(isDocument) }),
          regions: listOf(
            pattern(
              /^[a-z]{2}(-[a-z]+)+-\d$/,
              'a region name such as eu-west-2',
            ),
          ),
          rootAccessKeys: listOf(accessKey),
          managedPolicies: listOf(managedPolicy),
          users: listOf(
            object(
              { name: IAM_NAME },
              {
                path: IAM_PATH,
                createdAt: isTime,
                tags: tagMap,
                inlinePolicies: mapOf(isDocument),
                managedPolicies: listOf(isString),
                accessKeys: listOf(accessKey),
              },
            ),
          ),
          roles: listOf(
            object(
              { name: IAM_NAME },
              {
                path: IAM_PATH,
                description: isString,
                createdAt: isTime,
                maxSessionDuration: isInteger,
                trustPolicy: isDocument,
                tags: tagMap,
                inlinePolicies: mapOf(isDocument),
                managedPolicies: listOf(isString),
                lastUsed: object({ date: isTime, region: isString }),
                permissionsBoundary: isString,
                sessions: listOf(
                  object({
                    name: pattern(/^[\w+=,.@-]{2,64}$/, 'a role session name'),
                    accessKeyId: pattern(
                      /^[A-Z0-9]{16,128}$/,
                      'an access key id',
                    ),
                    secret: isString,
                    sessionToken: isString,
                  }),
                ),
              },
            ),
          ),
          repositories: listOf(
            object(
              { name: REPOSITORY_NAME },
              {
                region: isString,
                createdAt: isTime,
                imageTagMutability: oneOf('MUTABLE', 'IMMUTABLE'),
                scanOnPush: isBoolean,
                encryption: oneOf('AES256', 'KMS'),
                kmsKey: isString,
                tags: tagMap,
                lifecyclePolicy: isDocument,
                repositoryPolicy: isDocument,
                images: listOf(image),
              },
            ),
          ),
          codebuildProjects: listOf(
            object(
              {
                name: pattern(
                  /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/,
                  'a CodeBuild project name',
                ),
                serviceRole: isString,
              },
              {
                region: isString,
                description: isString,
                source: mapOf(() => undefined),
                environment: mapOf(() => undefined),
                artifacts: mapOf(() => undefined),
                createdAt: isTime,
                tags: tagMap,
                environmentVariables: tagMap,
                builds: listOf(
                  object(
                    {
                      sourceVersion: isString,
                      startTime: isTime,
                      status: oneOf('SUCCEEDED', 'FAILED'),
                    },
                    {
                      id: pattern(
                        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
                        'a uuid',
                      ),
                      durationSeconds: isNumber,
                      initiator: isString,
                      error: object(
                        {
                          phase: oneOf('PRE_BUILD', 'POST_BUILD'),
                          operation: isString,
                          code: isString,
                        },
                        { message: isString },
                      ),
                    },
                  ),
                ),
              },
            ),
          ),
          generate: listOf(
            object(
              { repository: REPOSITORY_NAME, images: isInteger },
              {
                region: isString,
                start: isTime,
                intervalMinutes: isNumber,
                scanned: isBoolean,
                tags: tagMap,
              },
            ),
          ),
        },
      ),
    ),
  },
  {
    defaults: object({}, { account: ACCOUNT_ID, region: isString }),
    awsManagedPolicies: listOf(managedPolicy),
  },
);

/** Checks a parsed seed document; throws SeedError naming the first problem. */
export function validateSeed(raw: unknown): Seed {
  seedSchema(raw, 'seed');
  const seed = raw as Seed;
  if (seed.accounts.length === 0)
    fail('seed.accounts', 'must name at least one account');
  return seed;
}
