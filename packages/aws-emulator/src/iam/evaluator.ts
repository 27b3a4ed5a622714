import {
  parseConditionOperator,
  Policy,
  Position,
  PrincipalSpec,
  Statement,
} from './policy';

/**
 * The emulator's IAM policy evaluation: pure functions from policies and a request to a
 * decision. Both request authorization and SimulatePrincipalPolicy use it, so the simulator
 * can never disagree with what the emulator then enforces.
 *
 * Rules (AWS's, for the elements supported): an explicit Deny in any policy wins; otherwise an
 * Allow is needed; otherwise the request is implicitly denied. decideAccess combines the
 * policy types (identity, session, permissions boundary, SCP, resource) as AWS does within one
 * account and across accounts. Action/NotAction and
 * Resource/NotResource take `*` and `?` wildcards; actions compare case-insensitively, resources
 * case-sensitively, ARNs segment by segment. Policy variables (`${aws:username}`) resolve from
 * the request context in version 2012-10-17 documents.
 */

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export type PolicySourceType =
  | 'user'
  | 'group'
  | 'role'
  | 'aws-managed'
  | 'user-managed'
  | 'resource'
  | 'none';

export interface PolicySource {
  /** The inline policy's name, the managed policy's name, or e.g. `PolicyInputList.1`. */
  id: string;
  type: PolicySourceType;
  policy: Policy;
}

/** Who is asking, for matching the Principal element of resource and trust policies. */
export interface PrincipalInfo {
  /** `arn:aws:iam::1:user/x`, `arn:aws:sts::1:assumed-role/r/s` or `arn:aws:iam::1:root`. */
  arn: string;
  accountId: string;
  /** For role sessions: the role's ARN (with its path), which resource policies name. */
  roleArn?: string;
  /** For calls made on behalf of an AWS service, e.g. `codebuild.amazonaws.com`. */
  service?: string;
}

export interface EvaluationRequest {
  action: string;
  resource: string;
  principal?: PrincipalInfo;
  /** Condition context, keys lower-cased: `{ 'aws:username': ['backstage'] }`. */
  context?: Record<string, string[]>;
}

export interface MatchedStatement {
  SourcePolicyId: string;
  SourcePolicyType: PolicySourceType;
  StartPosition?: Position;
  EndPosition?: Position;
}

export interface Evaluation {
  decision: Decision;
  matchedStatements: MatchedStatement[];
  /** Condition keys the policies ask about that the context did not provide. */
  missingContextValues: string[];
}

/** Evaluates one set of policies (for example a principal's identity policies) on a request. */
export function evaluatePolicies(
  sources: PolicySource[],
  request: EvaluationRequest,
): Evaluation {
  const allows: MatchedStatement[] = [];
  const denies: MatchedStatement[] = [];
  const missing = new Set<string>();
  for (const source of sources) {
    for (const statement of source.policy.statements) {
      const applies = statementApplies(
        statement,
        source.policy.version,
        request,
        missing,
      );
      if (!applies) continue;
      const match: MatchedStatement = {
        SourcePolicyId: source.id,
        SourcePolicyType: source.type,
        ...(statement.start && { StartPosition: statement.start }),
        ...(statement.end && { EndPosition: statement.end }),
      };
      (statement.effect === 'Deny' ? denies : allows).push(match);
    }
  }
  const missingContextValues = [...missing];
  if (denies.length > 0) {
    return {
      decision: 'explicitDeny',
      matchedStatements: denies,
      missingContextValues,
    };
  }
  if (allows.length > 0) {
    return {
      decision: 'allowed',
      matchedStatements: allows,
      missingContextValues,
    };
  }
  return {
    decision: 'implicitDeny',
    matchedStatements: [],
    missingContextValues,
  };
}

