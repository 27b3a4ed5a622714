import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  NoSuchEntityException,
  paginateListAttachedRolePolicies,
  paginateSimulatePrincipalPolicy,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  CodeBuildProjectRef,
  OwnershipTagKeys,
  RepositoryRef,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { AwsClients } from '../aws/clients';
import {
  PolicyDocumentFacts,
  PushDecision,
  RepositorySettingsFacts,
  ResourceTags,
} from './facts';

/** The first page of DescribeImages, summed up. */
export interface ImagesSample {
  count: number;
  more: boolean;
  newestPushedAt?: string;
}

/**
 * The AWS reads behind the setup facts, one method per question. Each method
 * answers or throws the SDK's error; turning failures into failed facts is the
 * gatherer's job. The entity route reads AWS directly
 * ({@link AwsSetupFactSource}); the audit shares one answer per question
 * across every entity of a run.
 */
export interface SetupFactSource {
  /** ListTagsForResource: the repository's tags, or null when it does not exist. */
  listRepositoryTags(repository: RepositoryRef): Promise<ResourceTags>;
  /** DescribeRepositories: the settings, or null when the repository does not exist. */
  describeRepository(
    repository: RepositoryRef,
  ): Promise<RepositorySettingsFacts | null>;
  /** GetLifecyclePolicy: whether the repository has one. */
  hasLifecyclePolicy(repository: RepositoryRef): Promise<boolean>;
  /** The first page of DescribeImages. */
  sampleImages(repository: RepositoryRef): Promise<ImagesSample>;
  /** GetRepositoryPolicy: the repository's policy, or null when it has none. */
  getRepositoryPolicy(
    repository: RepositoryRef,
  ): Promise<PolicyDocumentFacts | null>;
  /** BatchGetProjects: whether the project exists, its service role and tags. */
  getCodeBuildProject(project: CodeBuildProjectRef): Promise<ProjectLookup>;
  /** GetRole: whether the role exists, its full ARN and tags. */
  getRole(role: RoleRef): Promise<RoleLookup>;
  /** SimulatePrincipalPolicy of the actions on one resource, every page. */
  simulatePrincipalPolicy(
    role: RoleRef,
    actions: readonly string[],
    resource: string,
  ): Promise<PushDecision[]>;
  /** ListAttachedRolePolicies, every page. */
  listAttachedRolePolicies(
    role: RoleRef,
  ): Promise<Array<{ arn: string; name: string }>>;
  /** GetPolicy: the id of the policy's default version, or null when it names none. */
  getDefaultPolicyVersion(
    role: RoleRef,
    policyArn: string,
  ): Promise<string | null>;
  /** GetPolicyVersion: that version's document, or null when it does not parse. */
  getPolicyVersionDocument(
    role: RoleRef,
    policyArn: string,
    versionId: string,
  ): Promise<PolicyDocumentFacts | null>;
  /** GetCallerIdentity in one account. */
  getCallerIdentity(
    accountId: string,
    region: string,
  ): Promise<{ arn: string; accountId: string }>;
}

/** What BatchGetProjects says of one project. */
export interface ProjectLookup {
  found: boolean;
  serviceRole?: string;
  tags?: Record<string, string>;
}

/** What GetRole says of one role. */
export interface RoleLookup {
  exists: boolean;
  arn?: string;
  tags?: Record<string, string>;
}

/** Tags as AWS lists them (`Key`/`Value`, or CodeBuild's `key`/`value`), as a map. */
export function tagMap(
  tags:
    | Array<{ Key?: string; Value?: string; key?: string; value?: string }>
    | undefined,
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const key = tag.Key ?? tag.key;
    if (key !== undefined) map[key] = tag.Value ?? tag.value ?? '';
  }
  return map;
}

/**
 * A role's tags with the binding tags under the configured keys. IAM tag keys
 * are case-insensitive (a role cannot hold `backstage.io/owner` and
 * `Backstage.io/Owner` both, and TagRole with one overwrites the other), so a
 * role tag whose key is a binding key in another case is that binding tag.
 */
export function roleBindingTags(
  tags: Record<string, string>,
  keys: OwnershipTagKeys,
): Record<string, string> {
  const bindingKeys = [keys.entityRefTag, keys.ownerTag];
  const folded: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    const bindingKey = bindingKeys.find(
      k => k.toLowerCase() === key.toLowerCase(),
    );
    folded[bindingKey ?? key] = value;
  }
  return folded;
}

