import { NotFoundError } from '@backstage/errors';
import {
  AwsAccessDeniedError,
  AwsServiceError,
  AwsThrottledError,
  classifyAwsError,
  deniedAction,
  isAwsCallFailure,
  isTransientAwsError,
  toAwsError,
} from './errors';

function sdkError(name: string, message: string, httpStatusCode = 400) {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode },
  });
}

const GUIDE_MESSAGE =
  'User: arn:aws:sts::847463738381:assumed-role/codebuild-proof-of-concept-snapshot-service-role/AWSCodeBuild-4002c38e is not authorized to perform: ecr:GetAuthorizationToken on resource: *';

describe('toAwsError', () => {
  it('maps AccessDeniedException to a 502 naming the code and the refused action', () => {
    const error = toAwsError(
      sdkError('AccessDeniedException', GUIDE_MESSAGE),
      'ecr:DescribeImages',
    );
    expect(error).toBeInstanceOf(AwsAccessDeniedError);
    expect(error.statusCode).toBe(502);
    expect(error.message).toContain('ecr:GetAuthorizationToken');
    expect(error.message).toContain('AccessDeniedException');
    expect(error.message).not.toContain('847463738381');
    expect(error.message).not.toContain('assumed-role');
  });

  it('maps IAM AccessDenied to the called action when the message does not say', () => {
    const error = toAwsError(
      sdkError('AccessDenied', 'denied', 403),
      'iam:SimulatePrincipalPolicy',
    );
    expect(error).toMatchObject({
      statusCode: 502,
      awsCode: 'AccessDenied',
      action: 'iam:SimulatePrincipalPolicy',
    });
  });

  it.each(['ThrottlingException', 'Throttling', 'TooManyRequestsException'])(
    'maps %s to a 503',
    code => {
      const error = toAwsError(sdkError(code, 'Rate exceeded'), 'ecr:X');
      expect(error).toBeInstanceOf(AwsThrottledError);
      expect(error.statusCode).toBe(503);
      expect(error.message).toContain(code);
    },
  );

  it('maps a 429 without a known code to a 503', () => {
    expect(
      toAwsError(sdkError('Odd', 'slow down', 429), 'ecr:X').statusCode,
    ).toBe(503);
  });

  it('maps a server error and a network failure to a 502 without their text', () => {
    const server = toAwsError(
      sdkError('ServerException', 'internal detail /var/x', 500),
      'ecr:DescribeImages',
    );
    expect(server).toBeInstanceOf(AwsServiceError);
    expect(server.statusCode).toBe(502);
    expect(server.message).not.toContain('/var/x');
    const network = toAwsError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
        code: 'ECONNREFUSED',
      }),
      'ecr:DescribeImages',
    );
    expect(network.message).toBe(
      'Backstage could not reach AWS for ecr:DescribeImages (ECONNREFUSED)',
    );
  });

  it('carries no cause, so nothing of the SDK error reaches an answer', () => {
    expect(
      toAwsError(sdkError('AccessDenied', GUIDE_MESSAGE), 'x').cause,
    ).toBeUndefined();
  });
});

describe('deniedAction', () => {
  it('reads the action out of the AWS message', () => {
    expect(deniedAction(sdkError('AccessDenied', GUIDE_MESSAGE), 'x')).toBe(
      'ecr:GetAuthorizationToken',
    );
  });
});

/**
 * Errors shaped as SDK v3 throws them, from what it answered an endpoint with
 * (see the fault proxy's tests for the real thing over HTTP).
 */
const sdk = {
  /** A JSON service (ECR, CodeBuild) answered a body that is not JSON. */
  unparsable: (httpStatusCode: number) =>
    Object.assign(new SyntaxError("Unexpected token '<'"), {
      $metadata: { httpStatusCode },
    }),
  /** A Query service (IAM, STS) answered a body without an AWS error. */
  unknown: (httpStatusCode: number, $fault: 'client' | 'server') =>
    Object.assign(new Error('Unknown'), {
      name: 'Unknown',
      $fault,
      $metadata: { httpStatusCode },
    }),
  service: (
    name: string,
    httpStatusCode: number,
    $fault: 'client' | 'server',
    extra = {},
  ) =>
    Object.assign(new Error('message'), {
      name,
      $fault,
      $metadata: { httpStatusCode },
      ...extra,
    }),
  network: (code: string) =>
    Object.assign(new Error(`connect ${code} 10.0.0.1:443`), {
      code,
      $metadata: { attempts: 3 },
    }),
};

