/**
 * Parsing of the ARNs the annotations carry. Each parser accepts exactly the
 * form AWS documents for that resource and says precisely what is wrong
 * otherwise, so that a bad annotation becomes a clear message, never a call to
 * AWS with a value nobody checked.
 */

/**
 * The longest annotation value accepted, well above any real list of ARNs.
 *
 * @public
 */
export const MAX_ANNOTATION_LENGTH = 4096;
/**
 * The most repositories one entity may name.
 *
 * @public
 */
export const MAX_REPOSITORIES_PER_ENTITY = 20;

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;
// ECR's RepositoryName pattern, from the service model; 2..256 characters.
const REPOSITORY_NAME =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// CodeBuild project names: 2..255, letters, digits, - and _.
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/;
// IAM role path and name: path /…/ of printable ASCII, name of [\w+=,.@-], 1..64.
const ROLE_PATH = /^\/(?:[\x21-\x7E]+\/)?$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * An ECR repository named by an ARN.
 *
 * @public
 */
export interface RepositoryRef {
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

/**
 * A CodeBuild project named by an ARN.
 *
 * @public
 */
export interface CodeBuildProjectRef {
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

/**
 * An IAM role named by an ARN.
 *
 * @public
 */
export interface RoleRef {
  arn: string;
  partition: string;
  accountId: string;
  /** The role's path, `/` or `/service-role/` and the like. */
  path: string;
  name: string;
}

/**
 * The outcome of parsing one value: the reference, or why it is refused.
 *
 * @public
 */
export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: string };

function fail<T>(error: string): ParseResult<T> {
  return { ok: false, error };
}

function quote(value: string): string {
  const shown = value.length > 120 ? `${value.slice(0, 117)}...` : value;
  return JSON.stringify(shown);
}

interface ArnParts {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

function splitArn(
  value: string,
  service: string,
  example: string,
): ParseResult<ArnParts> {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return fail(`${quote(value)} is not an ARN; expected e.g. ${example}`);
  }
  const [, partition, svc, region, accountId, ...rest] = parts;
  const resource = rest.join(':');
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    return fail(
      `${quote(value)} names partition ${quote(
        partition,
      )}; expected one of ${PARTITIONS.join(', ')}`,
    );
  }
  if (svc !== service) {
    return fail(
      `${quote(value)} is an ARN of service ${quote(
        svc,
      )}, not ${service}; expected e.g. ${example}`,
    );
  }
  if (!ACCOUNT_ID.test(accountId)) {
    return fail(
      `${quote(value)} names account ${quote(
        accountId,
      )}; an AWS account id is 12 digits`,
    );
  }
  return {
    ok: true,
    value: { partition, service: svc, region, accountId, resource },
  };
}

/**
 * The partition a region belongs to: `cn-` regions are in `aws-cn`, `us-gov-`
 * regions in `aws-us-gov`, every other region in `aws`. An ARN whose partition
 * and region disagree names nothing that can exist.
 */
function partitionOfRegion(region: string): (typeof PARTITIONS)[number] {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A regional resource `arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/NAME`. */
interface RegionalResource {
  service: string;
  /** The resource type before the slash, e.g. `repository`. */
  type: string;
  /** What the resource is called in messages. */
  kind: string;
  example: string;
  isValidName(name: string): boolean;
  /** Why a name is refused. */
  nameRule: string;
}

function parseRegionalArn(
  input: string,
  resource: RegionalResource,
): ParseResult<RepositoryRef> {
  const value = input.trim();
  const split = splitArn(value, resource.service, resource.example);
  if (!split.ok) return split;
  const { partition, region, accountId } = split.value;
  if (!REGION.test(region)) {
    return fail(
      `${quote(value)} names region ${quote(
        region,
      )}, which is not an AWS region`,
    );
  }
  const expectedPartition = partitionOfRegion(region);
  if (partition !== expectedPartition) {
    return fail(
      `${quote(value)} names partition ${quote(partition)} with region ${quote(
        region,
      )}, which do not agree: region ${region} is in partition ${expectedPartition}`,
    );
  }
  const prefix = `${resource.type}/`;
  if (!split.value.resource.startsWith(prefix)) {
    return fail(
      `${quote(value)} is not a ${resource.kind} ARN; expected e.g. ${
        resource.example
      }`,
    );
  }
  const name = split.value.resource.slice(prefix.length);
  if (!resource.isValidName(name)) {
    return fail(
      `${quote(value)} names ${resource.type} ${quote(name)}, which is not ${
        resource.nameRule
      }`,
    );
  }
  return {
    ok: true,
    value: {
      arn: `arn:${partition}:${resource.service}:${region}:${accountId}:${prefix}${name}`,
      partition,
      region,
      accountId,
      name,
    },
  };
}

const ECR_REPOSITORY: RegionalResource = {
  service: 'ecr',
  type: 'repository',
  kind: 'repository',
  example: 'arn:aws:ecr:eu-west-2:123412341234:repository/my-service',
  isValidName: name =>
    name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name),
  nameRule:
    'a valid ECR repository name (2 to 256 lowercase letters, digits and . _ - /)',
};

const CODEBUILD_PROJECT: RegionalResource = {
  service: 'codebuild',
  type: 'project',
  kind: 'CodeBuild project',
  example: 'arn:aws:codebuild:eu-west-2:123412341234:project/my-service',
  isValidName: name => PROJECT_NAME.test(name),
  nameRule: 'a valid CodeBuild project name',
};

/**
 * Parses `arn:aws:ecr:REGION:ACCOUNT:repository/NAME`.
 *
 * @public
 */
export function parseRepositoryArn(input: string): ParseResult<RepositoryRef> {
  return parseRegionalArn(input, ECR_REPOSITORY);
}

/**
 * Parses `arn:aws:codebuild:REGION:ACCOUNT:project/NAME`.
 *
 * @public
 */
export function parseCodeBuildProjectArn(
  input: string,
): ParseResult<CodeBuildProjectRef> {
  return parseRegionalArn(input, CODEBUILD_PROJECT);
}

/**
 * Parses `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
 *
 * @public
 */
export function parseRoleArn(input: string): ParseResult<RoleRef> {
  const value = input.trim();
  const example = 'arn:aws:iam::123412341234:role/service-role/my-build-role';
  const split = splitArn(value, 'iam', example);
  if (!split.ok) return split;
  const { partition, region, accountId, resource } = split.value;
  if (region !== '') {
    return fail(
      `${quote(value)} names a region; IAM ARNs have none, e.g. ${example}`,
    );
  }
  if (!resource.startsWith('role/')) {
    return fail(
      `${quote(value)} is not an IAM role ARN; expected e.g. ${example}`,
    );
  }
  const pathAndName = resource.slice('role'.length);
  const cut = pathAndName.lastIndexOf('/');
  const path = pathAndName.slice(0, cut + 1);
  const name = pathAndName.slice(cut + 1);
  if (!ROLE_PATH.test(path) || path.length > 512 || !ROLE_NAME.test(name)) {
    return fail(
      `${quote(
        value,
      )} does not name a valid IAM role; expected e.g. ${example}`,
    );
  }
  return {
    ok: true,
    value: {
      arn: `arn:${partition}:iam::${accountId}:role${path}${name}`,
      partition,
      accountId,
      path,
      name,
    },
  };
}

/**
 * The role ARN CodeBuild reports may omit the path; the name is what IAM needs.
 *
 * @public
 */
export function roleNameFromArn(arn: string): string | undefined {
  const parsed = parseRoleArn(arn);
  return parsed.ok ? parsed.value.name : undefined;
}
