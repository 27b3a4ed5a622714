import { DEMO_SEED_PATH } from '../index';
import { registryOf } from '../state';
import { loadSeed, resolveTime } from './load';
import { Seed, SeedError } from './schema';

const minimal = (extra: object = {}): Seed =>
  ({
    accounts: [{ id: '111122223333', regions: ['eu-west-2'], ...extra }],
  } as Seed);

describe('loadSeed', () => {
  it('loads the demo seed with the repositories the demo catalog names', () => {
    const state = loadSeed(DEMO_SEED_PATH);
    const account = state.accounts.get('123412341234')!;
    const repositories = registryOf(account, 'eu-west-2').repositories;
    expect([...repositories.keys()]).toEqual([
      'proof-of-concept-repo',
      'payments-api',
      'notifications-worker',
      'checkout-web',
      'search-indexer',
      'reporting-api',
      'image-resizer',
      'legacy-batch-jobs',
      'old-frontend-2019',
      'sandbox-experiments',
      'data-pipeline-base',
    ]);
    expect(repositories.has('inventory-service')).toBe(false);
    expect(state.accessKeys.get('AKIAEMULATORBACKSTAGE')?.principal).toEqual({
      kind: 'user',
      accountId: '123412341234',
      userName: 'backstage',
    });
  });

  it('gives the demo images digests that are the sha256 of their manifests', () => {
    const state = loadSeed(DEMO_SEED_PATH);
    const repository = registryOf(
      state.accounts.get('123412341234')!,
      'eu-west-2',
    ).repositories.get('proof-of-concept-repo')!;
    const { createHash } = jest.requireActual('crypto');
    for (const image of repository.images) {
      const digest = `sha256:${createHash('sha256')
        .update(image.manifest)
        .digest('hex')}`;
      expect(image.digest).toBe(digest);
    }
  });

  it('names the offending key of an invalid seed', () => {
    const seed = minimal({ repositories: [{ name: 'app', scanOnPusj: true }] });
    expect(() => loadSeed(seed)).toThrow(SeedError);
    expect(() => loadSeed(seed)).toThrow(
      /seed\.accounts\[0\]\.repositories\[0\]\.scanOnPusj: unknown key/,
    );
  });

  it('refuses a policy that IAM would refuse', () => {
    const seed = minimal({
      users: [
        {
          name: 'u',
          inlinePolicies: {
            p: { Statement: [{ Effect: 'Allow', Action: 'x', Resource: '*' }] },
          },
        },
      ],
    });
    expect(() => loadSeed(seed)).toThrow(
      /inlinePolicies\.p: not a valid identity policy/,
    );
  });

  it('refuses an access key used twice', () => {
    const key = { id: 'AKIATESTTWICE0000000', secret: 's' };
    const seed = minimal({
      rootAccessKeys: [key],
      users: [{ name: 'u', accessKeys: [key] }],
    });
    expect(() => loadSeed(seed)).toThrow(/is used twice/);
  });

  it('generates large repositories deterministically', () => {
    const seed = minimal({ generate: [{ repository: 'bench', images: 500 }] });
    const a = registryOf(
      loadSeed(seed).accounts.get('111122223333')!,
      'eu-west-2',
    ).repositories.get('bench')!;
    const b = registryOf(
      loadSeed(seed).accounts.get('111122223333')!,
      'eu-west-2',
    ).repositories.get('bench')!;
    expect(a.images).toHaveLength(500);
    expect(a.images.map(i => i.digest)).toEqual(b.images.map(i => i.digest));
    expect(a.images.map(i => i.pushedAt.getTime())).toEqual(
      b.images.map(i => i.pushedAt.getTime()),
    );
    expect(a.images.filter(i => i.tags.length === 0)).toHaveLength(20);
  });

  it('adds generated repositories asked for on the command line', () => {
    const state = loadSeed(minimal(), {
      generate: [{ repository: 'bench-100', images: 100 }],
    });
    const repository = registryOf(
      state.accounts.get('111122223333')!,
      'eu-west-2',
    ).repositories.get('bench-100');
    expect(repository?.images).toHaveLength(100);
  });
});

describe('resolveTime', () => {
  const now = new Date('2024-06-15T12:00:00Z');

  it.each([
    ['-3d', '2024-06-12T12:00:00.000Z'],
    ['-2h', '2024-06-15T10:00:00.000Z'],
    ['-30m', '2024-06-15T11:30:00.000Z'],
    ['-1w', '2024-06-08T12:00:00.000Z'],
    ['now', '2024-06-15T12:00:00.000Z'],
    ['2020-02-29T09:30:18Z', '2020-02-29T09:30:18.000Z'],
  ])('reads %s', (text, iso) => {
    expect(resolveTime(text, now)?.toISOString()).toBe(iso);
  });
});
