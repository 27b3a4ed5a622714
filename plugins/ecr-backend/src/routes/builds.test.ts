import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  BuildsResponse,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ACCOUNT,
  component,
  DENIED_USER,
  READ_ONLY_USER,
  startDemoEmulator,
  startEcrBackend,
} from '../__testUtils__/testBackend';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '../__testUtils__/recordingAuditor';

// GET and POST …/builds against the emulator's CodeBuild and CloudWatch Logs,
// with the demo seed: proof-of-concept's builds all failed at the ECR login
// (the setup guide's AccessDeniedException), payments-api's succeeded.

const GUEST = 'user:default/guest';
const USER = mockCredentials.user.header(GUEST);
const ENTITY = '/api/ecr/entity/default/component';
const POC_PROJECT = 'codebuild-proof-of-concept-snapshot';
const POC_PROJECT_ARN = `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${POC_PROJECT}`;

/** A team-a entity naming payments-api's project, which is bound to payments-api. */
const BORROWER = component('borrowed-build', {
  'aws.amazon.com/amazon-ecr-arn': `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/proof-of-concept-repo`,
  'aws.amazon.com/aws-codebuild-project-arn': `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-payments-api`,
});

function starts(emulator: Emulator): number {
  return emulator.calls()['codebuild:StartBuild'] ?? 0;
}

