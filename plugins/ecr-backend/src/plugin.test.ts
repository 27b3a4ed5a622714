import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { ecrPlugin } from './plugin';

describe('ecrPlugin', () => {
  it('boots and answers /health without credentials', async () => {
    const { server } = await startTestBackend({
      features: [
        ecrPlugin,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: { ecr: { allowedAccounts: ['123412341234'] } },
        }),
      ],
    });
    const res = await request(server).get('/api/ecr/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('opens only /health to requests without a token', async () => {
    const httpRouter = mockServices.httpRouter.mock();
    await startTestBackend({
      features: [
        ecrPlugin,
        catalogServiceMock.factory(),
        httpRouter.factory,
        mockServices.rootConfig.factory({
          data: { ecr: { allowedAccounts: ['123412341234'] } },
        }),
      ],
    });
    expect(httpRouter.addAuthPolicy.mock.calls).toEqual([
      [{ path: '/health', allow: 'unauthenticated' }],
    ]);
  });

  it.each([
    ['get', '/api/ecr/entity/default/component/payments-api/images'],
    ['get', '/api/ecr/entity/default/component/payments-api/setup'],
    ['post', '/api/ecr/entity/default/component/payments-api/push-access'],
    ['post', '/api/ecr/entity/default/component/payments-api/repository'],
    ['get', '/api/ecr/audit'],
    ['post', '/api/ecr/audit/run'],
    ['get', '/api/ecr/no-such-route'],
  ] as const)(
    'answers %s %s without a token with Backstage’s own 401',
    async (method, path) => {
      const { server } = await startTestBackend({
        features: [
          ecrPlugin,
          catalogServiceMock.factory(),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          mockServices.rootConfig.factory({
            data: { ecr: { allowedAccounts: ['123412341234'] } },
          }),
        ],
      });
      const res = await request(server)[method](path);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { name: 'AuthenticationError', message: expect.any(String) },
        request: {
          method: method.toUpperCase(),
          url: path.slice('/api/ecr'.length),
        },
        response: { statusCode: 401 },
      });
    },
  );

  it('refuses a bad ecr configuration at startup, naming the key', async () => {
    await expect(
      startTestBackend({
        features: [
          ecrPlugin,
          catalogServiceMock.factory(),
          mockServices.rootConfig.factory({
            data: { ecr: { allowedAccounts: ['not-an-account'] } },
          }),
        ],
      }),
    ).rejects.toThrow(/ecr.allowedAccounts/);
  });
});
