import { MalformedPolicyError, parsePolicy, Policy } from './iam/policy';
import { EmulatorState } from './state';

/**
 * ECR repository policies: the checks SetRepositoryPolicy makes before it accepts one, and
 * the form ECR answers them in.
 */

/** Why ECR refuses a repository policy; the text goes into ECR's InvalidParameterException. */
export class RepositoryPolicyError extends Error {}

const INVALID = 'Invalid repository policy provided';
const NOT_FOUND = 'Principal not found';

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:aws:iam::(\d{12}):root$/;
const IAM_ENTITY = /^arn:aws:iam::(\d{12}):(user|role)(\/.*)?\/([\w+=,.@-]+)$/;
const ROLE_SESSION = /^arn:aws:sts::(\d{12}):assumed-role\/[\w+=,.@-]+\/.+$/;

/**
 * Parses and checks a repository policy as ECR does: an IAM policy document whose every
 * statement names a Principal and no Resource (the repository is implied), whose AWS
 * principals are `*`, accounts, or users, roles and role sessions. With `state`, users and
 * roles of the accounts the emulator holds must exist ('Principal not found'); principals in
 * other accounts are taken as given.
 */
export function checkRepositoryPolicy(
  text: string,
  state?: EmulatorState,
): Policy {
  let policy: Policy;
  try {
    policy = parsePolicy(text, 'resource');
  } catch (e) {
    if (e instanceof MalformedPolicyError)
      throw new RepositoryPolicyError(INVALID);
    throw e;
  }
  for (const statement of policy.statements) {
    if (statement.resource || statement.notResource) {
      throw new RepositoryPolicyError(INVALID);
    }
    for (const spec of [statement.principal, statement.notPrincipal]) {
      if (!spec || spec === '*') continue;
      for (const id of spec.AWS ?? []) checkAwsPrincipal(id, state);
    }
  }
  return policy;
}

function checkAwsPrincipal(id: string, state?: EmulatorState): void {
  if (id === '*' || ACCOUNT_ID.test(id) || ACCOUNT_ROOT.test(id)) return;
  if (ROLE_SESSION.test(id)) return;
  const entity = IAM_ENTITY.exec(id);
  if (!entity) throw new RepositoryPolicyError(INVALID);
  const [, accountId, kind, , name] = entity;
  const account = state?.accounts.get(accountId);
  if (!account) return;
  const found =
    kind === 'user' ? account.users.get(name) : account.roles.get(name);
  if (!found || found.arn !== id) throw new RepositoryPolicyError(NOT_FOUND);
}

/**
 * The policy text as ECR stores and answers it: the document re-printed in Jackson's default
 * pretty format (two-space indented objects, `"key" : value`, arrays on one line as
 * `[ a, b ]`), keys in the order given.
 */
export function formatRepositoryPolicy(text: string): string {
  return pretty(JSON.parse(text), 0);
}

function pretty(value: unknown, depth: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map(v => pretty(v, depth)).join(', ')} ]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{ }';
    const inner = '  '.repeat(depth + 1);
    const members = entries.map(
      ([k, v]) => `\n${inner}${JSON.stringify(k)} : ${pretty(v, depth + 1)}`,
    );
    return `{${members.join(',')}\n${'  '.repeat(depth)}}`;
  }
  return JSON.stringify(value);
}
