import { mockServices } from '@backstage/backend-test-utils';
import { parseRepositoryArn } from '@backstage-ecr/plugin-ecr-common';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { CachedEcrReader } from './CachedEcrReader';

const parsed = parseRepositoryArn(
  'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
);
if (!parsed.ok) throw new Error(parsed.error);
const repository = parsed.value;

function fakeEcr() {
  const getRepositoryImages = jest.fn(async () => {
    await new Promise(r => setTimeout(r, 10));
    return {
      arn: repository.arn,
      name: repository.name,
      uri: 'u',
      region: repository.region,
      accountId: repository.accountId,
      exists: true,
      images: [],
      imageCount: 0,
    };
  });
  return { getRepositoryImages } as unknown as EcrService & {
    getRepositoryImages: jest.Mock;
  };
}

describe('CachedEcrReader', () => {
  const logger = mockServices.logger.mock();

  it('reuses an answer within the TTL', async () => {
    const ecr = fakeEcr();
    const cache = new Map<string, unknown>();
    const withStore = new CachedEcrReader(
      ecr,
      {
        get: async (k: string) => cache.get(k) as any,
        set: async (k: string, v: unknown) => {
          cache.set(k, v);
        },
        delete: async () => {},
        withOptions: () => undefined as any,
      },
      logger,
      60,
    );
    const first = await withStore.getRepositoryImages(repository);
    const second = await withStore.getRepositoryImages(repository);
    expect(second).toEqual(first);
    expect(ecr.getRepositoryImages).toHaveBeenCalledTimes(1);
    // Keyed by the repository ARN (hashed), not by the user.
    expect([...cache.keys()][0]).toMatch(/^v4:images:[0-9a-f]{64}$/);
  });

  it('shares one load between concurrent requests, even without caching', async () => {
    const ecr = fakeEcr();
    const reader = new CachedEcrReader(
      ecr,
      mockServices.cache.mock(),
      logger,
      0,
    );
    const answers = await Promise.all([
      reader.getRepositoryImages(repository),
      reader.getRepositoryImages(repository),
      reader.getRepositoryImages(repository),
    ]);
    expect(new Set(answers).size).toBe(1);
    expect(ecr.getRepositoryImages).toHaveBeenCalledTimes(1);
    await reader.getRepositoryImages(repository);
    expect(ecr.getRepositoryImages).toHaveBeenCalledTimes(2);
  });

  it('still answers when the cache store fails', async () => {
    const ecr = fakeEcr();
    const broken = mockServices.cache.mock({
      get: async () => {
        throw new Error('redis down');
      },
      set: async () => {
        throw new Error('redis down');
      },
    });
    const reader = new CachedEcrReader(ecr, broken, logger, 60);
    await expect(reader.getRepositoryImages(repository)).resolves.toMatchObject(
      {
        value: { exists: true },
      },
    );
    expect(logger.warn).toHaveBeenCalled();
  });

  it('does not cache failures', async () => {
    const ecr = fakeEcr();
    ecr.getRepositoryImages.mockRejectedValueOnce(new Error('throttled'));
    const reader = new CachedEcrReader(
      ecr,
      mockServices.cache.mock(),
      logger,
      60,
    );
    await expect(reader.getRepositoryImages(repository)).rejects.toThrow(
      'throttled',
    );
    await expect(reader.getRepositoryImages(repository)).resolves.toBeDefined();
  });
});
