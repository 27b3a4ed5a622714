import { assumedRoleArn, rootArn } from '../arn';
import { PolicySource, PrincipalInfo } from '../iam/evaluator';
import { parsePolicy, Policy, PolicyKind } from '../iam/policy';
import {
  Account,
  EmulatorState,
  IamRole,
  IamUser,
  ManagedPolicy,
  PrincipalRef,
} from '../state';

/**
 * Who a caller is: the IAM entity behind an access key, with the policies that decide what
 * it may do.
 */
export interface Principal {
  kind: 'root' | 'user' | 'assumed-role';
  accountId: string;
  /** The ARN AWS names the caller by in GetCallerIdentity and in AccessDenied messages. */
  arn: string;
  /** GetCallerIdentity's UserId: the account id, `AIDA…`, or `AROA…:session`. */
  userId: string;
  info: PrincipalInfo;
  identityPolicies: PolicySource[];
  sessionPolicies?: PolicySource[];
  /** A role's permissions boundary: caps what its identity-based policies grant. */
  permissionsBoundary?: PolicySource[];
  /** The service control policies in force for the principal's account, if it has any. */
  serviceControlPolicies?: PolicySource[];
  user?: IamUser;
  role?: IamRole;
  sessionName?: string;
}

const parsedPolicies = new Map<string, Policy>();

/** Policies are parsed once per distinct text; authorization runs on every request. */
export function parsePolicyCached(
  text: string,
  kind: PolicyKind = 'identity',
): Policy {
  const key = `${kind}\u0000${text}`;
  let policy = parsedPolicies.get(key);
  if (!policy) {
    policy = parsePolicy(text, kind);
    parsedPolicies.set(key, policy);
  }
  return policy;
}

export function findManagedPolicy(
  state: EmulatorState,
  account: Account,
  arn: string,
): ManagedPolicy | undefined {
  return account.policies.get(arn) ?? state.awsManagedPolicies.get(arn);
}

/** A managed policy's default version, as the evaluator takes it. */
export function managedPolicySource(
  managed: ManagedPolicy,
): PolicySource | undefined {
  const version = managed.versions.find(v => v.id === managed.defaultVersionId);
  if (!version) return undefined;
  return {
    id: managed.name,
    type: managed.awsManaged ? 'aws-managed' : 'user-managed',
    policy: parsePolicyCached(version.document),
  };
}

/**
 * The permissions boundary of a role, if it has one. A boundary whose policy cannot be found
 * allows nothing, as an empty boundary would.
 */
export function boundaryOf(
  state: EmulatorState,
  account: Account,
  role: IamRole,
): PolicySource[] | undefined {
  if (!role.permissionsBoundary) return undefined;
  const managed = findManagedPolicy(state, account, role.permissionsBoundary);
  const source = managed && managedPolicySource(managed);
  return source ? [source] : [];
}

/**
 * The service control policies that apply to a principal of the account: none when the
 * account is in no organization, and none for service-linked roles, which SCPs never limit.
 */
export function serviceControlPoliciesOf(
  account: Account,
  role?: IamRole,
): PolicySource[] | undefined {
  if (!account.organization) return undefined;
  if (role?.path.startsWith('/aws-service-role/')) return undefined;
  return account.organization.scps.map((text, i) => ({
    id: `ServiceControlPolicy.${i + 1}`,
    type: 'none' as const,
    policy: parsePolicyCached(text),
  }));
}

/** The inline and attached managed policies of a user or role, as the evaluator takes them. */
export function policiesOf(
  state: EmulatorState,
  account: Account,
  entity: IamUser | IamRole,
  inlineType: 'user' | 'role',
  extraPolicies: string[] = [],
): PolicySource[] {
  const sources: PolicySource[] = [];
  for (const [name, text] of entity.inlinePolicies) {
    sources.push({
      id: name,
      type: inlineType,
      policy: parsePolicyCached(text),
    });
  }
  for (const arn of entity.attachedPolicies) {
    const managed = findManagedPolicy(state, account, arn);
    const source = managed && managedPolicySource(managed);
    if (source) sources.push(source);
  }
  extraPolicies.forEach((text, i) => {
    sources.push({
      id: `PolicyInputList.${i + 1}`,
      type: 'none',
      policy: parsePolicyCached(text),
    });
  });
  return sources;
}

/** Builds the principal an access key stands for; undefined if its entity no longer exists. */
export function resolvePrincipal(
  state: EmulatorState,
  ref: PrincipalRef,
): Principal | undefined {
  const account = state.accounts.get(ref.accountId);
  if (!account) return undefined;
  if (ref.kind === 'root') {
    const arn = rootArn(account.id);
    return {
      kind: 'root',
      accountId: account.id,
      arn,
      userId: account.id,
      info: { arn, accountId: account.id },
      identityPolicies: [],
      // SCPs limit the root user of a member account too.
      serviceControlPolicies: serviceControlPoliciesOf(account),
    };
  }
  if (ref.kind === 'user') {
    const user = account.users.get(ref.userName);
    if (!user) return undefined;
    return {
      kind: 'user',
      accountId: account.id,
      arn: user.arn,
      userId: user.id,
      info: { arn: user.arn, accountId: account.id },
      identityPolicies: policiesOf(state, account, user, 'user'),
      serviceControlPolicies: serviceControlPoliciesOf(account),
      user,
    };
  }
  const role = account.roles.get(ref.roleName);
  if (!role) return undefined;
  const arn = assumedRoleArn(account.id, role.name, ref.sessionName);
  return {
    kind: 'assumed-role',
    accountId: account.id,
    arn,
    userId: `${role.id}:${ref.sessionName}`,
    info: { arn, accountId: account.id, roleArn: role.arn },
    identityPolicies: policiesOf(state, account, role, 'role'),
    sessionPolicies: ref.sessionPolicies?.map((text, i) => ({
      id: `SessionPolicy.${i + 1}`,
      type: 'none' as const,
      policy: parsePolicyCached(text),
    })),
    permissionsBoundary: boundaryOf(state, account, role),
    serviceControlPolicies: serviceControlPoliciesOf(account, role),
    role,
    sessionName: ref.sessionName,
  };
}

const PRINCIPAL_TYPES: Record<Principal['kind'], string> = {
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
};

/** The global condition keys AWS puts in every request context. */
export function principalContext(
  principal: Principal,
  region: string,
  now: Date,
): Record<string, string[]> {
  const context: Record<string, string[]> = {
    'aws:principalaccount': [principal.accountId],
    'aws:principalarn': [principal.role ? principal.role.arn : principal.arn],
    'aws:userid': [principal.userId],
    'aws:principaltype': [PRINCIPAL_TYPES[principal.kind]],
    'aws:requestedregion': [region],
    'aws:currenttime': [now.toISOString()],
    'aws:epochtime': [String(Math.floor(now.getTime() / 1000))],
    'aws:securetransport': ['false'],
  };
  if (principal.user) context['aws:username'] = [principal.user.name];
  return context;
}
