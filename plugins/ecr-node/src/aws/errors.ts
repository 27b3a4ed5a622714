import { CustomErrorBase } from '@backstage/errors';

/**
 * AWS failures as HTTP answers (docs/architecture.md, "HTTP API"). Each error carries a status code
 * that Backstage's error middleware uses, the AWS error code and, where it
 * applies, the IAM action. They never carry the SDK error as `cause`: its
 * message names Backstage's own principal and its metadata is of no use to a
 * browser.
 */

const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
]);

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

const CREDENTIAL_CODES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  // Backstage could not obtain credentials for the account (AwsClients).
  'CredentialsError',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Codes of operations the endpoint does not have (Query APIs answer InvalidAction). */
const NOT_IMPLEMENTED_CODES = new Set([
  'NotImplemented',
  'NotImplementedException',
  'InvalidAction',
  'UnknownOperationException',
  'UnsupportedOperation',
  'UnsupportedOperationException',
]);

/** AWS's own codes for failing on its side, for errors that carry no status. */
const SERVER_CODES = new Set([
  'ServerException',
  'ServiceFailure',
  'ServiceFailureException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/**
 * Names the SDK gives an error when the answer carried no AWS error code: a
 * body it could not parse (an HTML page, XML on a JSON service) or none.
 */
const GENERIC_NAMES = new Set([
  'Error',
  'SyntaxError',
  'Unknown',
  'UnknownError',
]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

function sdkError(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null
    ? (error as SdkErrorLike)
    : {};
}

function isTransientStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 500 && status !== 501;
}

/**
 * What a mapped error knows of the failure beyond its code and action.
 *
 * @public
 */
export interface AwsCallErrorDetails {
  /** The HTTP status AWS (or whatever answered) gave, when there was an answer. */
  httpStatus?: number;
  /** Whether a later attempt may succeed; by default from the status and the code. */
  transient?: boolean;
}

/**
 * A failed AWS call: the AWS error code and the IAM action it was for.
 *
 * @public
 */
export abstract class AwsCallError extends CustomErrorBase {
  abstract readonly statusCode: number;
  /** The HTTP status of AWS's answer, when there was one. */
  readonly httpStatus?: number;
  /** True when a later attempt may succeed: throttling, a 5xx, the network. */
  readonly transient: boolean;
  constructor(
    message: string,
    readonly awsCode: string,
    readonly action: string,
    details: AwsCallErrorDetails = {},
  ) {
    super(message);
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    this.transient =
      details.transient ??
      (isTransientStatus(details.httpStatus) ||
        THROTTLING_CODES.has(awsCode) ||
        SERVER_CODES.has(awsCode) ||
        NETWORK_CODES.has(awsCode));
  }
}

/**
 * AWS refused Backstage's own identity an action: 502, naming the action.
 *
 * @public
 */
export class AwsAccessDeniedError extends AwsCallError {
  name = 'AwsAccessDeniedError' as const;
  readonly statusCode = 502;
}

/**
 * AWS kept throttling after the SDK's retries: 503, try again later.
 *
 * @public
 */
export class AwsThrottledError extends AwsCallError {
  name = 'AwsThrottledError' as const;
  readonly statusCode = 503;
}

/**
 * Any other failure of AWS, or of reaching it: 502.
 *
 * @public
 */
export class AwsServiceError extends AwsCallError {
  name = 'AwsServiceError' as const;
  readonly statusCode = 502;
}

/** The error code AWS (or the network layer) gave. */
export function awsErrorCode(error: unknown): string {
  const { name, code, Code } = sdkError(error);
  if (code && NETWORK_CODES.has(code)) return code;
  if (name && !GENERIC_NAMES.has(name)) return name;
  // IAM and STS errors the SDK has no class for carry AWS's code as `Code`.
  return Code || code || name || 'UnknownError';
}

/** True when the code is AWS's own, not a name the SDK gave an unreadable answer. */
export function isAwsCode(code: string): boolean {
  return !GENERIC_NAMES.has(code);
}

/**
 * What kind of failure an AWS call met, which decides what Backstage can say
 * and what to do about it:
 *
 * - `denied`: AWS refused Backstage's identity the action (HTTP 403 or an
 *   access-denied code): allow the role Backstage uses the action;
 * - `throttled`: AWS throttled the call through every retry (HTTP 429 or a
 *   throttling code): try again shortly;
 * - `unreachable`: no HTTP answer (connection refused, DNS, timeout);
 * - `unavailable`: anything else; see {@link AwsFailureReason}.
 */
export type AwsFailureKind =
  | 'denied'
  | 'unavailable'
  | 'throttled'
  | 'unreachable';

/**
 * Why an `unavailable` call failed:
 *
 * - `not-implemented`: the endpoint does not have the operation (HTTP 501,
 *   or a code such as InvalidAction);
 * - `server`: AWS (or the endpoint) failed on its side, HTTP 5xx; without an
 *   AWS error code (an HTML page) it may also not implement the operation;
 * - `credentials`: AWS rejected the credentials Backstage signs with, or
 *   Backstage has none for the account;
 * - `request`: any other answer (a 4xx, or a body the SDK could not read).
 *
 * @public
 */
export type AwsFailureReason =
  | 'not-implemented'
  | 'server'
  | 'credentials'
  | 'request';

/** A failed AWS call, classified. Plain data, so that it can be cached as JSON. */
export interface AwsFailure {
  kind: AwsFailureKind;
  /** For `unavailable`: why. */
  reason?: AwsFailureReason;
  /** The AWS error code, or the SDK's name for an answer that had none (see {@link isAwsCode}). */
  awsCode: string;
  /** The HTTP status of the answer; absent when there was none. */
  httpStatus?: number;
  /** For `denied`: the action AWS refused, from its message, or the one called. */
  deniedAction?: string;
  /** True when a later attempt may succeed: throttling, HTTP 5xx but 501, the network. */
  transient: boolean;
}

/**
 * Classifies a failed AWS call by the HTTP status of the answer as well as
 * the error's name, since an answer that is not AWS's (an HTML 500 page, an
 * XML 403 from a proxy in front of a JSON service) reaches Backstage as a
 * generic SDK error (`SyntaxError`, `Unknown`, `Error`) carrying only the
 * status. `action` is the IAM action Backstage called.
 */
export function classifyAwsError(error: unknown, action: string): AwsFailure {
  if (isMappedAwsError(error)) return classifyMapped(error);
  const e = sdkError(error);
  const awsCode = awsErrorCode(error);
  const httpStatus = e.$metadata?.httpStatusCode;
  const status = httpStatus === undefined ? {} : { httpStatus };
  if (httpStatus === undefined && NETWORK_CODES.has(awsCode)) {
    return { kind: 'unreachable', awsCode, transient: true };
  }
  // The SDK's retry gives every error it saw `$metadata`, and the answer's
  // status when there was one: a generic error without a status never had
  // an answer (the SDK wraps a network error of another realm so).
  if (
    httpStatus === undefined &&
    e.$metadata !== undefined &&
    !isAwsCode(awsCode)
  ) {
    return { kind: 'unreachable', awsCode, transient: true };
  }
  if (CREDENTIAL_CODES.has(awsCode)) {
    return {
      kind: 'unavailable',
      reason: 'credentials',
      awsCode,
      ...status,
      transient: false,
    };
  }
  if (THROTTLING_CODES.has(awsCode) || httpStatus === 429) {
    return { kind: 'throttled', awsCode, ...status, transient: true };
  }
  if (ACCESS_DENIED_CODES.has(awsCode) || httpStatus === 403) {
    return {
      kind: 'denied',
      awsCode,
      ...status,
      deniedAction: deniedAction(error, action),
      transient: false,
    };
  }
  if (NOT_IMPLEMENTED_CODES.has(awsCode) || httpStatus === 501) {
    return {
      kind: 'unavailable',
      reason: 'not-implemented',
      awsCode,
      ...status,
      transient: false,
    };
  }
  const server =
    (httpStatus ?? 0) >= 500 ||
    (httpStatus === undefined &&
      (e.$fault === 'server' || SERVER_CODES.has(awsCode)));
  return {
    kind: 'unavailable',
    reason: server ? 'server' : 'request',
    awsCode,
    ...status,
    transient: server,
  };
}

function classifyMapped(
  error: AwsAccessDeniedError | AwsThrottledError | AwsServiceError,
): AwsFailure {
  const { awsCode, transient } = error;
  const status =
    error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus };
  if (error instanceof AwsAccessDeniedError) {
    return {
      kind: 'denied',
      awsCode,
      ...status,
      deniedAction: error.action,
      transient,
    };
  }
  if (error instanceof AwsThrottledError) {
    return { kind: 'throttled', awsCode, ...status, transient };
  }
  if (error.httpStatus === undefined && NETWORK_CODES.has(awsCode)) {
    return { kind: 'unreachable', awsCode, transient };
  }
  let reason: AwsFailureReason = 'request';
  if (CREDENTIAL_CODES.has(awsCode)) reason = 'credentials';
  else if (NOT_IMPLEMENTED_CODES.has(awsCode) || error.httpStatus === 501) {
    reason = 'not-implemented';
  } else if (transient) reason = 'server';
  return { kind: 'unavailable', reason, awsCode, ...status, transient };
}

/**
 * True for an error that a failed AWS call produced: the SDK's errors (they
 * carry `$metadata`, network errors included), network errors, and this
 * module's own. Anything else thrown while gathering (a TypeError, an abort)
 * is not an AWS failure and is left to propagate.
 */
export function isAwsCallFailure(error: unknown): boolean {
  if (isMappedAwsError(error)) return true;
  if (error instanceof CustomErrorBase) return false;
  const e = sdkError(error);
  if (e.name === 'AbortError') return false;
  return (
    (typeof e.$metadata === 'object' && e.$metadata !== null) ||
    e.$fault !== undefined ||
    e.$response !== undefined ||
    NETWORK_CODES.has(e.code ?? '') ||
    NETWORK_CODES.has(e.name ?? '')
  );
}

/** True when AWS refused Backstage's identity the call (403 or an access-denied code). */
export function isAccessDenied(error: unknown): boolean {
  return classifyAwsError(error, '').kind === 'denied';
}

/** True when AWS throttled the call (after the SDK's own retries). */
export function isThrottling(error: unknown): boolean {
  return classifyAwsError(error, '').kind === 'throttled';
}

/**
 * True when a later attempt may succeed: throttling, a server error (any 5xx
 * but 501, or AWS's server-side codes) or the network. Takes an SDK error or
 * one of this module's.
 *
 * @public
 */
export function isTransientAwsError(error: unknown): boolean {
  return classifyAwsError(error, '').transient;
}

/**
 * The IAM action AWS says was refused, e.g. `ecr:DescribeImages` from
 * "… is not authorized to perform: ecr:DescribeImages on resource: …"; the
 * action Backstage called when the message does not say.
 */
export function deniedAction(error: unknown, calledAction: string): string {
  const match =
    /not authorized to perform:?\s+([A-Za-z0-9-]+:[A-Za-z0-9*]+)/.exec(
      sdkError(error).message ?? '',
    );
  return match?.[1] ?? calledAction;
}

/** True for errors this module produced, which need no further mapping. */
export function isMappedAwsError(
  error: unknown,
): error is AwsAccessDeniedError | AwsThrottledError | AwsServiceError {
  return (
    error instanceof AwsAccessDeniedError ||
    error instanceof AwsThrottledError ||
    error instanceof AwsServiceError
  );
}

/**
 * How an answer is named in messages: `HTTP 500, ServiceFailureException`;
 * `HTTP 500, no AWS error code` for a body that was not AWS's (an HTML page);
 * the code alone when there was no HTTP answer (`ECONNREFUSED`), or
 * `no HTTP answer` when there is no code either.
 */
export function answerNote(
  failure: Pick<AwsFailure, 'awsCode' | 'httpStatus'>,
): string {
  const code = isAwsCode(failure.awsCode) ? failure.awsCode : undefined;
  if (failure.httpStatus === undefined) return code ?? 'no HTTP answer';
  return `HTTP ${failure.httpStatus}, ${code ?? 'no AWS error code'}`;
}

/**
 * Turns a failed AWS call into an error with the right HTTP status and a
 * message that names the action, the HTTP status and the code, and nothing
 * of Backstage's credentials or internals.
 */
export function toAwsError(
  error: unknown,
  action: string,
  resource?: string,
): AwsAccessDeniedError | AwsThrottledError | AwsServiceError {
  if (isMappedAwsError(error)) return error;
  const failure = classifyAwsError(error, action);
  const { awsCode: code, httpStatus, transient } = failure;
  const details = { httpStatus, transient };
  const on = resource ? ` on ${resource}` : '';
  const note = answerNote(failure);
  switch (failure.kind) {
    case 'denied': {
      const refused = failure.deniedAction ?? action;
      return new AwsAccessDeniedError(
        `AWS denied Backstage's identity ${refused}${on} (${note}); grant ${refused} to the role Backstage uses`,
        code,
        refused,
        details,
      );
    }
    case 'throttled':
      return new AwsThrottledError(
        `AWS is throttling ${action} (${note}) and kept doing so through the retries; try again shortly`,
        code,
        action,
        details,
      );
    case 'unreachable':
      return new AwsServiceError(
        `Backstage could not reach AWS for ${action} (${note})`,
        code,
        action,
        details,
      );
    default:
      break;
  }
  switch (failure.reason) {
    case 'credentials':
      return new AwsServiceError(
        `AWS rejected the credentials Backstage uses for ${action} (${note}); check the aws section of the configuration`,
        code,
        action,
        details,
      );
    case 'not-implemented':
      return new AwsServiceError(
        `The AWS endpoint Backstage uses does not implement ${action} (${note})`,
        code,
        action,
        details,
      );
    case 'server':
      return new AwsServiceError(
        isAwsCode(code)
          ? `AWS failed ${action}${on} (${note})`
          : `AWS failed ${action}${on} (${note}); the endpoint failed, or does not implement ${action}`,
        code,
        action,
        details,
      );
    default:
      return new AwsServiceError(
        `AWS failed ${action}${on} (${note})`,
        code,
        action,
        details,
      );
  }
}