export interface AccessRequest extends EvaluationRequest {
  principal: PrincipalInfo;
  /** The account root is allowed everything in its own account by identity. */
  isRoot?: boolean;
  identityPolicies: PolicySource[];
  /** Session policies passed to AssumeRole: they can only narrow what the role allows. */
  sessionPolicies?: PolicySource[];
  /**
   * The permissions boundary of the user or role (a managed policy): the most its
   * identity-based policies can grant. Never applies to the account root.
   */
  permissionsBoundary?: PolicySource[];
  /**
   * The service control policies in force for the principal's account (AWS Organizations):
   * an action must be allowed by one of them and denied by none.
   */
  serviceControlPolicies?: PolicySource[];
  /** A resource-based policy (repository policy, trust policy) of the resource, if any. */
  resourcePolicy?: PolicySource;
  /** The account that owns the resource; defaults to the principal's. */
  resourceAccountId?: string;
}

/**
 * How a resource policy's Allow names the caller, which decides what it can grant on its
 * own within one account:
 * - `caller`: the caller's own ARN (a user, or a role session's assumed-role ARN): granted to
 *   the caller directly, not limited by a permissions boundary or session policy;
 * - `role`: the ARN of the role behind a session, or `*`: limited by the boundary and the
 *   session policies;
 * - `account`: the caller's account (its id or root ARN): a delegation to the account, which
 *   within the account grants nothing without an identity-based allow.
 */
export type PrincipalMatch = 'caller' | 'role' | 'account';

/** How each kind of policy decided a request, for SimulatePrincipalPolicy's details. */
export interface AccessDetail {
  /** Identity-based policies, narrowed by the permissions boundary and session policies. */
  identity: Decision;
  /** The permissions boundary alone. */
  boundary?: Decision;
  /** The resource policy alone. */
  resource?: Decision;
  /** The service control policies alone. */
  organizations?: Decision;
  /** Whether the resource's account differs from the principal's. */
  crossAccount: boolean;
}

export interface AccessEvaluation extends Evaluation {
  detail: AccessDetail;
}

const STRENGTH: Record<PrincipalMatch, number> = {
  account: 1,
  role: 2,
  caller: 3,
};

/** Evaluates a resource policy, noting the strongest way an Allow named the caller. */
function evaluateResourcePolicy(
  source: PolicySource,
  request: AccessRequest,
): Evaluation & { grant?: PrincipalMatch } {
  const evaluation = evaluatePolicies([source], request);
  if (evaluation.decision !== 'allowed') return evaluation;
  let grant: PrincipalMatch | undefined;
  for (const statement of source.policy.statements) {
    if (statement.effect !== 'Allow' || !statement.principal) continue;
    if (!statementApplies(statement, source.policy.version, request, new Set()))
      continue;
    const kind = principalMatchKind(statement.principal, request.principal);
    if (kind && (!grant || STRENGTH[kind] > STRENGTH[grant])) grant = kind;
  }
  // NotPrincipal statements grant to everyone not named: as broad as `*`.
  return { ...evaluation, grant: grant ?? 'role' };
}

/**
 * The full decision for a request, as AWS combines the policy types: an explicit Deny in any
 * of them wins; service control policies must allow; within one account an identity-based
 * allow (within the permissions boundary and session policies) or a resource-policy allow
 * suffices, the latter limited by the boundary and session policies unless it names the
 * caller itself; across accounts both the identity side and the resource policy must allow.
 */
