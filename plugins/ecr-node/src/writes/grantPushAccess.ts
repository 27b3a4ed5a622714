import {
  GetRolePolicyCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CodeBuildProjectRef,
  OwnershipSubject,
  PolicyDocument,
  PushAccessResponse,
  RepositoryRef,
  RoleRef,
} from '@backstage-ecr/plugin-ecr-common';
import { ConflictError, InputError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import { parsePolicyDocument } from '../setup/gatherSetupFacts';
import { PolicyStatementFacts } from '../setup/facts';
import {
  legacyPushPolicyName,
  pushPolicyDocument,
  pushPolicyName,
} from '../setup/pushPolicy';
import {
  requireAllowedAccount,
  requireAllowedRegion,
  requireAllowedRole,
} from './allowedTargets';
import {
  findRole,
  requireRepositoryBelongs,
  requireRoleBelongs,
} from './ownership';

/**
 * Whose role gets push access to which repository.
 *
 * @public
 */
export interface GrantPushAccessRequest {
  repository: RepositoryRef;
  /** The pushing role; give this or `codeBuildProject`. */
  role?: RoleRef;
  /** A CodeBuild project whose service role is the pushing role. */
  codeBuildProject?: CodeBuildProjectRef;
  /** The entity the grant is for: the repository and the role must belong to it. */
  subject: OwnershipSubject;
  /** Answer the exact change, and make none. */
  dryRun?: boolean;
}

/**
 * Gives a role least-privilege push access to one repository (docs/architecture.md, "Writes"): one
 * inline policy, `backstage-ecr-push-<repository>-<hash of its ARN>`, with the
 * five layer and push actions on the repository ARN and GetAuthorizationToken
 * on `*`. Only that policy is ever written: no other policy of the role is read
 * for change, edited or removed (in particular not CodeBuild's
 * `CodeBuildBasePolicy-*`). When the role has that policy with an equivalent
 * document already, nothing is written; a policy of that name that grants
 * anything else is never replaced (409).
 *
 * Refused before anything is written: a repository or role in an account
 * outside `ecr.allowedAccounts` (400) or a region outside `ecr.regions` (403);
 * a role outside `ecr.iam.allowedRoleArnPatterns` (403, before IAM is asked
 * about it); a repository or role that AWS does not say belongs to the entity
 * (403, naming who it belongs to); a repository that does not exist (409).
 */
export async function grantPushAccess(
  clients: AwsClients,
  config: EcrConfig,
  request: GrantPushAccessRequest,
): Promise<PushAccessResponse> {
  const { repository, subject, dryRun = false } = request;
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
  requireAllowedRegion(
    repository.region,
    config.regions,
    `Repository ${repository.arn}`,
  );
  // A role named outright is checked against the patterns before AWS is
  // asked anything at all.
  if (request.role) {
    requireAllowedAccount(
      request.role.accountId,
      config.allowedAccounts,
      `Role ${request.role.arn}`,
    );
    requireAllowedRole(request.role.arn, config.allowedRoleArnPatterns);
  }
  const repositoryBinding = await requireRepositoryBelongs(
    clients,
    config,
    repository,
    subject,
  );
  if (repositoryBinding === 'missing' && !dryRun) {
    throw new ConflictError(
      `Repository ${repository.arn} does not exist yet: create it first, then grant push access to it`,
    );
  }
  const found = await findRole(clients, config, request, subject);
  requireRoleBelongs(found, subject, config);
  const role = found.role;
  const roleArn = role.arn;
  const iam = clients.iam(role.accountId, role.partition);

  const policyName = pushPolicyName(repository);
  const policyDocument = pushPolicyDocument(repository.arn);
  const readPolicy = (name: string) =>
    callAws('iam:GetRolePolicy', roleArn, async () => {
      try {
        const answer = await iam.send(
          new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name }),
        );
        return parsePolicyDocument(answer.PolicyDocument);
      } catch (error) {
        if (error instanceof NoSuchEntityException) return undefined;
        throw error;
      }
    });
  const current = await readPolicy(policyName);
  // The name is Backstage's for this repository; a policy of that name that
  // says anything else was written by someone else, and is not replaced.
  if (current !== undefined && !isEquivalent(current ?? {}, policyDocument)) {
    throw new ConflictError(
      `Role ${roleArn} has an inline policy ${policyName} that does not grant exactly push access to ${repository.arn}; Backstage does not replace a policy it did not write. Rename or remove that policy in IAM, then try again.`,
    );
  }
  if (current === undefined) {
    // Earlier versions named the policy without the hash; one of those that
    // grants exactly this is the grant already, and is not doubled.
    const legacyName = legacyPushPolicyName(repository.name);
    const legacy = await readPolicy(legacyName);
    if (legacy && isEquivalent(legacy, policyDocument)) {
      return {
        dryRun,
        changed: false,
        roleArn,
        policyName: legacyName,
        policyDocument,
      };
    }
  }
  const changed = current === undefined;
  if (changed && !dryRun) {
    await callAws('iam:PutRolePolicy', roleArn, () =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: role.name,
          PolicyName: policyName,
          PolicyDocument: JSON.stringify(policyDocument),
        }),
      ),
    );
  }
  return { dryRun, changed, roleArn, policyName, policyDocument };
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
