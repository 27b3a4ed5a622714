import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  FindingsResponse,
  ImagesResponse,
  SetupCheck,
  SETUP_CHECK_IDS,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ACCOUNT,
  DENIED_USER,
  KEYS,
  OUTSIDER,
  POC_SCANNED,
  startDemoEmulator,
  startEcrBackend,
} from './__testUtils__/testBackend';

const USER = mockCredentials.user.header('user:default/guest');
const POC_REPO = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/proof-of-concept-repo`;
const PAYMENTS_IMAGE =
  'sha256:04ee3492b6c6a7c33f0df400ba1415596c27d499c87e582375063267741a5ebe';
const POC_NOT_SCANNED =
  'sha256:afef7aa003da20be23fa9a9ff20dbaa99fb414f26c2465de932be44f19b36577';

function byId(status: SetupStatus): Record<string, SetupCheck> {
  return Object.fromEntries(status.checks.map(c => [c.id, c]));
}

function expectNoLeaks(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/emulator-\w+-secret|AKIAEMULATOR/);
  expect(text).not.toMatch(/"stack"/);
  expect(text).not.toMatch(/\/work\/|node_modules|\.ts:\d+/);
  expect(text).not.toMatch(/user\/backstage|no-permissions/);
}

describe('ECR routes against the emulator', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startEcrBackend({ emulator }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.setFaults({ throttleRate: 0, errorRate: 0, operations: [] });
    emulator.resetCalls();
  });

  describe('GET /entity/:namespace/:kind/:name/images', () => {
    it('lists every image of the repository, newest first, with scan summaries', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/proof-of-concept/images')
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      const body: ImagesResponse = res.body;
      expect(body.entityRef).toBe('component:default/proof-of-concept');
      expect(body.containerPort).toBe(8080);
      const [repo] = body.repositories;
      expect(repo).toMatchObject({
        arn: POC_REPO,
        name: 'proof-of-concept-repo',
        uri: '123412341234.dkr.ecr.eu-west-2.amazonaws.com/proof-of-concept-repo',
        region: 'eu-west-2',
        accountId: ACCOUNT,
        exists: true,
        imageCount: 7,
      });
      expect(repo.images).toHaveLength(7);
      expect(repo.images[0].tags).toEqual(['9b1e7c0', 'latest']);
      const pushed = repo.images.map(i => Date.parse(i.pushedAt));
      expect([...pushed].sort((a, b) => b - a)).toEqual(pushed);
      expect(
        repo.images.find(i => i.digest === POC_SCANNED)?.scan,
      ).toMatchObject({
        status: 'COMPLETE',
        severityCounts: { CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1 },
      });
      // Its tags (who it belongs to), then one DescribeImages page; no call
      // per image for the scan summary.
      expect(emulator.calls()).toEqual({
        'ecr:ListTagsForResource': 1,
        'ecr:DescribeImages': 1,
      });
    });

    it('uses the container port annotation', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/payments-api/images')
        .set('Authorization', USER);
      expect(res.body.containerPort).toBe(3000);
    });

    it('answers exists: false for a repository not created yet', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/inventory-service/images')
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      expect(res.body.repositories).toEqual([
        expect.objectContaining({ exists: false, images: [], imageCount: 0 }),
      ]);
    });

    it('lists each of several annotated repositories', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/two-repositories/images')
        .set('Authorization', USER);
      expect(
        res.body.repositories.map((r: any) => [r.name, r.imageCount]),
      ).toEqual([
        ['payments-api', 3],
        ['notifications-worker', 3],
      ]);
    });

    it('answers 400 listing the problems of bad annotations', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/bad-annotations/images')
        .set('Authorization', USER);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain('is not an ARN');
      expect(res.body.error.message).toContain('is not a port number');
      expect(emulator.calls()).toEqual({});
    });

    it('answers 400 for an account outside ecr.allowedAccounts, without calling AWS', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/foreign-account/images')
        .set('Authorization', USER);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'account 999999999999 is not one of the accounts',
      );
      expect(emulator.calls()).toEqual({});
    });

    it('answers 400 for an entity without ECR annotations', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/developer-handbook/images')
        .set('Authorization', USER);
      expect(res.status).toBe(400);
    });
  });

  describe('GET …/images/:digest/findings', () => {
    it('answers the findings of a scanned image, most severe first', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/proof-of-concept/images/${POC_SCANNED}/findings`,
        )
        .query({ repository: POC_REPO })
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      const body: FindingsResponse = res.body;
      expect(body).toMatchObject({
        repositoryArn: POC_REPO,
        digest: POC_SCANNED,
        scanned: true,
        status: 'COMPLETE',
        severityCounts: { CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1 },
      });
      expect(Date.parse(body.fetchedAt)).not.toBeNaN();
      expect(body.stale).toBeUndefined();
      expect(body.findings.map(f => f.name)).toEqual([
        'CVE-2023-38545',
        'CVE-2023-44487',
        'CVE-2023-4911',
        'CVE-2023-5363',
        'CVE-2023-29383',
      ]);
      expect(body.findings[0]).toMatchObject({
        severity: 'CRITICAL',
        type: 'basic',
        packageName: 'curl',
      });
    });

    it('answers "not scanned" for an image never scanned', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/proof-of-concept/images/${encodeURIComponent(
            POC_NOT_SCANNED,
          )}/findings`,
        )
        .query({ repository: POC_REPO })
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        scanned: false,
        status: 'NOT_SCANNED',
        findings: [],
      });
    });

    it('takes the only repository when none is named', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/proof-of-concept/images/${POC_SCANNED}/findings`,
        )
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      expect(res.body.repositoryArn).toBe(POC_REPO);
    });

    it('refuses a repository the entity does not name, without calling AWS', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/proof-of-concept/images/${POC_SCANNED}/findings`,
        )
        .query({
          repository: `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/legacy-batch-jobs`,
        })
        .set('Authorization', USER);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        "is not one of this entity's repositories",
      );
      expect(emulator.calls()).toEqual({});
    });

    it('asks which repository when the entity has several', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/two-repositories/images/${POC_SCANNED}/findings`,
        )
        .set('Authorization', USER);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('name one in ?repository=');
    });

    it('answers 400 for a malformed digest', async () => {
      const res = await request(server)
        .get(
          '/api/ecr/entity/default/component/proof-of-concept/images/latest/findings',
        )
        .set('Authorization', USER);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('sha256:');
    });

    it('answers 404 for an image the repository does not have', async () => {
      const res = await request(server)
        .get(
          `/api/ecr/entity/default/component/proof-of-concept/images/sha256:${'0'.repeat(
            64,
          )}/findings`,
        )
        .set('Authorization', USER);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('is not in repository');
    });
  });

  describe('GET /entity/:namespace/:kind/:name/setup', () => {
    async function setup(name: string): Promise<SetupStatus> {
      const res = await request(server)
        .get(`/api/ecr/entity/default/component/${name}/setup`)
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      expect(res.body.checks.map((c: SetupCheck) => c.id)).toEqual([
        ...SETUP_CHECK_IDS,
      ]);
      expectNoLeaks(res.body);
      return res.body;
    }

    it('passes every check for payments-api', async () => {
      const status = await setup('payments-api');
      expect(status.entityRef).toBe('component:default/payments-api');
      expect(status.checks.filter(c => c.status !== 'pass')).toEqual([]);
      expect(byId(status)['push-role-found'].detail).toContain(
        'codebuild-payments-api-service-role',
      );
    });

    it('finds the setup guide problems for proof-of-concept', async () => {
      const checks = byId(await setup('proof-of-concept'));
      expect(checks['annotation-valid'].status).toBe('pass');
      expect(checks['repository-exists'].status).toBe('pass');
      expect(checks['scan-on-push'].status).toBe('warn');
      expect(checks['tag-immutability'].status).toBe('warn');
      expect(checks['lifecycle-policy'].status).toBe('warn');
      expect(checks.encryption.status).toBe('pass');
      expect(checks['push-role-found'].status).toBe('pass');
      expect(checks['push-permissions']).toMatchObject({
        status: 'fail',
        missingActions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:CompleteLayerUpload',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
          'ecr:GetAuthorizationToken',
        ],
      });
      expect(checks['push-permissions'].remedy).toContain(
        '--role-name codebuild-proof-of-concept-snapshot-service-role',
      );
      expect(checks['codebuild-managed-policy'].status).toBe('pass');
      expect(checks['not-root-credentials'].status).toBe('pass');
      expect(checks['images-present'].status).toBe('pass');
    });

    it('fails repository-exists for inventory-service and leaves the repository checks unknown', async () => {
      const checks = byId(await setup('inventory-service'));
      expect(checks['repository-exists'].status).toBe('fail');
      expect(checks['repository-exists'].remedy).toContain(
        'aws ecr create-repository --region eu-west-2 --repository-name inventory-service',
      );
      for (const id of [
        'scan-on-push',
        'tag-immutability',
        'lifecycle-policy',
        'encryption',
      ]) {
        expect(checks[id].status).toBe('unknown');
      }
      expect(checks['images-present'].status).toBe('warn');
      expect(checks['push-role-found'].status).toBe('pass');
      expect(checks['push-permissions'].status).toBe('fail');
    });

    it('names the one missing push action of notifications-worker, found through the role annotation', async () => {
      const checks = byId(await setup('notifications-worker'));
      expect(checks['push-role-found']).toMatchObject({ status: 'pass' });
      expect(checks['push-role-found'].detail).toContain(
        'named by ecr.backstage-ecr.io/push-role-arn',
      );
      expect(checks['push-permissions']).toMatchObject({
        status: 'fail',
        missingActions: ['ecr:PutImage'],
      });
      expect(checks['tag-immutability'].status).toBe('warn');
    });

    it('fails annotation-valid with 200 for bad annotations, leaving the rest unknown', async () => {
      const status = await setup('bad-annotations');
      expect(status.checks[0]).toMatchObject({
        id: 'annotation-valid',
        status: 'fail',
      });
      expect(status.checks.slice(1).every(c => c.status === 'unknown')).toBe(
        true,
      );
      expect(emulator.calls()).toEqual({});
    });

    it('fails push-role-found when no project or role is annotated', async () => {
      const checks = byId(await setup('two-repositories'));
      expect(checks['push-role-found'].status).toBe('fail');
      expect(checks['push-permissions'].status).toBe('unknown');
    });
  });

  describe('scoping and permissions', () => {
    const routes = [
      '/api/ecr/entity/default/component/payments-api/images',
      `/api/ecr/entity/default/component/payments-api/images/${PAYMENTS_IMAGE}/findings`,
      '/api/ecr/entity/default/component/payments-api/setup',
    ];

    it.each(routes)('answers 401 without credentials: %s', async path => {
      const res = await request(server).get(path);
      expect(res.status).toBe(401);
      expect(res.body.error.name).toBe('AuthenticationError');
      expectNoLeaks(res.body);
      const none = await request(server)
        .get(path)
        .set('Authorization', mockCredentials.none.header());
      expect(none.status).toBe(401);
      expect(emulator.calls()).toEqual({});
    });

    it.each(routes.map(r => r.replace('payments-api', 'hidden-service')))(
      'answers 404 for an entity the caller may not see: %s',
      async path => {
        const res = await request(server)
          .get(path)
          .set('Authorization', mockCredentials.user.header(OUTSIDER));
        expect(res.status).toBe(404);
        expect(res.body.error.name).toBe('NotFoundError');
        expect(emulator.calls()).toEqual({});
      },
    );

    it('answers 401 without credentials before looking at the parameters', async () => {
      const res = await request(server).get(
        '/api/ecr/entity/default/com%20ponent/x/images',
      );
      expect(res.status).toBe(401);
    });

    it('answers 404 for an entity that does not exist', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/no-such-thing/images')
        .set('Authorization', USER);
      expect(res.status).toBe(404);
    });

    it.each(routes)(
      'answers 403 when the policy denies ecr.images.read: %s',
      async path => {
        const res = await request(server)
          .get(path)
          .set('Authorization', mockCredentials.user.header(DENIED_USER));
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(res.body.error.message).toContain('ecr.images.read');
        expect(emulator.calls()).toEqual({});
      },
    );

    it.each([
      [
        'a bad kind',
        '/api/ecr/entity/default/com%20ponent/payments-api/images',
      ],
      [
        'a bad namespace',
        '/api/ecr/entity/De_fault!/component/payments-api/images',
      ],
      [
        'an over-long name',
        `/api/ecr/entity/default/component/${'a'.repeat(70)}/images`,
      ],
    ])('answers 400 for %s', async (_what, path) => {
      const res = await request(server).get(path).set('Authorization', USER);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('Invalid entity reference');
    });

    it('answers an unexpected failure with a log reference, not its message', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/explodes/images')
        .set('Authorization', USER);
      expect(res.status).toBe(500);
      expect(res.body.error.message).toMatch(
        /failed unexpectedly; the backend log has the details under logId=[0-9a-f]+/,
      );
      expect(JSON.stringify(res.body)).not.toContain('/srv/backstage');
      expectNoLeaks(res.body);
    });

    it('serves a service principal too', async () => {
      const res = await request(server)
        .get('/api/ecr/entity/default/component/payments-api/images')
        .set('Authorization', mockCredentials.service.header());
      expect(res.status).toBe(200);
    });
  });

  describe('AWS failures', () => {
    it('answers 503 when throttling outlasts the SDK retries', async () => {
      emulator.setFaults({
        throttleRate: 1,
        operations: ['ecr:DescribeImages'],
      });
      const res = await request(server)
        .get('/api/ecr/entity/default/component/payments-api/images')
        .set('Authorization', USER);
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({
        name: 'AwsThrottledError',
        awsCode: 'ThrottlingException',
        action: 'ecr:DescribeImages',
      });
      // ecr.maxAttempts is 2: one try and one retry.
      expect(emulator.calls()['ecr:DescribeImages']).toBe(2);
      expectNoLeaks(res.body);
    });

    it('answers the setup when throttled, each check that needed AWS unknown and saying so', async () => {
      emulator.setFaults({ throttleRate: 1, operations: [] });
      const res = await request(server)
        .get('/api/ecr/entity/default/component/payments-api/setup')
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      const checks = byId(res.body);
      expect(checks['annotation-valid'].status).toBe('pass');
      expect(checks['repository-owner']).toMatchObject({ status: 'unknown' });
      expect(checks['repository-owner'].detail).toMatch(
        /ecr:ListTagsForResource.*HTTP 400, ThrottlingException/,
      );
      expect(checks['not-root-credentials'].detail).toMatch(/throttl/i);
      // Nothing earlier to serve (no cache here), and nothing kept.
      expect(res.body.stale).toBeUndefined();
    });

    it('answers 502 when AWS keeps failing', async () => {
      emulator.setFaults({ errorRate: 1 });
      const res = await request(server)
        .get('/api/ecr/entity/default/component/payments-api/images')
        .set('Authorization', USER);
      expect(res.status).toBe(502);
      expect(res.body.error.name).toBe('AwsServiceError');
      expectNoLeaks(res.body);
    });
  });
});

