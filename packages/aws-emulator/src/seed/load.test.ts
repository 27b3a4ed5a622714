import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import { ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DEMO_SEED_PATH } from '../index';
import { registryOf, Tag } from '../state';
import { clients, useEmulator } from '../__testUtils__/emulator';
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
      'ledger-service',
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

describe('the access model in seeds', () => {
  it('loads the shared account of the demo seed, its key and its repository policy', () => {
    const state = loadSeed(DEMO_SEED_PATH);
    const shared = state.accounts.get('210987654321')!;
    expect(shared.alias).toBe('backstage-ecr-shared');
    const repository = registryOf(shared, 'eu-west-2').repositories.get(
      'shared-base-images',
    )!;
    expect(repository.tags).toContainEqual({
      Key: 'backstage.io/owner',
      Value: 'group:default/platform-team',
    });
    expect(JSON.parse(repository.policyText!).Statement[0].Principal).toEqual({
      AWS: 'arn:aws:iam::123412341234:role/service-role/codebuild-base-images-service-role',
    });
    expect(state.accessKeys.get('AKIAEMULATORSHARED')?.principal).toEqual({
      kind: 'user',
      accountId: '210987654321',
      userName: 'backstage',
    });
    const demo = state.accounts.get('123412341234')!;
    expect(
      registryOf(demo, 'eu-west-2').projects.get('codebuild-base-images')
        ?.record.serviceRole,
    ).toBe(
      'arn:aws:iam::123412341234:role/service-role/codebuild-base-images-service-role',
    );
    // No demo role has a boundary, and no demo account is in an organization.
    for (const account of state.accounts.values()) {
      expect(account.organization).toBeUndefined();
      for (const role of account.roles.values()) {
        expect(role.permissionsBoundary).toBeUndefined();
      }
    }
  });

  it('keeps repository policies in the form ECR answers them', () => {
    const state = loadSeed(DEMO_SEED_PATH);
    const { policyText } = registryOf(
      state.accounts.get('123412341234')!,
      'eu-west-2',
    ).repositories.get('legacy-batch-jobs')!;
    expect(policyText).toMatch(
      /^\{\n {2}"Version" : "2012-10-17",\n {2}"Statement" : \[ \{\n/,
    );
  });

  it('refuses a repository policy ECR would refuse', () => {
    const seed = minimal({
      repositories: [
        {
          name: 'app',
          repositoryPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: 'ecr:BatchGetImage',
                Resource: '*',
              },
            ],
          },
        },
      ],
    });
    expect(() => loadSeed(seed)).toThrow(
      /repositories\[0\]\.repositoryPolicy: ECR would refuse it: Invalid repository policy provided/,
    );
  });

  it('sets a role’s permissions boundary by policy name or ARN', () => {
    const boundary = {
      name: 'read-only',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:Describe*', Resource: '*' },
        ],
      },
    };
    const state = loadSeed(
      minimal({
        managedPolicies: [boundary],
        roles: [
          { name: 'a', permissionsBoundary: 'read-only' },
          {
            name: 'b',
            permissionsBoundary: 'arn:aws:iam::111122223333:policy/read-only',
          },
        ],
      }),
    );
    const roles = state.accounts.get('111122223333')!.roles;
    expect(roles.get('a')!.permissionsBoundary).toBe(
      'arn:aws:iam::111122223333:policy/read-only',
    );
    expect(roles.get('b')!.permissionsBoundary).toBe(
      'arn:aws:iam::111122223333:policy/read-only',
    );
    expect(() =>
      loadSeed(
        minimal({ roles: [{ name: 'c', permissionsBoundary: 'nope' }] }),
      ),
    ).toThrow(/roles\[0\]\.permissionsBoundary: no managed policy named nope/);
  });

  it('loads an organization’s SCPs, held to IAM’s policy checks', () => {
    const scp = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: 'ecr:DeleteRepository', Resource: '*' },
      ],
    };
    const state = loadSeed(minimal({ organization: { scps: [scp] } }));
    expect(
      JSON.parse(state.accounts.get('111122223333')!.organization!.scps[0]),
    ).toEqual(scp);
    expect(() =>
      loadSeed(
        minimal({
          organization: {
            scps: [{ Statement: [{ Effect: 'Deny', Action: 'ecr:*' }] }],
          },
        }),
      ),
    ).toThrow(/organization\.scps\[0\]: not a valid identity policy/);
    expect(() => loadSeed(minimal({ organization: {} }))).toThrow(
      /organization\.scps: is required/,
    );
  });
});

