/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectClearError"] }] */
import { Emulator } from '@backstage-ecr/aws-emulator';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  AUTH_HEADERS,
  startDemoPolicyBackend,
} from './__testUtils__/demoPolicyBackend';
import {
  ACCOUNT,
  ENTITIES,
  POC_SCANNED,
  startDemoEmulator,
} from './__testUtils__/testBackend';

/**
 * Bad input never reaches AWS and never becomes a 500: every case below is
 * answered 4xx with a message that says what is wrong. Requests are made by a
 * platform-team member, whom the demo policy allows everything.
 */

const USER = AUTH_HEADERS.platformTeam!;
const ECR_ARN = 'aws.amazon.com/amazon-ecr-arn';
const POC = '/api/ecr/entity/default/component/proof-of-concept';
const repo = (name: string, account = ACCOUNT, region = 'eu-west-2') =>
  `arn:aws:ecr:${region}:${account}:repository/${name}`;

function annotated(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

/** Entities whose annotations are wrong in one way each, and what the answer must say. */
const BAD_ANNOTATIONS: Array<{
  entity: string;
  annotations: Record<string, string>;
  message: RegExp;
}> = [
  {
    entity: 'wrong-partition',
    annotations: {
      [ECR_ARN]: 'arn:aws-moon:ecr:eu-west-2:123412341234:repository/app',
    },
    message: /names partition "aws-moon"; expected one of aws, aws-cn/,
  },
  {
    entity: 'wrong-service',
    annotations: {
      [ECR_ARN]: 'arn:aws:s3:eu-west-2:123412341234:repository/app',
    },
    message: /is an ARN of service "s3", not ecr/,
  },
  {
    entity: 'wrong-region',
    annotations: { [ECR_ARN]: repo('app', ACCOUNT, 'EU-WEST-2') },
    message: /names region "EU-WEST-2", which is not an AWS region/,
  },
  {
    entity: 'region-injection',
    annotations: { [ECR_ARN]: repo('app', ACCOUNT, 'eu-west-2;rm -rf /') },
    message: /which is not an AWS region/,
  },
  {
    entity: 'foreign-account',
    annotations: { [ECR_ARN]: repo('app', '999999999999') },
    message:
      /account 999999999999 is not one of the accounts this Backstage may use \(ecr\.allowedAccounts\)/,
  },
  {
    entity: 'malformed-account',
    annotations: { [ECR_ARN]: repo('app', '12345') },
    message: /names account "12345"; an AWS account id is 12 digits/,
  },
  {
    entity: 'sql-like-name',
    annotations: { [ECR_ARN]: repo("app' OR '1'='1") },
    message: /is not a valid ECR repository name/,
  },
  {
    entity: 'path-in-name',
    annotations: { [ECR_ARN]: repo('../../other-team/app') },
    message: /is not a valid ECR repository name/,
  },
  {
    entity: 'markup',
    annotations: { [ECR_ARN]: '<script>alert(1)</script>' },
    message: /is not an ARN; expected e\.g\. arn:aws:ecr:/,
  },
  {
    entity: 'over-long',
    annotations: { [ECR_ARN]: repo('a'.repeat(5000)) },
    message: /characters long; at most 4096 are accepted/,
  },
  {
    entity: 'too-many-repositories',
    annotations: {
      [ECR_ARN]: Array.from({ length: 21 }, (_, i) => repo(`app-${i}`)).join(
        ',',
      ),
    },
    message: /names 21 repositories; at most 20 are accepted/,
  },
  {
    entity: 'wrong-project-service',
    annotations: {
      [ECR_ARN]: repo('proof-of-concept-repo'),
      'aws.amazon.com/aws-codebuild-project-arn':
        'arn:aws:lambda:eu-west-2:123412341234:project/app',
    },
    message: /is an ARN of service "lambda", not codebuild/,
  },
  {
    entity: 'wrong-role-partition',
    annotations: {
      [ECR_ARN]: repo('proof-of-concept-repo'),
      'ecr.backstage-ecr.io/push-role-arn':
        'arn:aws-xx:iam::123412341234:role/service-role/codebuild-app',
    },
    message: /names partition "aws-xx"/,
  },
  {
    entity: 'bad-port',
    annotations: {
      [ECR_ARN]: repo('proof-of-concept-repo'),
      'ecr.backstage-ecr.io/container-port': '80; curl evil.example',
    },
    message: /is not a port number \(1 to 65535\)/,
  },
  {
    entity: 'no-annotation',
    annotations: {},
    message: /aws\.amazon\.com\/amazon-ecr-arn: missing/,
  },
];

const CATALOG: Entity[] = [
  ...ENTITIES,
  ...BAD_ANNOTATIONS.map(c => annotated(c.entity, c.annotations)),
];

function expectClearError(
  res: request.Response,
  status: number,
  message: RegExp,
) {
  expect({ status: res.status, message: res.body?.error?.message }).toEqual({
    status,
    message: expect.stringMatching(message),
  });
  expect(JSON.stringify(res.body)).not.toMatch(/"stack"|node_modules|\.ts:\d+/);
}

describe('bad input is answered 4xx with a clear message', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startDemoPolicyBackend>>['server'];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startDemoPolicyBackend({
      emulator,
      entities: CATALOG,
    }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => emulator.resetCalls());

  describe('malformed entity references', () => {
    it.each([
      ['a namespace with @', '/entity/def@ult/component/app', /namespace/],
      [
        'a namespace of 70 characters',
        `/entity/${'n'.repeat(70)}/component/app`,
        /namespace/,
      ],
      ['a kind with a space', '/entity/default/comp%20onent/app', /kind/],
      ['a kind with a quote', "/entity/default/comp'onent/app", /kind/],
      ['a name with $', '/entity/default/component/bad%24name', /name/],
      [
        'a name of 300 characters',
        `/entity/default/component/${'a'.repeat(300)}`,
        /name/,
      ],
      [
        'a path traversal in the name',
        '/entity/default/component/..%2F..%2Fetc%2Fpasswd',
        /name/,
      ],
      [
        'an SQL-like name',
        "/entity/default/component/x'%20OR%20'1'%3D'1",
        /name/,
      ],
      ['a name with a NUL byte', '/entity/default/component/app%00', /name/],
    ])('%s', async (_label, entityPath, part) => {
      for (const route of [
        'images',
        'setup',
        `images/${POC_SCANNED}/findings`,
      ]) {
        const res = await request(server)
          .get(`/api/ecr${entityPath}/${route}`)
          .set('Authorization', USER);
        expectClearError(res, 400, /^Invalid entity reference: /);
        expect(res.body.error.message).toMatch(part);
      }
      expect(emulator.calls()).toEqual({});
    });

    it('answers an entity the catalog does not hold with 404', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/no-such-service/images')
        .set('Authorization', USER);
      expectClearError(
        res,
        404,
        /No entity component:default\/no-such-service that you may see/,
      );
    });
  });

  describe('annotation values', () => {
    it.each(BAD_ANNOTATIONS.map(c => [c.entity, c.message] as const))(
      '%s: the images route answers 400 and asks AWS nothing',
      async (entity, message) => {
        const res = await request(server)
          .get(`/api/ecr/entity/default/component/${entity}/images`)
          .set('Authorization', USER);
        expectClearError(
          res,
          400,
          /^The entity's ECR annotations are not valid: /,
        );
        expect(res.body.error.message).toMatch(message);
        expect(res.body.error.message.length).toBeLessThan(1000);
        expect(emulator.calls()).toEqual({});
      },
    );

    it.each(BAD_ANNOTATIONS.map(c => [c.entity, c.message] as const))(
      '%s: the findings route answers 400',
      async (entity, message) => {
        const res = await request(server)
          .get(
            `/api/ecr/entity/default/component/${entity}/images/${POC_SCANNED}/findings`,
          )
          .set('Authorization', USER);
        expectClearError(res, 400, message);
      },
    );

    it.each(BAD_ANNOTATIONS.map(c => [c.entity, c.message] as const))(
      '%s: the setup route fails the annotation-valid check with the reason',
      async (entity, message) => {
        const res = await request(server)
          .get(`/api/ecr/entity/default/component/${entity}/setup`)
          .set('Authorization', USER);
        expect(res.status).toBe(200);
        const check = res.body.checks.find(
          (c: { id: string }) => c.id === 'annotation-valid',
        );
        expect(check).toMatchObject({
          status: 'fail',
          detail: expect.stringMatching(message),
        });
      },
    );
  });

  describe('image digests', () => {
    it.each([
      ['not hexadecimal', 'sha256:xyz'],
      ['upper-case hex', `sha256:${'A'.repeat(64)}`],
      ['another algorithm', `md5:${'a'.repeat(32)}`],
      ['too long', `sha256:${'a'.repeat(65)}`],
      ['too short', `sha256:${'a'.repeat(63)}`],
      ['over-long', `sha256:${'a'.repeat(5000)}`],
      ['an injection', "sha256:'%20OR%201%3D1--"],
    ])('%s', async (_label, digest) => {
      const res = await request(server)
        .get(`${POC}/images/${digest}/findings`)
        .set('Authorization', USER);
      expectClearError(
        res,
        400,
        /^The image digest must be sha256: followed by 64 lowercase hexadecimal digits$/,
      );
      expect(emulator.calls()).toEqual({});
    });
  });

  describe('write request bodies', () => {
    const PUSH_ACCESS = `${POC}/push-access`;
    /** Calls that change something in AWS (anything but a read). */
    const writes = () =>
      Object.keys(emulator.calls()).filter(
        operation => !/:(Describe|Get|List|BatchGet|Simulate)/.test(operation),
      );

    it('takes dryRun from a JSON body: {"dryRun": true} without a query changes nothing', async () => {
      const res = await request(server)
        .post(PUSH_ACCESS)
        .set('Authorization', USER)
        .send({ dryRun: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dryRun: true, changed: true });
      expect(writes()).toEqual([]);
    });

    it('accepts the query and the body when they agree', async () => {
      const res = await request(server)
        .post(`${PUSH_ACCESS}?dryRun=true`)
        .set('Authorization', USER)
        .send({ dryRun: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dryRun: true });
      expect(writes()).toEqual([]);
    });

    it.each([
      ['false', { dryRun: true }],
      ['true', { dryRun: false }],
    ])(
      'refuses ?dryRun=%s with a body that says otherwise, asking AWS nothing',
      async (query, body) => {
        const res = await request(server)
          .post(`${PUSH_ACCESS}?dryRun=${query}`)
          .set('Authorization', USER)
          .send(body);
        expectClearError(
          res,
          400,
          /^\?dryRun=(true|false) and "dryRun": (true|false) in the request body disagree/,
        );
        expect(emulator.calls()).toEqual({});
      },
    );

    it('refuses a 10 MB body with 413, asking AWS nothing', async () => {
      const res = await request(server)
        .post(PUSH_ACCESS)
        .set('Authorization', USER)
        .set('Content-Type', 'application/json')
        .send(`{"dryRun":true,"pad":"${'a'.repeat(10 * 1024 * 1024)}"}`);
      expectClearError(res, 413, /^The request body is larger than 4096 bytes/);
      expect(res.body.error.name).toBe('PayloadTooLargeError');
      expect(emulator.calls()).toEqual({});
    });

    it.each([
      ['text/plain', 'dryRun=true'],
      ['application/x-www-form-urlencoded', 'dryRun=true'],
      ['application/xml', '<dryRun>true</dryRun>'],
    ])('refuses a %s body with 415, asking AWS nothing', async (type, body) => {
      const res = await request(server)
        .post(PUSH_ACCESS)
        .set('Authorization', USER)
        .set('Content-Type', type)
        .send(body);
      expectClearError(
        res,
        415,
        /^A write takes no body, or a JSON body such as \{"dryRun": true\} sent with Content-Type application\/json/,
      );
      expect(emulator.calls()).toEqual({});
    });

    it.each([
      [
        'an unknown field',
        { dryRun: true, roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin` },
        /^The request body may hold only "dryRun"; unknown field "roleArn"$/,
      ],
      [
        'several unknown fields',
        { repository: 'x', force: true },
        /^The request body may hold only "dryRun"; unknown fields "repository", "force"$/,
      ],
      [
        'a dryRun that is not a boolean',
        { dryRun: 'true' },
        /^"dryRun" in the request body must be true or false$/,
      ],
      [
        'a JSON array',
        [{ dryRun: true }],
        /^The request body must be a JSON object/,
      ],
    ])(
      'refuses %s with 400, asking AWS nothing',
      async (_label, body, message) => {
        const res = await request(server)
          .post(PUSH_ACCESS)
          .set('Authorization', USER)
          .send(body);
        expectClearError(res, 400, message);
        expect(emulator.calls()).toEqual({});
      },
    );

    it('refuses a body that is not JSON with 400, not echoing it', async () => {
      const res = await request(server)
        .post(PUSH_ACCESS)
        .set('Authorization', USER)
        .set('Content-Type', 'application/json')
        .send('{"dryRun": tru');
      expectClearError(res, 400, /^The request body is not valid JSON$/);
      expect(emulator.calls()).toEqual({});
    });

    it.each(['repository', 'claim', 'builds'])(
      'checks the body of POST …/%s too',
      async route => {
        const res = await request(server)
          .post(`${POC}/${route}`)
          .set('Authorization', USER)
          .send({ dryRun: true, extra: 1 });
        expectClearError(res, 400, /unknown field "extra"/);
        expect(emulator.calls()).toEqual({});
      },
    );
  });

  describe('query parameters', () => {
    const findings = `${POC}/images/${POC_SCANNED}/findings`;

    it.each([
      ['a foreign account', repo('proof-of-concept-repo', '999999999999')],
      ["another entity's repository", repo('payments-api')],
      ['another region', repo('proof-of-concept-repo', ACCOUNT, 'us-east-1')],
      ['a value that is no ARN', 'proof-of-concept-repo'],
      ['an over-long value', repo('a'.repeat(5000))],
    ])('?repository= naming %s is refused', async (_label, arn) => {
      const res = await request(server)
        .get(findings)
        .query({ repository: arn })
        .set('Authorization', USER);
      expectClearError(
        res,
        400,
        /is not one of this entity's repositories \(arn:aws:ecr:eu-west-2:123412341234:repository\/proof-of-concept-repo\)/,
      );
      expect(res.body.error.message.length).toBeLessThan(1000);
      expect(emulator.calls()).toEqual({});
    });

    it('?repository= given twice is refused', async () => {
      const res = await request(server)
        .get(`${findings}?repository=a&repository=b`)
        .set('Authorization', USER);
      expectClearError(res, 400, /^Give one repository ARN in \?repository=$/);
    });

    it('a findings request for an entity of several repositories must name one', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/two-repositories/images/${POC_SCANNED}/findings`,
        )
        .set('Authorization', USER);
      expectClearError(
        res,
        400,
        /This entity has several repositories; name one in \?repository=/,
      );
    });

    it.each(['repository', 'push-access', 'builds'])(
      'POST %s?dryRun=maybe is refused and changes nothing',
      async route => {
        const res = await request(server)
          .post(`${POC}/${route}?dryRun=maybe`)
          .set('Authorization', USER);
        expectClearError(res, 400, /^dryRun must be true or false$/);
        expect(emulator.calls()).toEqual({});
      },
    );

    it('GET /audit?format=xml is refused', async () => {
      const res = await request(server)
        .get('/api/ecr/audit?format=xml')
        .set('Authorization', USER);
      expectClearError(
        res,
        400,
        /^format must be csv, or left out for JSON; got "xml"$/,
      );
    });
  });
});
