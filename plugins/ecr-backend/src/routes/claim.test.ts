import { Emulator } from '@backstage-ecr/aws-emulator';
import { ClaimResponse } from '@backstage-ecr/plugin-ecr-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '../__testUtils__/recordingAuditor';
import {
  ACCOUNT,
  component,
  READ_ONLY_USER,
  startDemoEmulator,
  startEcrBackend,
} from '../__testUtils__/testBackend';

const ALICE = mockCredentials.user.header('user:default/alice');
const READER = mockCredentials.user.header(READ_ONLY_USER);
const SERVICE = mockCredentials.service.header();
const ENTITY = '/api/ecr/entity/default/component';
const repoArn = (name: string) =>
  `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`;
const projectArn = (name: string) =>
  `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${name}`;

/** The demo's entities whose repositories are unbound, or someone else's. */
const ENTITIES = [
  // Its repository has no binding tag; its project is team-a's.
  component('checkout-web', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('checkout-web'),
    'aws.amazon.com/aws-codebuild-project-arn': projectArn(
      'codebuild-checkout-web',
    ),
  }),
  // Its repository is team-b's.
  component('reporting-api', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('reporting-api'),
  }),
  // An unbound repository beside team-b's own role.
  component('sandbox', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('sandbox-experiments'),
    'ecr.backstage-ecr.io/push-role-arn': `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-image-resizer-role`,
  }),
];

describe('POST …/claim', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];
  let events: RecordedAuditEvent[];

  const registry = () =>
    emulator.state.accounts.get(ACCOUNT)!.registries.get('eu-west-2')!;
  const tagsOf = (name: string) =>
    Object.fromEntries(
      registry()
        .repositories.get(name)!
        .tags.map(t => [t.Key, t.Value]),
    );
  const roleTags = (name: string) =>
    Object.fromEntries(
      emulator.state.accounts
        .get(ACCOUNT)!
        .roles.get(name)!
        .tags.map(t => [t.Key, t.Value]),
    );
  const claim = (name: string, auth = ALICE, query = '') =>
    request(server)
      .post(`${ENTITY}/${name}/claim${query}`)
      .set('Authorization', auth);

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    const auditor = recordingAuditor();
    events = auditor.events;
    ({ server } = await startEcrBackend({
      emulator,
      entities: ENTITIES,
      features: [auditor.factory],
    }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.resetCalls();
    events.length = 0;
  });

  it('previews the binding of an unbound repository and writes nothing', async () => {
    const res = await claim('checkout-web', ALICE, '?dryRun=true');
    expect(res.status).toBe(200);
    const body: ClaimResponse = res.body;
    expect(body).toMatchObject({
      dryRun: true,
      changed: false,
      entityRef: 'component:default/checkout-web',
    });
    expect(body.resources).toContainEqual({
      kind: 'repository',
      arn: repoArn('checkout-web'),
      outcome: 'bound',
      tags: {
        'backstage.io/entity-ref': 'component:default/checkout-web',
        'backstage.io/owner': 'group:default/team-a',
      },
    });
    expect(tagsOf('checkout-web')).toEqual({});
    expect(emulator.calls()['ecr:TagResource']).toBeUndefined();
    expect(emulator.calls()['iam:TagRole']).toBeUndefined();
  });

  it('binds an unbound repository, after which the entity owns it, and a second claim changes nothing', async () => {
    const first = await claim('checkout-web');
    expect(first.status).toBe(200);
    expect(first.body.changed).toBe(true);
    expect(tagsOf('checkout-web')).toEqual({
      'backstage.io/entity-ref': 'component:default/checkout-web',
      'backstage.io/owner': 'group:default/team-a',
    });
    // The role belongs already, through its project.
    expect(
      first.body.resources.find((r: { kind: string }) => r.kind === 'role'),
    ).toMatchObject({ outcome: 'already', boundTo: 'group:default/team-a' });

    const setup = await request(server)
      .get(`${ENTITY}/checkout-web/setup`)
      .set('Authorization', ALICE);
    const owner = setup.body.checks.find(
      (c: { id: string }) => c.id === 'repository-owner',
    );
    expect(owner.status).toBe('pass');

    emulator.resetCalls();
    const second = await claim('checkout-web');
    expect(second.body.changed).toBe(false);
    expect(
      second.body.resources.map((r: { outcome: string }) => r.outcome),
    ).toEqual(['already', 'already']);
    expect(emulator.calls()['ecr:TagResource']).toBeUndefined();
  });

  it("never re-binds a repository that is someone else's", async () => {
    const before = tagsOf('reporting-api');
    const res = await claim('reporting-api');
    expect(res.status).toBe(200);
    expect(res.body.changed).toBe(false);
    expect(res.body.resources).toEqual([
      expect.objectContaining({
        kind: 'repository',
        arn: repoArn('reporting-api'),
        outcome: 'refused',
        boundTo: 'group:default/team-b',
      }),
    ]);
    expect(tagsOf('reporting-api')).toEqual(before);
    expect(emulator.calls()['ecr:TagResource']).toBeUndefined();
  });

  it("binds the unbound repository but leaves another team's role alone", async () => {
    const role = 'codebuild-image-resizer-role';
    const before = roleTags(role);
    const res = await claim('sandbox');
    expect(res.status).toBe(200);
    expect(res.body.resources).toEqual([
      expect.objectContaining({ kind: 'repository', outcome: 'bound' }),
      expect.objectContaining({
        kind: 'role',
        outcome: 'refused',
        boundTo: 'group:default/team-b',
      }),
    ]);
    expect(roleTags(role)).toEqual(before);
    expect(emulator.calls()['iam:TagRole']).toBeUndefined();
  });

  it('is refused without ecr.repository.claim, and to services, before AWS is asked', async () => {
    const denied = await claim('checkout-web', READER);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('ecr.repository.claim');
    const service = await claim('checkout-web', SERVICE);
    expect(service.status).toBe(403);
    expect(emulator.calls()).toEqual({});
    expect(tagsOf('checkout-web')).toEqual({});
  });

  it('records every attempt as an auditor event, with the outcome per resource', async () => {
    await claim('checkout-web', ALICE, '?dryRun=true');
    await claim('checkout-web');
    await claim('checkout-web', READER);
    const done = events.filter(e => e.status !== 'initiated');
    expect(done.map(e => [e.eventId, e.status])).toEqual([
      ['repository-claim', 'succeeded'],
      ['repository-claim', 'succeeded'],
      ['repository-claim', 'failed'],
    ]);
    expect(done[0].meta).toMatchObject({
      entityRef: 'component:default/checkout-web',
      dryRun: true,
      changed: false,
    });
    expect(done[1].meta).toMatchObject({
      dryRun: false,
      changed: true,
      resources: expect.arrayContaining([
        {
          kind: 'repository',
          arn: repoArn('checkout-web'),
          outcome: 'bound',
        },
      ]),
    });
    expect(done[1].actorId).toBe('user:default/alice');
  });
});
