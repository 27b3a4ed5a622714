import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  RepositoryNotFoundException,
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
  PolicyDocumentFacts,
  PushDecision,
  PushRoleFacts,
  RepositoryFacts,
  SetupFacts,
} from './facts';
import {
  AUTHORIZATION_TOKEN_ACTION,
  REPOSITORY_PUSH_ACTIONS,
} from './pushPolicy';

/** Enough images to say "N images" without paging through a large repository. */
const IMAGES_SAMPLE_SIZE = 1000;

/**
 * Gathers what the setup checks need from AWS, for the ARNs the annotations
 * name and nothing else. Calls that do not depend on each other run together;
 * a refusal of Backstage's identity becomes a denied fact, so that the other
 * checks still answer.
 */
export async function gatherSetupFacts(
  clients: AwsClients,
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
    Promise.all(value.repositories.map(r => gatherRepository(clients, r))),
    gatherPushRole(clients, value),
    gatherCallerIdentities(clients, value),
  ]);
  const roleArn = roleArnToInspect(pushRole);
  if (!roleArn) {
    return { annotations, repositories, pushRole, callerIdentities };
  }
  const [pushPermissions, attachedPolicies] = await Promise.all([
    simulatePush(clients, roleArn, value.repositories),
    gatherAttachedPolicies(clients, roleArn),
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
  clients: AwsClients,
  repository: RepositoryRef,
): Promise<RepositoryFacts> {
  const ecr = clients.ecr(repository.accountId, repository.region);
  const settings = await gatherFact(
    'ecr:DescribeRepositories',
    repository.arn,
    async () => {
      try {
        const answer = await ecr.send(
          new DescribeRepositoriesCommand({
            registryId: repository.accountId,
            repositoryNames: [repository.name],
          }),
        );
        const found = answer.repositories?.[0];
        if (!found) return null;
        return {
          imageTagMutability: found.imageTagMutability,
          scanOnPush: found.imageScanningConfiguration?.scanOnPush,
          encryptionType: found.encryptionConfiguration?.encryptionType,
          kmsKey: found.encryptionConfiguration?.kmsKey,
        };
      } catch (error) {
        if (error instanceof RepositoryNotFoundException) return null;
        throw error;
      }
    },
  );
  // A repository that is missing (or that Backstage may not describe) may
  // still exist; its lifecycle policy and images are read either way only
  // when it is known to exist.
  if (!settings.ok || settings.value === null) {
    return { ...repository, settings };
  }
  const [lifecyclePolicy, images] = await Promise.all([
    gatherFact('ecr:GetLifecyclePolicy', repository.arn, async () => {
      try {
        await ecr.send(
          new GetLifecyclePolicyCommand({
            registryId: repository.accountId,
            repositoryName: repository.name,
          }),
        );
        return { exists: true };
      } catch (error) {
        if (error instanceof LifecyclePolicyNotFoundException) {
          return { exists: false };
        }
        throw error;
      }
    }),
    gatherFact('ecr:DescribeImages', repository.arn, async () => {
      const answer = await ecr.send(
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
    }),
  ]);
  return { ...repository, settings, lifecyclePolicy, images };
}

async function gatherPushRole(
  clients: AwsClients,
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
    const codeBuild = clients.codeBuild(project.accountId, project.region);
    const lookup = await gatherFact(
      'codebuild:BatchGetProjects',
      project.arn,
      async () => {
        const answer = await codeBuild.send(
          new BatchGetProjectsCommand({ names: [project.name] }),
        );
        const found = answer.projects?.find(p => p.name === project.name);
        return found
          ? { found: true, serviceRole: found.serviceRole }
          : { found: false };
      },
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
    const iam = clients.iam(role.accountId, role.partition);
    facts.role = await gatherFact('iam:GetRole', role.arn, async () => {
      try {
        const answer = await iam.send(
          new GetRoleCommand({ RoleName: role.name }),
        );
        return { exists: true, arn: answer.Role?.Arn ?? role.arn };
      } catch (error) {
        if (error instanceof NoSuchEntityException) return { exists: false };
        throw error;
      }
    });
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
  clients: AwsClients,
  roleArn: string,
  repositories: RepositoryRef[],
): Promise<Fact<PushDecision[]>> {
  const role = parseRoleArn(roleArn);
  if (!role.ok) {
    return { ok: true, value: [] };
  }
  const iam = clients.iam(role.value.accountId, role.value.partition);
  const simulate = async (actions: string[], resource: string) => {
    const decisions: PushDecision[] = [];
    for await (const page of paginateSimulatePrincipalPolicy(
      { client: iam },
      {
        PolicySourceArn: roleArn,
        ActionNames: actions,
        ResourceArns: [resource],
      },
    )) {
      for (const result of page.EvaluationResults ?? []) {
        decisions.push({
          action: result.EvalActionName ?? '',
          resource: result.EvalResourceName ?? resource,
          decision: (result.EvalDecision ??
            'implicitDeny') as PushDecision['decision'],
        });
      }
    }
    return decisions;
  };
  // One simulation per repository ARN and one for the token on `*`: each
  // answer is then about exactly one resource.
  return gatherFact('iam:SimulatePrincipalPolicy', roleArn, async () => {
    const answers = await Promise.all([
      ...repositories.map(r => simulate([...REPOSITORY_PUSH_ACTIONS], r.arn)),
      simulate([AUTHORIZATION_TOKEN_ACTION], '*'),
    ]);
    return answers.flat();
  });
}

async function gatherAttachedPolicies(
  clients: AwsClients,
  roleArn: string,
): Promise<Fact<AttachedPolicy[]>> {
  const role = parseRoleArn(roleArn);
  if (!role.ok) return { ok: true, value: [] };
  const iam = clients.iam(role.value.accountId, role.value.partition);
  const listed = await gatherFact(
    'iam:ListAttachedRolePolicies',
    roleArn,
    async () => {
      const policies: AttachedPolicy[] = [];
      for await (const page of paginateListAttachedRolePolicies(
        { client: iam },
        { RoleName: role.value.name },
      )) {
        for (const policy of page.AttachedPolicies ?? []) {
          policies.push({
            arn: policy.PolicyArn ?? '',
            name: policy.PolicyName ?? '',
          });
        }
      }
      return policies;
    },
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
        async () => {
          const described = await iam.send(
            new GetPolicyCommand({ PolicyArn: policy.arn }),
          );
          const versionId = described.Policy?.DefaultVersionId;
          if (!versionId) return null;
          const version = await iam.send(
            new GetPolicyVersionCommand({
              PolicyArn: policy.arn,
              VersionId: versionId,
            }),
          );
          return parsePolicyDocument(version.PolicyVersion?.Document);
        },
      );
      return { ...policy, document };
    }),
  );
  return { ok: true, value: policies };
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

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

async function gatherCallerIdentities(
  clients: AwsClients,
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
      identity: await gatherFact(
        'sts:GetCallerIdentity',
        undefined,
        async () => {
          const answer = await clients
            .sts(accountId, region)
            .send(new GetCallerIdentityCommand({}));
          return { arn: answer.Arn ?? '', accountId: answer.Account ?? '' };
        },
      ),
    })),
  );
}