export function decideAccess(request: AccessRequest): AccessEvaluation {
  const identity = request.isRoot
    ? ({
        decision: 'allowed',
        matchedStatements: [],
        missingContextValues: [],
      } as Evaluation)
    : evaluatePolicies(request.identityPolicies, request);
  const boundary =
    request.permissionsBoundary && !request.isRoot
      ? evaluatePolicies(request.permissionsBoundary, request)
      : undefined;
  const session = request.sessionPolicies
    ? evaluatePolicies(request.sessionPolicies, request)
    : undefined;
  const resource = request.resourcePolicy
    ? evaluateResourcePolicy(request.resourcePolicy, request)
    : undefined;
  const organizations = request.serviceControlPolicies
    ? evaluatePolicies(request.serviceControlPolicies, request)
    : undefined;
  const crossAccount =
    (request.resourceAccountId ?? request.principal.accountId) !==
    request.principal.accountId;
  const all = [organizations, identity, boundary, session, resource].filter(
    (e): e is Evaluation => e !== undefined,
  );
  const missingContextValues = [
    ...new Set(all.flatMap(e => e.missingContextValues)),
  ];
  const identitySide = [identity, boundary, session].filter(
    (e): e is Evaluation => e !== undefined,
  );
  const ok = (e: Evaluation | undefined) => !e || e.decision === 'allowed';
  const identityOk = identitySide.every(ok);
  let identityDecision: Decision = identityOk ? 'allowed' : 'implicitDeny';
  if (identitySide.some(e => e.decision === 'explicitDeny')) {
    identityDecision = 'explicitDeny';
  }
  const detail: AccessDetail = {
    identity: identityDecision,
    boundary: boundary?.decision,
    resource: resource?.decision,
    organizations: organizations?.decision,
    crossAccount,
  };
  // Service control policies are never shown: the account cannot read them.
  const visible = [identity, boundary, session, resource].filter(
    (e): e is Evaluation => e !== undefined,
  );
  const denies = all.filter(e => e.decision === 'explicitDeny');
  if (denies.length > 0) {
    return {
      decision: 'explicitDeny',
      matchedStatements: visible
        .filter(e => e.decision === 'explicitDeny')
        .flatMap(e => e.matchedStatements),
      missingContextValues,
      detail,
    };
  }
  const denied = (): AccessEvaluation => ({
    decision: 'implicitDeny',
    matchedStatements: [],
    missingContextValues,
    detail,
  });
  if (organizations && organizations.decision !== 'allowed') return denied();
  const resourceOk = resource?.decision === 'allowed';
  let allowed: boolean;
  if (crossAccount) {
    allowed = identityOk && resourceOk;
  } else {
    const grant = resource?.grant;
    const resourceGrants =
      resourceOk &&
      (grant === 'caller' || (grant === 'role' && ok(boundary) && ok(session)));
    allowed = identityOk || resourceGrants;
  }
  if (!allowed) return denied();
  return {
    decision: 'allowed',
    matchedStatements: [
      ...(identityOk ? [identity, session] : []),
      ...(resourceOk ? [resource] : []),
    ]
      .filter((e): e is Evaluation => e?.decision === 'allowed')
      .flatMap(e => e.matchedStatements),
    missingContextValues,
    detail,
  };
}

function statementApplies(
  statement: Statement,
  version: string,
  request: EvaluationRequest,
  missing: Set<string>,
): boolean {
  const context = request.context ?? {};
  if (
    statement.action &&
    !statement.action.some(p => matchAction(p, request.action))
  ) {
    return false;
  }
  if (statement.notAction?.some(p => matchAction(p, request.action)))
    return false;
  if (
    statement.resource &&
    !statement.resource.some(p =>
      matchResource(p, request.resource, version, context),
    )
  ) {
    return false;
  }
  if (
    statement.notResource?.some(p =>
      matchResource(p, request.resource, version, context),
    )
  ) {
    return false;
  }
  if (statement.principal || statement.notPrincipal) {
    if (!request.principal) return false;
    if (
      statement.principal &&
      !matchPrincipal(statement.principal, request.principal)
    ) {
      return false;
    }
    if (
      statement.notPrincipal &&
      matchPrincipal(statement.notPrincipal, request.principal)
    ) {
      return false;
    }
  }
  if (statement.condition) {
    return conditionHolds(statement.condition, context, missing);
  }
  return true;
}

const regexCache = new Map<string, RegExp>();

/** Marks the next character as literal (from `${*}`, `${?}` or a substituted value). */
const LITERAL = '\u0000';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `*` matches any run of characters (also none), `?` exactly one. */
export function wildcardToRegex(pattern: string, ignoreCase = false): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    const body = pattern.split('').map(globChar).join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    regexCache.set(key, re);
  }
  return re;
}

