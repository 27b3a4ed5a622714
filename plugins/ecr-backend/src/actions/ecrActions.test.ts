import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { JsonObject } from '@backstage/types';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '../__testUtils__/recordingAuditor';
import {
  ACCOUNT,
  component,
  DENIED_USER,
  OUTSIDER,
  READ_ONLY_USER,
  startDemoEmulator,
  startEcrBackend,
} from '../__testUtils__/testBackend';

// The actions through the registry's test double, on the ECR plugin against
// the emulator's demo seed and the test policy (DENIED_USER may not read,
// READ_ONLY_USER may not write, OUTSIDER cannot see hidden-service).

const repoArn = (name: string) =>
  `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`;
const projectArn = (name: string) =>
  `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/${name}`;

const GUEST = mockCredentials.user('user:default/guest');
const ENTITIES = [
  // A team-a entity naming team-b's repository.
  component('reporting-api', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('reporting-api'),
  }),
  // A team-a entity naming team-b's repository and payments-api's project.
  component('borrowed', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('payments-api'),
    'aws.amazon.com/aws-codebuild-project-arn': projectArn(
      'codebuild-payments-api',
    ),
  }),
  // An unbound repository.
  component('checkout-web', {
    'aws.amazon.com/amazon-ecr-arn': repoArn('checkout-web'),
    'aws.amazon.com/aws-codebuild-project-arn': projectArn(
      'codebuild-checkout-web',
    ),
  }),
];

