import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  EcrAnnotations,
  OwnershipSubject,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { AwsClients } from '../aws/clients';
import { DefaultEcrService } from '../service/DefaultEcrService';
import {
  refs,
  roleIn,
  serviceFor,
  startWritesEmulator,
  SUBJECTS,
  TEAM_B,
} from '../writes/__testUtils__/writesEmulator';
import { SetupFacts } from './facts';

// Setup facts gathered against the emulator, through the real SDK clients:
// what Backstage asks AWS about resources that are not the entity's. The
// resources are bound as the write tests' seed says (team A's
// proof-of-concept, team B's payments-api and notifications-worker).

const POC = SUBJECTS.proofOfConcept;
const POC_REPO = refs.repository('proof-of-concept-repo');
const POC_PROJECT = refs.project('codebuild-proof-of-concept-snapshot');
const POC_ROLE = 'codebuild-proof-of-concept-snapshot-service-role';
const TEAM_B_REPO = refs.repository('payments-api');
const TEAM_B_ROLE = refs.role(
  'service-role/codebuild-payments-api-service-role',
);

const REPOSITORY_READS = [
  'ecr:DescribeRepositories',
  'ecr:GetLifecyclePolicy',
  'ecr:DescribeImages',
];
const ROLE_INSPECTION = [
  'iam:SimulatePrincipalPolicy',
  'iam:ListAttachedRolePolicies',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
];

function byId(checks: SetupCheck[]): Record<string, SetupCheck> {
  return Object.fromEntries(checks.map(c => [c.id, c]));
}

