import {
  EcrAnnotations,
  EcrAnnotationsResult,
  parseRoleArn,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { Fact, gatherFact } from '../aws/call';
import { AwsClients } from '../aws/clients';
import {
  AttachedPolicy,
  CallerIdentityFacts,
  CODEBUILD_MANAGED_POLICY_PREFIX,
  PushDecision,
  PushRoleFacts,
  RepositoryFacts,
  SetupFacts,
} from './facts';
import { AwsSetupFactSource, SetupFactSource } from './factSource';
import {
  AUTHORIZATION_TOKEN_ACTION,
  REPOSITORY_PUSH_ACTIONS,
} from './pushPolicy';

export { parsePolicyDocument } from './factSource';

/**
 * Gathers what the setup checks need from AWS, for the ARNs the annotations
 * name and nothing else. Calls that do not depend on each other run together;
 * a refusal of Backstage's identity becomes a denied fact, so that the other
 * checks still answer.
 */
export function gatherSetupFacts(
  clients: AwsClients,
  annotations: EcrAnnotationsResult,
): Promise<SetupFacts> {
  return gatherSetupFactsFrom(new AwsSetupFactSource(clients), annotations);
}

/**
 * {@link gatherSetupFacts} over any source of AWS answers, such as the audit's,
 * which answers each question once per run however many entities ask it.
 */
export async function gatherSetupFactsFrom(
  source: SetupFactSource,
  annotations: EcrAnnotationsResult,
): Promise<SetupFacts> {
  if (!annotations.ok) {
    return {
      annotations,
      repositories: [],
      pushRole: {},
      callerIdentities: [],
    };
  }
  const value = annotations.value;
  const [repositories, pushRole, callerIdentities] = await Promise.all([
    Promise.all(value.repositories.map(r => gatherRepository(source, r))),
    gatherPushRole(source, value),
    gatherCallerIdentities(source, value),
  ]);
  const roleArn = roleArnToInspect(pushRole);
  if (!roleArn) {
    return { annotations, repositories, pushRole, callerIdentities };
  }
  const [pushPermissions, attachedPolicies] = await Promise.all([
    simulatePush(source, roleArn, value.repositories),
    gatherAttachedPolicies(source, roleArn),
  ]);
  return {
    annotations,
    repositories,
    pushRole,
    pushPermissions,
    attachedPolicies,
    callerIdentities,
  };
}

async function gatherRepository(
  source: SetupFactSource,
  repository: RepositoryRef,
): Promise<RepositoryFacts> {
  const settings = await gatherFact(
    'ecr:DescribeRepositories',
    repository.arn,
    () => source.describeRepository(repository),
  );
  // A repository that is missing (or that Backstage may not describe) may
  // still exist; its lifecycle policy and images are read either way only
  // when it is known to exist.
  if (!settings.ok || settings.value === null) {
    return { ...repository, settings };
  }
  const [lifecyclePolicy, images] = await Promise.all([
    gatherFact('ecr:GetLifecyclePolicy', repository.arn, async () => ({
      exists: await source.hasLifecyclePolicy(repository),
    })),
    gatherFact('ecr:DescribeImages', repository.arn, () =>
      source.sampleImages(repository),
    ),
  ]);
  return { ...repository, settings, lifecyclePolicy, images };
}

async function gatherPushRole(
  source: SetupFactSource,
  annotations: EcrAnnotations,
): Promise<PushRoleFacts> {
  const facts: PushRoleFacts = {};
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
  if (candidate?.ok) {
    const role = candidate.value;
    facts.role = await gatherFact('iam:GetRole', role.arn, () =>
      source.getRole(role),
    );
  }
  return facts;
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
 * path), or, when Backstage may not call GetRole, the one the annotation or the
 * project names, so that push permissions can still be checked.
 */
function roleArnToInspect(pushRole: PushRoleFacts): string | undefined {
  const role = pushRole.role;
  if (!role) return undefined;
  if (role.ok) return role.value.exists ? role.value.arn : undefined;
  return pushRole.candidateRoleArn;
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
      const document = await gatherFact(
        'iam:GetPolicyVersion',
        policy.arn,
        () => source.getPolicyDocument(role.value, policy.arn),
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
