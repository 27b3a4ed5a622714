import { CustomErrorBase } from '@backstage/errors';
import {
  answerNote,
  AwsFailureReason,
  classifyAwsError,
  isAwsCallFailure,
  isAwsCode,
  toAwsError,
} from './errors';

/**
 * What one AWS call found out: its value, or how the call failed, so that
 * whatever depends on it can say so (and what to do) while everything else
 * still answers.
 *
 * @public
 */
export type Fact<T> = { ok: true; value: T } | FailedFact;

/**
 * What every failed fact carries. Plain data: facts are cached as JSON.
 *
 * @public
 */
export interface FailedFactBase {
  ok: false;
  /** The IAM action Backstage called, e.g. `iam:SimulatePrincipalPolicy`. */
  operation: string;
  /** The AWS error code, or the SDK's name for an answer that had none (`SyntaxError`, `Unknown`). */
  awsCode: string;
  /** The HTTP status of the answer; absent when there was none (the network failed). */
  httpStatus?: number;
  /** True when a later attempt may succeed: throttling, HTTP 5xx but 501, the network. */
  transient: boolean;
}

/**
 * AWS refused Backstage's identity the action (HTTP 403 or an access-denied code).
 *
 * @public
 */
export interface DeniedFact extends FailedFactBase {
  kind: 'denied';
  /** The action AWS refused: named in its message, or else the one called. */
  deniedAction: string;
}

/**
 * The call failed for any other reason than a refusal.
 *
 * @public
 */
export interface UnansweredFact extends FailedFactBase {
  /**
   * `throttled`: AWS throttled it through every retry; `unreachable`: no HTTP
   * answer; `unavailable`: any other failure, see `reason`.
   */
  kind: 'unavailable' | 'throttled' | 'unreachable';
  /** For `unavailable`: why (see {@link AwsFailureReason}). */
  reason?: AwsFailureReason;
  deniedAction?: undefined;
}

/**
 * A fact whose AWS call failed.
 *
 * @public
 */
export type FailedFact = DeniedFact | UnansweredFact;

/**
 * Runs one AWS call for a request that cannot do without it: any failure
 * becomes an error with the HTTP status of docs/architecture.md, "HTTP API".
 *
 * @public
 */
export async function callAws<T>(
  action: string,
  resource: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Errors already in Backstage's terms (e.g. NotFoundError) pass unchanged.
    if (error instanceof CustomErrorBase) throw error;
    throw toAwsError(error, action, resource);
  }
}

/**
 * Runs one AWS call that gathers a fact: any failure of the call (a refusal,
 * throttling, a server error, an answer that is not AWS's, the network)
 * becomes a failed fact. Errors that are not an AWS call's (a programming
 * error, a cancelled run) still propagate.
 */
export async function gatherFact<T>(
  action: string,
  _resource: string | undefined,
  call: () => Promise<T>,
): Promise<Fact<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!isAwsCallFailure(error)) throw error;
    return failedFact(error, action);
  }
}

/** A failed AWS call as a fact about `operation`. */
export function failedFact(error: unknown, operation: string): FailedFact {
  const failure = classifyAwsError(error, operation);
  const base = {
    ok: false as const,
    operation,
    awsCode: failure.awsCode,
    ...(failure.httpStatus !== undefined && {
      httpStatus: failure.httpStatus,
    }),
    transient: failure.transient,
  };
  if (failure.kind === 'denied') {
    return {
      ...base,
      kind: 'denied',
      deniedAction: failure.deniedAction ?? operation,
    };
  }
  return {
    ...base,
    kind: failure.kind,
    ...(failure.reason && { reason: failure.reason }),
  };
}

/** `iam:GetRole` → IAM, the service whose endpoint was called. */
function serviceName(operation: string): string {
  const prefix = operation.split(':')[0];
  const names: Record<string, string> = {
    ecr: 'ECR',
    iam: 'IAM',
    sts: 'STS',
    codebuild: 'CodeBuild',
    logs: 'CloudWatch Logs',
  };
  return names[prefix] ?? (prefix || 'AWS');
}