describe('classifyAwsError', () => {
  it.each([
    [
      'an HTML 500 on a JSON service',
      sdk.unparsable(500),
      {
        kind: 'unavailable',
        reason: 'server',
        httpStatus: 500,
        transient: true,
      },
    ],
    [
      'an HTML 500 on a Query service',
      sdk.unknown(500, 'server'),
      {
        kind: 'unavailable',
        reason: 'server',
        httpStatus: 500,
        transient: true,
      },
    ],
    [
      'IAM’s ServiceFailure',
      sdk.service('ServiceFailureException', 500, 'server', {
        Code: 'ServiceFailure',
      }),
      {
        kind: 'unavailable',
        reason: 'server',
        awsCode: 'ServiceFailureException',
        httpStatus: 500,
        transient: true,
      },
    ],
    [
      'STS’s ServiceFailure, which the SDK has no class for',
      sdk.service('ServiceFailure', 500, 'server'),
      { kind: 'unavailable', awsCode: 'ServiceFailure', transient: true },
    ],
    [
      'a 503',
      sdk.service('ServiceUnavailableException', 503, 'server'),
      { kind: 'unavailable', reason: 'server', transient: true },
    ],
    [
      'an XML 403 on a JSON service',
      sdk.unparsable(403),
      {
        kind: 'denied',
        deniedAction: 'ecr:DescribeImages',
        httpStatus: 403,
        transient: false,
      },
    ],
    [
      'a 403 without an AWS code on a Query service',
      sdk.unknown(403, 'client'),
      { kind: 'denied', httpStatus: 403 },
    ],
    [
      'ECR’s AccessDeniedException (HTTP 400)',
      sdk.service('AccessDeniedException', 400, 'client', {
        message: GUIDE_MESSAGE,
      }),
      {
        kind: 'denied',
        deniedAction: 'ecr:GetAuthorizationToken',
        httpStatus: 400,
      },
    ],
    [
      'a 429 without a known code',
      sdk.unknown(429, 'client'),
      { kind: 'throttled', httpStatus: 429, transient: true },
    ],
    [
      'ThrottlingException (HTTP 400)',
      sdk.service('ThrottlingException', 400, 'client'),
      { kind: 'throttled', transient: true },
    ],
    [
      'a 501',
      sdk.unparsable(501),
      {
        kind: 'unavailable',
        reason: 'not-implemented',
        httpStatus: 501,
        transient: false,
      },
    ],
    [
      'InvalidAction, as a Query service answers an operation it lacks',
      sdk.service('InvalidAction', 400, 'client'),
      { kind: 'unavailable', reason: 'not-implemented', transient: false },
    ],
    [
      'rejected credentials (HTTP 403)',
      sdk.service('InvalidClientTokenId', 403, 'client'),
      { kind: 'unavailable', reason: 'credentials', transient: false },
    ],
    [
      'a validation error',
      sdk.service('InvalidParameterException', 400, 'client'),
      { kind: 'unavailable', reason: 'request', transient: false },
    ],
    [
      'an unparsable 200',
      sdk.unparsable(200),
      { kind: 'unavailable', reason: 'request', transient: false },
    ],
    [
      'a refused connection',
      sdk.network('ECONNREFUSED'),
      { kind: 'unreachable', awsCode: 'ECONNREFUSED', transient: true },
    ],
    [
      'a network error the SDK wrapped without its code',
      Object.assign(new Error('AWS SDK error wrapper for TimeoutError'), {
        $metadata: { attempts: 2 },
      }),
      { kind: 'unreachable', transient: true },
    ],
  ])('classifies %s', (_, error, expected) => {
    expect(classifyAwsError(error, 'ecr:DescribeImages')).toMatchObject(
      expected,
    );
    expect(isAwsCallFailure(error)).toBe(true);
  });

  it('classifies its own errors as they were mapped', () => {
    expect(
      classifyAwsError(
        toAwsError(sdk.unparsable(403), 'ecr:DescribeImages'),
        'x',
      ),
    ).toEqual({
      kind: 'denied',
      awsCode: 'SyntaxError',
      httpStatus: 403,
      deniedAction: 'ecr:DescribeImages',
      transient: false,
    });
    expect(
      classifyAwsError(
        new AwsServiceError(
          'no credentials',
          'CredentialsError',
          'credentials',
        ),
        'x',
      ),
    ).toEqual({
      kind: 'unavailable',
      reason: 'credentials',
      awsCode: 'CredentialsError',
      transient: false,
    });
  });

  it('tells AWS failures from programming errors and cancellations', () => {
    expect(isAwsCallFailure(new TypeError('x is undefined'))).toBe(false);
    expect(isAwsCallFailure(new NotFoundError('no'))).toBe(false);
    expect(
      isAwsCallFailure(
        Object.assign(new Error('aborted'), {
          name: 'AbortError',
          $metadata: {},
        }),
      ),
    ).toBe(false);
    expect(
      isAwsCallFailure(new AwsThrottledError('t', 'Throttling', 'x')),
    ).toBe(true);
  });
});

