import {
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
} from '@aws-sdk/client-ecr';
import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import {
  GetRoleCommand,
  ServiceFailureException,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { sha256Hex, signRequest } from './auth/sigv4';
import {
  clients,
  errorOf,
  KEYS,
  REGION,
  useEmulator,
} from './__testUtils__/emulator';

const emulator = useEmulator();

afterEach(() => {
  emulator().setFaults({
    latencyMs: 0,
    throttleRate: 0,
    errorRate: 0,
    throttleNext: 0,
    errorNext: 0,
    notImplemented: false,
    xml403: false,
    operations: [],
  });
  emulator().resetCalls();
});

function amzDate(date = new Date()) {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Sends a request signed by hand, optionally changed after signing. */
async function rawRequest(options: {
  body: string;
  headers: Record<string, string>;
  service: string;
  sign?: boolean;
  tamper?: (body: string) => string;
  date?: Date;
}) {
  const url = new URL(emulator().url);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-date': amzDate(options.date),
    ...options.headers,
  };
  if (options.sign !== false) {
    headers.authorization = signRequest(
      {
        method: 'POST',
        path: '/',
        query: '',
        headers: Object.entries(headers),
        body: Buffer.from(options.body),
      },
      KEYS.backstage,
      REGION,
      options.service,
      headers['x-amz-date'],
    );
  }
  const response = await fetch(`${emulator().url}/`, {
    method: 'POST',
    headers,
    body: options.tamper ? options.tamper(options.body) : options.body,
  });
  return {
    status: response.status,
    headers: response.headers,
    text: await response.text(),
  };
}

const ecrJson = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
};
const iamForm = {
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
};

describe('authentication', () => {
  it('accepts a request it can verify', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'ecr',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).repositories.length).toBeGreaterThan(0);
  });

  it('refuses a wrong secret with InvalidSignatureException (JSON)', async () => {
    const ecr = clients(emulator().url, {
      ...KEYS.backstage,
      secretAccessKey: 'wrong',
    }).ecr;
    const error = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(
      /^The request signature we calculated does not match/,
    );
  });

  it('refuses a wrong secret with SignatureDoesNotMatch (Query)', async () => {
    const iam = clients(emulator().url, {
      ...KEYS.backstage,
      secretAccessKey: 'wrong',
    }).iam;
    const error = await errorOf(
      iam.send(
        new GetRoleCommand({ RoleName: 'codebuild-payments-api-service-role' }),
      ),
    );
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('refuses an unknown access key with UnrecognizedClientException (JSON)', async () => {
    const ecr = clients(emulator().url, {
      accessKeyId: 'AKIAUNKNOWNKEY000000',
      secretAccessKey: 'x',
    }).ecr;
    const error = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.message).toBe(
      'The security token included in the request is invalid.',
    );
  });

  it('refuses an unknown access key with InvalidClientTokenId (Query)', async () => {
    const sts = clients(emulator().url, {
      accessKeyId: 'AKIAUNKNOWNKEY000000',
      secretAccessKey: 'x',
    }).sts;
    const error = await errorOf(sts.send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe('InvalidClientTokenId');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('refuses a body changed after signing', async () => {
    const res = await rawRequest({
      body: '{"repositoryNames":["payments-api"]}',
      headers: ecrJson,
      service: 'ecr',
      tamper: body => body.replace('payments-api', 'legacy-batch-jobs'),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toBe('InvalidSignatureException');
  });

  it('refuses a body whose x-amz-content-sha256 does not match it', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: {
        ...ecrJson,
        'x-amz-content-sha256': sha256Hex('something else'),
      },
      service: 'ecr',
    });
    expect(JSON.parse(res.text)).toEqual({
      __type: 'InvalidSignatureException',
      message:
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    });
  });

  it('accepts a body whose x-amz-content-sha256 matches it', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: { ...ecrJson, 'x-amz-content-sha256': sha256Hex('{}') },
      service: 'ecr',
    });
    expect(res.status).toBe(200);
  });

  it('refuses a credential scoped to another service', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'codebuild',
    });
    expect(JSON.parse(res.text)).toEqual({
      __type: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'ecr'. ",
    });
  });

  it('refuses a request signed more than 15 minutes ago', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'ecr',
      date: new Date(Date.now() - 20 * 60_000),
    });
    expect(JSON.parse(res.text).message).toMatch(/^Signature expired/);
  });

  it('refuses an unsigned request with MissingAuthenticationToken (Query)', async () => {
    const res = await rawRequest({
      body: 'Action=GetRole&Version=2010-05-08&RoleName=x',
      headers: iamForm,
      service: 'iam',
      sign: false,
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(res.text).toContain('<Type>Sender</Type>');
  });

  it('answers Query errors in an ErrorResponse with a RequestId', async () => {
    const res = await rawRequest({
      body: 'Action=GetRole&Version=2010-05-08&RoleName=nobody',
      headers: iamForm,
      service: 'iam',
    });
    expect(res.status).toBe(404);
    expect(res.text).toMatch(
      /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The role with name nobody cannot be found\.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('answers Query results inside <OpResponse><OpResult> with ResponseMetadata', async () => {
    const res = await rawRequest({
      body: 'Action=GetRole&Version=2010-05-08&RoleName=codebuild-payments-api-service-role',
      headers: iamForm,
      service: 'iam',
    });
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(res.text).toMatch(
      /^<GetRoleResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><GetRoleResult><Role>/,
    );
    expect(res.text).toMatch(
      /<CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z<\/CreateDate>/,
    );
    expect(res.text).toMatch(
      /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetRoleResponse>$/,
    );
  });

  it('answers JSON timestamps as epoch seconds', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'ecr',
    });
    expect(typeof JSON.parse(res.text).repositories[0].createdAt).toBe(
      'number',
    );
  });

  it('answers an unknown JSON operation with UnknownOperationException', async () => {
    const res = await rawRequest({
      body: '{}',
      headers: {
        ...ecrJson,
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.Nope',
      },
      service: 'ecr',
    });
    expect(JSON.parse(res.text).__type).toBe('UnknownOperationException');
  });

  it('answers a malformed JSON body with SerializationException', async () => {
    const res = await rawRequest({
      body: '{not json',
      headers: ecrJson,
      service: 'ecr',
    });
    expect(JSON.parse(res.text).__type).toBe('SerializationException');
  });
});

