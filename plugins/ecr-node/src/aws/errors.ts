import { CustomErrorBase } from '@backstage/errors';

/**
 * AWS failures as HTTP answers (DESIGN §5). Each error carries a status code
 * that Backstage's error middleware uses, the AWS error code and, where it
 * applies, the IAM action. They never carry the SDK error as `cause`: its
 * message names Backstage's own principal and its metadata is of no use to a
 * browser.
 */

/** A failed AWS call: the AWS error code and the IAM action it was for. */
abstract class AwsCallError extends CustomErrorBase {
  abstract readonly statusCode: number;
  constructor(
    message: string,
    readonly awsCode: string,
    readonly action: string,
  ) {
    super(message);
  }
}

/** AWS refused Backstage's own identity an action: 502, naming the action. */
export class AwsAccessDeniedError extends AwsCallError {
  name = 'AwsAccessDeniedError' as const;
  readonly statusCode = 502;
}

/** AWS kept throttling after the SDK's retries: 503, try again later. */
export class AwsThrottledError extends AwsCallError {
  name = 'AwsThrottledError' as const;
  readonly statusCode = 503;
}

/** Any other failure of AWS, or of reaching it: 502. */
export class AwsServiceError extends AwsCallError {
  name = 'AwsServiceError' as const;
  readonly statusCode = 502;
}

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
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'TimeoutError',
]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function sdkError(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null
    ? (error as SdkErrorLike)
    : {};
}

/** The error code AWS (or the network layer) gave. */
export function awsErrorCode(error: unknown): string {
  const { name, code } = sdkError(error);
  if (code && NETWORK_CODES.has(code)) return code;
  return name || code || 'UnknownError';
}

/** True when AWS refused Backstage's identity the call. */
export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED_CODES.has(awsErrorCode(error));
}

/** True when AWS throttled the call (after the SDK's own retries). */
export function isThrottling(error: unknown): boolean {
  const e = sdkError(error);
  return (
    THROTTLING_CODES.has(awsErrorCode(error)) ||
    e.$metadata?.httpStatusCode === 429
  );
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
 * Turns a failed AWS call into an error with the right HTTP status and a
 * message that names the code and the action, and nothing of Backstage's
 * credentials or internals.
 */
export function toAwsError(
  error: unknown,
  action: string,
  resource?: string,
): AwsAccessDeniedError | AwsThrottledError | AwsServiceError {
  if (isMappedAwsError(error)) return error;
  const code = awsErrorCode(error);
  const on = resource ? ` on ${resource}` : '';
  if (isAccessDenied(error)) {
    const refused = deniedAction(error, action);
    return new AwsAccessDeniedError(
      `AWS denied Backstage's identity ${refused}${on} (${code}); grant ${refused} to the role Backstage uses`,
      code,
      refused,
    );
  }
  if (isThrottling(error)) {
    return new AwsThrottledError(
      `AWS is throttling ${action} (${code}) and kept doing so through the retries; try again shortly`,
      code,
      action,
    );
  }
  if (CREDENTIAL_CODES.has(code)) {
    return new AwsServiceError(
      `AWS rejected the credentials Backstage uses for ${action} (${code}); check the aws section of the configuration`,
      code,
      action,
    );
  }
  if (NETWORK_CODES.has(code)) {
    return new AwsServiceError(
      `Backstage could not reach AWS for ${action} (${code})`,
      code,
      action,
    );
  }
  return new AwsServiceError(
    `AWS failed ${action}${on} (${code})`,
    code,
    action,
  );
}
