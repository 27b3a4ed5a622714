import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
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
