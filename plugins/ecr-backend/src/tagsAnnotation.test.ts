import { Emulator } from '@backstage-ecr/aws-emulator';
import { ImagesResponse, SetupStatus } from '@backstage-ecr/plugin-ecr-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ACCOUNT,
  component,
  KEYS,
  startDemoEmulator,
  startEcrBackend,
} from './__testUtils__/testBackend';

// aws.amazon.com/amazon-ecr-tags through the routes: the demo's
// ledger-service repository, found by its tag app=ledger-service.

const USER = mockCredentials.user.header('user:default/guest');
const ENTITY = '/api/ecr/entity/default/component';
const LEDGER = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/ledger-service`;
const PAYMENTS = `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/payments-api`;
const TAGS = 'aws.amazon.com/amazon-ecr-tags';

const entities = [
  component('ledger-by-tags', { [TAGS]: 'app=ledger-service' }),
  // Found by its tags, but bound to team-a, not team-c: refused like a named one.
  component(
    'ledger-by-tags-team-c',
    { [TAGS]: 'app=ledger-service' },
    'team-c',
  ),
  component('ledger-bad-tags', { [TAGS]: 'app' }),
  component('ledger-nothing-found', { [TAGS]: 'app=no-such-service' }),
];

describe('an entity naming its repositories by tags', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];
  const get = (s: typeof server, path: string) =>
    request(s).get(`${ENTITY}/${path}`).set('Authorization', USER);

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startEcrBackend({ emulator, entities }));
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(() => emulator.resetCalls());

  it('answers the images of the repository its tags find', async () => {
    const res = await get(server, 'ledger-by-tags/images');
    expect(res.status).toBe(200);
    const body = res.body as ImagesResponse;
    expect(body.repositories.map(r => r.arn)).toEqual([LEDGER]);
    expect(body.repositories[0].images.map(i => i.tags)).toEqual([['1.4.0']]);
    // One lookup in the one allowed account and region.
    expect(emulator.calls()['tagging:GetResources']).toBe(1);
  });

  it('checks the setup of the found repository', async () => {
    const res = await get(server, 'ledger-by-tags/setup');
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(
      (res.body as SetupStatus).checks.map(c => [c.id, c]),
    );
    expect(byId['annotation-valid'].status).toBe('pass');
    expect(byId['repository-exists'].status).toBe('pass');
    expect(byId['repository-owner'].status).toBe('pass');
    expect(byId['scan-on-push'].status).toBe('pass');
  });

  it('refuses a found repository bound to someone else, naming who', async () => {
    const res = await get(server, 'ledger-by-tags-team-c/images');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(LEDGER);
    expect(res.body.error.message).toContain('group:default/team-a');
  });

  it('answers 400 to a tags annotation that does not parse, and fails annotation-valid', async () => {
    const images = await get(server, 'ledger-bad-tags/images');
    expect(images.status).toBe(400);
    expect(images.body.error.message).toContain(
      `${TAGS}: "app" is not a key=value pair`,
    );
    const setup = await get(server, 'ledger-bad-tags/setup');
    const check = (setup.body as SetupStatus).checks.find(
      c => c.id === 'annotation-valid',
    );
    expect(check?.status).toBe('fail');
    expect(check?.detail).toContain(TAGS);
    expect(emulator.calls()['tagging:GetResources']).toBeUndefined();
  });

  it('answers no repositories when the tags find none', async () => {
    const res = await get(server, 'ledger-nothing-found/images');
    expect(res.status).toBe(200);
    expect((res.body as ImagesResponse).repositories).toEqual([]);
  });

  it('writes to the repository its tags find, as the reads do', async () => {
    const res = await request(server)
      .post(`${ENTITY}/ledger-by-tags/repository?dryRun=true`)
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: true,
      created: false,
      alreadyExisted: true,
      repositoryArn: LEDGER,
    });
  });

  it('keeps ARN-only entities off the Tagging API', async () => {
    const res = await get(server, 'payments-api/images');
    expect(res.status).toBe(200);
    expect((res.body as ImagesResponse).repositories.map(r => r.arn)).toEqual([
      PAYMENTS,
    ]);
    expect(emulator.calls()['tagging:GetResources']).toBeUndefined();
  });

  describe('when Backstage may not call tag:GetResources', () => {
    let readonly: typeof server;
    beforeAll(async () => {
      ({ server: readonly } = await startEcrBackend({
        emulator,
        entities,
        keys: KEYS.readonly,
      }));
    });

    it('answers the images route 502 with the AWS code and the action', async () => {
      const res = await get(readonly, 'ledger-by-tags/images');
      expect(res.status).toBe(502);
      expect(JSON.stringify(res.body)).toContain('tag:GetResources');
      expect(JSON.stringify(res.body)).toContain('AccessDeniedException');
    });

    it('makes only the checks that need the repository list unknown, naming tag:GetResources', async () => {
      const res = await get(readonly, 'ledger-by-tags/setup');
      expect(res.status).toBe(200);
      const byId = Object.fromEntries(
        (res.body as SetupStatus).checks.map(c => [c.id, c]),
      );
      expect(byId['annotation-valid'].status).toBe('pass');
      for (const id of [
        'repository-exists',
        'repository-owner',
        'scan-on-push',
      ]) {
        expect(byId[id].status).toBe('unknown');
        expect(byId[id].detail).toContain('tag:GetResources');
        expect(byId[id].requiredActions).toEqual(['tag:GetResources']);
      }
      // What needs no repository is judged as usual.
      expect(byId['push-role-found'].detail).not.toContain('tag:GetResources');
    });
  });
});
