import { actionMatches } from '../checks/policyGrants';
import {
  PolicyDocumentFacts,
  PolicyPrincipalFacts,
  PolicyStatementFacts,
  PushDecision,
} from './facts';

/** The role a repository policy is read for. */
export interface PolicyCaller {
  roleArn: string;
  accountId: string;
}

/** How a statement's principal names the caller. */
export type PrincipalMatch = 'anyone' | 'role' | 'account';

/** What a repository policy says of one action by one role. */
export interface RepositoryPolicyVerdict {
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** The Deny that decided, or the first Allow that applies: its Sid, or "statement N". */
  statement?: string;
  /** For an Allow: how it names the caller. */
  principal?: PrincipalMatch;
  /** Statements that would apply but have a condition, which is not evaluated. */
  conditional: string[];
}

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A document's statements, as a list. */
export function policyStatements(
  document: PolicyDocumentFacts | null | undefined,
): PolicyStatementFacts[] {
  return list(document?.Statement).filter(
    (s): s is PolicyStatementFacts => Boolean(s) && typeof s === 'object',
  );
}

/** How a statement is named: its Sid, or its position ("statement 2"). */
export function statementName(
  statement: PolicyStatementFacts,
  index: number,
): string {
  return statement.Sid ? statement.Sid : `statement ${index + 1}`;
}

const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;

/**
 * How `principal` names the caller, or undefined when it does not: `"*"` or
 * `{"AWS": "*"}` name anyone, the role's ARN the role, the account id or its
 * root ARN the account. Other principal types (Service, Federated) never
 * name a role.
 */
export function principalMatch(
  principal: PolicyPrincipalFacts | undefined,
  caller: PolicyCaller,
): PrincipalMatch | undefined {
  if (principal === undefined) return undefined;
  const aws =
    typeof principal === 'string' ? [principal] : list(principal.AWS ?? []);
  let best: PrincipalMatch | undefined;
  for (const entry of aws) {
    if (entry === '*') return 'anyone';
    if (entry === caller.roleArn) {
      best = 'role';
    } else if (
      !best &&
      (entry === caller.accountId ||
        ACCOUNT_ROOT.exec(entry)?.[1] === caller.accountId)
    ) {
      best = 'account';
    }
  }
  return best;
}

function statementApplies(
  statement: PolicyStatementFacts,
  caller: PolicyCaller,
  action: string,
): PrincipalMatch | undefined {
  let who: PrincipalMatch | undefined;
  if (statement.NotPrincipal !== undefined) {
    if (principalMatch(statement.NotPrincipal, caller)) return undefined;
    who = 'anyone';
  } else {
    who = principalMatch(statement.Principal, caller);
  }
  if (!who) return undefined;
  const byAction = list(statement.Action).some(p => actionMatches(p, action));
  const byNotAction =
    statement.NotAction !== undefined &&
    !list(statement.NotAction).some(p => actionMatches(p, action));
  return byAction || byNotAction ? who : undefined;
}

/**
 * What a repository policy says of `action` by the role, as ECR reads it:
 * statements whose principal names the role (or its account, or anyone) and
 * whose Action/NotAction matches. A repository policy has no Resource: the
 * repository is implied. A Deny wins; a statement with a condition is
 * reported, not guessed.
 */
export function evaluateRepositoryPolicy(
  document: PolicyDocumentFacts | null | undefined,
  caller: PolicyCaller,
  action: string,
): RepositoryPolicyVerdict {
  const conditional: string[] = [];
  let allow: { statement: string; principal: PrincipalMatch } | undefined;
  let deny: string | undefined;
  policyStatements(document).forEach((statement, index) => {
    const who = statementApplies(statement, caller, action);
    if (!who) return;
    const name = statementName(statement, index);
    if (statement.Condition && Object.keys(statement.Condition).length) {
      conditional.push(name);
      return;
    }
    if (statement.Effect === 'Deny') {
      deny ??= name;
    } else if (statement.Effect === 'Allow') {
      // An Allow naming the role itself, or anyone, outranks one naming the account.
      if (!allow || (allow.principal === 'account' && who !== 'account')) {
        allow = { statement: name, principal: who };
      }
    }
  });
  if (deny) return { decision: 'explicitDeny', statement: deny, conditional };
  if (allow) {
    return {
      decision: 'allowed',
      statement: allow.statement,
      principal: allow.principal,
      conditional,
    };
  }
  return { decision: 'implicitDeny', conditional };
}