describe('the ECR actions', () => {
  let emulator: Emulator;
  let events: RecordedAuditEvent[];
  const registry = actionsRegistryServiceMock();

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    const auditor = recordingAuditor();
    events = auditor.events;
    await startEcrBackend({
      emulator,
      entities: ENTITIES,
      features: [
        auditor.factory,
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => registry,
        }),
      ],
    });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.resetCalls();
    events.length = 0;
  });

  const invoke = (
    name: string,
    input: JsonObject,
    credentials: BackstageCredentials = GUEST,
  ): Promise<any> =>
    registry
      .invoke({ id: `test:${name}`, input, credentials })
      .then(r => r.output);

  it('registers the reads and writes with truthful attributes', async () => {
    const { actions } = await registry.list();
    const attributes = Object.fromEntries(
      actions.map(a => [a.name, a.attributes]),
    );
    const read = { readOnly: true, destructive: false, idempotent: true };
    const write = { readOnly: false, destructive: false, idempotent: true };
    expect(attributes).toEqual({
      'get-images': read,
      'get-setup-status': read,
      'get-builds': read,
      'get-audit': read,
      'create-repository': write,
      'configure-repository': { ...write, destructive: true },
      'grant-push-access': write,
      claim: write,
      'start-build': { ...write, idempotent: false },
    });
  });

  it('validates the entity ref as the routes validate their parameters', async () => {
    await expect(
      invoke('get-images', { entityRef: 'component:default/no_such name' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('not a valid entity name'),
    });
    await expect(
      invoke('get-images', { entityRef: 'proof-of-concept' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(emulator.calls()).toEqual({});
  });

  describe.each([
    ['get-images', {}],
    ['get-setup-status', {}],
    ['get-builds', {}],
  ])('%s', (name, extra) => {
    it('is refused without ecr.images.read, and 404s an entity the caller may not see', async () => {
      await expect(
        invoke(
          name,
          { entityRef: 'component:default/proof-of-concept', ...extra },
          mockCredentials.user(DENIED_USER),
        ),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('ecr.images.read'),
      });
      await expect(
        invoke(
          name,
          { entityRef: 'component:default/hidden-service', ...extra },
          mockCredentials.user(OUTSIDER),
        ),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      expect(emulator.calls()).toEqual({});
    });
  });

  it("get-images answers the entity's images and refuses someone else's repository", async () => {
    const answer = await invoke('get-images', {
      entityRef: 'component:default/proof-of-concept',
    });
    expect(answer).toMatchObject({
      entityRef: 'component:default/proof-of-concept',
      containerPort: 8080,
      repositories: [
        expect.objectContaining({
          arn: repoArn('proof-of-concept-repo'),
          exists: true,
          images: expect.arrayContaining([
            expect.objectContaining({
              digest: expect.stringMatching(/^sha256:/),
            }),
          ]),
        }),
      ],
    });
    await expect(
      invoke('get-images', { entityRef: 'component:default/reporting-api' }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('group:default/team-b'),
    });
  });

  it('get-setup-status runs the checks, and shows a repository that is not the entity’s as failing ownership', async () => {
    const answer = await invoke('get-setup-status', {
      entityRef: 'component:default/proof-of-concept',
    });
    expect(answer.entityRef).toBe('component:default/proof-of-concept');
    expect(answer.checks).toContainEqual(
      expect.objectContaining({ id: 'repository-exists', status: 'pass' }),
    );
    const other = await invoke('get-setup-status', {
      entityRef: 'component:default/reporting-api',
    });
    expect(other.checks).toContainEqual(
      expect.objectContaining({
        id: 'repository-owner',
        status: 'fail',
        detail: expect.stringContaining('group:default/team-b'),
      }),
    );
  });

  it('get-builds answers the builds, and refuses a project bound to another entity', async () => {
    const answer = await invoke('get-builds', {
      entityRef: 'component:default/proof-of-concept',
    });
    expect(answer.project).toEqual({
      arn: projectArn('codebuild-proof-of-concept-snapshot'),
      name: 'codebuild-proof-of-concept-snapshot',
    });
    expect(answer.builds.length).toBeGreaterThan(0);
    await expect(
      invoke('get-builds', { entityRef: 'component:default/borrowed' }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('component:default/payments-api'),
    });
  });

  it('get-audit answers the latest report', async () => {
    const answer = await invoke('get-audit', {});
    expect(answer).toMatchObject({
      entities: expect.any(Array),
      unclaimed: expect.any(Array),
    });
  });

  describe.each([
    ['create-repository', 'ecr.repository.create', 'repository-create'],
    [
      'configure-repository',
      'ecr.repository.configure',
      'repository-configure',
    ],
    ['grant-push-access', 'ecr.push-access.grant', 'push-access-grant'],
    ['claim', 'ecr.repository.claim', 'repository-claim'],
    ['start-build', 'ecr.build.start', 'build-start'],
  ])('%s', (name, permission, eventId) => {
    it('is refused without its permission and to services, recorded as failed', async () => {
      const input = { entityRef: 'component:default/proof-of-concept' };
      await expect(
        invoke(name, input, mockCredentials.user(READ_ONLY_USER)),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(permission),
      });
      await expect(
        invoke(name, input, mockCredentials.service()),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect(emulator.calls()).toEqual({});
      expect(events.filter(e => e.status === 'failed')).toEqual([
        expect.objectContaining({
          plugin: 'ecr',
          eventId,
          meta: expect.objectContaining({
            entityRef: 'component:default/proof-of-concept',
            dryRun: true,
            actor: READ_ONLY_USER,
            via: 'actions',
          }),
        }),
        expect.objectContaining({ eventId }),
      ]);
    });
  });

  it('create-repository is a dry run by default, and creates with dryRun false', async () => {
    const entityRef = 'component:default/inventory-service';
    const preview = await invoke('create-repository', { entityRef });
    expect(preview).toMatchObject({ dryRun: true, created: false });
    expect(emulator.calls()['ecr:CreateRepository']).toBeUndefined();
    const made = await invoke('create-repository', {
      entityRef,
      dryRun: false,
    });
    expect(made).toMatchObject({
      dryRun: false,
      created: true,
      repositoryArn: repoArn('inventory-service'),
      settings: expect.objectContaining({ scanOnPush: true }),
    });
    expect(events.filter(e => e.status === 'succeeded')).toEqual([
      expect.objectContaining({
        eventId: 'repository-create',
        meta: expect.objectContaining({ dryRun: true, created: false }),
      }),
      expect.objectContaining({
        eventId: 'repository-create',
        meta: expect.objectContaining({
          dryRun: false,
          created: true,
          awsResource: repoArn('inventory-service'),
          actor: 'user:default/guest',
        }),
      }),
    ]);
  });

  it("create-repository refuses a repository that is someone else's", async () => {
    await expect(
      invoke('create-repository', {
        entityRef: 'component:default/reporting-api',
        dryRun: false,
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('group:default/team-b'),
    });
    expect(emulator.calls()['ecr:CreateRepository']).toBeUndefined();
  });

  it('configure-repository previews each setting, changes them with dryRun false, and refuses a repository that is not the entity’s', async () => {
    const entityRef = 'component:default/proof-of-concept';
    const preview = await invoke('configure-repository', {
      entityRef,
      settings: ['scanOnPush'],
    });
    expect(preview).toMatchObject({
      dryRun: true,
      changed: false,
      repositoryArn: repoArn('proof-of-concept-repo'),
      changes: [expect.objectContaining({ setting: 'scanOnPush' })],
    });
    expect(
      emulator.calls()['ecr:PutImageScanningConfiguration'],
    ).toBeUndefined();
    const done = await invoke('configure-repository', {
      entityRef,
      dryRun: false,
      settings: ['scanOnPush'],
    });
    expect(done).toMatchObject({ dryRun: false });
    expect(events.filter(e => e.status === 'succeeded')).toContainEqual(
      expect.objectContaining({
        eventId: 'repository-configure',
        meta: expect.objectContaining({
          dryRun: false,
          awsResource: repoArn('proof-of-concept-repo'),
          actor: 'user:default/guest',
        }),
      }),
    );
    await expect(
      invoke('configure-repository', {
        entityRef: 'component:default/reporting-api',
        dryRun: false,
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('group:default/team-b'),
    });
  });

  it('grant-push-access previews the least-privilege policy, and refuses a repository that is not the entity’s', async () => {
    const preview = await invoke('grant-push-access', {
      entityRef: 'component:default/proof-of-concept',
    });
    expect(preview).toMatchObject({
      dryRun: true,
      changed: true,
      policyName: expect.stringMatching(/^backstage-ecr-push-/),
      policyDocument: expect.objectContaining({ Version: '2012-10-17' }),
    });
    await expect(
      invoke('grant-push-access', {
        entityRef: 'component:default/borrowed',
        dryRun: false,
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('component:default/payments-api'),
    });
    expect(emulator.calls()['iam:PutRolePolicy']).toBeUndefined();
  });

  it('claim binds an unbound repository and leaves one that is someone else’s alone', async () => {
    const bound = await invoke('claim', {
      entityRef: 'component:default/checkout-web',
      dryRun: false,
    });
    expect(bound).toMatchObject({ dryRun: false, changed: true });
    expect(bound.resources).toContainEqual(
      expect.objectContaining({ kind: 'repository', outcome: 'bound' }),
    );
    const refused = await invoke('claim', {
      entityRef: 'component:default/reporting-api',
      dryRun: false,
    });
    expect(refused).toMatchObject({ changed: false });
    expect(refused.resources).toEqual([
      expect.objectContaining({
        kind: 'repository',
        outcome: 'refused',
        boundTo: 'group:default/team-b',
      }),
    ]);
  });

  it('start-build is a dry run by default, starts with dryRun false, and refuses a project bound elsewhere', async () => {
    const entityRef = 'component:default/proof-of-concept';
    const preview = await invoke('start-build', { entityRef });
    expect(preview).toMatchObject({
      dryRun: true,
      projectArn: projectArn('codebuild-proof-of-concept-snapshot'),
    });
    expect(emulator.calls()['codebuild:StartBuild']).toBeUndefined();
    const started = await invoke('start-build', {
      entityRef,
      dryRun: false,
      sourceVersion: 'main',
    });
    expect(started).toMatchObject({
      dryRun: false,
      sourceVersion: 'main',
      build: expect.objectContaining({ id: expect.any(String) }),
    });
    expect(emulator.calls()['codebuild:StartBuild']).toBe(1);
    await expect(
      invoke('start-build', { entityRef: 'component:default/borrowed' }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('component:default/payments-api'),
    });
  });
});