describe('faults', () => {
  it('throttles with ThrottlingException and the SDK retries until it passes', async () => {
    emulator().setFaults({
      throttleNext: 2,
      operations: ['ecr:DescribeRepositories'],
    });
    const ecr = new ECRClient({
      endpoint: emulator().url,
      region: REGION,
      credentials: KEYS.backstage,
      maxAttempts: 3,
    });
    const result = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(result.$metadata.attempts).toBe(3);
    expect(emulator().calls()['ecr:DescribeRepositories']).toBe(3);
  }, 20_000);

  it('answers throttled calls with HTTP 400 ThrottlingException when retries run out', async () => {
    emulator().setFaults({ throttleRate: 1 });
    const error = await errorOf(
      clients(emulator().url).ecr.send(new DescribeRepositoriesCommand({})),
    );
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('throttles Query services with Throttling', async () => {
    emulator().setFaults({ throttleRate: 1 });
    const error = await errorOf(
      clients(emulator().url).sts.send(new GetCallerIdentityCommand({})),
    );
    expect(error.name).toBe('Throttling');
  });

  it('injects server errors with HTTP 500', async () => {
    emulator().setFaults({ errorRate: 1 });
    const error = await errorOf(
      clients(emulator().url).ecr.send(new DescribeRepositoriesCommand({})),
    );
    expect(error.name).toBe('ServerException');
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it('limits faults to the operations named', async () => {
    emulator().setFaults({ errorRate: 1, operations: ['ecr:DescribeImages'] });
    const ecr = clients(emulator().url).ecr;
    await ecr.send(new DescribeRepositoriesCommand({}));
    const error = await errorOf(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'payments-api' })),
    );
    expect(error.name).toBe('ServerException');
  });

  it('adds latency', async () => {
    emulator().setFaults({ latencyMs: 150 });
    const started = Date.now();
    await clients(emulator().url).sts.send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('answers that are not AWS’s', () => {
  const SIMULATE = new SimulatePrincipalPolicyCommand({
    PolicySourceArn:
      'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role',
    ActionNames: ['ecr:PutImage'],
  });

  it('notImplemented: HTTP 500 with an HTML page, which the SDK of a JSON service reports as a SyntaxError', async () => {
    emulator().setFaults({
      notImplemented: true,
      operations: ['ecr:DescribeRepositories', 'codebuild:BatchGetProjects'],
    });
    const raw = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'ecr',
    });
    expect(raw.status).toBe(500);
    expect(raw.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(raw.text).toMatch(
      /^<html>[\s\S]*Internal Server Error[\s\S]*<\/html>\n$/,
    );

    const { ecr, codebuild } = clients(emulator().url);
    for (const call of [
      ecr.send(new DescribeRepositoriesCommand({})),
      codebuild.send(new BatchGetProjectsCommand({ names: ['x'] })),
    ]) {
      const error = await errorOf(call);
      // The JSON deserializer fails on the page: no AWS error name, only the status.
      expect(error.name).toBe('SyntaxError');
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect(error.message).toMatch(
        /^Unexpected token '<'.* is not valid JSON/s,
      );
      expect(error.$response.headers['content-type']).toBe(
        'text/html; charset=utf-8',
      );
    }
    // Other operations are unaffected.
    await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'payments-api' }),
    );
    // The raw request and the two SDK calls.
    expect(emulator().traffic().serverErrors).toBe(3);
  });

  it('notImplemented: the SDK retries the 500 like any server error', async () => {
    emulator().setFaults({
      notImplemented: true,
      operations: ['ecr:DescribeRepositories'],
    });
    const ecr = new ECRClient({
      endpoint: emulator().url,
      region: REGION,
      credentials: KEYS.backstage,
      maxAttempts: 3,
    });
    const error = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe('SyntaxError');
    expect(error.$metadata.attempts).toBe(3);
    expect(emulator().calls()['ecr:DescribeRepositories']).toBe(3);
  }, 20_000);

  it('notImplemented on a Query service: the SDK reports an error named Unknown', async () => {
    emulator().setFaults({
      notImplemented: true,
      operations: ['iam:SimulatePrincipalPolicy'],
    });
    const error = await errorOf(clients(emulator().url).iam.send(SIMULATE));
    expect(error.name).toBe('Unknown');
    expect(error.message).toBe('Unknown');
    expect(error.$fault).toBe('server');
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it('xml403: HTTP 403 with an XML AccessDenied even for a JSON service', async () => {
    emulator().setFaults({
      xml403: true,
      operations: ['ecr:DescribeRepositories', 'iam:SimulatePrincipalPolicy'],
    });
    const raw = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'ecr',
    });
    expect(raw.status).toBe(403);
    expect(raw.headers.get('content-type')).toBe('text/xml');
    expect(raw.text).toMatch(
      /<ErrorResponse><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );

    const { ecr, iam } = clients(emulator().url);
    const json = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    expect(json.name).toBe('SyntaxError');
    expect(json.$metadata.httpStatusCode).toBe(403);
    expect(json.message).toMatch(/^Unexpected token '<'.* is not valid JSON/s);

    // For a Query service the body is a well-formed error: the SDK names it.
    const query = await errorOf(iam.send(SIMULATE));
    expect(query.name).toBe('AccessDenied');
    expect(query.message).toBe('Access Denied');
    expect(query.$fault).toBe('client');
    expect(query.$metadata.httpStatusCode).toBe(403);
  });

  it('xml403 is not retried', async () => {
    emulator().setFaults({
      xml403: true,
      operations: ['ecr:DescribeRepositories'],
    });
    const ecr = new ECRClient({
      endpoint: emulator().url,
      region: REGION,
      credentials: KEYS.backstage,
      maxAttempts: 3,
    });
    const error = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.$metadata.attempts).toBe(1);
  });

  it('answers before authenticating, as a server in front of AWS would', async () => {
    emulator().setFaults({
      xml403: true,
      operations: ['ecr:DescribeRepositories'],
    });
    const raw = await rawRequest({
      body: '{}',
      headers: ecrJson,
      service: 'ecr',
      sign: false,
    });
    expect(raw.status).toBe(403);
    expect(raw.text).toContain('<Code>AccessDenied</Code>');
  });
});