/**
 * One clause naming how the call failed: the operation, the HTTP status and
 * the AWS code, worded by the kind of failure. `on` names the resource.
 *
 * - "Backstage may not call ecr:DescribeImages on payments-api (HTTP 400, AccessDeniedException)"
 * - "AWS failed iam:SimulatePrincipalPolicy (HTTP 500, ServiceFailureException)"
 * - "iam:SimulatePrincipalPolicy failed (HTTP 500, no AWS error code): the endpoint failed, or does not implement it"
 * - "the AWS endpoint does not implement iam:SimulatePrincipalPolicy (HTTP 501)"
 * - "AWS throttled ecr:DescribeImages through every retry (HTTP 400, ThrottlingException)"
 * - "Backstage could not reach the ECR endpoint for ecr:DescribeImages (ECONNREFUSED)"
 *
 * @public
 */
export function describeFailure(fact: FailedFact, on?: string): string {
  const note = answerNote(fact);
  const where = on ? ` on ${on}` : '';
  const op = fact.operation;
  switch (fact.kind) {
    case 'denied':
      return fact.deniedAction === op
        ? `Backstage may not call ${op}${where} (${note})`
        : `Backstage may not call ${fact.deniedAction}, which ${op}${where} needs (${note})`;
    case 'throttled':
      return `AWS throttled ${op}${where} through every retry (${note})`;
    case 'unreachable':
      return `Backstage could not reach the ${serviceName(
        op,
      )} endpoint for ${op}${where} (${note})`;
    default:
      break;
  }
  switch (fact.reason) {
    case 'not-implemented':
      return `the AWS endpoint does not implement ${op} (${note})`;
    case 'credentials':
      return `AWS rejected the credentials Backstage uses for ${op}${where} (${note})`;
    case 'server':
      return isAwsCode(fact.awsCode)
        ? `AWS failed ${op}${where} (${note})`
        : `${op} failed${where} (${note}): the endpoint failed, or does not implement it`;
    default:
      return `AWS failed ${op}${where} (${note})`;
  }
}

/** What to do about a failed fact, by its kind. */
export function failureRemedy(fact: FailedFact): string {
  switch (fact.kind) {
    case 'denied':
      return allowRemedy([fact.deniedAction]);
    case 'throttled':
      return 'AWS is throttling Backstage’s calls; try again shortly.';
    case 'unreachable':
      return `Backstage could not reach the ${serviceName(
        fact.operation,
      )} endpoint: check Backstage's network access to AWS (and ecr.endpoint, when set), then try again.`;
    default:
      break;
  }
  switch (fact.reason) {
    case 'not-implemented':
      return `The endpoint Backstage calls does not implement ${fact.operation}: point Backstage at one that does (ecr.endpoint); until then this check cannot run.`;
    case 'credentials':
      return 'Check the credentials Backstage uses for this account in the aws section of the configuration.';
    case 'server':
      return isAwsCode(fact.awsCode)
        ? 'AWS failed; try again shortly.'
        : `The endpoint failed, or does not implement ${fact.operation}: try again shortly, and if it keeps failing, check that the endpoint Backstage calls (ecr.endpoint, when set) implements it.`;
    default:
      return `AWS refused the request as Backstage made it; try again, and report it if it keeps failing.`;
  }
}

/** What to do when Backstage's own identity lacks actions. */
export function allowRemedy(actions: string[]): string {
  return `Allow the role Backstage uses ${[...new Set(actions)]
    .sort()
    .join(
      ', ',
    )} (see the least-privilege policy in the ECR backend plugin's README).`;
}

/**
 * Capitalises the first letter, for a clause that opens a sentence; an
 * operation (`ecr:DescribeImages`) that opens it is left as it is written.
 */
export function sentence(clause: string): string {
  if (/^[a-z0-9-]+:[A-Za-z]/.test(clause)) return clause;
  return clause.charAt(0).toUpperCase() + clause.slice(1);
}