describe('the builds routes against the emulator', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];
  let events: RecordedAuditEvent[];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    const auditor = recordingAuditor();
    events = auditor.events;
    ({ server } = await startEcrBackend({
      emulator,
      entities: [BORROWER],
      features: [auditor.factory],
    }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults({ errorNext: 0, throttleNext: 0, operations: [] });
    emulator.resetCalls();
    events.length = 0;
  });

  const get = (name: string, auth = USER) =>
    request(server).get(`${ENTITY}/${name}/builds`).set('Authorization', auth);
  const post = (path: string, auth = USER) =>
    request(server).post(`${ENTITY}/${path}`).set('Authorization', auth);

  it('shows a guest proof-of-concept’s failed builds, each diagnosed as push-permissions', async () => {
    const res = await get('proof-of-concept');
    expect(res.body.error?.message).toBeUndefined();
    expect(res.status).toBe(200);
    const body: BuildsResponse = res.body;
    expect(body.project).toEqual({ arn: POC_PROJECT_ARN, name: POC_PROJECT });
    expect(body.logsUnreadable).toBeUndefined();
    expect(body.builds.length).toBeGreaterThanOrEqual(3);
    // Newest first.
    const times = body.builds.map(b => b.startTime);
    expect([...times].sort().reverse()).toEqual(times);
    expect(body.builds[0]).toMatchObject({
      id: `${POC_PROJECT}:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f`,
      status: 'FAILED',
      failedPhase: 'PRE_BUILD',
      sourceVersion: 'fcd3f42a91b7c6e05d8f2a3b4c1e9d7f6a0b5c82',
      consoleUrl: `https://eu-west-2.console.aws.amazon.com/codesuite/codebuild/${ACCOUNT}/projects/${POC_PROJECT}/build/${POC_PROJECT}%3A4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f/?region=eu-west-2`,
      imageDigests: [],
    });
    for (const build of body.builds) {
      expect(build.diagnosis).toEqual({
        checkId: 'push-permissions',
        message: expect.stringContaining(
          'is not authorized to perform: ecr:GetAuthorizationToken',
        ),
      });
    }
  });

  it('shows payments-api’s successful builds with the digests they pushed', async () => {
    const res = await get('payments-api');
    expect(res.status).toBe(200);
    const body: BuildsResponse = res.body;
    expect(body.builds.length).toBeGreaterThanOrEqual(3);
    for (const build of body.builds) {
      expect(build.status).toBe('SUCCEEDED');
      expect(build.diagnosis).toBeUndefined();
      expect(build.failedPhase).toBeUndefined();
    }
    expect(body.builds.some(b => b.imageDigests.length > 0)).toBe(true);
    for (const digest of body.builds.flatMap(b => b.imageDigests)) {
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('answers an entity without a CodeBuild project with no builds, asking AWS nothing', async () => {
    const res = await get('notifications-worker');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      project: null,
      builds: [],
      fetchedAt: expect.any(String),
    });
    expect(emulator.calls()).toEqual({});
  });

  it('refuses the builds to a user without ecr.images.read (403), asking AWS nothing', async () => {
    const res = await get(
      'proof-of-concept',
      mockCredentials.user.header(DENIED_USER),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(emulator.calls()).toEqual({});
  });

  it('refuses a read of a project bound to another entity (403 naming it)', async () => {
    const res = await get('borrowed-build');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('component:default/payments-api');
  });

  it('degrades to builds without diagnosis when the logs may not be read', async () => {
    // AWS's answer to a role without logs:GetLogEvents, as a proxy gives it.
    emulator.setFaults({ xml403: true, operations: ['logs:GetLogEvents'] });
    let res: request.Response;
    try {
      res = await get('proof-of-concept');
    } finally {
      emulator.setFaults({ xml403: false, operations: [] });
    }
    expect(res.status).toBe(200);
    const body: BuildsResponse = res.body;
    expect(body.builds.length).toBeGreaterThanOrEqual(3);
    expect(body.builds.every(b => b.diagnosis === undefined)).toBe(true);
    expect(body.logsUnreadable).toContain('logs:GetLogEvents');
  });

  it('answers a dry run with what would be started, and starts nothing', async () => {
    const before = await get('proof-of-concept');
    emulator.resetCalls();
    const res = await post('proof-of-concept/builds?dryRun=true');
    expect(res.status).toBe(200);
    const body: StartBuildResponse = res.body;
    expect(body).toEqual({
      dryRun: true,
      projectArn: POC_PROJECT_ARN,
      sourceVersion: 'fcd3f42a91b7c6e05d8f2a3b4c1e9d7f6a0b5c82',
    });
    expect(starts(emulator)).toBe(0);
    const after = await get('proof-of-concept');
    expect(after.body.builds.map((b: { id: string }) => b.id)).toEqual(
      before.body.builds.map((b: { id: string }) => b.id),
    );
    expect(events.map(e => [e.eventId, e.status, e.meta?.dryRun])).toEqual([
      ['build-start', 'initiated', true],
      ['build-start', 'succeeded', true],
    ]);
  });

  it('starts a build, which then is the newest of the project’s builds', async () => {
    const res = await post('proof-of-concept/builds').send({
      sourceVersion: 'main',
    });
    expect(res.status).toBe(201);
    const body: StartBuildResponse = res.body;
    expect(body).toMatchObject({
      dryRun: false,
      projectArn: POC_PROJECT_ARN,
      sourceVersion: 'main',
      build: { id: expect.stringMatching(new RegExp(`^${POC_PROJECT}:`)) },
    });
    expect(starts(emulator)).toBe(1);
    const after = await get('proof-of-concept');
    expect(after.body.builds[0].id).toBe(body.build!.id);
    expect(events.at(-1)).toMatchObject({
      eventId: 'build-start',
      status: 'succeeded',
      actorId: GUEST,
      meta: {
        entityRef: 'component:default/proof-of-concept',
        awsResource: POC_PROJECT_ARN,
        buildId: body.build!.id,
      },
    });
  });

  it('refuses a start to a user without ecr.build.start (403), starting nothing', async () => {
    const res = await post(
      'proof-of-concept/builds',
      mockCredentials.user.header(READ_ONLY_USER),
    );
    expect(res.status).toBe(403);
    expect(starts(emulator)).toBe(0);
    expect(events.at(-1)).toMatchObject({
      eventId: 'build-start',
      status: 'failed',
    });
  });

  it('refuses a start with a service token (403)', async () => {
    const res = await post(
      'proof-of-concept/builds',
      mockCredentials.service.header(),
    );
    expect(res.status).toBe(403);
    expect(starts(emulator)).toBe(0);
  });

  it('refuses to start a project bound to another entity (403 naming it), even as a dry run', async () => {
    for (const path of [
      'borrowed-build/builds',
      'borrowed-build/builds?dryRun=true',
    ]) {
      const res = await post(path);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'component:default/payments-api',
      );
    }
    expect(starts(emulator)).toBe(0);
  });

  it('refuses an entity without a CodeBuild project (400)', async () => {
    const res = await post('notifications-worker/builds');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'aws.amazon.com/aws-codebuild-project-arn',
    );
  });

  it.each([
    [{ sourceVersion: 'a b' }, 'whitespace'],
    [{ sourceVersion: 7 }, 'must be a string'],
    [{ sourceVersion: 'x'.repeat(256) }, 'longer than 255'],
    [{ branch: 'main' }, 'unknown field "branch"'],
  ])('refuses the body %j (400), starting nothing', async (body, said) => {
    const res = await post('proof-of-concept/builds').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(said);
    expect(starts(emulator)).toBe(0);
  });
});