describe('IAM ServiceFailure', () => {
  it('answers the awsQuery error shape, which the SDK names ServiceFailureException', async () => {
    emulator().setFaults({
      errorNext: 1,
      operations: ['iam:SimulatePrincipalPolicy'],
    });
    const body = new URLSearchParams({
      Action: 'SimulatePrincipalPolicy',
      Version: '2010-05-08',
      PolicySourceArn:
        'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role',
      'ActionNames.member.1': 'ecr:PutImage',
    }).toString();
    const raw = await rawRequest({ body, headers: iamForm, service: 'iam' });
    expect(raw.status).toBe(500);
    expect(raw.headers.get('content-type')).toBe('text/xml');
    expect(raw.text).toMatch(
      /^<ErrorResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><Error><Type>Receiver<\/Type><Code>ServiceFailure<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );

    emulator().setFaults({ errorNext: 1 });
    const error = await errorOf(
      clients(emulator().url).iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn:
            'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role',
          ActionNames: ['ecr:PutImage'],
        }),
      ),
    );
    expect(error).toBeInstanceOf(ServiceFailureException);
    expect(error.name).toBe('ServiceFailureException');
    expect(error.Code).toBe('ServiceFailure');
    expect(error.$fault).toBe('server');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.message).toBe(
      'We encountered an internal error. Please try again.',
    );
    // Only the operation named fails.
    await clients(emulator().url).iam.send(
      new GetRoleCommand({ RoleName: 'codebuild-payments-api-service-role' }),
    );
  });
});

