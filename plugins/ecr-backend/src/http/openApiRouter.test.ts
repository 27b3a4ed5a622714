import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { createErrorHandler } from '../errorHandler';
import { createEcrOpenApiRouter } from './openApiRouter';

/** The OpenAPI router with a route that accepts anything, as a careless route would. */
async function app() {
  const logger = mockServices.logger.mock();
  const router = await createEcrOpenApiRouter({ logger });
  router.post('/entity/:namespace/:kind/:name/push-access', (req, res) => {
    res.json({ query: req.query, body: req.body ?? null } as any);
  });
  router.get('/audit/history', (req, res) => {
    res.json({ query: req.query } as any);
  });
  const server = express()
    .use(router)
    .use(createErrorHandler({ config: mockServices.rootConfig(), logger }));
  return { server, logger };
}

const PUSH = '/entity/default/component/app/push-access';

describe('createEcrOpenApiRouter', () => {
  it('hands the route the query as sent, not as the validator coerced it', async () => {
    const { server } = await app();
    const res = await request(server).get('/audit/history?limit=0500');
    expect(res.body.query).toEqual({ limit: '0500' });
    const write = await request(server)
      .post(`${PUSH}?dryRun=true`)
      .send({ dryRun: true });
    expect(write.body).toEqual({
      query: { dryRun: 'true' },
      body: { dryRun: true },
    });
  });

  it('logs a request the spec refuses but a route answers below 400', async () => {
    const { server, logger } = await app();
    await request(server).get('/audit/history?limit=ten').expect(200);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^GET \/audit\/history was answered 200 although the OpenAPI spec refuses it: .*limit/,
      ),
    );
  });

  it('logs nothing for a request the spec accepts', async () => {
    const { server, logger } = await app();
    await request(server).get('/audit/history?limit=5').expect(200);
    await request(server).post(`${PUSH}?dryRun=false`).expect(200);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a body that is not JSON',
      'text/plain',
      'dryRun=true',
      415,
      'UnsupportedMediaTypeError',
    ],
    [
      'a body over 4 KB',
      'application/json',
      `{"dryRun":true,"pad":"${'a'.repeat(5000)}"}`,
      413,
      'PayloadTooLargeError',
    ],
    [
      'a body with an unknown field',
      'application/json',
      '{"dryRun":true,"force":true}',
      400,
      'InputError',
    ],
  ])(
    'answers %s with the write body check’s own error, before the route',
    async (_label, type, body, status, name) => {
      const { server } = await app();
      const res = await request(server)
        .post(PUSH)
        .set('Content-Type', type)
        .send(body);
      expect(res.status).toBe(status);
      expect(res.body.error.name).toBe(name);
      expect(res.body.error.message).not.toMatch(/request\/body/);
    },
  );
});
