import { Entity } from '@backstage/catalog-model';
import {
  CODEBUILD_PROJECT_ARN_ANNOTATION,
  CONTAINER_PORT_ANNOTATION,
  ECR_REPOSITORY_ARN_ANNOTATION,
  ECR_REPOSITORY_TAGS_ANNOTATION,
  PUSH_ROLE_ARN_ANNOTATION,
} from './annotations';
import {
  CodeBuildProjectRef,
  MAX_ANNOTATION_LENGTH,
  MAX_REPOSITORIES_PER_ENTITY,
  parseCodeBuildProjectArn,
  parseRepositoryArn,
  parseRoleArn,
  RepositoryRef,
  RoleRef,
} from './arns';

/**
 * What an entity's ECR annotations name, once every value has been checked.
 *
 * @public
 */
export interface EcrAnnotations {
  repositories: RepositoryRef[];
  /**
   * The tags `aws.amazon.com/amazon-ecr-tags` names: every repository carrying
   * all of them is the entity's too, once looked up (the Resource Groups
   * Tagging API). Absent when the entity does not carry the annotation.
   */
  repositoryTags?: RepositoryTagFilter[];
  codeBuildProject?: CodeBuildProjectRef;
  pushRole?: RoleRef;
  containerPort?: number;
}

/**
 * One `key=value` pair of `aws.amazon.com/amazon-ecr-tags`.
 *
 * @public
 */
export interface RepositoryTagFilter {
  key: string;
  value: string;
}

/** AWS's limits on a tag's key and value. */
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
/** GetResources takes at most 50 tag filters. */
const MAX_TAG_FILTERS = 50;

/**
 * Reads `aws.amazon.com/amazon-ecr-tags`: `key=value` pairs, comma-separated,
 * each trimmed; a key may appear once. An empty value (`key=`) asks for the tag
 * with an empty value.
 *
 * @public
 */
export function parseRepositoryTagsAnnotation(
  value: string,
): { ok: true; value: RepositoryTagFilter[] } | { ok: false; error: string } {
  const items = value
    .split(',')
    .map(item => item.trim())
    .filter(Boolean);
  if (!items.length) {
    return {
      ok: false,
      error: 'names no tags; write key=value pairs, e.g. app=my-service',
    };
  }
  if (items.length > MAX_TAG_FILTERS) {
    return {
      ok: false,
      error: `names ${items.length} tags; at most ${MAX_TAG_FILTERS} are accepted`,
    };
  }
  const filters: RepositoryTagFilter[] = [];
  for (const item of items) {
    const equals = item.indexOf('=');
    const shown = JSON.stringify(item.slice(0, 60));
    if (equals < 0) {
      return {
        ok: false,
        error: `${shown} is not a key=value pair, e.g. app=my-service`,
      };
    }
    const key = item.slice(0, equals).trim();
    const tagValue = item.slice(equals + 1).trim();
    if (!key) {
      return { ok: false, error: `${shown} has no tag key before "="` };
    }
    if (key.length > MAX_TAG_KEY_LENGTH) {
      return {
        ok: false,
        error: `the tag key ${JSON.stringify(
          key.slice(0, 40),
        )}… is longer than ${MAX_TAG_KEY_LENGTH} characters`,
      };
    }
    if (tagValue.length > MAX_TAG_VALUE_LENGTH) {
      return {
        ok: false,
        error: `the value of tag ${JSON.stringify(
          key,
        )} is longer than ${MAX_TAG_VALUE_LENGTH} characters`,
      };
    }
    if (filters.some(f => f.key === key)) {
      return {
        ok: false,
        error: `the tag key ${JSON.stringify(
          key,
        )} appears twice; a repository has one value per key`,
      };
    }
    filters.push({ key, value: tagValue });
  }
  return { ok: true, value: filters };
}

/**
 * The result of reading an entity's ECR annotations.
 *
 * @public
 */
export type EcrAnnotationsResult =
  | { ok: true; value: EcrAnnotations }
  | { ok: false; errors: string[] };

/**
 * True when the entity carries a repository annotation, by ARN or by tags
 * (whatever its value).
 *
 * @public
 */
export function isEcrAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations;
  return Boolean(
    annotations?.[ECR_REPOSITORY_ARN_ANNOTATION]?.trim() ||
      annotations?.[ECR_REPOSITORY_TAGS_ANNOTATION]?.trim(),
  );
}

/**
 * Reads and validates an entity's ECR annotations. Every problem is reported,
 * not only the first, each naming the annotation it is in. Accounts outside
 * `allowedAccounts` are refused: an entity may not point Backstage at an
 * account the platform team has not opened to it.
 *
 * @public
 */
