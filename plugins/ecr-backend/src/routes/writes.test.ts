import {
  DEMO_SEED_PATH,
  Emulator,
  readSeedFile,
  startEmulator,
} from '@backstage-ecr/aws-emulator';
import {
  ConfigureRepositoryResponse,
  CreateRepositoryResponse,
  PushAccessResponse,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { pushPolicyName } from '@backstage-ecr/plugin-ecr-node';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  ACCOUNT,
  OUTSIDER,
  READ_ONLY_USER,
  startEcrBackend,
} from '../__testUtils__/testBackend';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '../__testUtils__/recordingAuditor';

const GUEST = 'user:default/guest';
const USER = mockCredentials.user.header(GUEST);
const READER = mockCredentials.user.header(READ_ONLY_USER);
const SERVICE = mockCredentials.service.header();
const ENTITY = '/api/ecr/entity/default/component';
const repoArn = (name: string) =>
  `arn:aws:ecr:eu-west-2:${ACCOUNT}:repository/${name}`;
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const POC_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/${POC_ROLE}`;
const policyOf = (name: string) => pushPolicyName({ arn: repoArn(name), name });
const POC_BASE_POLICY =
  'CodeBuildBasePolicy-proof-of-concept-snapshot-eu-west-2';

/** Keys of a Backstage identity that may also delete repositories. */
const DELETER = {
  accessKeyId: 'AKIAEMULATORDELETER',
  secretAccessKey: 'emulator-deleter-secret',
};

/** An entity whose pushing role is outside ecr.iam.allowedRoleArnPatterns. */
const FOREIGN_ROLE: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'admin-pushed',
    namespace: 'default',
    annotations: {
      'aws.amazon.com/amazon-ecr-arn': repoArn('payments-api'),
      'ecr.backstage-ecr.io/push-role-arn': `arn:aws:iam::${ACCOUNT}:role/Admin`,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

/** The demo seed, plus an identity like Backstage's that may also delete repositories. */
async function startWritesEmulator(): Promise<Emulator> {
  const seed = readSeedFile(DEMO_SEED_PATH);
  const demoAccount = seed.accounts[0];
  const backstage = demoAccount.users!.find(u => u.name === 'backstage')!;
  demoAccount.users = [
    ...demoAccount.users!,
    {
      name: 'backstage-with-delete',
      accessKeys: [
        { id: DELETER.accessKeyId, secret: DELETER.secretAccessKey },
      ],
      inlinePolicies: {
        ...backstage.inlinePolicies,
        rollback: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ecr:DeleteRepository',
              Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/*`,
            },
          ],
        },
      },
    },
  ];
  return startEmulator({ port: 0, seed });
}

function writes(emulator: Emulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emulator.calls()).filter(
      ([op]) => !/:(Describe|Get|List|BatchGet|Simulate)/.test(op),
    ),
  );
}

function account(emulator: Emulator) {
  return emulator.state.accounts.get(ACCOUNT)!;
}

function repositoryIn(emulator: Emulator, name: string) {
  return account(emulator).registries.get('eu-west-2')!.repositories.get(name);
}