describe('isTransientAwsError', () => {
  it.each([
    [new AwsThrottledError('t', 'ThrottlingException', 'x'), true],
    [new AwsServiceError('failed', 'ServerException', 'x'), true],
    [new AwsServiceError('failed', 'ServiceFailureException', 'x'), true],
    [new AwsServiceError('down', 'ECONNREFUSED', 'x'), true],
    [
      new AwsServiceError('html', 'SyntaxError', 'x', { httpStatus: 500 }),
      true,
    ],
    [
      new AwsServiceError('no', 'UnknownError', 'x', { httpStatus: 501 }),
      false,
    ],
    [new AwsAccessDeniedError('denied', 'AccessDeniedException', 'x'), false],
    [
      new AwsServiceError('bad keys', 'UnrecognizedClientException', 'x'),
      false,
    ],
    [sdk.unparsable(500), true],
    [sdk.service('ServiceFailureException', 500, 'server'), true],
    [sdk.unparsable(403), false],
  ])('%#: %s is transient: %s', (error, transient) => {
    expect(isTransientAwsError(error)).toBe(transient);
  });

  it('keeps what toAwsError saw of the answer', () => {
    const error = toAwsError(
      sdk.unparsable(500),
      'iam:SimulatePrincipalPolicy',
    );
    expect(error).toMatchObject({ httpStatus: 500, transient: true });
    expect(isTransientAwsError(error)).toBe(true);
  });
});

describe('toAwsError names the HTTP status', () => {
  it.each([
    [
      sdk.service('ServiceFailureException', 500, 'server'),
      'AWS failed iam:SimulatePrincipalPolicy (HTTP 500, ServiceFailureException)',
    ],
    [
      sdk.unknown(500, 'server'),
      'AWS failed iam:SimulatePrincipalPolicy (HTTP 500, no AWS error code); the endpoint failed, or does not implement iam:SimulatePrincipalPolicy',
    ],
    [
      sdk.unparsable(501),
      'The AWS endpoint Backstage uses does not implement iam:SimulatePrincipalPolicy (HTTP 501, no AWS error code)',
    ],
    [
      sdk.unparsable(403),
      "AWS denied Backstage's identity iam:SimulatePrincipalPolicy (HTTP 403, no AWS error code); grant iam:SimulatePrincipalPolicy to the role Backstage uses",
    ],
    [
      sdk.unknown(429, 'client'),
      'AWS is throttling iam:SimulatePrincipalPolicy (HTTP 429, no AWS error code) and kept doing so through the retries; try again shortly',
    ],
  ])('%#', (error, message) => {
    const mapped = toAwsError(error, 'iam:SimulatePrincipalPolicy');
    expect(mapped.message).toBe(message);
    expect(mapped.message).not.toMatch(/\((Error|SyntaxError|Unknown)\)/);
  });
});
