import {
  belongs,
  Binding,
  describeBinding,
  EcrAnnotations,
  EcrAnnotationsResult,
  judgeBinding,
  OwnershipSubject,
  parseRoleArn,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { roleArnMatches } from '../writes/allowedTargets';
import { describeFailure, Fact, FailedFact, gatherFact } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import {
  AttachedPolicy,
  CallerIdentityFacts,
  CODEBUILD_MANAGED_POLICY_PREFIX,
  OwnershipFacts,
  PushDecision,
  PushRoleFacts,
  RepositoryFacts,
  SetupFacts,
} from './facts';
import {
  AwsSetupFactSource,
  roleBindingTags,
  SetupFactSource,
} from './factSource';
import {
  AUTHORIZATION_TOKEN_ACTION,
  REPOSITORY_PUSH_ACTIONS,
} from './pushPolicy';

export { parsePolicyDocument } from './factSource';

/** How `subject`'s resources are judged, from the `ecr` configuration. */
export function ownershipFacts(
  config: Pick<EcrConfig, 'ownership' | 'allowedRoleArnPatterns'>,
  subject: OwnershipSubject,
): OwnershipFacts {
  return {
    subject,
    entityRefTag: config.ownership.entityRefTag,
    ownerTag: config.ownership.ownerTag,
    unbound: config.ownership.unbound,
    allowedRoleArnPatterns: config.allowedRoleArnPatterns,
  };
}

/**
 * Gathers what the setup checks need from AWS, for the ARNs the annotations
 * name and nothing else, and only as far as AWS says they belong to the
 * entity: a repository's tags are read first, and nothing more of it when it
 * belongs to someone else; a role's permissions and policies are read only
 * when it matches `ecr.iam.allowedRoleArnPatterns` and belongs to the entity
 * (itself, or through the CodeBuild project whose service role it is). Calls
 * that do not depend on each other run together. Any failure of an AWS call
 * (a refusal, throttling, a server error, an answer that is not AWS's, the
 * network) becomes a failed fact, so that only the checks that need it are
 * unknown: this never throws for an AWS failure.
 */
export function gatherSetupFacts(
  clients: AwsClients,
  annotations: EcrAnnotationsResult,
  ownership: OwnershipFacts,
): Promise<SetupFacts> {
  return gatherSetupFactsFrom(
    new AwsSetupFactSource(clients),
    annotations,
    ownership,
  );
}

/**
 * {@link gatherSetupFacts} over any source of AWS answers, such as the audit's,
 * which answers each question once per run however many entities ask it.
 */
export async function gatherSetupFactsFrom(
  source: SetupFactSource,
  annotations: EcrAnnotationsResult,
  ownership: OwnershipFacts,
): Promise<SetupFacts> {
  if (!annotations.ok) {
    return {
      annotations,
      repositories: [],
      pushRole: {},
      callerIdentities: [],
      ownership,
    };
  }
  const value = annotations.value;
  const [repositories, pushRole, callerIdentities] = await Promise.all([
    Promise.all(
      value.repositories.map(r => gatherRepository(source, r, ownership)),
    ),
    gatherPushRole(source, value, ownership),
    gatherCallerIdentities(source, value),
  ]);
  const roleArn = roleArnToInspect(pushRole);
  if (!roleArn) {
    return { annotations, repositories, pushRole, callerIdentities, ownership };
  }
  // Push is simulated only on repositories the entity may read.
  const readable = repositories.filter(r => !r.withheld);
  const [pushPermissions, attachedPolicies] = await Promise.all([
    simulatePush(source, roleArn, readable),
    gatherAttachedPolicies(source, roleArn),
  ]);
  return {
    annotations,
    repositories,
    pushRole,
    pushPermissions,
    attachedPolicies,
    callerIdentities,
    ownership,
  };
}

/**
 * Why the entity may not read a repository with these tags, or undefined when
 * it may: bound elsewhere, or unbound while `ecr.ownership.unbound` is `deny`.
 *
 * @public
 */
export function readRefusal(
  what: string,
  binding: Binding,
  ownership: Pick<OwnershipFacts, 'entityRefTag' | 'ownerTag' | 'unbound'>,
): string | undefined {
  if (belongs(binding)) return undefined;
  if (binding.state === 'unbound') {
    return ownership.unbound === 'deny'
      ? `${describeBinding(
          what,
          binding,
          ownership,
        )}, and unbound repositories are not shown (ecr.ownership.unbound: deny)`
      : undefined;
  }
  return describeBinding(what, binding, ownership);
}

async function gatherRepository(
  source: SetupFactSource,
  repository: RepositoryRef,
  ownership: OwnershipFacts,
): Promise<RepositoryFacts> {
  const tags = await gatherFact('ecr:ListTagsForResource', repository.arn, () =>
    source.listRepositoryTags(repository),
  );
  if (!tags.ok) {
    return {
      ...repository,
      tags,
      settings: tags,
      withheld: `who ${
        repository.name
      } belongs to is unknown: ${describeFailure(tags)}`,
    };
  }
  if (tags.value === null) {
    // ListTagsForResource found no such repository.
    return { ...repository, tags, settings: { ok: true, value: null } };
  }
  const refusal = readRefusal(
    `Repository ${repository.name}`,
    judgeBinding(tags.value, ownership.subject, ownership),
    ownership,
  );
  if (refusal) {
    return {
      ...repository,
      tags,
      settings: { ok: true, value: null },
      withheld: refusal,
    };
  }
  // ListTagsForResource found it: its policy is read beside its settings.
  const [settings, repositoryPolicy] = await Promise.all([
    gatherFact('ecr:DescribeRepositories', repository.arn, () =>
      source.describeRepository(repository),
    ),
    gatherFact('ecr:GetRepositoryPolicy', repository.arn, () =>
      source.getRepositoryPolicy(repository),
    ),
  ]);
  // A repository that is missing (or that Backstage may not describe) may
  // still exist; its lifecycle policy and images are read either way only
  // when it is known to exist.
  if (!settings.ok || settings.value === null) {
    return { ...repository, tags, settings, repositoryPolicy };
  }
  const [lifecyclePolicy, images] = await Promise.all([
    gatherFact('ecr:GetLifecyclePolicy', repository.arn, async () => ({
      exists: await source.hasLifecyclePolicy(repository),
    })),
    gatherFact('ecr:DescribeImages', repository.arn, () =>
      source.sampleImages(repository),
    ),
  ]);
  return {
    ...repository,
    tags,
    settings,
    lifecyclePolicy,
    images,
    repositoryPolicy,
  };
}

async function gatherPushRole(
  source: SetupFactSource,
  annotations: EcrAnnotations,
  ownership: OwnershipFacts,
): Promise<PushRoleFacts> {
  const facts: PushRoleFacts = {};
  let projectBinding: Binding | undefined;
  if (annotations.pushRole) {
    // The explicit role annotation names the pushing role outright.
    facts.annotatedRoleArn = annotations.pushRole.arn;
    facts.source = 'annotation';
    facts.candidateRoleArn = annotations.pushRole.arn;
  } else if (annotations.codeBuildProject) {
    const project = annotations.codeBuildProject;
    const lookup = await gatherFact(
      'codebuild:BatchGetProjects',
      project.arn,
      () => source.getCodeBuildProject(project),
    );
    facts.codeBuildProject = { arn: project.arn, name: project.name, lookup };
    if (lookup.ok && lookup.value.found) {
      projectBinding = judgeBinding(
        lookup.value.tags ?? {},
        ownership.subject,
        ownership,
      );
    }
    if (lookup.ok && lookup.value.serviceRole) {
      facts.source = 'codebuild';
      facts.candidateRoleArn = serviceRoleArn(
        lookup.value.serviceRole,
        project.partition,
        project.accountId,
      );
    }
  }
  const candidate = facts.candidateRoleArn
    ? parseRoleArn(facts.candidateRoleArn)
    : undefined;
  if (!candidate?.ok) return facts;
  const role = candidate.value;
  // Roles outside the patterns are never asked about: not even whether they exist.
  const outside = outsidePatterns(role.arn, ownership.allowedRoleArnPatterns);
  if (outside) {
    facts.withheld = outside;
    return facts;
  }
  facts.role = await gatherFact('iam:GetRole', role.arn, () =>
    source.getRole(role),
  );
  if (!facts.role.ok) {
    facts.withheld = `who the role belongs to is unknown: ${describeFailure(
      facts.role,
    )}`;
    return facts;
  }
  if (!facts.role.value.exists) return facts;
  // Read as IAM reads them: a binding key in another case is the binding tag.
  facts.role = {
    ok: true,
    value: {
      ...facts.role.value,
      tags: roleBindingTags(facts.role.value.tags ?? {}, ownership),
    },
  };
  const found = facts.role.value;
  facts.withheld =
    outsidePatterns(found.arn ?? role.arn, ownership.allowedRoleArnPatterns) ??
    roleRefusal(
      judgeBinding(found.tags ?? {}, ownership.subject, ownership),
      facts.source === 'codebuild' ? projectBinding : undefined,
      ownership,
    );
  return facts;
}

/** Why a role is not inspected because of `ecr.iam.allowedRoleArnPatterns`. */
function outsidePatterns(
  roleArn: string,
  patterns: readonly string[],
): string | undefined {
  if (patterns.some(pattern => roleArnMatches(roleArn, pattern))) {
    return undefined;
  }
  return patterns.length
    ? `${roleArn} matches none of ecr.iam.allowedRoleArnPatterns (${patterns.join(
        ', ',
      )}), so Backstage neither inspects nor changes it`
    : `ecr.iam.allowedRoleArnPatterns is empty, so Backstage inspects no role`;
}

/**
 * Why a role does not belong to the entity, or undefined when it does: its
 * own tags decide when they bind it; an untagged role belongs through the
 * CodeBuild project whose service role it is.
 */
export function roleRefusal(
  roleBinding: Binding,
  projectBinding: Binding | undefined,
  ownership: Pick<OwnershipFacts, 'entityRefTag' | 'ownerTag'>,
): string | undefined {
  if (belongs(roleBinding)) return undefined;
  if (roleBinding.state === 'elsewhere') {
    return describeBinding('The role', roleBinding, ownership);
  }
  if (projectBinding && belongs(projectBinding)) return undefined;
  if (projectBinding?.state === 'elsewhere') {
    return `The role is unbound, and ${describeBinding(
      'its CodeBuild project',
      projectBinding,
      ownership,
    )}`;
  }
  return `${describeBinding('The role', roleBinding, ownership)}${
    projectBinding ? ', and so is its CodeBuild project' : ''
  }`;
}

/** CodeBuild reports the service role as an ARN, or as a bare name. */
function serviceRoleArn(
  serviceRole: string,
  partition: string,
  accountId: string,
): string {
  return serviceRole.startsWith('arn:')
    ? serviceRole
    : `arn:${partition}:iam::${accountId}:role/${serviceRole}`;
}

/**
 * The role ARN to simulate: the one GetRole confirmed (it carries the real
 * path), once it is known to belong to the entity.
 */
function roleArnToInspect(pushRole: PushRoleFacts): string | undefined {
  const role = pushRole.role;
  if (!role?.ok || pushRole.withheld || !role.value.exists) return undefined;
  return role.value.arn;
}

async function simulatePush(
  source: SetupFactSource,
  roleArn: string,
  repositories: RepositoryRef[],
): Promise<Fact<PushDecision[]>> {
  const role = parseRoleArn(roleArn);
  if (!role.ok) {
    return { ok: true, value: [] };
  }
  // One simulation per repository ARN and one for the token on `*`: each
  // answer is then about exactly one resource.
  return gatherFact('iam:SimulatePrincipalPolicy', roleArn, async () => {
    const answers = await Promise.all([
      ...repositories.map(r =>
        source.simulatePrincipalPolicy(
          role.value,
          REPOSITORY_PUSH_ACTIONS,
          r.arn,
        ),
      ),
      source.simulatePrincipalPolicy(
        role.value,
        [AUTHORIZATION_TOKEN_ACTION],
        '*',
      ),
    ]);
    return answers.flat();
  });
}

async function gatherAttachedPolicies(
  source: SetupFactSource,
  roleArn: string,
): Promise<Fact<AttachedPolicy[]>> {
  const role = parseRoleArn(roleArn);
  if (!role.ok) return { ok: true, value: [] };
  const listed = await gatherFact(
    'iam:ListAttachedRolePolicies',
    roleArn,
    async (): Promise<AttachedPolicy[]> =>
      source.listAttachedRolePolicies(role.value),
  );
  if (!listed.ok) return listed;
  const policies = await Promise.all(
    listed.value.map(async policy => {
      if (!policy.name.startsWith(CODEBUILD_MANAGED_POLICY_PREFIX)) {
        return policy;
      }
      const version = await gatherFact('iam:GetPolicy', policy.arn, () =>
        source.getDefaultPolicyVersion(role.value, policy.arn),
      );
      if (!version.ok || version.value === null) {
        return {
          ...policy,
          document: version.ok ? { ok: true as const, value: null } : version,
        };
      }
      const versionId = version.value;
      const document = await gatherFact(
        'iam:GetPolicyVersion',
        policy.arn,
        () =>
          source.getPolicyVersionDocument(role.value, policy.arn, versionId),
      );
      return { ...policy, document };
    }),
  );
  return { ok: true, value: policies };
}

async function gatherCallerIdentities(
  source: SetupFactSource,
  annotations: EcrAnnotations,
): Promise<CallerIdentityFacts[]> {
  // One STS call per account Backstage acts in, in a region it already uses.
  const regions = new Map<string, string>();
  for (const r of annotations.repositories) {
    if (!regions.has(r.accountId)) regions.set(r.accountId, r.region);
  }
  const project = annotations.codeBuildProject;
  if (project && !regions.has(project.accountId)) {
    regions.set(project.accountId, project.region);
  }
  const role = annotations.pushRole;
  if (role && !regions.has(role.accountId)) {
    regions.set(
      role.accountId,
      annotations.repositories[0]?.region ?? 'us-east-1',
    );
  }
  return Promise.all(
    [...regions].map(async ([accountId, region]) => ({
      accountId,
      identity: await gatherFact('sts:GetCallerIdentity', undefined, () =>
        source.getCallerIdentity(accountId, region),
      ),
    })),
  );
}

/**
 * Every failed fact of a gathering, each once: a repository whose tags could
 * not be read carries the same failure as its settings, and it is listed once.
 */
export function failedFacts(facts: SetupFacts): FailedFact[] {
  const all: Array<Fact<unknown> | undefined> = [];
  for (const r of facts.repositories) {
    if (r.tags && !r.tags.ok) all.push(r.tags);
    else {
      all.push(
        r.tags,
        r.settings,
        r.lifecyclePolicy,
        r.images,
        r.repositoryPolicy,
      );
    }
  }
  all.push(facts.pushRole.codeBuildProject?.lookup, facts.pushRole.role);
  all.push(facts.pushPermissions, facts.attachedPolicies);
  if (facts.attachedPolicies?.ok) {
    all.push(...facts.attachedPolicies.value.map(p => p.document));
  }
  all.push(...facts.callerIdentities.map(i => i.identity));
  return all.filter((fact): fact is FailedFact => fact?.ok === false);
}

/**
 * The failures of a gathering that may pass by themselves: throttling, HTTP
 * 5xx (but 501), the network. When there are any, a caller holding an
 * earlier answer without them may serve that one, marked stale, instead.
 *
 * @public
 */
export function transientFailures(facts: SetupFacts): FailedFact[] {
  return failedFacts(facts).filter(f => f.transient);
}
