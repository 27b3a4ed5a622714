import {
  DEFAULT_OWNERSHIP_TAG_KEYS,
  RepositoryRef,
  RepositorySettings,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError } from '@backstage/errors';
import { EXPIRE_UNTAGGED_LIFECYCLE_POLICY } from '../checks/lifecyclePolicy';

/** The default tag naming the entity a resource belongs to (`ecr.ownership.entityRefTag`). */
export const ENTITY_REF_TAG = DEFAULT_OWNERSHIP_TAG_KEYS.entityRefTag;

/**
 * The tag that marks a creation in progress: `incomplete` from CreateRepository
 * until the lifecycle policy is set, then `complete`. A repository left
 * `incomplete` (the backend stopped part-way, or a failure could not be rolled
 * back) is finished by the next create request instead of being reused as is.
 */
export const SETUP_STATE_TAG = 'ecr.backstage-ecr.io/setup';

/**
 * What a create request may change of the defaults of docs/architecture.md, "Writes".
 *
 * @public
 */
export interface RepositorySettingsOverrides {
  imageTagMutability?: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush?: boolean;
  encryptionType?: 'AES256' | 'KMS';
  /** A KMS key ARN, id or alias; only with `encryptionType: 'KMS'`. */
  kmsKey?: string;
  /** A lifecycle policy as JSON text; the default expires untagged images after 14 days. */
  lifecyclePolicyText?: string;
  /** Extra tags; the binding tags and the setup tag are Backstage's own. */
  tags?: Record<string, string>;
}

// ECR's limits, from the service model and the tagging rules.
const MAX_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const LIFECYCLE_POLICY_MIN = 100;
const LIFECYCLE_POLICY_MAX = 30720;

/** The default lifecycle policy as ECR stores it. */
export const DEFAULT_LIFECYCLE_POLICY_TEXT = JSON.stringify(
  EXPIRE_UNTAGGED_LIFECYCLE_POLICY,
);

/**
 * The settings a repository is created with: the default settings (docs/architecture.md, "Writes") (scan on
 * push, IMMUTABLE tags, AES256, untagged images expire after 14 days, tagged
 * with the entity ref) with the request's overrides, checked before anything
 * is sent to AWS.
 */
export function resolveRepositorySettings(
  repository: RepositoryRef,
  options: {
    /** The tags that bind the repository to its entity; they win over `overrides.tags`. */
    bindingTags?: Record<string, string>;
    overrides?: RepositorySettingsOverrides;
  },
): RepositorySettings {
  const overrides = options.overrides ?? {};
  const encryptionType = overrides.encryptionType ?? 'AES256';
  if (overrides.kmsKey !== undefined && encryptionType !== 'KMS') {
    throw new InputError(
      'kmsKey can only be given with encryption KMS; AES256 uses keys ECR manages',
    );
  }
  const tags = checkTags({
    ...overrides.tags,
    ...options.bindingTags,
    [SETUP_STATE_TAG]: 'complete',
  });
  return {
    repositoryName: repository.name,
    region: repository.region,
    accountId: repository.accountId,
    imageTagMutability: overrides.imageTagMutability ?? 'IMMUTABLE',
    scanOnPush: overrides.scanOnPush ?? true,
    encryptionType,
    ...(overrides.kmsKey !== undefined && { kmsKey: overrides.kmsKey }),
    lifecyclePolicyText:
      overrides.lifecyclePolicyText === undefined
        ? DEFAULT_LIFECYCLE_POLICY_TEXT
        : checkLifecyclePolicyText(overrides.lifecyclePolicyText),
    tags,
  };
}

/** A lifecycle policy must be a JSON object with rules; it is stored minified. */
export function checkLifecyclePolicyText(text: string): string {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw new InputError('The lifecycle policy is not valid JSON');
  }
  const rules = (policy as { rules?: unknown } | null)?.rules;
  if (
    typeof policy !== 'object' ||
    Array.isArray(policy) ||
    !Array.isArray(rules) ||
    rules.length === 0
  ) {
    throw new InputError(
      'The lifecycle policy must be an object with a non-empty "rules" list, e.g. {"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}',
    );
  }
  const minified = JSON.stringify(policy);
  if (
    minified.length < LIFECYCLE_POLICY_MIN ||
    minified.length > LIFECYCLE_POLICY_MAX
  ) {
    throw new InputError(
      `The lifecycle policy must be ${LIFECYCLE_POLICY_MIN} to ${LIFECYCLE_POLICY_MAX} characters of JSON; it is ${minified.length}`,
    );
  }
  return minified;
}

function checkTags(tags: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw new InputError(
      `A repository takes at most ${MAX_TAGS} tags, Backstage's own included; ${entries.length} were given`,
    );
  }
  const checked: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string') {
      throw new InputError(
        `The value of tag ${JSON.stringify(key)} must be a string`,
      );
    }
    if (
      !TAG_KEY.test(key) ||
      key.toLocaleLowerCase('en-US').startsWith('aws:')
    ) {
      throw new InputError(
        `${JSON.stringify(
          key.slice(0, 140),
        )} is not a valid tag key: 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws:`,
      );
    }
    if (!TAG_VALUE.test(value)) {
      throw new InputError(
        `The value of tag ${JSON.stringify(
          key,
        )} is not valid: at most 256 letters, digits, spaces and _ . : / = + - @`,
      );
    }
    checked[key] = value;
  }
  return checked;
}