describe('tags in seeds', () => {
  const ENTITY = 'backstage.io/entity-ref';
  const OWNER = 'backstage.io/owner';
  const asMap = (tags: Tag[]) =>
    Object.fromEntries(tags.map(t => [t.Key, t.Value]));

  it('loads the binding tags of the demo seed onto repositories, roles and projects', () => {
    const account = loadSeed(DEMO_SEED_PATH).accounts.get('123412341234')!;
    const registry = registryOf(account, 'eu-west-2');
    const repositories = Object.fromEntries(
      [...registry.repositories.values()].map(r => [r.name, asMap(r.tags)]),
    );
    expect(repositories).toEqual({
      'proof-of-concept-repo': {
        [ENTITY]: 'component:default/proof-of-concept',
      },
      'payments-api': {
        [ENTITY]: 'component:default/payments-api',
        [OWNER]: 'group:default/team-b',
      },
      'notifications-worker': { [OWNER]: 'group:default/team-b' },
      'checkout-web': {},
      'search-indexer': { [ENTITY]: 'component:default/search-indexer' },
      'reporting-api': { [OWNER]: 'group:default/team-b' },
      'image-resizer': { [OWNER]: 'group:default/team-b' },
      'legacy-batch-jobs': { [ENTITY]: 'component:default/legacy-batch-jobs' },
      'old-frontend-2019': {},
      'sandbox-experiments': {},
      'data-pipeline-base': { [OWNER]: 'group:default/platform-team' },
      'ledger-service': {
        [OWNER]: 'group:default/team-a',
        app: 'ledger-service',
      },
    });
    const roles = Object.fromEntries(
      [...account.roles.values()].map(r => [r.name, asMap(r.tags)]),
    );
    expect(roles).toEqual({
      'codebuild-proof-of-concept-snapshot-service-role': {},
      'codebuild-payments-api-service-role': {
        [OWNER]: 'group:default/team-b',
      },
      'codebuild-orders-api-service-role': {},
      'codebuild-inventory-service-service-role': {},
      'codebuild-notifications-worker-role': {
        [OWNER]: 'group:default/team-b',
      },
      'codebuild-checkout-web-service-role': {},
      'codebuild-search-indexer-role': {
        [ENTITY]: 'component:default/search-indexer',
      },
      'codebuild-image-resizer-role': { [OWNER]: 'group:default/team-b' },
      'codebuild-base-images-service-role': {},
    });
    const projects = Object.fromEntries(
      [...registry.projects.values()].map(p => [p.name, p.record.tags]),
    );
    expect(projects).toEqual({
      'codebuild-proof-of-concept-snapshot': [
        { key: OWNER, value: 'group:default/team-a' },
      ],
      'codebuild-payments-api': [
        { key: ENTITY, value: 'component:default/payments-api' },
      ],
      'codebuild-orders-api': [{ key: OWNER, value: 'group:default/team-a' }],
      'codebuild-inventory-service': [
        { key: ENTITY, value: 'component:default/inventory-service' },
      ],
      'codebuild-checkout-web': [{ key: OWNER, value: 'group:default/team-a' }],
      'codebuild-base-images': [
        { key: OWNER, value: 'group:default/platform-team' },
      ],
    });
  });

  describe('served over the wire', () => {
    const emulator = useEmulator();

    it('answers the demo tags to ListTagsForResource, GetRole and BatchGetProjects', async () => {
      const { ecr, iam, codebuild } = clients(emulator().url);
      const { tags } = await ecr.send(
        new ListTagsForResourceCommand({
          resourceArn:
            'arn:aws:ecr:eu-west-2:123412341234:repository/payments-api',
        }),
      );
      expect(tags).toEqual([
        { Key: ENTITY, Value: 'component:default/payments-api' },
        { Key: OWNER, Value: 'group:default/team-b' },
      ]);
      const { Role } = await iam.send(
        new GetRoleCommand({ RoleName: 'codebuild-payments-api-service-role' }),
      );
      expect(Role!.Tags).toEqual([
        { Key: OWNER, Value: 'group:default/team-b' },
      ]);
      const { projects } = await codebuild.send(
        new BatchGetProjectsCommand({ names: ['codebuild-payments-api'] }),
      );
      expect(projects![0].tags).toEqual([
        { key: ENTITY, value: 'component:default/payments-api' },
      ]);
    });
  });

  it('gives a project without tags an empty list, as CodeBuild answers it', () => {
    const state = loadSeed(
      minimal({
        roles: [{ name: 'build' }],
        codebuildProjects: [{ name: 'build-app', serviceRole: 'build' }],
      }),
    );
    const project = registryOf(
      state.accounts.get('111122223333')!,
      'eu-west-2',
    ).projects.get('build-app')!;
    expect(project.record.tags).toEqual([]);
  });

  it.each([
    [
      'an aws: key on a repository',
      { repositories: [{ name: 'app', tags: { 'aws:owner': 'x' } }] },
      /repositories\[0\]\.tags\.aws:owner: the prefix aws: is reserved/,
    ],
    [
      'more than 50 tags on a role',
      {
        roles: [
          {
            name: 'r',
            tags: Object.fromEntries(
              Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']),
            ),
          },
        ],
      },
      /roles\[0\]\.tags: at most 50 tags per resource/,
    ],
    [
      'role keys differing only in case',
      { roles: [{ name: 'r', tags: { Team: 'a', team: 'b' } }] },
      /roles\[0\]\.tags\.team: the same key in another case/,
    ],
    [
      'a character outside the tag pattern on a project',
      {
        roles: [{ name: 'r' }],
        codebuildProjects: [
          { name: 'p1', serviceRole: 'r', tags: { 'cost#centre': '1' } },
        ],
      },
      /codebuildProjects\[0\]\.tags\.cost#centre: tags may only use/,
    ],
    [
      'a 128-character CodeBuild key (CodeBuild allows 127)',
      {
        roles: [{ name: 'r' }],
        codebuildProjects: [
          { name: 'p1', serviceRole: 'r', tags: { ['k'.repeat(128)]: '1' } },
        ],
      },
      /a tag key has 1 to 127 characters/,
    ],
  ])('refuses %s', (_, extra, message) => {
    expect(() => loadSeed(minimal(extra))).toThrow(message);
  });

  it('tags generated repositories when asked to, and only then', () => {
    const state = loadSeed(
      minimal({
        generate: [
          {
            repository: 'bench-claimed',
            images: 10,
            tags: { [ENTITY]: 'component:default/bench-claimed' },
          },
          { repository: 'bench-unclaimed', images: 10 },
        ],
      }),
      {
        generate: [
          {
            repository: 'bench-100',
            images: 100,
            tags: { [ENTITY]: 'component:default/bench-100' },
          },
          { repository: 'bench-200', images: 200 },
        ],
      },
    );
    const repositories = registryOf(
      state.accounts.get('111122223333')!,
      'eu-west-2',
    ).repositories;
    expect(
      Object.fromEntries(
        [...repositories.values()].map(r => [r.name, asMap(r.tags)]),
      ),
    ).toEqual({
      'bench-claimed': { [ENTITY]: 'component:default/bench-claimed' },
      'bench-unclaimed': {},
      'bench-100': { [ENTITY]: 'component:default/bench-100' },
      'bench-200': {},
    });
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

describe('seeded builds', () => {
  const role = {
    name: 'build-role',
    path: '/service-role/',
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'codebuild.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    },
  };
  const project = (builds: object[], env = { IMAGE_REPO_NAME: 'app' }) =>
    minimal({
      roles: [role],
      repositories: [
        {
          name: 'app',
          images: [{ tags: ['abc1234'], sizeBytes: 1000, pushedAt: '-1d' }],
        },
      ],
      codebuildProjects: [
        {
          name: 'build-app',
          serviceRole: 'build-role',
          environmentVariables: env,
          builds,
        },
      ],
    });

  it('numbers builds by start time and gives the project its environment variables', () => {
    const state = loadSeed(
      project([
        {
          sourceVersion: 'abc1234def',
          startTime: '-1d',
          status: 'SUCCEEDED',
        },
        {
          sourceVersion: 'fff0000',
          startTime: '-3d',
          status: 'FAILED',
          error: {
            phase: 'PRE_BUILD',
            operation: 'GetAuthorizationToken',
            code: 'AccessDeniedException',
          },
        },
      ]),
    );
    const registry = registryOf(
      state.accounts.get('111122223333')!,
      'eu-west-2',
    );
    const p = registry.projects.get('build-app')!;
    expect(p.builds.map(b => [b.buildNumber, b.buildStatus])).toEqual([
      [1, 'FAILED'],
      [2, 'SUCCEEDED'],
    ]);
    expect((p.record.environment as any).environmentVariables).toContainEqual({
      name: 'IMAGE_REPO_NAME',
      value: 'app',
      type: 'PLAINTEXT',
    });
    const failed = p.builds[0];
    const log = registry.logGroups
      .get('/aws/codebuild/build-app')!
      .streams.get(failed.logStreamName)!
      .events.map(e => e.message);
    expect(log).toContain(
      `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:sts::111122223333:assumed-role/build-role/AWSCodeBuild-${failed.uuid} is not authorized to perform: ecr:GetAuthorizationToken on resource: *\n`,
    );
    // A seeded build without an id gets the same id at every load.
    const uuidOf = () =>
      registryOf(
        loadSeed(
          project([
            {
              sourceVersion: 'abc1234def',
              startTime: '-1d',
              status: 'SUCCEEDED',
            },
          ]),
        ).accounts.get('111122223333')!,
        'eu-west-2',
      ).projects.get('build-app')!.builds[0].uuid;
    expect(uuidOf()).toBe(uuidOf());
  });

  it('refuses a SUCCEEDED build whose image is not in the repository', () => {
    expect(() =>
      loadSeed(
        project([
          { sourceVersion: '9999999', startTime: '-1d', status: 'SUCCEEDED' },
        ]),
      ),
    ).toThrow(
      new SeedError(
        'seed.accounts[0].codebuildProjects[0].builds[0].sourceVersion: no image tagged 9999999 in app',
      ),
    );
  });

  it('refuses a FAILED build that does not say how it failed', () => {
    expect(() =>
      loadSeed(
        project([
          { sourceVersion: '9999999', startTime: '-1d', status: 'FAILED' },
        ]),
      ),
    ).toThrow(
      new SeedError(
        'seed.accounts[0].codebuildProjects[0].builds[0].error: a FAILED build needs one',
      ),
    );
  });

  it('refuses a build whose status is not one CodeBuild ends in', () => {
    expect(() =>
      loadSeed(
        project([
          { sourceVersion: '9999999', startTime: '-1d', status: 'DONE' },
        ]),
      ),
    ).toThrow(/builds\[0\]\.status: must be one of SUCCEEDED, FAILED/);
  });
});