describe('ECR routes when AWS denies Backstage', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startDemoEmulator();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('answers the setup with the IAM and CodeBuild checks unknown, naming the actions, for a read-only ECR identity', async () => {
    const { server } = await startEcrBackend({ emulator, keys: KEYS.readonly });
    const res = await request(server)
      .get('/api/ecr/entity/default/component/proof-of-concept/setup')
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    const checks = byId(res.body);
    expect(checks['push-role-found']).toMatchObject({
      status: 'unknown',
      requiredActions: ['codebuild:BatchGetProjects'],
    });
    expect(checks['push-permissions'].status).toBe('unknown');
    expect(checks['codebuild-managed-policy'].status).toBe('unknown');
    // The ECR checks still answer.
    expect(checks['repository-exists'].status).toBe('pass');
    expect(checks['scan-on-push'].status).toBe('warn');
    expect(checks['images-present'].status).toBe('pass');
    expectNoLeaks(res.body);

    const role = await request(server)
      .get('/api/ecr/entity/default/component/notifications-worker/setup')
      .set('Authorization', USER);
    const roleChecks = byId(role.body);
    expect(roleChecks['push-role-found']).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetRole'],
    });
    // A role's permissions and policies are read only once its tags (from
    // GetRole) say it belongs to the entity.
    expect(roleChecks['push-permissions']).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetRole'],
    });
    expect(roleChecks['codebuild-managed-policy']).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetRole'],
    });
    expect(roleChecks['push-role-owner']).toMatchObject({
      status: 'unknown',
      requiredActions: ['iam:GetRole'],
    });
  });

  it('answers 502 naming the denied ECR action and the AWS code when ECR is denied', async () => {
    const { server } = await startEcrBackend({ emulator, keys: KEYS.nothing });
    const res = await request(server)
      .get('/api/ecr/entity/default/component/payments-api/images')
      .set('Authorization', USER);
    expect(res.status).toBe(502);
    // Who the repository belongs to is asked first.
    expect(res.body.error).toMatchObject({
      name: 'AwsAccessDeniedError',
      awsCode: 'AccessDeniedException',
      action: 'ecr:ListTagsForResource',
    });
    expect(res.body.error.message).toContain('ecr:ListTagsForResource');
    expect(res.body.error.message).toContain('AccessDeniedException');
    expectNoLeaks(res.body);
  });
});