export function readEcrAnnotations(
  entity: Entity,
  options: { allowedAccounts: readonly string[] },
): EcrAnnotationsResult {
  const annotations = entity.metadata.annotations ?? {};
  const errors: string[] = [];
  const allowed = new Set(options.allowedAccounts);
  const checkAccount = (annotation: string, accountId: string) => {
    if (!allowed.has(accountId)) {
      errors.push(
        `${annotation}: account ${accountId} is not one of the accounts this Backstage may use (ecr.allowedAccounts)`,
      );
    }
  };
  const raw = (annotation: string): string | undefined => {
    const value = annotations[annotation];
    if (value === undefined) return undefined;
    if (value.length > MAX_ANNOTATION_LENGTH) {
      errors.push(
        `${annotation}: the value is ${value.length} characters long; at most ${MAX_ANNOTATION_LENGTH} are accepted`,
      );
      return undefined;
    }
    return value;
  };

  let repositoryTags: RepositoryTagFilter[] | undefined;
  const tagsValue = raw(ECR_REPOSITORY_TAGS_ANNOTATION);
  if (tagsValue !== undefined) {
    const parsed = parseRepositoryTagsAnnotation(tagsValue);
    if (parsed.ok) repositoryTags = parsed.value;
    else errors.push(`${ECR_REPOSITORY_TAGS_ANNOTATION}: ${parsed.error}`);
  }

  const repositories: RepositoryRef[] = [];
  const repositoryValue = raw(ECR_REPOSITORY_ARN_ANNOTATION);
  if (repositoryValue === undefined || !repositoryValue.trim()) {
    if (!errors.length && tagsValue === undefined) {
      errors.push(
        `${ECR_REPOSITORY_ARN_ANNOTATION}: missing; name the service's repository ARN, e.g. arn:aws:ecr:eu-west-2:123412341234:repository/my-service`,
      );
    }
  } else {
    const items = repositoryValue
      .split(',')
      .map(item => item.trim())
      .filter(Boolean);
    if (items.length > MAX_REPOSITORIES_PER_ENTITY) {
      errors.push(
        `${ECR_REPOSITORY_ARN_ANNOTATION}: names ${items.length} repositories; at most ${MAX_REPOSITORIES_PER_ENTITY} are accepted`,
      );
    } else {
      for (const item of items) {
        const parsed = parseRepositoryArn(item);
        if (!parsed.ok) {
          errors.push(`${ECR_REPOSITORY_ARN_ANNOTATION}: ${parsed.error}`);
          continue;
        }
        checkAccount(ECR_REPOSITORY_ARN_ANNOTATION, parsed.value.accountId);
        if (!repositories.some(r => r.arn === parsed.value.arn)) {
          repositories.push(parsed.value);
        }
      }
    }
  }

  let codeBuildProject: CodeBuildProjectRef | undefined;
  const projectValue = raw(CODEBUILD_PROJECT_ARN_ANNOTATION);
  if (projectValue !== undefined) {
    const parsed = parseCodeBuildProjectArn(projectValue);
    if (parsed.ok) {
      codeBuildProject = parsed.value;
      checkAccount(CODEBUILD_PROJECT_ARN_ANNOTATION, parsed.value.accountId);
    } else {
      errors.push(`${CODEBUILD_PROJECT_ARN_ANNOTATION}: ${parsed.error}`);
    }
  }

  let pushRole: RoleRef | undefined;
  const roleValue = raw(PUSH_ROLE_ARN_ANNOTATION);
  if (roleValue !== undefined) {
    const parsed = parseRoleArn(roleValue);
    if (parsed.ok) {
      pushRole = parsed.value;
      checkAccount(PUSH_ROLE_ARN_ANNOTATION, parsed.value.accountId);
    } else {
      errors.push(`${PUSH_ROLE_ARN_ANNOTATION}: ${parsed.error}`);
    }
  }

  let containerPort: number | undefined;
  const portValue = raw(CONTAINER_PORT_ANNOTATION);
  if (portValue !== undefined) {
    const port = Number(portValue.trim());
    if (
      /^\d{1,5}$/.test(portValue.trim()) &&
      Number.isInteger(port) &&
      port >= 1 &&
      port <= 65535
    ) {
      containerPort = port;
    } else {
      errors.push(
        `${CONTAINER_PORT_ANNOTATION}: ${JSON.stringify(
          portValue.slice(0, 40),
        )} is not a port number (1 to 65535)`,
      );
    }
  }

  if (errors.length) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      repositories,
      ...(repositoryTags && { repositoryTags }),
      codeBuildProject,
      pushRole,
      containerPort,
    },
  };
}
