import { Emulator } from '@backstage-ecr/aws-emulator';
import request from 'supertest';
import {
  AUTH_HEADERS,
  startDemoPolicyBackend,
} from './__testUtils__/demoPolicyBackend';
import { ENTITIES, startDemoEmulator } from './__testUtils__/testBackend';

/**
 * Every route × principal with the demo app's policy (docs/architecture.md, "Permissions and scoping"), on
 * `component:default/proof-of-concept`, owned by group team-a: reads follow
 * catalog visibility, writes go to owners and platform-team, the audit
 * (ecr.audit.read, and ecr.audit.run to start a run) and claims to
 * platform-team only; starting a build is an owners' write. Writes run as dry runs and the audit only reads, so
 * the emulator's state never changes.
 */

type Principal = 'none' | 'nonOwner' | 'owner' | 'platformTeam' | 'service';

interface RouteRow {
  route: string;
  method: 'get' | 'post';
  path: string;
  /** Expected status per principal. */
  expected: Record<Principal, number>;
}

const ENTITY = '/api/ecr/entity/default/component/proof-of-concept';
const SCANNED_DIGEST =
  'sha256:34a5077dc2003d7cdf31e1c92244fedb9487aa49f2122a9464a393a9ac4d8db5';

// Backstage's permission client allows a service principal everything its
// token's access restrictions (backend.auth.externalAccess) do not exclude,
// without asking the policy: reads by another backend plugin succeed.
const read = {
  none: 401,
  nonOwner: 200,
  owner: 200,
  platformTeam: 200,
  service: 200,
};
// Writes and the audit are for people (owners, platform-team): the routes
// must refuse a service principal themselves, since the policy never sees it.
const ownerWrite = {
  none: 401,
  nonOwner: 403,
  owner: 200,
  platformTeam: 200,
  service: 403,
};
// The audit routes ask the permission client, like the reads: a service
// principal (a scheduled job in another plugin, say) passes.
const audit = {
  none: 401,
  nonOwner: 403,
  owner: 403,
  platformTeam: 200,
  service: 200,
};
// Claiming tags AWS resources as the entity's: platform-team only, never a
// service principal (the route refuses it, as it does for the other writes).
const platformWrite = {
  none: 401,
  nonOwner: 403,
  owner: 403,
  platformTeam: 200,
  service: 403,
};
const open = {
  none: 200,
  nonOwner: 200,
  owner: 200,
  platformTeam: 200,
  service: 200,
};

const ROUTES: RouteRow[] = [
  {
    route: 'GET images',
    method: 'get',
    path: `${ENTITY}/images`,
    expected: read,
  },
  {
    route: 'GET findings',
    method: 'get',
    path: `${ENTITY}/images/${SCANNED_DIGEST}/findings`,
    expected: read,
  },
  {
    route: 'GET setup',
    method: 'get',
    path: `${ENTITY}/setup`,
    expected: read,
  },
  {
    route: 'POST repository',
    method: 'post',
    path: `${ENTITY}/repository?dryRun=true`,
    expected: ownerWrite,
  },
  {
    route: 'POST repository/settings',
    method: 'post',
    path: `${ENTITY}/repository/settings?dryRun=true`,
    expected: ownerWrite,
  },
  {
    route: 'POST push-access',
    method: 'post',
    path: `${ENTITY}/push-access?dryRun=true`,
    expected: ownerWrite,
  },
  {
    route: 'POST claim',
    method: 'post',
    path: `${ENTITY}/claim?dryRun=true`,
    expected: platformWrite,
  },
  {
    route: 'GET builds',
    method: 'get',
    path: `${ENTITY}/builds`,
    expected: read,
  },
  {
    route: 'POST builds',
    method: 'post',
    path: `${ENTITY}/builds?dryRun=true`,
    expected: ownerWrite,
  },
  {
    route: 'GET /audit',
    method: 'get',
    path: '/api/ecr/audit',
    expected: audit,
  },
  {
    // ecr.audit.run, which the demo policy gives to platform-team alone.
    route: 'POST /audit/run',
    method: 'post',
    // Waits for the run, so that it ends before the next request.
    path: '/api/ecr/audit/run?wait=true',
    expected: audit,
  },
  {
    route: 'GET /audit/history',
    method: 'get',
    path: '/api/ecr/audit/history',
    expected: audit,
  },
  {
    route: 'GET /health',
    method: 'get',
    path: '/api/ecr/health',
    expected: open,
  },
];

const PRINCIPALS: Principal[] = [
  'none',
  'nonOwner',
  'owner',
  'platformTeam',
  'service',
];

const CASES = ROUTES.flatMap(row =>
  PRINCIPALS.map(principal => ({
    ...row,
    principal,
    status: row.expected[principal],
  })),
);

describe('authorization matrix: every route × principal', () => {
  let emulator: Emulator;
  let server: Awaited<ReturnType<typeof startDemoPolicyBackend>>['server'];

  beforeAll(async () => {
    emulator = await startDemoEmulator();
    ({ server } = await startDemoPolicyBackend({
      emulator,
      entities: ENTITIES,
    }));
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it.each(CASES)(
    '$route as $principal → $status',
    async ({ method, path, principal, status }) => {
      let req = request(server)[method](path);
      const header = AUTH_HEADERS[principal];
      if (header) req = req.set('Authorization', header);
      const res = await req;
      expect({
        status: res.status,
        errorMessage: typeof res.body?.error?.message,
        // A 401 is Backstage's own auth barrier's, in its standard shape.
        authenticationError:
          res.body?.error?.name === 'AuthenticationError' &&
          res.body?.response?.statusCode === 401,
      }).toEqual({
        status,
        errorMessage: status >= 400 ? 'string' : 'undefined',
        authenticationError: status === 401,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/"stack"/);
    },
  );

  it('leaves the emulator as seeded: the writes were dry runs', () => {
    const calls = emulator.calls();
    for (const write of [
      'ecr:CreateRepository',
      'iam:PutRolePolicy',
      'ecr:PutLifecyclePolicy',
      'ecr:TagResource',
      'iam:TagRole',
      'codebuild:StartBuild',
      'ecr:PutImageScanningConfiguration',
      'ecr:PutImageTagMutability',
    ]) {
      expect(calls[write] ?? 0).toBe(0);
    }
  });
});