describe('gathering setup facts, as far as the resources are the entity’s', () => {
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
    emulator.resetCalls();
  });

  const gather = async (
    value: EcrAnnotations,
    subject: OwnershipSubject = POC,
    on: DefaultEcrService = service,
  ): Promise<{ facts: SetupFacts; checks: Record<string, SetupCheck> }> => {
    const facts = await on.getSetupFacts({ ok: true, value }, subject);
    return { facts, checks: byId(on.evaluateSetupChecks(facts)) };
  };
  const called = (operations: string[]) =>
    operations.filter(operation => emulator.calls()[operation]);

  it('reads only the tags of another team’s repository, and fails repository-owner naming its owner', async () => {
    const { facts, checks } = await gather({
      repositories: [TEAM_B_REPO],
      codeBuildProject: POC_PROJECT,
    });
    expect(emulator.calls()['ecr:ListTagsForResource']).toBe(1);
    expect(called(REPOSITORY_READS)).toEqual([]);
    expect(facts.repositories[0]).toMatchObject({
      withheld: expect.stringContaining(
        'belongs to component:default/payments-api',
      ),
      settings: { ok: true, value: null },
    });
    expect(facts.repositories[0].lifecyclePolicy).toBeUndefined();
    expect(facts.repositories[0].images).toBeUndefined();
    expect(checks['repository-owner']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        'belongs to component:default/payments-api (tag backstage.io/entity-ref), not to this entity',
      ),
    });
    for (const id of ['repository-exists', 'scan-on-push', 'images-present']) {
      expect(checks[id].status).toBe('unknown');
      expect(checks[id].detail).toMatch(/^Not checked: /);
    }
    // The entity's own role is simulated on the token only, not on team B's repository.
    const simulated = facts.pushPermissions?.ok
      ? facts.pushPermissions.value.map(d => d.resource)
      : [];
    expect(new Set(simulated)).toEqual(new Set(['*']));
  });

  it('reads its own repository in full beside another team’s', async () => {
    const { facts, checks } = await gather({
      repositories: [POC_REPO, TEAM_B_REPO],
      codeBuildProject: POC_PROJECT,
    });
    // One of each read: for proof-of-concept-repo alone.
    for (const read of REPOSITORY_READS) {
      expect({ read, calls: emulator.calls()[read] }).toEqual({
        read,
        calls: 1,
      });
    }
    expect(facts.repositories.map(r => Boolean(r.withheld))).toEqual([
      false,
      true,
    ]);
    expect(checks['scan-on-push'].status).not.toBe('pass');
    expect(checks['scan-on-push'].detail).toContain(
      'Not checked: Repository payments-api belongs to component:default/payments-api',
    );
    const simulated = facts.pushPermissions?.ok
      ? facts.pushPermissions.value.map(d => d.resource)
      : [];
    expect(simulated).toContain(POC_REPO.arn);
    expect(simulated).not.toContain(TEAM_B_REPO.arn);
  });

  it('asks IAM nothing at all about a role outside ecr.iam.allowedRoleArnPatterns', async () => {
    const { facts, checks } = await gather({
      repositories: [POC_REPO],
      pushRole: refs.role('Admin'),
    });
    expect(
      Object.keys(emulator.calls()).filter(c => c.startsWith('iam:')),
    ).toEqual([]);
    expect(facts.pushRole.role).toBeUndefined();
    expect(facts.pushRole.withheld).toContain(
      'matches none of ecr.iam.allowedRoleArnPatterns',
    );
    expect(facts.pushPermissions).toBeUndefined();
    expect(facts.attachedPolicies).toBeUndefined();
    expect(checks['push-role-owner'].status).toBe('unknown');
    expect(checks['push-permissions']).toMatchObject({
      status: 'unknown',
      detail: expect.stringMatching(/^Not checked: /),
    });
  });

  it('asks IAM nothing about the service role of a CodeBuild project when it is outside the patterns', async () => {
    const { facts } = await gather({
      repositories: [POC_REPO],
      codeBuildProject: refs.project('codebuild-runs-as-admin'),
    });
    expect(emulator.calls()['codebuild:BatchGetProjects']).toBe(1);
    expect(
      Object.keys(emulator.calls()).filter(c => c.startsWith('iam:')),
    ).toEqual([]);
    expect(facts.pushRole.withheld).toContain('role/Admin matches none');
  });

  it('reads who another team’s role belongs to, and none of its permissions', async () => {
    const { facts, checks } = await gather({
      repositories: [POC_REPO],
      pushRole: TEAM_B_ROLE,
    });
    expect(emulator.calls()['iam:GetRole']).toBe(1);
    expect(called(ROLE_INSPECTION)).toEqual([]);
    expect(facts.pushPermissions).toBeUndefined();
    expect(checks['push-role-owner']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        `The role belongs to ${TEAM_B} (tag backstage.io/owner), not to this entity`,
      ),
    });
    expect(checks['push-permissions'].status).toBe('unknown');
    expect(checks['codebuild-managed-policy'].status).toBe('unknown');
  });

  it('does not inspect another team’s role behind the entity’s own project: the role’s tags win', async () => {
    const { checks } = await gather({
      repositories: [POC_REPO],
      codeBuildProject: refs.project('codebuild-borrows-team-b-role'),
    });
    expect(emulator.calls()['iam:GetRole']).toBe(1);
    expect(called(ROLE_INSPECTION)).toEqual([]);
    expect(checks['push-role-owner'].status).toBe('fail');
  });

  it('does not inspect a role bound to another team under a binding key in another case', async () => {
    // IAM tag keys ignore case: to IAM this is the owner tag, and it wins
    // over the project's.
    const role = roleIn(emulator, POC_ROLE);
    role.tags = [{ Key: 'Backstage.io/Owner', Value: TEAM_B }];
    try {
      const { checks } = await gather({
        repositories: [POC_REPO],
        codeBuildProject: POC_PROJECT,
      });
      expect(called(ROLE_INSPECTION)).toEqual([]);
      expect(checks['push-role-owner']).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`belongs to ${TEAM_B}`),
      });
    } finally {
      role.tags = [];
    }
  });

  it('does not inspect an untagged role whose project is another team’s', async () => {
    const { checks } = await gather({
      repositories: [POC_REPO],
      codeBuildProject: refs.project('codebuild-team-b-builder'),
    });
    expect(called(ROLE_INSPECTION)).toEqual([]);
    expect(checks['push-role-owner']).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        `its CodeBuild project belongs to ${TEAM_B}`,
      ),
    });
  });

  it('simulates the untagged role of a project bound to the entity’s owner', async () => {
    const { facts, checks } = await gather({
      repositories: [POC_REPO],
      codeBuildProject: POC_PROJECT,
    });
    expect(emulator.calls()['iam:GetRole']).toBe(1);
    // One simulation for the repository, one for the token.
    expect(emulator.calls()['iam:SimulatePrincipalPolicy']).toBe(2);
    expect(emulator.calls()['iam:ListAttachedRolePolicies']).toBe(1);
    expect(facts.pushPermissions).toMatchObject({ ok: true });
    expect(checks['push-role-owner']).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining(
        "has no binding tag of its own; it is this entity's because its CodeBuild project codebuild-proof-of-concept-snapshot belongs to group:default/team-a",
      ),
    });
    expect(checks['repository-owner'].status).toBe('pass');
    expect(checks['push-permissions'].status).toBe('fail');
  });

  describe('an unbound repository, by ecr.ownership.unbound', () => {
    const annotations = {
      repositories: [refs.repository('checkout-web')],
    };

    it('read-only (the default): read, with repository-owner failing', async () => {
      const { facts, checks } = await gather(annotations, SUBJECTS.checkoutWeb);
      expect(facts.repositories[0].withheld).toBeUndefined();
      expect(emulator.calls()['ecr:DescribeRepositories']).toBe(1);
      expect(checks['repository-owner']).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('is unbound'),
        remedy: expect.stringContaining(
          'aws ecr tag-resource --region eu-west-2 --resource-arn arn:aws:ecr:eu-west-2:123412341234:repository/checkout-web --tags Key=backstage.io/entity-ref,Value=component:default/checkout-web',
        ),
      });
    });

    it('allow: read, with repository-owner warning', async () => {
      const allow = serviceFor(emulator, { ownership: { unbound: 'allow' } });
      try {
        const { checks } = await gather(
          annotations,
          SUBJECTS.checkoutWeb,
          allow.service,
        );
        expect(emulator.calls()['ecr:DescribeRepositories']).toBe(1);
        expect(checks['repository-owner'].status).toBe('warn');
      } finally {
        allow.clients.destroy();
      }
    });

    it('deny: nothing but its tags is read', async () => {
      const deny = serviceFor(emulator, { ownership: { unbound: 'deny' } });
      try {
        const { facts, checks } = await gather(
          annotations,
          SUBJECTS.checkoutWeb,
          deny.service,
        );
        expect(called(REPOSITORY_READS)).toEqual([]);
        expect(facts.repositories[0].withheld).toContain(
          'unbound repositories are not shown (ecr.ownership.unbound: deny)',
        );
        expect(checks['repository-owner'].status).toBe('fail');
        expect(checks['repository-exists'].status).toBe('unknown');
      } finally {
        deny.clients.destroy();
      }
    });
  });
});