describe('ECR write routes against the emulator', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];
  let events: RecordedAuditEvent[];

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    const auditor = recordingAuditor();
    events = auditor.events;
    ({ server } = await startEcrBackend({
      emulator,
      entities: [FOREIGN_ROLE],
      features: [auditor.factory],
    }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults({ errorNext: 0, throttleNext: 0, operations: [] });
    emulator.resetCalls();
    events.length = 0;
  });

  const post = (path: string, auth: string | null = USER) => {
    const req = request(server).post(`${ENTITY}/${path}`);
    return auth ? req.set('Authorization', auth) : req;
  };

  describe('POST …/repository', () => {
    it('answers a dry run with the exact settings and creates nothing', async () => {
      const res = await post('inventory-service/repository?dryRun=true');
      expect(res.status).toBe(200);
      const body: CreateRepositoryResponse = res.body;
      expect(body).toEqual({
        dryRun: true,
        created: false,
        alreadyExisted: false,
        repositoryArn: repoArn('inventory-service'),
        repositoryUri: `${ACCOUNT}.dkr.ecr.eu-west-2.amazonaws.com/inventory-service`,
        settings: {
          repositoryName: 'inventory-service',
          region: 'eu-west-2',
          accountId: ACCOUNT,
          imageTagMutability: 'IMMUTABLE',
          scanOnPush: true,
          encryptionType: 'AES256',
          lifecyclePolicyText: expect.stringContaining('"countNumber":14'),
          // Bound to the entity and to its owner.
          tags: {
            'backstage.io/entity-ref': 'component:default/inventory-service',
            'backstage.io/owner': 'group:default/team-a',
            'ecr.backstage-ecr.io/setup': 'complete',
          },
        },
      });
      expect(emulator.calls()).toEqual({ 'ecr:DescribeRepositories': 1 });
      expect(repositoryIn(emulator, 'inventory-service')).toBeUndefined();
    });

    it('creates the annotated repository, then the check passes; a repeat answers it unchanged', async () => {
      const created = await post('inventory-service/repository');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        dryRun: false,
        created: true,
        alreadyExisted: false,
      });
      expect(repositoryIn(emulator, 'inventory-service')).toMatchObject({
        imageTagMutability: 'IMMUTABLE',
        scanOnPush: true,
        lifecyclePolicy: { text: expect.stringContaining('untagged') },
      });

      emulator.resetCalls();
      const again = await post('inventory-service/repository');
      expect(again.status).toBe(200);
      expect(again.body).toEqual({
        ...created.body,
        created: false,
        alreadyExisted: true,
      });
      expect(writes(emulator)).toEqual({});

      const setup = await request(server)
        .get(`${ENTITY}/inventory-service/setup`)
        .set('Authorization', USER);
      const checks = Object.fromEntries(
        (setup.body as SetupStatus).checks.map(c => [c.id, c.status]),
      );
      expect(checks).toMatchObject({
        'repository-exists': 'pass',
        'scan-on-push': 'pass',
        'tag-immutability': 'pass',
        'lifecycle-policy': 'pass',
        encryption: 'pass',
      });
    });

    it('answers an existing repository with 200, unchanged', async () => {
      const res = await post('proof-of-concept/repository');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        created: false,
        alreadyExisted: true,
        settings: { imageTagMutability: 'MUTABLE', scanOnPush: false },
      });
      expect(writes(emulator)).toEqual({});
    });

    it('acts on the repository ?repository= chooses among the entity’s, and no other', async () => {
      const several = await post('two-repositories/repository?dryRun=true');
      expect(several.status).toBe(400);
      expect(several.body.error.message).toMatch(/several repositories/);
      const foreign = await post(
        `two-repositories/repository?dryRun=true&repository=${encodeURIComponent(
          repoArn('legacy-batch-jobs'),
        )}`,
      );
      expect(foreign.status).toBe(400);
      expect(foreign.body.error.message).toMatch(
        /is not one of this entity's repositories/,
      );
      const chosen = await post(
        `two-repositories/repository?dryRun=true&repository=${encodeURIComponent(
          repoArn('notifications-worker'),
        )}`,
      );
      expect(chosen.status).toBe(200);
      expect(chosen.body.repositoryArn).toBe(repoArn('notifications-worker'));
    });

    it('leaves nothing half-done when AWS fails part-way', async () => {
      const deleting = await startEcrBackend({ emulator, keys: DELETER });
      emulator.setFaults({
        errorNext: 2,
        operations: ['ecr:PutLifecyclePolicy'],
      });
      const res = await request(deleting.server)
        .post(`${ENTITY}/inventory-service/repository`)
        .set('Authorization', USER);
      expect(res.status).toBe(502);
      expect(res.body.error.message).toBe(
        `AWS failed ecr:PutLifecyclePolicy on ${repoArn(
          'inventory-service',
        )} (HTTP 500, ServerException); the repository this request had created was deleted again, so nothing is left half-done; try again`,
      );
      expect(repositoryIn(emulator, 'inventory-service')).toBeUndefined();
      expect(writes(emulator)).toMatchObject({
        'ecr:CreateRepository': 1,
        'ecr:DeleteRepository': 1,
      });
    });

    it('finishes on the next request what it could not roll back', async () => {
      // The demo's Backstage identity may not delete repositories.
      emulator.setFaults({ throttleNext: 2, operations: ['ecr:TagResource'] });
      const failed = await post('inventory-service/repository');
      expect(failed.status).toBe(503);
      expect(failed.body.error.message).toMatch(
        /could not delete it again \(ecr:DeleteRepository: AccessDeniedException\); it is tagged ecr.backstage-ecr.io\/setup=incomplete, and running the request again finishes it/,
      );
      const retried = await post('inventory-service/repository');
      expect(retried.status).toBe(201);
      expect(retried.body).toMatchObject({ created: true });
      expect(
        repositoryIn(emulator, 'inventory-service')!.tags.find(
          t => t.Key === 'ecr.backstage-ecr.io/setup',
        )?.Value,
      ).toBe('complete');
    });
  });

  describe('POST …/push-access', () => {
    it('recognises a grant under the name earlier versions used, and does not double it', async () => {
      // The demo's payments-api role holds backstage-ecr-push-payments-api,
      // written before policy names carried the repository ARN's hash.
      const res = await post('payments-api/push-access');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        changed: false,
        policyName: 'backstage-ecr-push-payments-api',
      });
      expect(writes(emulator)).toEqual({});
      const role = account(emulator).roles.get(
        'codebuild-payments-api-service-role',
      )!;
      expect([...role.inlinePolicies.keys()]).toEqual([
        'backstage-ecr-push-payments-api',
      ]);
    });

    it('answers a dry run with the exact role, policy name and document, writing nothing', async () => {
      const res = await post('proof-of-concept/push-access?dryRun=true');
      expect(res.status).toBe(200);
      const body: PushAccessResponse = res.body;
      expect(body).toEqual({
        dryRun: true,
        changed: true,
        roleArn: POC_ROLE_ARN,
        policyName: policyOf('proof-of-concept-repo'),
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PushImages',
              Effect: 'Allow',
              Action: [
                'ecr:BatchCheckLayerAvailability',
                'ecr:CompleteLayerUpload',
                'ecr:InitiateLayerUpload',
                'ecr:PutImage',
                'ecr:UploadLayerPart',
              ],
              Resource: repoArn('proof-of-concept-repo'),
            },
            {
              Sid: 'GetAuthorizationToken',
              Effect: 'Allow',
              Action: 'ecr:GetAuthorizationToken',
              Resource: '*',
            },
          ],
        },
      });
      expect(emulator.calls()['iam:PutRolePolicy']).toBeUndefined();
      expect(writes(emulator)).toEqual({});
    });

    it('grants push access additively, never touching CodeBuildBasePolicy, and the check then passes', async () => {
      const role = account(emulator).roles.get(POC_ROLE)!;
      const basePolicy = [...account(emulator).policies.values()].find(
        p => p.name === POC_BASE_POLICY,
      )!;
      const baseBefore = JSON.stringify(basePolicy);
      expect([...role.inlinePolicies.keys()]).toEqual([]);

      const res = await post('proof-of-concept/push-access');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dryRun: false, changed: true });
      expect(writes(emulator)).toEqual({ 'iam:PutRolePolicy': 1 });
      expect([...role.inlinePolicies.keys()]).toEqual([
        policyOf('proof-of-concept-repo'),
      ]);
      expect(role.attachedPolicies).toEqual([basePolicy.arn]);
      expect(JSON.stringify(basePolicy)).toBe(baseBefore);

      const setup = await request(server)
        .get(`${ENTITY}/proof-of-concept/setup`)
        .set('Authorization', USER);
      const checks = Object.fromEntries(
        (setup.body as SetupStatus).checks.map(c => [c.id, c.status]),
      );
      expect(checks['push-permissions']).toBe('pass');
      expect(checks['codebuild-managed-policy']).toBe('pass');
    });

    it('changes nothing on a repeat: no second PutRolePolicy', async () => {
      await post('proof-of-concept/push-access');
      emulator.resetCalls();
      const again = await post('proof-of-concept/push-access');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ changed: false });
      expect(writes(emulator)).toEqual({});
    });

    it('uses the push-role annotation, keeping the role’s other policies', async () => {
      const res = await post('notifications-worker/push-access');
      expect(res.status).toBe(200);
      expect(res.body.roleArn).toBe(
        `arn:aws:iam::${ACCOUNT}:role/service-role/codebuild-notifications-worker-role`,
      );
      expect(
        [
          ...account(emulator)
            .roles.get('codebuild-notifications-worker-role')!
            .inlinePolicies.keys(),
        ].sort(),
      ).toEqual([policyOf('notifications-worker'), 'ecr-push']);
    });

    it('refuses a role outside ecr.iam.allowedRoleArnPatterns with 403, whatever the policy allows', async () => {
      const res = await post('admin-pushed/push-access?dryRun=true');
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining(
          `Backstage may not attach a push policy to arn:aws:iam::${ACCOUNT}:role/Admin: the role matches none of ecr.iam.allowedRoleArnPatterns (arn:aws:iam::*:role/service-role/codebuild-*)`,
        ),
      });
      expect(emulator.calls()).toEqual({});
    });

    it('answers 400 for an entity that names no pushing role', async () => {
      const res = await post('hidden-service/push-access?dryRun=true');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/names no pushing role/);
    });

    it('answers a failing PutRolePolicy with 502, adding nothing', async () => {
      emulator.setFaults({ errorNext: 2, operations: ['iam:PutRolePolicy'] });
      const res = await post('proof-of-concept/push-access');
      expect(res.status).toBe(502);
      expect(res.body.error.message).toMatch(/iam:PutRolePolicy/);
      expect(account(emulator).roles.get(POC_ROLE)!.inlinePolicies.size).toBe(
        0,
      );
    });
  });

  describe('POST …/repository/settings', () => {
    const settings = (path: string, body?: object) => {
      const req = post(`proof-of-concept/repository/settings${path}`);
      return body ? req.send(body) : req;
    };
    const poc = () => repositoryIn(emulator, 'proof-of-concept-repo')!;

    it('answers a dry run with each change, current and new, and writes nothing', async () => {
      const res = await settings('?dryRun=true');
      expect(res.status).toBe(200);
      const body: ConfigureRepositoryResponse = res.body;
      expect(body).toEqual({
        dryRun: true,
        changed: false,
        repositoryArn: repoArn('proof-of-concept-repo'),
        changes: [
          {
            setting: 'scanOnPush',
            current: 'false',
            desired: 'true',
            action: 'change',
          },
          {
            setting: 'tagImmutability',
            current: 'MUTABLE',
            desired: 'IMMUTABLE',
            action: 'change',
          },
          {
            setting: 'lifecyclePolicy',
            current: null,
            desired: expect.stringContaining('"countNumber":14'),
            action: 'change',
          },
        ],
      });
      expect(writes(emulator)).toEqual({});
      expect(poc().scanOnPush).toBe(false);
    });

    it('turns on scan on push alone when the body selects it, then the check passes; a repeat changes nothing', async () => {
      const res = await settings('', { scanOnPush: true });
      expect(res.status).toBe(200);
      expect(res.body.changed).toBe(true);
      expect(writes(emulator)).toEqual({
        'ecr:PutImageScanningConfiguration': 1,
      });
      expect(poc()).toMatchObject({
        scanOnPush: true,
        imageTagMutability: 'MUTABLE',
      });
      const setup = await request(server)
        .get(`${ENTITY}/proof-of-concept/setup`)
        .set('Authorization', USER);
      const check = (setup.body as SetupStatus).checks.find(
        c => c.id === 'scan-on-push',
      );
      expect(check?.status).toBe('pass');
      emulator.resetCalls();
      const again = await settings('', { scanOnPush: true });
      expect(again.status).toBe(200);
      expect(again.body.changed).toBe(false);
      expect(again.body.changes).toEqual([
        expect.objectContaining({ setting: 'scanOnPush', action: 'unchanged' }),
      ]);
      expect(writes(emulator)).toEqual({});
    });

    it('keeps an existing lifecycle policy unless the body asks to replace it', async () => {
      await settings('', { lifecyclePolicy: true });
      // Someone changes it to their own in AWS.
      poc().lifecyclePolicy!.text =
        '{"rules":[{"rulePriority":1,"description":"theirs","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}';
      emulator.resetCalls();
      const kept = await settings('', { lifecyclePolicy: true });
      expect(kept.status).toBe(200);
      expect(kept.body.changes).toEqual([
        expect.objectContaining({ action: 'kept' }),
      ]);
      expect(writes(emulator)).toEqual({});
      const replaced = await settings('', {
        lifecyclePolicy: true,
        replaceLifecyclePolicy: true,
      });
      expect(replaced.body.changes).toEqual([
        expect.objectContaining({ action: 'change', overwritesExisting: true }),
      ]);
      expect(poc().lifecyclePolicy!.text).toContain('"countNumber":14');
    });

    it('refuses (403) a repository bound elsewhere, writing nothing', async () => {
      // admin-pushed (team A) names payments-api, which is team B's.
      const res = await post('admin-pushed/repository/settings');
      expect(res.status).toBe(403);
      expect(res.body.error.resource).toMatchObject({
        kind: 'repository',
        arn: repoArn('payments-api'),
      });
      expect(writes(emulator)).toEqual({});
    });

    it.each([
      [
        { scanOnPush: 'yes' },
        '"scanOnPush" in the request body must be true or false',
      ],
      [{ lifecycle: true }, 'unknown field "lifecycle"'],
      [
        { repository: 5 },
        '"repository" in the request body must be one repository ARN',
      ],
      [{ scanOnPush: false }, 'select at least one'],
      [{ repository: repoArn('payments-api') }, 'is not one of this entity'],
    ])(
      'refuses the body %j with 400, asking AWS nothing',
      async (body, message) => {
        const res = await settings('', body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(message);
        expect(emulator.calls()).toEqual({});
      },
    );

    it('records an auditor event with each setting’s action', async () => {
      await settings('?dryRun=true', { tagImmutability: true });
      expect(events[1]).toMatchObject({
        eventId: 'repository-configure',
        status: 'succeeded',
        actorId: GUEST,
        meta: {
          entityRef: 'component:default/proof-of-concept',
          dryRun: true,
          awsResource: repoArn('proof-of-concept-repo'),
          changed: false,
          changes: [{ setting: 'tagImmutability', action: 'change' }],
        },
      });
    });
  });

  describe('scoping and refusals', () => {
    it.each(['repository', 'push-access', 'repository/settings'])(
      'refuses %s to a user the policy denies, with 403 and no AWS call',
      async route => {
        const res = await post(`proof-of-concept/${route}?dryRun=true`, READER);
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(emulator.calls()).toEqual({});
      },
    );

    it.each(['repository', 'push-access', 'repository/settings'])(
      'refuses %s to a service principal: writes are for people',
      async route => {
        const res = await post(
          `proof-of-concept/${route}?dryRun=true`,
          SERVICE,
        );
        expect(res.status).toBe(403);
        expect(emulator.calls()).toEqual({});
      },
    );

    it('answers 401 without credentials and 404 for an entity the caller may not see', async () => {
      const none = await post('proof-of-concept/repository', null);
      expect(none.status).toBe(401);
      expect(none.body.error.name).toBe('AuthenticationError');
      const hidden = await post(
        'hidden-service/repository?dryRun=true',
        mockCredentials.user.header(OUTSIDER),
      );
      expect(hidden.status).toBe(404);
    });

    it.each(['yes', 'TRUE', '1'])('refuses dryRun=%s with 400', async value => {
      const res = await post(`inventory-service/repository?dryRun=${value}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('dryRun must be true or false');
      expect(emulator.calls()).toEqual({});
    });

    it('answers 400 for annotations that do not parse', async () => {
      const res = await post('bad-annotations/repository?dryRun=true');
      expect(res.status).toBe(400);
    });
  });

  describe('auditor events', () => {
    it('records a write with actor, entity, AWS resource and outcome', async () => {
      await post('inventory-service/repository');
      expect(events).toEqual([
        {
          plugin: 'ecr',
          eventId: 'repository-create',
          severityLevel: 'medium',
          status: 'initiated',
          actorId: GUEST,
          meta: {
            entityRef: 'component:default/inventory-service',
            dryRun: false,
          },
        },
        {
          plugin: 'ecr',
          eventId: 'repository-create',
          severityLevel: 'medium',
          status: 'succeeded',
          actorId: GUEST,
          meta: {
            entityRef: 'component:default/inventory-service',
            dryRun: false,
            awsResource: repoArn('inventory-service'),
            created: true,
            alreadyExisted: false,
          },
        },
      ]);
    });

    it('records a dry run of a grant with the role it would change', async () => {
      await post('proof-of-concept/push-access?dryRun=true');
      expect(events[1]).toMatchObject({
        eventId: 'push-access-grant',
        status: 'succeeded',
        actorId: GUEST,
        meta: {
          entityRef: 'component:default/proof-of-concept',
          dryRun: true,
          awsResource: POC_ROLE_ARN,
          repositoryArn: repoArn('proof-of-concept-repo'),
          changed: true,
          policyName: policyOf('proof-of-concept-repo'),
        },
      });
    });

    it('records a denied attempt as failed, with the refusal', async () => {
      await post('proof-of-concept/push-access', READER);
      expect(events.map(e => e.status)).toEqual(['initiated', 'failed']);
      expect(events[1]).toMatchObject({
        actorId: READ_ONLY_USER,
        meta: {
          entityRef: 'component:default/proof-of-concept',
          dryRun: false,
        },
        error: expect.objectContaining({ name: 'NotAllowedError' }),
      });
    });

    it('records a refused role and an AWS failure as failed, naming the resource', async () => {
      await post('admin-pushed/push-access');
      expect(events[1]).toMatchObject({
        status: 'failed',
        meta: { awsResource: `arn:aws:iam::${ACCOUNT}:role/Admin` },
        error: expect.objectContaining({ name: 'NotAllowedError' }),
      });
      events.length = 0;
      emulator.setFaults({ errorNext: 2, operations: ['iam:PutRolePolicy'] });
      await post('proof-of-concept/push-access');
      expect(events[1]).toMatchObject({
        status: 'failed',
        meta: {
          awsResource: `arn:aws:codebuild:eu-west-2:${ACCOUNT}:project/codebuild-proof-of-concept-snapshot`,
        },
        error: expect.objectContaining({ statusCode: 502 }),
      });
    });
  });
});

describe('ECR write routes and the cache', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startEcrBackend>>['server'];

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    ({ server } = await startEcrBackend({ emulator, ttlSeconds: 60 }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('shows the created repository and the granted access on the next read', async () => {
    const get = (path: string) =>
      request(server).get(`${ENTITY}/${path}`).set('Authorization', USER);
    const check = async (name: string, id: string) =>
      ((await get(`${name}/setup`)).body as SetupStatus).checks.find(
        c => c.id === id,
      )?.status;

    expect(
      (await get('inventory-service/images')).body.repositories[0],
    ).toMatchObject({ exists: false });
    expect(await check('inventory-service', 'repository-exists')).toBe('fail');
    expect(await check('proof-of-concept', 'push-permissions')).toBe('fail');

    expect((await post('inventory-service/repository')).status).toBe(201);
    expect((await post('proof-of-concept/push-access')).status).toBe(200);

    expect(
      (await get('inventory-service/images')).body.repositories[0],
    ).toMatchObject({ exists: true });
    expect(await check('inventory-service', 'repository-exists')).toBe('pass');
    expect(await check('proof-of-concept', 'push-permissions')).toBe('pass');

    function post(path: string) {
      return request(server)
        .post(`${ENTITY}/${path}`)
        .set('Authorization', USER);
    }
  });
});