/** Actions are case-insensitive: `ECR:describe*` matches `ecr:DescribeImages`. */
export function matchAction(pattern: string, action: string): boolean {
  return wildcardToRegex(pattern, true).test(action);
}

/**
 * Resources compare case-sensitively. ARNs compare segment by segment (partition, service,
 * region, account, resource), so a wildcard in the region cannot swallow the account.
 */
export function matchResource(
  pattern: string,
  resource: string,
  version = '2012-10-17',
  context: Record<string, string[]> = {},
): boolean {
  const resolved = resolveVariables(pattern, version, context);
  if (resolved === undefined) return false;
  if (resolved === '*') return true;
  const r = splitArn(resource);
  if (resolved.startsWith('arn:') && r) {
    // An ARN pattern with fewer segments cannot match: wildcards never span segments.
    const p = splitArn(resolved);
    return p !== undefined && p.every((segment, i) => globMatch(segment, r[i]));
  }
  return globMatch(resolved, resource);
}

function splitArn(value: string): string[] | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Matches a pattern in which `\u0000*`-style markers stand for literal wildcard characters
 * produced by `${*}` and `${?}`.
 */
function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes(LITERAL)) return wildcardToRegex(pattern).test(value);
  const body = pattern
    .split(LITERAL)
    .map((chunk, i) => {
      if (i === 0) return globChunk(chunk);
      // The first character after the marker is literal.
      return escapeRegex(chunk.charAt(0)) + globChunk(chunk.slice(1));
    })
    .join('');
  return new RegExp(`^${body}$`, 's').test(value);
}

function globChar(ch: string): string {
  if (ch === '*') return '.*';
  if (ch === '?') return '.';
  return escapeRegex(ch);
}

function globChunk(chunk: string): string {
  return chunk.split('').map(globChar).join('');
}

/**
 * Replaces `${aws:username}` and friends with their context values (only in 2012-10-17
 * documents; older documents treat them as text). Returns undefined when a variable has no
 * value, which makes the pattern match nothing, as in AWS.
 */
function resolveVariables(
  pattern: string,
  version: string,
  context: Record<string, string[]>,
): string | undefined {
  if (version !== '2012-10-17' || !pattern.includes('${')) return pattern;
  let unresolved = false;
  const result = pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === '*' || name === '?' || name === '$') {
      return name === '$' ? '$' : `${LITERAL}${name}`;
    }
    const values = context[name.toLowerCase()];
    if (!values || values.length !== 1) {
      unresolved = true;
      return '';
    }
    // Substituted values are literal text, never wildcards.
    return values[0].replace(/[*?]/g, ch => `${LITERAL}${ch}`);
  });
  return unresolved ? undefined : result;
}

/** Matches the Principal element of a resource or trust policy against the caller. */
export function matchPrincipal(
  spec: PrincipalSpec,
  caller: PrincipalInfo,
): boolean {
  if (spec === '*') return true;
  for (const [type, ids] of Object.entries(spec)) {
    for (const id of ids) {
      if (type === 'Service' && caller.service && id === caller.service)
        return true;
      if (type !== 'AWS') continue;
      if (id === '*') return true;
      // An account id or its root ARN stands for every principal of that account.
      if (
        id === caller.accountId ||
        id === `arn:aws:iam::${caller.accountId}:root`
      ) {
        return true;
      }
      if (id === caller.arn) return true;
      if (caller.roleArn && id === caller.roleArn) return true;
    }
  }
  return false;
}

