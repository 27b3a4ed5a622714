/**
 * An error that the emulator answers in the protocol of the service that was called.
 *
 * `status` is the HTTP status AWS uses for this code; `fault` maps to the `<Type>` of a Query
 * error. `fields` carries extra members some errors have on the wire (for example
 * `lastValidByteReceived` of ECR's InvalidLayerPartException).
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
  readonly fields: Record<string, unknown>;
  /** Extra response headers, such as `Retry-After` hints. */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message: string,
    options: {
      status?: number;
      fault?: 'Sender' | 'Receiver';
      fields?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

/** An error whose exact code and status depend on the protocol family of the service. */
export interface ErrorSpec {
  code: string;
  status: number;
}

/**
 * The codes and statuses a service uses for the failures every service has (authentication,
 * authorization, throttling, validation). They differ between the JSON and the Query services.
 */
export interface ErrorDialect {
  accessDenied: ErrorSpec;
  throttling: ErrorSpec;
  serverError: ErrorSpec;
  invalidSignature: ErrorSpec;
  unrecognizedClient: ErrorSpec;
  missingAuthentication: ErrorSpec;
  expiredToken: ErrorSpec;
  incompleteSignature: ErrorSpec;
  /** Malformed request bodies (bad JSON, values of the wrong type). */
  serialization: ErrorSpec;
  unknownOperation: ErrorSpec;
  /** Builds the error for failed constraints (required, length, pattern, range, enum). */
  validation(violations: Violation[]): AwsError;
}

/** One failed constraint of a request member, as AWS's request validation reports it. */
export interface Violation {
  /** The member's path, e.g. `repositoryName` or `imageIds.1.member.imageTag`. */
  path: string;
  /** The offending value as AWS prints it (`null` when missing). */
  value: string;
  /** The constraint, e.g. `Member must have value less than or equal to 1000`. */
  constraint: string;
}

export function errorFrom(
  spec: ErrorSpec,
  message: string,
  headers?: Record<string, string>,
): AwsError {
  return new AwsError(spec.code, message, { status: spec.status, headers });
}

/** The JSON 1.1 services (ECR, CodeBuild) share these. */
export function jsonDialect(
  validation: (violations: Violation[]) => AwsError,
  serverError: ErrorSpec,
): ErrorDialect {
  return {
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    throttling: { code: 'ThrottlingException', status: 400 },
    serverError,
    invalidSignature: { code: 'InvalidSignatureException', status: 400 },
    unrecognizedClient: { code: 'UnrecognizedClientException', status: 400 },
    missingAuthentication: {
      code: 'MissingAuthenticationTokenException',
      status: 400,
    },
    expiredToken: { code: 'ExpiredTokenException', status: 400 },
    incompleteSignature: { code: 'IncompleteSignatureException', status: 400 },
    serialization: { code: 'SerializationException', status: 400 },
    unknownOperation: { code: 'UnknownOperationException', status: 400 },
    validation,
  };
}

/** The Query services (IAM, STS) share these. */
export function queryDialect(serverError: ErrorSpec): ErrorDialect {
  return {
    accessDenied: { code: 'AccessDenied', status: 403 },
    throttling: { code: 'Throttling', status: 400 },
    serverError,
    invalidSignature: { code: 'SignatureDoesNotMatch', status: 403 },
    unrecognizedClient: { code: 'InvalidClientTokenId', status: 403 },
    missingAuthentication: { code: 'MissingAuthenticationToken', status: 403 },
    expiredToken: { code: 'ExpiredToken', status: 403 },
    incompleteSignature: { code: 'IncompleteSignature', status: 403 },
    serialization: { code: 'MalformedInput', status: 400 },
    unknownOperation: { code: 'InvalidAction', status: 400 },
    validation: violations =>
      new AwsError('ValidationError', coralValidationMessage(violations), {
        status: 400,
      }),
  };
}

/** The message AWS's request validation produces, e.g. "1 validation error detected: …". */
export function coralValidationMessage(violations: Violation[]): string {
  const count = violations.length;
  const details = violations
    .map(
      v =>
        `Value ${v.value} at '${v.path}' failed to satisfy constraint: ${v.constraint}`,
    )
    .join('; ');
  return `${count} validation error${
    count === 1 ? '' : 's'
  } detected: ${details}`;
}
