import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import yaml from 'yaml';
import { ecrPlugin } from './plugin';
import {
  ACCOUNT,
  startDemoEmulator,
  testBackendConfig,
} from './__testUtils__/testBackend';

// The attacks of a team that writes its own catalog-info.yaml: a member of
// team-a registers, through the catalog's own API, components whose
// annotations name team-b's repository or team-b's build role, or a role
// outside the configured patterns. Permissions are off (everything is
// allowed), so only the ownership rules stand between them and team-b's
// resources.

const GUEST = mockCredentials.user.header('user:default/guest');
const arn = {
  repo: (name: string) => `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`,
  project: (name: string) =>
    `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${name}`,
  role: (path: string) => `arn:aws:iam::${ACCOUNT}:role/${path}`,
};
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const PAYMENTS_ROLE = 'codebuild-payments-api-service-role';
/** A repository of team-a's, made for these tests. */
const TEAM_A_REPO = 'team-a-tools';

function component(name: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

/** What team-a's repository serves, as a git host would. */
const CATALOG_INFO = [
  // Team-b's repository, with team-a's own build project.
  component('payments-mirror', {
    'aws.amazon.com/amazon-ecr-arn': arn.repo('payments-api'),
    'aws.amazon.com/aws-codebuild-project-arn': arn.project(
      'codebuild-proof-of-concept-snapshot',
    ),
  }),
  // Team-a's repository, with team-b's build project.
  component('role-borrower', {
    'aws.amazon.com/amazon-ecr-arn': arn.repo(TEAM_A_REPO),
    'aws.amazon.com/aws-codebuild-project-arn': arn.project(
      'codebuild-payments-api',
    ),
  }),
  // A role no build pattern allows, and one that only a `*` crossing `/` would.
  component('admin-prober', {
    'aws.amazon.com/amazon-ecr-arn': arn.repo(TEAM_A_REPO),
    'ecr.backstage-ecr.io/push-role-arn': arn.role('admin'),
  }),
  component('nested-prober', {
    'aws.amazon.com/amazon-ecr-arn': arn.repo(TEAM_A_REPO),
    'ecr.backstage-ecr.io/push-role-arn': arn.role(
      'service-role/codebuild-ops/OpsAdmin',
    ),
  }),
]
  .map(entity => yaml.stringify(entity))
  .join('---\n');

jest.setTimeout(30_000);

describe('a team registering its own catalog-info.yaml', () => {
  let emulator: Emulator;
  let gitHost: Server;
  let backend: TestBackend;

  const inlinePolicies = (role: string) => [
    ...emulator.state.accounts
      .get(ACCOUNT)!
      .roles.get(role)!
      .inlinePolicies.keys(),
  ];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    gitHost = createServer((req, res) => {
      if (req.url === '/team-a/catalog-info.yaml') {
        res.writeHead(200, { 'content-type': 'text/yaml' });
        res.end(CATALOG_INFO);
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>(resolve => gitHost.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(gitHost.address() as AddressInfo).port}`;
    const config = testBackendConfig(emulator.url);
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        ecrPlugin,

        mockServices.rootConfig.factory({
          data: {
            ...config,
            // Every permission is granted: only the ownership rules stand
            // between team-a and team-b's resources.
            permission: { enabled: false },
            backend: { reading: { allow: [{ host }] } },
            catalog: {
              rules: [{ allow: ['Component', 'Location'] }],
              processingInterval: { seconds: 1 },
            },
          },
        }),
      ],
    });
    // Team-a's own repository, tagged as its owner's.
    await createTeamARepository();
    const registered = await request(backend.server)
      .post('/api/catalog/locations')
      .set('Authorization', GUEST)
      .send({ type: 'url', target: `http://${host}/team-a/catalog-info.yaml` });
    if (registered.status !== 201) {
      throw new Error(`Registering the location failed: ${registered.text}`);
    }
    await waitForEntities([
      'payments-mirror',
      'role-borrower',
      'admin-prober',
      'nested-prober',
    ]);
  }, 120_000);

  afterAll(async () => {
    await backend?.stop();
    await new Promise(resolve => gitHost?.close(resolve));
    await emulator?.stop();
  });

  async function createTeamARepository() {
    const ecr = new ECRClient({
      endpoint: emulator.url,
      region: 'eu-west-2',
      credentials: {
        accessKeyId: 'AKIAEMULATORROOT',
        secretAccessKey: 'emulator-root-secret',
      },
    });
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: TEAM_A_REPO,
        tags: [{ Key: 'backstage.io/owner', Value: 'group:default/team-a' }],
      }),
    );
    ecr.destroy();
  }

  const isInCatalog = (server: TestBackend['server'], name: string) =>
    request(server)
      .get(`/api/catalog/entities/by-name/component/default/${name}`)
      .set('Authorization', GUEST)
      .then(r => r.status === 200);

  async function waitForEntities(names: string[]) {
    const server = backend.server;
    for (let attempt = 0; attempt < 120; attempt++) {
      const found = await Promise.all(
        names.map(name => isInCatalog(server, name)),
      );
      if (found.every(Boolean)) return;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    const all = await request(backend.server)
      .get('/api/catalog/entities')
      .set('Authorization', GUEST);
    throw new Error(
      `The catalog never showed ${names.join(', ')}: ${
        all.status
      } ${all.text.slice(0, 3000)}`,
    );
  }

  const entityPath = (name: string) =>
    `/api/ecr/entity/default/component/${name}`;

  it("refuses to show another team's repository", async () => {
    emulator.resetCalls();
    const res = await request(backend.server)
      .get(`${entityPath('payments-mirror')}/images`)
      .set('Authorization', GUEST);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'belongs to component:default/payments-api',
    );
    // The refusal carries the binding, to tell it from a missing permission.
    expect(res.body.error.resource).toEqual({
      kind: 'repository',
      arn: arn.repo('payments-api'),
      state: 'elsewhere',
      boundTo: 'component:default/payments-api',
    });
    expect(emulator.calls()['ecr:DescribeImages']).toBeUndefined();
  });

  it("refuses to grant push to another team's repository, and writes nothing", async () => {
    const before = inlinePolicies(POC_ROLE);
    const res = await request(backend.server)
      .post(`${entityPath('payments-mirror')}/push-access`)
      .set('Authorization', GUEST);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('component:default/payments-api');
    expect(inlinePolicies(POC_ROLE)).toEqual(before);
  });

  it("refuses to put a policy on another team's build role", async () => {
    const before = inlinePolicies(PAYMENTS_ROLE);
    const res = await request(backend.server)
      .post(`${entityPath('role-borrower')}/push-access`)
      .set('Authorization', GUEST);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('group:default/team-b');
    expect(res.body.error.resource).toMatchObject({
      kind: 'role',
      state: 'elsewhere',
      boundTo: 'group:default/team-b',
    });
    expect(inlinePolicies(PAYMENTS_ROLE)).toEqual(before);
  });

  it('says whose resources they are in the setup checks, without reading into them', async () => {
    emulator.resetCalls();
    const res = await request(backend.server)
      .get(`${entityPath('payments-mirror')}/setup`)
      .set('Authorization', GUEST);
    expect(res.status).toBe(200);
    const check = (id: string) =>
      res.body.checks.find((c: { id: string }) => c.id === id);
    expect(check('repository-owner')).toMatchObject({ status: 'fail' });
    expect(check('repository-owner').detail).toContain(
      'component:default/payments-api',
    );
    expect(check('repository-owner').bindings).toEqual([
      {
        kind: 'repository',
        arn: arn.repo('payments-api'),
        state: 'elsewhere',
        boundTo: 'component:default/payments-api',
      },
    ]);
    expect(check('scan-on-push').status).toBe('unknown');
    const calls = emulator.calls();
    expect(calls['ecr:DescribeRepositories']).toBeUndefined();
    expect(calls['ecr:DescribeImages']).toBeUndefined();
    expect(calls['ecr:GetLifecyclePolicy']).toBeUndefined();
  });

  it("does not simulate another team's role", async () => {
    emulator.resetCalls();
    const res = await request(backend.server)
      .get(`${entityPath('role-borrower')}/setup`)
      .set('Authorization', GUEST);
    expect(res.status).toBe(200);
    const owner = res.body.checks.find(
      (c: { id: string }) => c.id === 'push-role-owner',
    );
    expect(owner.status).toBe('fail');
    expect(owner.detail).toContain('group:default/team-b');
    expect(emulator.calls()['iam:SimulatePrincipalPolicy']).toBeUndefined();
    expect(emulator.calls()['iam:ListAttachedRolePolicies']).toBeUndefined();
  });

  it.each([
    ['admin-prober', 'role/admin'],
    ['nested-prober', 'role/service-role/codebuild-ops/OpsAdmin'],
  ])(
    'asks IAM nothing about a role outside the patterns (%s)',
    async (name, role) => {
      emulator.resetCalls();
      const res = await request(backend.server)
        .get(`${entityPath(name)}/setup`)
        .set('Authorization', GUEST);
      expect(res.status).toBe(200);
      const found = res.body.checks.find(
        (c: { id: string }) => c.id === 'push-role-found',
      );
      expect(found.detail).toContain(role);
      expect(found.detail).toContain('matches none of');
      const iamCalls = Object.keys(emulator.calls()).filter(op =>
        op.startsWith('iam:'),
      );
      expect(iamCalls).toEqual([]);
    },
  );
});