/** How a Principal element names the caller, if it does (see PrincipalMatch). */
export function principalMatchKind(
  spec: PrincipalSpec,
  caller: PrincipalInfo,
): PrincipalMatch | undefined {
  if (spec === '*') return 'role';
  let best: PrincipalMatch | undefined;
  const consider = (kind: PrincipalMatch) => {
    if (!best || STRENGTH[kind] > STRENGTH[best]) best = kind;
  };
  for (const [type, ids] of Object.entries(spec)) {
    for (const id of ids) {
      if (type === 'Service' && caller.service && id === caller.service)
        consider('caller');
      if (type !== 'AWS') continue;
      if (id === '*') consider('role');
      else if (id === caller.arn) consider('caller');
      else if (caller.roleArn && id === caller.roleArn) consider('role');
      else if (
        id === caller.accountId ||
        id === `arn:aws:iam::${caller.accountId}:root`
      ) {
        consider('account');
      }
    }
  }
  return best;
}

/** All operators hold (AND); within one operator every key must hold (AND). */
function conditionHolds(
  condition: Record<string, Record<string, string[]>>,
  context: Record<string, string[]>,
  missing: Set<string>,
): boolean {
  let holds = true;
  for (const [operator, keys] of Object.entries(condition)) {
    const op = parseConditionOperator(operator);
    if (!op) return false;
    for (const [key, policyValues] of Object.entries(keys)) {
      const values = context[key.toLowerCase()];
      if (!values && op.base !== 'Null') missing.add(key);
      if (!keyHolds(op, policyValues, values)) holds = false;
    }
  }
  return holds;
}

function keyHolds(
  op: { set?: 'ForAnyValue' | 'ForAllValues'; base: string; ifExists: boolean },
  policyValues: string[],
  values: string[] | undefined,
): boolean {
  if (op.base === 'Null') {
    const wantsAbsent = policyValues.some(v => v.toLowerCase() === 'true');
    return wantsAbsent ? values === undefined : values !== undefined;
  }
  const negated = isNegated(op.base);
  if (values === undefined || values.length === 0) {
    if (op.ifExists) return true;
    if (op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    // A key that is absent matches nothing: positive operators fail, negated ones hold.
    return negated;
  }
  const positive = positiveOperator(op.base);
  const matchesAny = (value: string) =>
    policyValues.some(pv => compare(positive, value, pv));
  const single = (value: string) =>
    negated ? !matchesAny(value) : matchesAny(value);
  if (op.set === 'ForAllValues') return values.every(single);
  if (op.set === 'ForAnyValue') return values.some(single);
  return negated ? values.every(single) : values.some(single);
}

/** StringNotEquals, ArnNotLike, NotIpAddress and the other negated operators. */
function isNegated(base: string): boolean {
  return base.includes('Not');
}

function positiveOperator(base: string): string {
  if (base === 'NotIpAddress') return 'IpAddress';
  return base.replace('NotEquals', 'Equals').replace('NotLike', 'Like');
}

function compare(
  operator: string,
  value: string,
  policyValue: string,
): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'BinaryEquals':
      return value === policyValue;
    case 'StringEqualsIgnoreCase':
      return value.toLowerCase() === policyValue.toLowerCase();
    case 'StringLike':
      return wildcardToRegex(policyValue).test(value);
    case 'ArnEquals':
    case 'ArnLike':
      return matchResource(policyValue, value, '2008-10-17');
    case 'Bool':
      return value.toLowerCase() === policyValue.toLowerCase();
    case 'IpAddress':
      return ipInCidr(value, policyValue);
    default:
      break;
  }
  if (operator.startsWith('Numeric')) {
    return ordered(
      operator.slice('Numeric'.length),
      Number(value),
      Number(policyValue),
    );
  }
  if (operator.startsWith('Date')) {
    return ordered(
      operator.slice('Date'.length),
      toEpoch(value),
      toEpoch(policyValue),
    );
  }
  return false;
}

function ordered(relation: string, a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (relation) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanEquals':
      return a >= b;
    default:
      return false;
  }
}

function toEpoch(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

function ipInCidr(ip: string, cidr: string): boolean {
  const toInt = (text: string) => {
    const parts = text.split('.').map(Number);
    if (parts.length !== 4 || parts.some(p => !(p >= 0 && p <= 255)))
      return undefined;
    return (
      ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0
    );
  };
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const a = toInt(ip);
  const b = toInt(base);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32))
    return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}