/** Why one push action on one repository is not allowed. */
export type PushDenial =
  /** An organization SCP of the role's account does not allow it. */
  | { by: 'scp' }
  /** The role's permissions boundary does not allow it. */
  | { by: 'boundary' }
  /** The role's own policies deny it explicitly. */
  | { by: 'identityDeny' }
  /** The repository policy denies it. */
  | { by: 'repositoryDeny'; statement: string }
  /** Across accounts: the role's own policies allow it, the repository policy does not. */
  | { by: 'crossAccountGap' }
  /** The role's own policies do not allow it (nor, in its account, the repository policy). */
  | { by: 'identity' };

/** One push action on one repository, judged as AWS would. */
export interface PushJudgement {
  allowed: boolean;
  /** Why not, when not allowed. */
  denial?: PushDenial;
  /** What the repository policy said, when it was read. */
  repositoryPolicy?: RepositoryPolicyVerdict;
}

/**
 * Whether the role may run one push action on a repository: the simulation
 * of its identity side (its policies, boundary and SCPs, without the
 * repository policy, which IAM cannot match to a role) combined with the
 * repository policy as AWS combines them. An explicit Deny anywhere wins.
 * Within one account an Allow of either side suffices, but a repository
 * policy's Allow naming only the account delegates to IAM and grants
 * nothing, and one naming the role is still limited by its boundary and
 * SCPs. Across accounts both sides must allow. `policy` undefined: the
 * repository policy is not known, and only the identity side is judged.
 */
export function judgePush(
  identity: PushDecision | undefined,
  policy: PolicyDocumentFacts | null | undefined,
  caller: PolicyCaller,
  repositoryAccountId: string,
  action: string,
): PushJudgement {
  const identityAllowed = identity?.decision === 'allowed';
  const scpDenies = identity?.allowedByOrganizations === false;
  const boundaryDenies = identity?.allowedByPermissionsBoundary === false;
  const verdict =
    policy === undefined
      ? undefined
      : evaluateRepositoryPolicy(policy, caller, action);
  const withVerdict = (j: Omit<PushJudgement, 'repositoryPolicy'>) =>
    verdict ? { ...j, repositoryPolicy: verdict } : j;
  if (scpDenies && !identityAllowed) {
    return withVerdict({ allowed: false, denial: { by: 'scp' } });
  }
  if (verdict?.decision === 'explicitDeny') {
    return withVerdict({
      allowed: false,
      denial: { by: 'repositoryDeny', statement: verdict.statement! },
    });
  }
  if (identity?.decision === 'explicitDeny') {
    return withVerdict({
      allowed: false,
      denial: { by: boundaryDenies ? 'boundary' : 'identityDeny' },
    });
  }
  const crossAccount = caller.accountId !== repositoryAccountId;
  const repositoryAllows = verdict?.decision === 'allowed';
  if (crossAccount && policy !== undefined) {
    if (!identityAllowed) {
      return withVerdict({
        allowed: false,
        denial: { by: boundaryDenies ? 'boundary' : 'identity' },
      });
    }
    return repositoryAllows
      ? withVerdict({ allowed: true })
      : withVerdict({ allowed: false, denial: { by: 'crossAccountGap' } });
  }
  if (identityAllowed) return withVerdict({ allowed: true });
  // Within the account, the repository policy may allow by itself when it
  // names the role (or anyone) and the boundary does not stand in the way.
  if (repositoryAllows && verdict?.principal !== 'account' && !boundaryDenies) {
    return withVerdict({ allowed: true });
  }
  return withVerdict({
    allowed: false,
    denial: { by: boundaryDenies ? 'boundary' : 'identity' },
  });
}
