import { Emulator } from '@backstage-ecr/aws-emulator';
import { EcrAnnotations } from '@backstage-ecr/plugin-ecr-common';
import { AwsClients } from '../aws/clients';
import { DefaultEcrService } from '../service/DefaultEcrService';
import {
  ENTITY_REF_TAG,
  OWNER_TAG,
  refs,
  repositoryTags,
  roleIn,
  roleTags,
  serviceFor,
  startWritesEmulator,
  SUBJECTS,
  TEAM_A,
  writeCalls,
} from './__testUtils__/writesEmulator';

// Claim against the emulator, through the real SDK clients: it binds what
// nobody holds, and nothing that anyone else holds.

const CHECKOUT = SUBJECTS.checkoutWeb;
const CHECKOUT_TAGS = {
  [ENTITY_REF_TAG]: CHECKOUT.entityRef,
  [OWNER_TAG]: TEAM_A,
};
const CHECKOUT_ROLE = 'codebuild-checkout-web-service-role';
const CHECKOUT_ROLE_ARN = `arn:aws:iam::123412341234:role/service-role/${CHECKOUT_ROLE}`;
/** checkout-web: an unbound repository, and an untagged role named by its ARN. */
const CHECKOUT_ANNOTATIONS: EcrAnnotations = {
  repositories: [refs.repository('checkout-web')],
  pushRole: refs.role(`service-role/${CHECKOUT_ROLE}`),
};

const iamCalls = (emulator: Emulator) =>
  Object.keys(emulator.calls()).filter(call => call.startsWith('iam:'));