describe('ECR routes with the cache', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startEcrBackend({ emulator, ttlSeconds: 60 }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => emulator.resetCalls());

  it('reads AWS again on Check again (refresh=true), within the TTL, but at most once per few seconds', async () => {
    const path = '/api/ecr/entity/default/component/payments-api/setup';
    const scanOnPush = async (query = '') => {
      const res = await request(server)
        .get(`${path}${query}`)
        .set('Authorization', USER);
      expect(res.status).toBe(200);
      return {
        status: res.body.checks.find(
          (c: { id: string }) => c.id === 'scan-on-push',
        ).status,
        checkedAt: res.body.checkedAt,
      };
    };
    const repository = emulator.state.accounts
      .get(ACCOUNT)!
      .registries.get('eu-west-2')!
      .repositories.get('payments-api')!;
    const before = await scanOnPush();
    // A change made in the AWS console, so to speak.
    const was = repository.scanOnPush;
    repository.scanOnPush = !was;
    try {
      // Within the TTL a plain view answers from the cache...
      expect(await scanOnPush()).toEqual(before);
      // ... and so does Check again while the answer is only seconds old,
      // so that it cannot be used to hammer AWS.
      emulator.resetCalls();
      expect(await scanOnPush('?refresh=true')).toEqual(before);
      expect(emulator.calls()).toEqual({});
      // Later, still within the TTL, Check again reads AWS again.
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 11_000);
      try {
        const after = await scanOnPush('?refresh=true');
        expect(after.status).not.toBe(before.status);
        expect(after.checkedAt > before.checkedAt).toBe(true);
        expect(emulator.calls()['ecr:DescribeRepositories']).toBe(1);
      } finally {
        clock.mockRestore();
      }
    } finally {
      repository.scanOnPush = was;
      // Leave the cache as the emulator is again, for the tests that follow.
      const clock = jest
        .spyOn(Date, 'now')
        .mockReturnValue(Date.now() + 22_000);
      await scanOnPush('?refresh=true').finally(() => clock.mockRestore());
    }
  });

  it('refuses a refresh that is neither true nor false', async () => {
    const res = await request(server)
      .get('/api/ecr/entity/default/component/payments-api/setup?refresh=1')
      .set('Authorization', USER);
    expect(res.status).toBe(400);
  });

  it.each([
    '/api/ecr/entity/default/component/proof-of-concept/images',
    `/api/ecr/entity/default/component/proof-of-concept/images/${POC_SCANNED}/findings`,
    '/api/ecr/entity/default/component/proof-of-concept/setup',
  ])('makes no AWS call for a repeat view within the TTL: %s', async path => {
    const first = await request(server).get(path).set('Authorization', USER);
    expect(first.status).toBe(200);
    expect(Object.keys(emulator.calls()).length).toBeGreaterThan(0);
    emulator.resetCalls();
    const second = await request(server).get(path).set('Authorization', USER);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(emulator.calls()).toEqual({});
  });

  it('shares one AWS round trip between concurrent identical requests', async () => {
    emulator.setFaults({ latencyMs: 100 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          request(server)
            .get(
              '/api/ecr/entity/default/component/notifications-worker/images',
            )
            .set('Authorization', USER),
        ),
      );
      expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(emulator.calls()).toEqual({
        'ecr:ListTagsForResource': 1,
        'ecr:DescribeImages': 1,
      });
    } finally {
      emulator.setFaults({ latencyMs: 0 });
    }
  });

  it('still checks permission on a cached answer', async () => {
    await request(server)
      .get('/api/ecr/entity/default/component/payments-api/images')
      .set('Authorization', USER)
      .expect(200);
    const res = await request(server)
      .get('/api/ecr/entity/default/component/payments-api/images')
      .set('Authorization', mockCredentials.user.header(DENIED_USER));
    expect(res.status).toBe(403);
  });

  it('shares the cache between entities naming the same repository', async () => {
    await request(server)
      .get('/api/ecr/entity/default/component/payments-api/images')
      .set('Authorization', USER)
      .expect(200);
    emulator.resetCalls();
    await request(server)
      .get('/api/ecr/entity/default/component/hidden-service/images')
      .set('Authorization', USER)
      .expect(200);
    expect(emulator.calls()).toEqual({});
  });
});
