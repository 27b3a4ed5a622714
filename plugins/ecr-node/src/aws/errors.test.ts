import {
  AwsAccessDeniedError,
  AwsServiceError,
  AwsThrottledError,
  deniedAction,
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