/** Enough images to say "N images" without paging through a large repository. */
const IMAGES_SAMPLE_SIZE = 1000;

/** A repository's settings as DescribeRepositories reports them. */
export function repositorySettings(found: {
  imageTagMutability?: string;
  imageScanningConfiguration?: { scanOnPush?: boolean };
  encryptionConfiguration?: { encryptionType?: string; kmsKey?: string };
}): RepositorySettingsFacts {
  return {
    imageTagMutability: found.imageTagMutability,
    scanOnPush: found.imageScanningConfiguration?.scanOnPush,
    encryptionType: found.encryptionConfiguration?.encryptionType,
    kmsKey: found.encryptionConfiguration?.kmsKey,
  };
}

/** {@link SetupFactSource} straight on the SDK clients: one call per question. */
export class AwsSetupFactSource implements SetupFactSource {
  constructor(private readonly clients: AwsClients) {}

  async listRepositoryTags(repository: RepositoryRef): Promise<ResourceTags> {
    try {
      const answer = await this.clients
        .ecr(repository.accountId, repository.region)
        .send(new ListTagsForResourceCommand({ resourceArn: repository.arn }));
      return tagMap(answer.tags);
    } catch (error) {
      if (error instanceof RepositoryNotFoundException) return null;
      throw error;
    }
  }

  async describeRepository(
    repository: RepositoryRef,
  ): Promise<RepositorySettingsFacts | null> {
    try {
      const answer = await this.clients
        .ecr(repository.accountId, repository.region)
        .send(
          new DescribeRepositoriesCommand({
            registryId: repository.accountId,
            repositoryNames: [repository.name],
          }),
        );
      const found = answer.repositories?.[0];
      return found ? repositorySettings(found) : null;
    } catch (error) {
      if (error instanceof RepositoryNotFoundException) return null;
      throw error;
    }
  }

