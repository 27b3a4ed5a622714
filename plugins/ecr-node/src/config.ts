import { Config } from '@backstage/config';
import {
  DEFAULT_CONTAINER_PORT,
  DEFAULT_OWNERSHIP_TAG_KEYS,
  OwnershipTagKeys,
  UNBOUND_READ_POLICIES,
  UnboundReadPolicy,
} from '@backstage-ecr/plugin-ecr-common';

/**
 * The `ecr` configuration section (docs/architecture.md, "Configuration"), read once and checked.
 *
 * @public
 */
export interface EcrConfig {
  /** The AWS accounts entities may name. */
  allowedAccounts: string[];
  /** Where the audit looks for repositories no entity claims. */
  regions: string[];
  /** A local endpoint for every AWS call, or undefined for AWS itself. */
  endpoint?: string;
  /** The SDK's attempts per call, or undefined for the SDK's default. */
  maxAttempts?: number;
  /** How long answers from AWS are reused. */
  cacheTtlSeconds: number;
  /** Role ARN patterns Backstage may attach push policies to. */
  allowedRoleArnPatterns: string[];
  /** The default container port of the `docker run -p` hint. */
  containerPort: number;
  /** The tags that bind AWS resources to entities, and what unbound repositories allow. */
  ownership: OwnershipConfig;
}

/**
 * `ecr.ownership`: who AWS resources belong to.
 *
 * @public
 */
export interface OwnershipConfig extends OwnershipTagKeys {
  /** Reads of a repository with neither tag. */
  unbound: UnboundReadPolicy;
}

/** Cache answers for a minute unless configured otherwise. */
export const DEFAULT_CACHE_TTL_SECONDS = 60;

const ACCOUNT_ID = /^\d{12}$/;
// AWS's tag key rule, shared by ECR, IAM and CodeBuild; `aws:` is reserved.
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/**
 * Reads the `ecr` section. Bad values fail at startup with the key named,
 * rather than at the first request.
 */
export function readEcrConfig(config: Config): EcrConfig {
  const ecr = config.getOptionalConfig('ecr');
  const allowedAccounts = ecr?.getOptionalStringArray('allowedAccounts') ?? [];
  for (const account of allowedAccounts) {
    if (!ACCOUNT_ID.test(account)) {
      throw new Error(
        `ecr.allowedAccounts: ${JSON.stringify(
          account,
        )} is not an AWS account id (12 digits; quote it in YAML)`,
      );
    }
  }

  const endpoint = ecr?.getOptionalString('endpoint');
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new Error(`ecr.endpoint: ${JSON.stringify(endpoint)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`ecr.endpoint: must be an http:// or https:// URL`);
    }
  }

  const maxAttempts = ecr?.getOptionalNumber('maxAttempts');
  if (
    maxAttempts !== undefined &&
    (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10)
  ) {
    throw new Error('ecr.maxAttempts: must be a whole number from 1 to 10');
  }

  const cacheTtlSeconds =
    ecr?.getOptionalNumber('cache.ttlSeconds') ?? DEFAULT_CACHE_TTL_SECONDS;
  if (!(cacheTtlSeconds >= 0)) {
    throw new Error('ecr.cache.ttlSeconds: must be zero or more');
  }

  const containerPort =
    ecr?.getOptionalNumber('containerPort') ?? DEFAULT_CONTAINER_PORT;
  if (
    !Number.isInteger(containerPort) ||
    containerPort < 1 ||
    containerPort > 65535
  ) {
    throw new Error('ecr.containerPort: must be a port number (1 to 65535)');
  }

  const ownership: OwnershipConfig = {
    entityRefTag:
      ecr?.getOptionalString('ownership.entityRefTag') ??
      DEFAULT_OWNERSHIP_TAG_KEYS.entityRefTag,
    ownerTag:
      ecr?.getOptionalString('ownership.ownerTag') ??
      DEFAULT_OWNERSHIP_TAG_KEYS.ownerTag,
    unbound: readUnboundPolicy(ecr?.getOptionalString('ownership.unbound')),
  };
  for (const key of ['entityRefTag', 'ownerTag'] as const) {
    if (!TAG_KEY.test(ownership[key])) {
      throw new Error(
        `ecr.ownership.${key}: ${JSON.stringify(
          ownership[key],
        )} is not a valid AWS tag key (1 to 128 letters, digits, spaces and _ . : / = + - @; not starting with aws:)`,
      );
    }
  }
  if (ownership.entityRefTag === ownership.ownerTag) {
    throw new Error(
      'ecr.ownership.entityRefTag and ecr.ownership.ownerTag must differ',
    );
  }

  return {
    allowedAccounts,
    regions: ecr?.getOptionalStringArray('regions') ?? [],
    endpoint,
    maxAttempts,
    cacheTtlSeconds,
    allowedRoleArnPatterns:
      ecr?.getOptionalStringArray('iam.allowedRoleArnPatterns') ?? [],
    containerPort,
    ownership,
  };
}

function readUnboundPolicy(value: string | undefined): UnboundReadPolicy {
  if (value === undefined) return 'read-only';
  if ((UNBOUND_READ_POLICIES as readonly string[]).includes(value)) {
    return value as UnboundReadPolicy;
  }
  throw new Error(
    `ecr.ownership.unbound: ${JSON.stringify(
      value,
    )} is not one of ${UNBOUND_READ_POLICIES.join(', ')}`,
  );
}
