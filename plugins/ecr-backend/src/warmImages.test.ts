import { Emulator } from '@backstage-ecr/aws-emulator';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  DENIED_USER,
  OUTSIDER,
  startDemoEmulator,
  startEcrBackend,
} from './__testUtils__/testBackend';

/**
 * Issue 8, point 2: a warm images request sends the bytes of the previous
 * answer (with a strong ETag, 304 to If-None-Match) instead of parsing,
 * serializing and compressing it again, yet the caller's entity and permission
 * are checked on every request before anything is sent.
 */

const USER = mockCredentials.user.header('user:default/guest');
const ENTITY = '/api/ecr/entity/default/component';

describe('warm images answers', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];

  const images = (name: string, auth = USER) =>
    request(server).get(`${ENTITY}/${name}/images`).set('Authorization', auth);

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startEcrBackend({ emulator, ttlSeconds: 60 }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => emulator.resetCalls());

  it('sends the same bytes and strong ETag again, asking AWS nothing', async () => {
    const cold = await images('payments-api').set(
      'Accept-Encoding',
      'identity',
    );
    emulator.resetCalls();
    const warm = await images('payments-api').set(
      'Accept-Encoding',
      'identity',
    );
    expect(warm.status).toBe(200);
    expect(warm.headers['content-type']).toMatch(/^application\/json/);
    expect(warm.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(warm.headers.etag).toBe(cold.headers.etag);
    // Browsers keep it for this user only and ask again every time, so the
    // permission check is never skipped.
    expect(warm.headers['cache-control']).toBe('private, no-cache');
    expect(warm.text).toBe(cold.text);
    expect(emulator.calls()).toEqual({});
  });

  it('answers If-None-Match with the current ETag with 304 and no body', async () => {
    const first = await images('payments-api');
    const again = await images('payments-api').set(
      'If-None-Match',
      first.headers.etag,
    );
    expect(again.status).toBe(304);
    expect(again.text).toBeFalsy();
    const other = await images('payments-api').set('If-None-Match', '"other"');
    expect(other.status).toBe(200);
    expect(other.body).toEqual(first.body);
  });

  it('sends the answer gzipped to clients that accept it, and plain to others', async () => {
    const zipped = await images('payments-api').set('Accept-Encoding', 'gzip');
    const plain = await images('payments-api').set(
      'Accept-Encoding',
      'identity',
    );
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.body).toEqual(JSON.parse(plain.text));
  });

  it('still checks the entity and the permission of every caller first', async () => {
    const warm = await images('hidden-service');
    expect(warm.status).toBe(200);
    const hidden = await images(
      'hidden-service',
      mockCredentials.user.header(OUTSIDER),
    ).set('If-None-Match', warm.headers.etag);
    expect(hidden.status).toBe(404);
    const denied = await images(
      'hidden-service',
      mockCredentials.user.header(DENIED_USER),
    ).set('If-None-Match', warm.headers.etag);
    expect(denied.status).toBe(403);
    const none = await request(server)
      .get(`${ENTITY}/hidden-service/images`)
      .set('If-None-Match', warm.headers.etag);
    expect(none.status).toBe(401);
    expect(none.body.error.name).toBe('AuthenticationError');
  });

  it('answers each entity with its own body, though they share a repository', async () => {
    const payments = await images('payments-api');
    const hidden = await images('hidden-service');
    expect(payments.body.entityRef).toBe('component:default/payments-api');
    expect(hidden.body.entityRef).toBe('component:default/hidden-service');
    expect(payments.body.containerPort).toBe(3000);
    expect(hidden.body.containerPort).toBe(8080);
    expect(hidden.body.repositories).toEqual(payments.body.repositories);
    expect(hidden.headers.etag).not.toBe(payments.headers.etag);
  });
});