describe('admin endpoint', () => {
  const admin = (path: string, init?: RequestInit) =>
    fetch(`${emulator().url}/_emulator${path}`, init).then(async r => ({
      status: r.status,
      body: await r.json(),
    }));

  it('reports health', async () => {
    expect(await admin('/health')).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('counts calls per operation, denied and throttled ones included', async () => {
    const readonly = clients(emulator().url, KEYS.readonly);
    await readonly.ecr.send(new DescribeRepositoriesCommand({}));
    await errorOf(readonly.iam.send(new GetRoleCommand({ RoleName: 'x' })));
    emulator().setFaults({ throttleNext: 1 });
    await errorOf(readonly.sts.send(new GetCallerIdentityCommand({})));
    const { body } = await admin('/calls');
    expect(body).toEqual({
      'ecr:DescribeRepositories': 1,
      'iam:GetRole': 1,
      'sts:GetCallerIdentity': 1,
    });
  });

  it('resets the counts', async () => {
    await clients(emulator().url).sts.send(new GetCallerIdentityCommand({}));
    await admin('/calls/reset', { method: 'POST' });
    expect((await admin('/calls')).body).toEqual({});
  });

  it('reports the peak of calls in flight and the throttled calls', async () => {
    emulator().setFaults({ latencyMs: 100 });
    const { sts } = clients(emulator().url);
    await Promise.all(
      [1, 2, 3].map(() => sts.send(new GetCallerIdentityCommand({}))),
    );
    emulator().setFaults({ latencyMs: 0, throttleNext: 1 });
    await errorOf(sts.send(new GetCallerIdentityCommand({})));
    expect((await admin('/traffic')).body).toEqual({
      inFlight: 0,
      peakInFlight: 3,
      throttled: 1,
      serverErrors: 0,
    });
    expect(emulator().traffic()).toMatchObject({ peakInFlight: 3 });
  });

  it('resets the traffic counts with the call counts', async () => {
    await clients(emulator().url).sts.send(new GetCallerIdentityCommand({}));
    await admin('/calls/reset', { method: 'POST' });
    expect((await admin('/traffic')).body).toEqual({
      inFlight: 0,
      peakInFlight: 0,
      throttled: 0,
      serverErrors: 0,
    });
  });

  it('changes faults at run time', async () => {
    const set = await admin('/faults', {
      method: 'POST',
      body: JSON.stringify({ throttleRate: 1 }),
    });
    expect(set.body).toMatchObject({
      throttleRate: 1,
      errorRate: 0,
      latencyMs: 0,
    });
    const error = await errorOf(
      clients(emulator().url).ecr.send(new DescribeRepositoriesCommand({})),
    );
    expect(error.name).toBe('ThrottlingException');
  });

  it('sets the notImplemented and xml403 modes, scoped to operations', async () => {
    const set = await admin('/faults', {
      method: 'POST',
      body: JSON.stringify({
        xml403: true,
        operations: ['iam:SimulatePrincipalPolicy'],
      }),
    });
    expect(set.body).toMatchObject({
      xml403: true,
      operations: ['iam:SimulatePrincipalPolicy'],
    });
    const error = await errorOf(
      clients(emulator().url).iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn:
            'arn:aws:iam::123412341234:role/service-role/codebuild-payments-api-service-role',
          ActionNames: ['ecr:PutImage'],
        }),
      ),
    );
    expect(error.$metadata.httpStatusCode).toBe(403);
    await clients(emulator().url).ecr.send(new DescribeRepositoriesCommand({}));

    const bad = await admin('/faults', {
      method: 'POST',
      body: JSON.stringify({ notImplemented: 'yes' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'notImplemented must be true or false' });
  });

  it('refuses fault rates outside 0..1', async () => {
    const res = await admin('/faults', {
      method: 'POST',
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(res.status).toBe(400);
  });

  it('restores the seeded state', async () => {
    const root = clients(emulator().url, KEYS.root).ecr;
    await root.send(
      new DeleteRepositoryCommand({
        repositoryName: 'payments-api',
        force: true,
      }),
    );
    await admin('/reset', { method: 'POST' });
    const { repositories } = await root.send(
      new DescribeRepositoriesCommand({ repositoryNames: ['payments-api'] }),
    );
    expect(repositories).toHaveLength(1);
  });
});