describe('claim', () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let service: DefaultEcrService;

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    ({ service, clients } = serviceFor(emulator));
  });

  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.setFaults({ errorNext: 0, throttleNext: 0, operations: [] });
    emulator.resetCalls();
  });

  it('binds an unbound repository and an untagged role to the entity and its owner', async () => {
    const answer = await service.claim({
      annotations: CHECKOUT_ANNOTATIONS,
      subject: CHECKOUT,
    });
    expect(answer).toEqual({
      dryRun: false,
      entityRef: CHECKOUT.entityRef,
      changed: true,
      resources: [
        {
          kind: 'repository',
          arn: refs.repository('checkout-web').arn,
          outcome: 'bound',
          tags: CHECKOUT_TAGS,
        },
        {
          kind: 'role',
          arn: CHECKOUT_ROLE_ARN,
          outcome: 'bound',
          tags: CHECKOUT_TAGS,
        },
      ],
    });
    expect(repositoryTags(emulator, 'checkout-web')).toEqual(CHECKOUT_TAGS);
    expect(roleTags(emulator, CHECKOUT_ROLE)).toEqual(CHECKOUT_TAGS);
    expect(writeCalls(emulator)).toEqual({
      'ecr:TagResource': 1,
      'iam:TagRole': 1,
    });
  });

  it('is idempotent: a second claim finds everything already bound and writes nothing', async () => {
    await service.claim({
      annotations: CHECKOUT_ANNOTATIONS,
      subject: CHECKOUT,
    });
    emulator.resetCalls();
    const again = await service.claim({
      annotations: CHECKOUT_ANNOTATIONS,
      subject: CHECKOUT,
    });
    expect(again.changed).toBe(false);
    expect(again.resources.map(r => [r.kind, r.outcome, r.boundTo])).toEqual([
      ['repository', 'already', CHECKOUT.entityRef],
      ['role', 'already', CHECKOUT.entityRef],
    ]);
    expect(writeCalls(emulator)).toEqual({});
    expect(repositoryTags(emulator, 'checkout-web')).toEqual(CHECKOUT_TAGS);
  });

  it('writes nothing on a dry run, answering what it would bind', async () => {
    const answer = await service.claim({
      annotations: CHECKOUT_ANNOTATIONS,
      subject: CHECKOUT,
      dryRun: true,
    });
    expect(answer).toMatchObject({ dryRun: true, changed: false });
    expect(answer.resources.map(r => [r.kind, r.outcome, r.tags])).toEqual([
      ['repository', 'bound', CHECKOUT_TAGS],
      ['role', 'bound', CHECKOUT_TAGS],
    ]);
    expect(writeCalls(emulator)).toEqual({});
    expect(repositoryTags(emulator, 'checkout-web')).toEqual({});
    expect(roleTags(emulator, CHECKOUT_ROLE)).toEqual({});
  });

  it('refuses, and leaves untouched, repositories and roles bound to anyone else', async () => {
    // proof-of-concept (team A) names team B's repositories and role.
    const before = {
      payments: repositoryTags(emulator, 'payments-api'),
      notifications: repositoryTags(emulator, 'notifications-worker'),
      role: roleTags(emulator, 'codebuild-payments-api-service-role'),
    };
    const answer = await service.claim({
      annotations: {
        repositories: [
          refs.repository('payments-api'),
          refs.repository('notifications-worker'),
        ],
        pushRole: refs.role('service-role/codebuild-payments-api-service-role'),
      },
      subject: SUBJECTS.proofOfConcept,
    });
    expect(answer.changed).toBe(false);
    expect(answer.resources.map(r => [r.kind, r.outcome, r.boundTo])).toEqual([
      ['repository', 'refused', SUBJECTS.paymentsApi.entityRef],
      ['repository', 'refused', 'group:default/team-b'],
      ['role', 'refused', 'group:default/team-b'],
    ]);
    for (const resource of answer.resources) {
      expect(resource.reason).toMatch(
        /never re-binds a resource bound to someone else/,
      );
    }
    expect(writeCalls(emulator)).toEqual({});
    expect({
      payments: repositoryTags(emulator, 'payments-api'),
      notifications: repositoryTags(emulator, 'notifications-worker'),
      role: roleTags(emulator, 'codebuild-payments-api-service-role'),
    }).toEqual(before);
  });

  it('refuses an untagged role that belongs to another team through its CodeBuild project', async () => {
    // Tagging it would take team B's build role over: a role's own tags win
    // over its project's.
    const answer = await service.claim({
      annotations: {
        repositories: [],
        codeBuildProject: refs.project('codebuild-team-b-builder'),
      },
      subject: SUBJECTS.proofOfConcept,
    });
    expect(answer.resources).toEqual([
      expect.objectContaining({
        kind: 'role',
        outcome: 'refused',
        boundTo: 'group:default/team-b',
      }),
    ]);
    expect(answer.changed).toBe(false);
    expect(roleTags(emulator, 'codebuild-team-b-builder-role')).toEqual({});
    expect(writeCalls(emulator)).toEqual({});
  });

  it('refuses a role bound elsewhere under a binding key in another case: IAM tag keys ignore case', async () => {
    // To IAM this is the owner tag; tagging the role would overwrite its value.
    roleIn(emulator, CHECKOUT_ROLE).tags = [
      { Key: 'Backstage.IO/Owner', Value: 'group:default/team-b' },
    ];
    const answer = await service.claim({
      annotations: CHECKOUT_ANNOTATIONS,
      subject: CHECKOUT,
    });
    expect(answer.resources[1]).toMatchObject({
      kind: 'role',
      outcome: 'refused',
      boundTo: 'group:default/team-b',
    });
    expect(roleTags(emulator, CHECKOUT_ROLE)).toEqual({
      'Backstage.IO/Owner': 'group:default/team-b',
    });
    expect(writeCalls(emulator)).toEqual({ 'ecr:TagResource': 1 });
  });

  it('counts the untagged role of the entity’s own CodeBuild project as already its own', async () => {
    const answer = await service.claim({
      annotations: {
        repositories: [],
        codeBuildProject: refs.project('codebuild-checkout-web'),
      },
      subject: CHECKOUT,
    });
    expect(answer.resources).toEqual([
      expect.objectContaining({
        kind: 'role',
        arn: CHECKOUT_ROLE_ARN,
        outcome: 'already',
        boundTo: TEAM_A,
      }),
    ]);
    expect(roleTags(emulator, CHECKOUT_ROLE)).toEqual({});
    expect(writeCalls(emulator)).toEqual({});
  });

  it('counts a repository bound to the entity’s owner as already its own, adding nothing', async () => {
    const answer = await service.claim({
      annotations: { repositories: [refs.repository('notifications-worker')] },
      subject: SUBJECTS.notificationsWorker,
    });
    expect(answer.resources).toEqual([
      expect.objectContaining({
        outcome: 'already',
        boundTo: 'group:default/team-b',
      }),
    ]);
    expect(repositoryTags(emulator, 'notifications-worker')).toEqual({
      [OWNER_TAG]: 'group:default/team-b',
    });
    expect(writeCalls(emulator)).toEqual({});
  });

  it('skips a role outside ecr.iam.allowedRoleArnPatterns, asking IAM nothing about it', async () => {
    const named = await service.claim({
      annotations: { repositories: [], pushRole: refs.role('Admin') },
      subject: CHECKOUT,
    });
    expect(named.resources).toEqual([
      {
        kind: 'role',
        arn: 'arn:aws:iam::123412341234:role/Admin',
        outcome: 'skipped',
        reason: expect.stringContaining(
          'matches none of ecr.iam.allowedRoleArnPatterns',
        ),
      },
    ]);
    expect(iamCalls(emulator)).toEqual([]);

    const throughProject = await service.claim({
      annotations: {
        repositories: [],
        codeBuildProject: refs.project('codebuild-runs-as-admin'),
      },
      subject: CHECKOUT,
    });
    expect(throughProject.resources).toEqual([
      expect.objectContaining({ kind: 'role', outcome: 'skipped' }),
    ]);
    expect(iamCalls(emulator)).toEqual([]);
    expect(roleTags(emulator, 'Admin')).toEqual({});
    expect(writeCalls(emulator)).toEqual({});
  });

  it('skips repositories that do not exist or lie outside ecr.regions', async () => {
    const limited = serviceFor(emulator, { regions: ['eu-west-2'] });
    try {
      const answer = await limited.service.claim({
        annotations: {
          repositories: [
            refs.repository('not-there-yet'),
            refs.repository('checkout-web', 'us-east-1'),
          ],
        },
        subject: CHECKOUT,
      });
      expect(answer.resources.map(r => [r.outcome, r.reason])).toEqual([
        ['skipped', expect.stringContaining('does not exist')],
        ['skipped', expect.stringContaining('is in region us-east-1')],
      ]);
      expect(writeCalls(emulator)).toEqual({});
    } finally {
      limited.clients.destroy();
    }
  });
});