  async hasLifecyclePolicy(repository: RepositoryRef): Promise<boolean> {
    try {
      await this.clients.ecr(repository.accountId, repository.region).send(
        new GetLifecyclePolicyCommand({
          registryId: repository.accountId,
          repositoryName: repository.name,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof LifecyclePolicyNotFoundException) return false;
      throw error;
    }
  }

  async sampleImages(repository: RepositoryRef): Promise<ImagesSample> {
    const answer = await this.clients
      .ecr(repository.accountId, repository.region)
      .send(
        new DescribeImagesCommand({
          registryId: repository.accountId,
          repositoryName: repository.name,
          maxResults: IMAGES_SAMPLE_SIZE,
        }),
      );
    const pushed = (answer.imageDetails ?? [])
      .map(d => d.imagePushedAt?.getTime() ?? 0)
      .filter(t => t > 0);
    return {
      count: answer.imageDetails?.length ?? 0,
      more: Boolean(answer.nextToken),
      ...(pushed.length && {
        newestPushedAt: new Date(Math.max(...pushed)).toISOString(),
      }),
    };
  }

  async getRepositoryPolicy(
    repository: RepositoryRef,
  ): Promise<PolicyDocumentFacts | null> {
    try {
      const answer = await this.clients
        .ecr(repository.accountId, repository.region)
        .send(
          new GetRepositoryPolicyCommand({
            registryId: repository.accountId,
            repositoryName: repository.name,
          }),
        );
      return parseRepositoryPolicy(answer.policyText);
    } catch (error) {
      if (
        error instanceof RepositoryPolicyNotFoundException ||
        error instanceof RepositoryNotFoundException
      ) {
        return null;
      }
      throw error;
    }
  }

  async getCodeBuildProject(
    project: CodeBuildProjectRef,
  ): Promise<ProjectLookup> {
    const answer = await this.clients
      .codeBuild(project.accountId, project.region)
      .send(new BatchGetProjectsCommand({ names: [project.name] }));
    const found = answer.projects?.find(p => p.name === project.name);
    return found
      ? {
          found: true,
          serviceRole: found.serviceRole,
          tags: tagMap(found.tags),
        }
      : { found: false };
  }

  async getRole(role: RoleRef): Promise<RoleLookup> {
    try {
      const answer = await this.clients
        .iam(role.accountId, role.partition)
        .send(new GetRoleCommand({ RoleName: role.name }));
      return {
        exists: true,
        arn: answer.Role?.Arn ?? role.arn,
        tags: tagMap(answer.Role?.Tags),
      };
    } catch (error) {
      if (error instanceof NoSuchEntityException) return { exists: false };
      throw error;
    }
  }

  async simulatePrincipalPolicy(
    role: RoleRef,
    actions: readonly string[],
    resource: string,
  ): Promise<PushDecision[]> {
    const decisions: PushDecision[] = [];
    for await (const page of paginateSimulatePrincipalPolicy(
      { client: this.clients.iam(role.accountId, role.partition) },
      {
        PolicySourceArn: role.arn,
        ActionNames: [...actions],
        ResourceArns: [resource],
      },
    )) {
      for (const result of page.EvaluationResults ?? []) {
        const details = result.EvalDecisionDetails;
        const boundary =
          result.PermissionsBoundaryDecisionDetail
            ?.AllowedByPermissionsBoundary;
        const organizations =
          result.OrganizationsDecisionDetail?.AllowedByOrganizations;
        decisions.push({
          action: result.EvalActionName ?? '',
          resource: result.EvalResourceName ?? resource,
          decision: (result.EvalDecision ??
            'implicitDeny') as PushDecision['decision'],
          ...(details &&
            Object.keys(details).length > 0 && { details: { ...details } }),
          ...(boundary !== undefined && {
            allowedByPermissionsBoundary: boundary,
          }),
          ...(organizations !== undefined && {
            allowedByOrganizations: organizations,
          }),
        });
      }
    }
    return decisions;
  }

  async listAttachedRolePolicies(
    role: RoleRef,
  ): Promise<Array<{ arn: string; name: string }>> {
    const policies: Array<{ arn: string; name: string }> = [];
    for await (const page of paginateListAttachedRolePolicies(
      { client: this.clients.iam(role.accountId, role.partition) },
      { RoleName: role.name },
    )) {
      for (const policy of page.AttachedPolicies ?? []) {
        policies.push({
          arn: policy.PolicyArn ?? '',
          name: policy.PolicyName ?? '',
        });
      }
    }
    return policies;
  }

  async getDefaultPolicyVersion(
    role: RoleRef,
    policyArn: string,
  ): Promise<string | null> {
    const described = await this.clients
      .iam(role.accountId, role.partition)
      .send(new GetPolicyCommand({ PolicyArn: policyArn }));
    return described.Policy?.DefaultVersionId || null;
  }

  async getPolicyVersionDocument(
    role: RoleRef,
    policyArn: string,
    versionId: string,
  ): Promise<PolicyDocumentFacts | null> {
    const version = await this.clients.iam(role.accountId, role.partition).send(
      new GetPolicyVersionCommand({
        PolicyArn: policyArn,
        VersionId: versionId,
      }),
    );
    return parsePolicyDocument(version.PolicyVersion?.Document);
  }

  async getCallerIdentity(
    accountId: string,
    region: string,
  ): Promise<{ arn: string; accountId: string }> {
    const answer = await this.clients
      .sts(accountId, region)
      .send(new GetCallerIdentityCommand({}));
    return { arn: answer.Arn ?? '', accountId: answer.Account ?? '' };
  }
}

/** IAM returns policy documents URL-encoded. */
export function parsePolicyDocument(
  encoded: string | undefined,
): PolicyDocumentFacts | null {
  if (!encoded) return null;
  for (const text of [safeDecode(encoded), encoded]) {
    try {
      const parsed = JSON.parse(text ?? '');
      if (parsed && typeof parsed === 'object') {
        return parsed as PolicyDocumentFacts;
      }
    } catch {
      // try the next form
    }
  }
  return null;
}

/**
 * ECR answers a repository policy as plain JSON text. A policy ECR stored
 * always parses; text that does not is taken as a policy with no statement
 * rather than as no policy.
 */
export function parseRepositoryPolicy(
  text: string | undefined,
): PolicyDocumentFacts | null {
  if (text === undefined) return null;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      return parsed as PolicyDocumentFacts;
    }
  } catch {
    // below
  }
  return parsePolicyDocument(text) ?? {};
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
