import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CodeBuildProjectRef,
  parseRoleArn,
  PolicyDocument,
  PushAccessResponse,
  RepositoryRef,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { InputError, NotFoundError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import { parsePolicyDocument } from '../setup/gatherSetupFacts';
import { PolicyStatementFacts } from '../setup/facts';
import { pushPolicyDocument, pushPolicyName } from '../setup/pushPolicy';
import { requireAllowedAccount, requireAllowedRole } from './allowedTargets';

/** Whose role gets push access to which repository. */
export interface GrantPushAccessRequest {
  repository: RepositoryRef;
  /** The pushing role; give this or `codeBuildProject`. */
  role?: RoleRef;
  /** A CodeBuild project whose service role is the pushing role. */
  codeBuildProject?: CodeBuildProjectRef;
  /** Answer the exact change, and make none. */
  dryRun?: boolean;
}

/**
 * Gives a role least-privilege push access to one repository (DESIGN §7): one
 * inline policy, `backstage-ecr-push-<repository>`, with the five layer and
 * push actions on the repository ARN and GetAuthorizationToken on `*`. Only
 * that policy is ever written: no other policy of the role is read for change,
 * edited or removed (in particular not CodeBuild's `CodeBuildBasePolicy-*`).
 * When the role has that policy with an equivalent document already, nothing
 * is written. Roles outside `ecr.iam.allowedRoleArnPatterns` are refused (403)
 * before anything is asked of IAM about them.
 */
export async function grantPushAccess(
  clients: AwsClients,
  config: EcrConfig,
  request: GrantPushAccessRequest,
): Promise<PushAccessResponse> {
  const { repository, dryRun = false } = request;
  if (Boolean(request.role) === Boolean(request.codeBuildProject)) {
    throw new InputError(
      'Name the pushing role either by its ARN or by the CodeBuild project whose service role it is, not both and not neither',
    );
  }
  requireAllowedAccount(
    repository.accountId,
    config.allowedAccounts,
    `Repository ${repository.arn}`,
  );

  let candidate: RoleRef;
  // A bare role name from CodeBuild says nothing of the role's path, so the
  // patterns are checked on the ARN IAM answers.
  let pathKnown = true;
  if (request.role) {
    requireAllowedAccount(
      request.role.accountId,
      config.allowedAccounts,
      `Role ${request.role.arn}`,
    );
    candidate = request.role;
  } else {
    const project = request.codeBuildProject!;
    requireAllowedAccount(
      project.accountId,
      config.allowedAccounts,
      `CodeBuild project ${project.arn}`,
    );
    const serviceRole = await serviceRoleOf(clients, project);
    candidate = serviceRole.role;
    pathKnown = serviceRole.pathKnown;
  }
  if (pathKnown) {
    requireAllowedRole(candidate.arn, config.allowedRoleArnPatterns);
  }

  const iam = clients.iam(candidate.accountId, candidate.partition);
  // The role's ARN as IAM has it: a name from CodeBuild carries no path.
  const roleArn = await callAws('iam:GetRole', candidate.arn, async () => {
    try {
      const answer = await iam.send(
        new GetRoleCommand({ RoleName: candidate.name }),
      );
      return answer.Role?.Arn ?? candidate.arn;
    } catch (error) {
      if (error instanceof NoSuchEntityException) {
        throw new NotFoundError(
          `Role ${candidate.name} does not exist in account ${candidate.accountId}`,
        );
      }
      throw error;
    }
  });
  requireAllowedRole(roleArn, config.allowedRoleArnPatterns);

  const policyName = pushPolicyName(repository.name);
  const policyDocument = pushPolicyDocument(repository.arn);
  const current = await callAws('iam:GetRolePolicy', roleArn, async () => {
    try {
      const answer = await iam.send(
        new GetRolePolicyCommand({
          RoleName: candidate.name,
          PolicyName: policyName,
        }),
      );
      return parsePolicyDocument(answer.PolicyDocument);
    } catch (error) {
      if (error instanceof NoSuchEntityException) return undefined;
      throw error;
    }
  });
  const changed = !(current && isEquivalent(current, policyDocument));
  if (changed && !dryRun) {
    await callAws('iam:PutRolePolicy', roleArn, () =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: candidate.name,
          PolicyName: policyName,
          PolicyDocument: JSON.stringify(policyDocument),
        }),
      ),
    );
  }
  return { dryRun, changed, roleArn, policyName, policyDocument };
}

/** The project's service role, from BatchGetProjects. */
async function serviceRoleOf(
  clients: AwsClients,
  project: CodeBuildProjectRef,
): Promise<{ role: RoleRef; pathKnown: boolean }> {
  const serviceRole = await callAws(
    'codebuild:BatchGetProjects',
    project.arn,
    async () => {
      const answer = await clients
        .codeBuild(project.accountId, project.region)
        .send(new BatchGetProjectsCommand({ names: [project.name] }));
      const found = answer.projects?.find(p => p.name === project.name);
      if (!found) {
        throw new NotFoundError(
          `CodeBuild project ${project.name} does not exist in account ${project.accountId}, region ${project.region}`,
        );
      }
      if (!found.serviceRole) {
        throw new NotFoundError(
          `CodeBuild project ${project.name} has no service role`,
        );
      }
      return found.serviceRole;
    },
  );
  // CodeBuild reports the role as an ARN, or as a bare name.
  const pathKnown = serviceRole.startsWith('arn:');
  const arn = pathKnown
    ? serviceRole
    : `arn:${project.partition}:iam::${project.accountId}:role/${serviceRole}`;
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
  return { role: parsed.value, pathKnown };
}

/**
 * Two documents are equivalent when they hold the same statements, whatever
 * their order, the order of their actions and resources, the case of the
 * actions and the statement ids.
 */
function isEquivalent(
  current: { Statement?: PolicyStatementFacts | PolicyStatementFacts[] },
  wanted: PolicyDocument,
): boolean {
  const normalise = (
    statements: Array<PolicyStatementFacts & Record<string, unknown>>,
  ) =>
    statements
      .map(({ Sid: _sid, Effect, Action, Resource, ...rest }) =>
        JSON.stringify({
          Effect,
          Action: [...new Set(list(Action).map(a => a.toLowerCase()))].sort(),
          Resource: [...new Set(list(Resource))].sort(),
          ...rest,
        }),
      )
      .sort();
  const currentStatements = list(current.Statement) as Array<
    PolicyStatementFacts & Record<string, unknown>
  >;
  const a = normalise(currentStatements);
  const b = normalise(wanted.Statement);
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
