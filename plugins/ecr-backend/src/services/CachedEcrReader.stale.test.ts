import { mockServices } from '@backstage/backend-test-utils';
import { parseRepositoryArn } from '@backstage-ecr/plugin-ecr-common';
import {
  AwsAccessDeniedError,
  AwsServiceError,
  AwsThrottledError,
  EcrService,
} from '@backstage-ecr/plugin-ecr-node';
import { CachedEcrReader, lastGoodSeconds } from './CachedEcrReader';

const parsed = parseRepositoryArn(
  'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
);
if (!parsed.ok) throw new Error(parsed.error);
const repository = parsed.value;
const images = {
  arn: repository.arn,
  name: repository.name,
  uri: 'u',
  region: repository.region,
  accountId: repository.accountId,
  exists: true,
  images: [],
  imageCount: 0,
};

/** A reader whose answer is cached, then outlives its freshness. */
async function expiredReader(failure: Error) {
  const getRepositoryImages = jest
    .fn()
    .mockResolvedValueOnce(images)
    .mockRejectedValue(failure);
  const ecr = { getRepositoryImages } as unknown as EcrService;
  const store = new Map<string, unknown>();
  const ttls: number[] = [];
  const reader = new CachedEcrReader(
    ecr,
    {
      get: async (k: string) => store.get(k) as any,
      set: async (k: string, v: unknown, o?: { ttl?: unknown }) => {
        store.set(k, v);
        ttls.push((o?.ttl as { seconds: number }).seconds);
      },
      delete: async (k: string) => {
        store.delete(k);
      },
      withOptions: () => undefined as any,
    },
    mockServices.logger.mock(),
    60,
  );
  const first = await reader.getRepositoryImages(repository);
  const now = Date.now();
  jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
  return { reader, first, ttls };
}

describe('CachedEcrReader when AWS fails', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps the last good answer for a day at least, its freshness stamp for the TTL', async () => {
    const { ttls } = await expiredReader(new Error('unused'));
    expect(ttls).toEqual([24 * 60 * 60, 60]);
    expect(lastGoodSeconds(3600)).toBe(60 * 3600);
  });

  it.each([
    [
      'throttling',
      new AwsThrottledError('throttled', 'ThrottlingException', 'ecr:X'),
    ],
    ['a server error', new AwsServiceError('failed', 'ServerException', 'x')],
    ['a network failure', new AwsServiceError('down', 'ECONNREFUSED', 'x')],
  ])('answers %s with the last good answer, marked stale', async (_l, e) => {
    const { reader, first } = await expiredReader(e);
    await expect(reader.getRepositoryImages(repository)).resolves.toEqual({
      ...first,
      stale: true,
    });
  });

  it.each([
    [
      'a refusal of Backstage’s identity',
      new AwsAccessDeniedError('denied', 'AccessDeniedException', 'ecr:X'),
    ],
    [
      'rejected credentials',
      new AwsServiceError('bad keys', 'UnrecognizedClientException', 'x'),
    ],
    ['an unexpected error', new Error('boom')],
  ])('passes %s through, stale answer or not', async (_l, e) => {
    const { reader } = await expiredReader(e);
    await expect(reader.getRepositoryImages(repository)).rejects.toBe(e);
  });

  it('serves nothing stale after a write forgot the answer', async () => {
    const failure = new AwsThrottledError('t', 'ThrottlingException', 'x');
    const { reader } = await expiredReader(failure);
    await reader.invalidate({ repositories: [repository] } as any, {
      entityRef: 'component:default/x',
    });
    await expect(reader.getRepositoryImages(repository)).rejects.toBe(failure);
  });
});
