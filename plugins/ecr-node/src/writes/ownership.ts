import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import { GetRoleCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  belongs,
  Binding,
  CodeBuildProjectRef,
  describeBinding,
  judgeBinding,
  OwnershipSubject,
  parseRoleArn,
  RepositoryRef,
  ResourceBinding,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import { roleRefusal } from '../setup/gatherSetupFacts';
import {
  AwsSetupFactSource,
  roleBindingTags,
  tagMap,
} from '../setup/factSource';
import { ResourceTags } from '../setup/facts';
import { requireAllowedAccount, requireAllowedRole } from './allowedTargets';

/**
 * The ownership rules of every write: Backstage changes a repository or role
 * for an entity only when AWS says it belongs to that entity (its tags name
 * the entity or its owner). The tags are read from AWS at the time of the
 * write, never from a cache.
 */

type OwnershipKeys = EcrConfig['ownership'];

/** How to bind a repository or role, for refusals. */
function howToBind(subject: OwnershipSubject, keys: OwnershipKeys): string {
  return `To bind it to ${
    subject.entityRef
  }, a member of the platform team can use Claim on the entity's ECR tab (POST …/claim), or tag it in AWS with ${
    keys.entityRefTag
  }=${subject.entityRef}${
    subject.ownerRef ? ` or ${keys.ownerTag}=${subject.ownerRef}` : ''
  }.`;
}

/**
 * The AWS resource a refusal names, and who AWS says it belongs to: a
 * repository, a role, or (for builds) a CodeBuild project.
 *
 * @public
 */
export interface OwnedResource extends Omit<ResourceBinding, 'kind'> {
  kind: ResourceBinding['kind'] | 'project';
}

/**
 * A 403 for an AWS resource that does not belong to the entity. Its answer
 * carries the resource's binding as data (`resource`), so that a client can
 * tell it from a missing permission, whose name (`NotAllowedError`) it shares.
 *
 * @public
 */
export class NotOwnedError extends NotAllowedError {
  constructor(message: string, readonly resource: OwnedResource) {
    super(message);
  }
}

/** The 403 for a resource that does not belong to the entity. */
export function notOwnedError(
  what: string,
  binding: Binding,
  subject: OwnershipSubject,
  keys: OwnershipKeys,
  resource: Pick<OwnedResource, 'kind' | 'arn'>,
): NotOwnedError {
  const said = describeBinding(what, binding, keys);
  return new NotOwnedError(
    binding.state === 'elsewhere'
      ? `${said}; Backstage changes it only for its own entity. Its owners can hand it over by changing the tag.`
      : `${said}, so Backstage does not change it for ${
          subject.entityRef
        }. ${howToBind(subject, keys)}`,
    {
      ...resource,
      state: binding.state,
      ...('boundTo' in binding && { boundTo: binding.boundTo }),
    },
  );
}

/** A repository's tags read for a write: null when it does not exist. */
export async function readRepositoryTags(
  clients: AwsClients,
  repository: RepositoryRef,
): Promise<ResourceTags> {
  return callAws('ecr:ListTagsForResource', repository.arn, () =>
    new AwsSetupFactSource(clients).listRepositoryTags(repository),
  );
}

/**
 * Refuses (403) a repository that exists and does not belong to the entity;
 * answers its binding, or `missing` when it does not exist.
 */
export async function requireRepositoryBelongs(
  clients: AwsClients,
  config: EcrConfig,
  repository: RepositoryRef,
  subject: OwnershipSubject,
): Promise<Binding | 'missing'> {
  const tags = await readRepositoryTags(clients, repository);
  if (tags === null) return 'missing';
  const binding = judgeBinding(tags, subject, config.ownership);
  if (!belongs(binding)) {
    throw notOwnedError(
      `Repository ${repository.arn}`,
      binding,
      subject,
      config.ownership,
      { kind: 'repository', arn: repository.arn },
    );
  }
  return binding;
}

/** A pushing role as found for a write: its ref (with IAM's own ARN) and tags. */
export interface FoundRole {
  role: RoleRef;
  tags: Record<string, string>;
  /** How the project that names it is bound, when the role came from a project. */
  projectBinding?: Binding;
}

/**
 * Finds the pushing role (named, or the CodeBuild project's service role) and
 * checks, before anything is written: the accounts are allowed, the role
 * matches `ecr.iam.allowedRoleArnPatterns` (before IAM is asked anything about
 * it), the role exists. Ownership is judged by the caller.
 */
export async function findRole(
  clients: AwsClients,
  config: EcrConfig,
  target: { role?: RoleRef; codeBuildProject?: CodeBuildProjectRef },
  subject: OwnershipSubject,
): Promise<FoundRole> {
  let candidate: RoleRef;
  let projectBinding: Binding | undefined;
  let pathKnown = true;
  if (target.role) {
    requireAllowedAccount(
      target.role.accountId,
      config.allowedAccounts,
      `Role ${target.role.arn}`,
    );
    candidate = target.role;
  } else if (target.codeBuildProject) {
    const project = target.codeBuildProject;
    requireAllowedAccount(
      project.accountId,
      config.allowedAccounts,
      `CodeBuild project ${project.arn}`,
    );
    const found = await serviceRoleOf(clients, project);
    candidate = found.role;
    pathKnown = found.pathKnown;
    projectBinding = judgeBinding(found.tags, subject, config.ownership);
  } else {
    throw new InputError(
      'Name the pushing role either by its ARN or by the CodeBuild project whose service role it is',
    );
  }
  // A bare role name from CodeBuild says nothing of the role's path, so the
  // patterns are checked again on the ARN IAM answers.
  if (pathKnown) {
    requireAllowedRole(candidate.arn, config.allowedRoleArnPatterns);
  }
  const iam = clients.iam(candidate.accountId, candidate.partition);
  const answer = await callAws('iam:GetRole', candidate.arn, async () => {
    try {
      return await iam.send(new GetRoleCommand({ RoleName: candidate.name }));
    } catch (error) {
      if (error instanceof NoSuchEntityException) {
        throw new NotFoundError(
          `Role ${candidate.name} does not exist in account ${candidate.accountId}`,
        );
      }
      throw error;
    }
  });
  const arn = answer.Role?.Arn ?? candidate.arn;
  requireAllowedRole(arn, config.allowedRoleArnPatterns);
  const parsed = parseRoleArn(arn);
  return {
    role: parsed.ok ? parsed.value : candidate,
    // As IAM reads them: a binding key in another case is the binding tag.
    tags: roleBindingTags(tagMap(answer.Role?.Tags), config.ownership),
    ...(projectBinding && { projectBinding }),
  };
}

/**
 * Refuses (403) a role that does not belong to the entity: its own tags
 * decide when they bind it, an untagged role belongs through its project.
 */
export function requireRoleBelongs(
  found: FoundRole,
  subject: OwnershipSubject,
  config: EcrConfig,
): Binding {
  const roleBinding = judgeBinding(found.tags, subject, config.ownership);
  const refusal = roleRefusal(
    roleBinding,
    found.projectBinding,
    config.ownership,
  );
  if (refusal) {
    const what = `Role ${found.role.arn}`;
    const shown =
      roleBinding.state === 'unbound' && found.projectBinding
        ? found.projectBinding
        : roleBinding;
    throw new NotOwnedError(
      `${refusal.replace(/^The role/, what)}; Backstage grants it nothing for ${
        subject.entityRef
      }. ${
        roleBinding.state === 'elsewhere'
          ? 'Its owners can hand it over by changing the tag.'
          : howToBind(subject, config.ownership)
      }`,
      {
        kind: 'role',
        arn: found.role.arn,
        state: shown.state,
        ...('boundTo' in shown && { boundTo: shown.boundTo }),
      },
    );
  }
  return roleBinding;
}

/** The project's service role and tags, from BatchGetProjects. */
async function serviceRoleOf(
  clients: AwsClients,
  project: CodeBuildProjectRef,
): Promise<{
  role: RoleRef;
  pathKnown: boolean;
  tags: Record<string, string>;
}> {
  const found = await callAws(
    'codebuild:BatchGetProjects',
    project.arn,
    async () => {
      const answer = await clients
        .codeBuild(project.accountId, project.region)
        .send(new BatchGetProjectsCommand({ names: [project.name] }));
      const match = answer.projects?.find(p => p.name === project.name);
      if (!match) {
        throw new NotFoundError(
          `CodeBuild project ${project.name} does not exist in account ${project.accountId}, region ${project.region}`,
        );
      }
      if (!match.serviceRole) {
        throw new NotFoundError(
          `CodeBuild project ${project.name} has no service role`,
        );
      }
      return { serviceRole: match.serviceRole, tags: tagMap(match.tags) };
    },
  );
  // CodeBuild reports the role as an ARN, or as a bare name.
  const pathKnown = found.serviceRole.startsWith('arn:');
  const arn = pathKnown
    ? found.serviceRole
    : `arn:${project.partition}:iam::${project.accountId}:role/${found.serviceRole}`;
  const parsed = parseRoleArn(arn);
  if (!parsed.ok) {
    throw new InputError(
      `CodeBuild project ${project.name} names a service role Backstage cannot read: ${parsed.error}`,
    );
  }
  requireAllowedAccount(
    parsed.value.accountId,
    [project.accountId],
    `The service role of CodeBuild project ${project.name}`,
  );
  return { role: parsed.value, pathKnown, tags: found.tags };
}