describe('the builds read, cached', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startEcrBackend({ emulator, ttlSeconds: 60 }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults({ errorNext: 0, throttleNext: 0, operations: [] });
    emulator.resetCalls();
  });

  const get = () =>
    request(server)
      .get(`${ENTITY}/payments-api/builds`)
      .set('Authorization', mockCredentials.user.header('user:default/bob'));

  it('answers from the cache within the TTL, and reads AWS again after a build was started', async () => {
    const first = await get();
    expect(first.status).toBe(200);
    const second = await get();
    expect(second.body).toEqual(first.body);
    expect(emulator.calls()['codebuild:ListBuildsForProject']).toBe(1);

    const started = await request(server)
      .post(`${ENTITY}/payments-api/builds`)
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(started.status).toBe(201);
    const third = await get();
    expect(emulator.calls()['codebuild:ListBuildsForProject']).toBe(3);
    expect(third.body.builds[0].id).toBe(started.body.build.id);
  });

  it('follows a running build to its end, and then reads the images it pushed afresh', async () => {
    const bob = mockCredentials.user.header('user:default/bob');
    const images = () =>
      request(server)
        .get(`${ENTITY}/payments-api/images`)
        .set('Authorization', bob);
    const tagsOf = (res: request.Response): string[] =>
      res.body.repositories.flatMap((r: { images: { tags: string[] }[] }) =>
        r.images.flatMap(i => i.tags),
      );
    expect(tagsOf(await images())).not.toContain('9f8e7d6');

    const started = await request(server)
      .post(`${ENTITY}/payments-api/builds`)
      .set('Authorization', bob)
      .send({ sourceVersion: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432' });
    expect(started.status).toBe(201);
    const running = await get();
    expect(running.body.builds[0]).toMatchObject({
      id: started.body.build.id,
      status: 'IN_PROGRESS',
    });

    // The emulator's builds take 1.5 s; an answer showing one running is kept 2 s.
    await new Promise(resolve => setTimeout(resolve, 2_500));
    const ended = await get();
    expect(ended.body.builds[0]).toMatchObject({
      id: started.body.build.id,
      status: 'SUCCEEDED',
    });
    expect(tagsOf(await images())).toContain('9f8e7d6');
  });

  it('serves the last good answer, marked stale, while CodeBuild fails', async () => {
    const good = await get();
    expect(good.status).toBe(200);
    // Past the TTL, CodeBuild failing every try.
    const later = Date.now() + 61_000;
    const now = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      emulator.setFaults({
        errorNext: 10,
        operations: ['codebuild:BatchGetProjects'],
      });
      const stale = await get();
      expect(stale.status).toBe(200);
      expect(stale.body).toEqual({ ...good.body, stale: true });
    } finally {
      now.mockRestore();
    }
  });
});
