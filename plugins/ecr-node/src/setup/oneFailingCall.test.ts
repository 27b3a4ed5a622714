import { Emulator } from '@backstage-ecr/aws-emulator';
import {
  EcrAnnotations,
  SetupCheck,
  SetupCheckId,
} from '@backstage-ecr/plugin-ecr-common';
import { FailedFact } from '../aws/call';
import { AwsClients } from '../aws/clients';
import {
  FaultProxy,
  ForeignFault,
  startFaultProxy,
} from '../aws/__testUtils__/faultProxy';
import { DefaultEcrService } from '../service/DefaultEcrService';
import {
  refs,
  serviceFor,
  startWritesEmulator,
  SUBJECTS,
} from '../writes/__testUtils__/writesEmulator';
import { evaluateSetupChecks } from '../checks';
import { EcrConfig } from '../config';
import { SetupFacts } from './facts';
import { SetupFactSource } from './factSource';
import {
  failedFacts,
  gatherSetupFactsFrom,
  ownershipFacts,
  transientFailures,
} from './gatherSetupFacts';

// "One failing call costs one check, never the page or the audit": the real
// SDK over HTTP against the emulator, which fails one operation as AWS does
// (a server error, throttling through every retry) or as a server that is not
// AWS would (its notImplemented HTML 500 page, its xml403 on a JSON service);
// a proxy in front of it drops the connection, or answers HTTP 501, which the
// emulator does not. Gathering always answers; exactly the checks that need
// the broken call are unknown, each naming the operation, the HTTP status and
// the AWS code; every other check is the same as in an unbroken run.

/** Team A's proof-of-concept: its repository, and its CodeBuild project's role with a CodeBuildBasePolicy-* policy. */
const POC: EcrAnnotations = {
  repositories: [refs.repository('proof-of-concept-repo')],
  codeBuildProject: refs.project('codebuild-proof-of-concept-snapshot'),
};

const PER_REPOSITORY: SetupCheckId[] = [
  'repository-exists',
  'scan-on-push',
  'tag-immutability',
  'lifecycle-policy',
  'encryption',
  'images-present',
  'push-permissions',
];

const ROLE_CHECKS: SetupCheckId[] = [
  'push-role-found',
  'push-role-owner',
  'push-permissions',
  'codebuild-managed-policy',
];

/** Every operation behind the checklist, and the checks that need it. */
const DEPENDENT_CHECKS: Record<string, SetupCheckId[]> = {
  // Who the repository belongs to is unknown: nothing else of it is read.
  'ecr:ListTagsForResource': ['repository-owner', ...PER_REPOSITORY],
  'ecr:DescribeRepositories': PER_REPOSITORY.filter(
    id => id !== 'push-permissions',
  ),
  'ecr:GetLifecyclePolicy': ['lifecycle-policy'],
  'ecr:DescribeImages': ['images-present'],
  // No pushing role is known.
  'codebuild:BatchGetProjects': ROLE_CHECKS,
  // Who the role belongs to is unknown: nothing else of it is read.
  'iam:GetRole': ROLE_CHECKS,
  'iam:SimulatePrincipalPolicy': ['push-permissions'],
  'iam:ListAttachedRolePolicies': ['codebuild-managed-policy'],
  'iam:GetPolicy': ['codebuild-managed-policy'],
  'iam:GetPolicyVersion': ['codebuild-managed-policy'],
  'sts:GetCallerIdentity': ['not-root-credentials'],
};
const OPERATIONS = Object.keys(DEPENDENT_CHECKS);

/** How each way of breaking a call shows in the failed fact. */
type Breakage = ForeignFault | 'html500' | 'xml403' | 'server' | 'throttled';
const EXPECTED: Record<
  Exclude<Breakage, 'html501'>,
  (operation: string) => Partial<FailedFact>
> = {
  html500: () => ({
    kind: 'unavailable',
    reason: 'server',
    httpStatus: 500,
    transient: true,
  }),
  xml403: operation => ({
    kind: 'denied',
    deniedAction: operation,
    httpStatus: 403,
    // A Query service reads AWS's code out of the XML; a JSON service cannot.
    awsCode: /^(iam|sts):/.test(operation) ? 'AccessDenied' : 'SyntaxError',
    transient: false,
  }),
  server: operation => ({
    kind: 'unavailable',
    reason: 'server',
    httpStatus: 500,
    awsCode: {
      ecr: 'ServerException',
      codebuild: 'InternalFailure',
      iam: 'ServiceFailureException',
      sts: 'InternalFailure',
    }[operation.split(':')[0]],
    transient: true,
  }),
  throttled: operation => ({
    kind: 'throttled',
    httpStatus: 400,
    awsCode: /^(iam|sts):/.test(operation)
      ? 'Throttling'
      : 'ThrottlingException',
    transient: true,
  }),
  reset: () => ({ kind: 'unreachable', transient: true }),
};

/** What the detail of a dependent check must say of each failure. */
const ON = '( on [^ ]+( [0-9]+)?)?';
const WORDING: Record<Exclude<Breakage, 'html501'>, (op: string) => RegExp> = {
  html500: op =>
    new RegExp(
      `${op} failed${ON} \\(HTTP 500, no AWS error code\\): the endpoint failed, or does not implement it`,
    ),
  xml403: op =>
    new RegExp(
      `Backstage may not call ${op}${ON} \\(HTTP 403, ${
        /^(iam|sts):/.test(op) ? 'AccessDenied' : 'no AWS error code'
      }\\)`,
    ),
  server: op => new RegExp(`AWS failed ${op}${ON} \\(HTTP 500, [A-Za-z]+\\)`),
  throttled: op =>
    new RegExp(
      `AWS throttled ${op}${ON} through every retry \\(HTTP 400, Throttling(Exception)?\\)`,
    ),
  // Node's network errors are of another realm than Jest's, and the SDK
  // wraps them without their code; outside Jest the code (ECONNRESET) shows.
  reset: op =>
    new RegExp(
      `Backstage could not reach the [A-Za-z]+ endpoint for ${op}${ON} \\((ECONNRESET|no HTTP answer)\\)`,
    ),
};

const REMEDY: Record<Exclude<Breakage, 'html501'>, RegExp> = {
  html500: /^The endpoint failed, or does not implement /,
  xml403: /^Allow the role Backstage uses /,
  server: /^AWS failed; try again shortly\.$/,
  throttled: /^AWS is throttling Backstage’s calls; try again shortly\.$/,
  reset: /^Backstage could not reach the [A-Za-z]+ endpoint/,
};

function byId(checks: SetupCheck[]): Record<string, SetupCheck> {
  return Object.fromEntries(checks.map(c => [c.id, c]));
}

describe('one failing AWS call costs the checks that need it, and nothing else', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let clients: AwsClients;
  let service: DefaultEcrService;
  let unbroken: Record<string, SetupCheck>;

  beforeAll(async () => {
    emulator = await startWritesEmulator();
    proxy = await startFaultProxy(emulator.url);
    ({ service, clients } = serviceFor(emulator, { endpoint: proxy.url }));
    unbroken = byId(
      service.evaluateSetupChecks(
        await service.getSetupFacts(
          { ok: true, value: POC },
          SUBJECTS.proofOfConcept,
        ),
      ),
    );
  });

  afterAll(async () => {
    clients.destroy();
    await proxy.stop();
    await emulator.stop();
  });

  const heal = () => {
    proxy.heal();
    emulator.setFaults({
      throttleRate: 0,
      errorRate: 0,
      notImplemented: false,
      xml403: false,
      operations: [],
    });
  };
  afterEach(heal);

  // Throttling is retried by the SDK with waits of up to a second.
  jest.setTimeout(20_000);

  const breakAndGather = async (
    operation: string,
    breakage: Breakage,
  ): Promise<{ facts: SetupFacts; checks: SetupCheck[] }> => {
    emulator.resetCalls();
    const operations = [operation];
    switch (breakage) {
      case 'html500':
        emulator.setFaults({ notImplemented: true, operations });
        break;
      case 'xml403':
        emulator.setFaults({ xml403: true, operations });
        break;
      case 'server':
        emulator.setFaults({ errorRate: 1, operations });
        break;
      case 'throttled':
        emulator.setFaults({ throttleRate: 1, operations });
        break;
      default:
        proxy.breakOperation(operation, breakage);
    }
    const facts = await service.getSetupFacts(
      { ok: true, value: POC },
      SUBJECTS.proofOfConcept,
    );
    return { facts, checks: service.evaluateSetupChecks(facts) };
  };

  it('passes the unbroken run through the proxy as the emulator answers it', () => {
    expect(unbroken['repository-owner'].status).toBe('pass');
    expect(unbroken['push-role-owner'].status).toBe('pass');
    // The role only has the CodeBuild-managed policy, which grants no push.
    expect(unbroken['push-permissions'].status).toBe('fail');
    expect(unbroken['codebuild-managed-policy'].status).toBe('pass');
    expect(unbroken['not-root-credentials'].status).toBe('pass');
    expect(unbroken['images-present'].status).not.toBe('unknown');
    expect(unbroken['lifecycle-policy'].status).not.toBe('unknown');
  });

  const cases = OPERATIONS.flatMap(operation =>
    (['html500', 'xml403', 'server', 'throttled', 'reset'] as const).map(
      breakage => [operation, breakage] as const,
    ),
  );

  it.each(cases)(
    'answers when %s fails (%s), with only its checks unknown',
    async (operation, breakage) => {
      const { facts, checks } = await breakAndGather(operation, breakage);

      // The one failure, as classified.
      const failed = failedFacts(facts);
      expect(failed).toEqual([
        expect.objectContaining({
          ok: false,
          operation,
          ...EXPECTED[breakage](operation),
        }),
      ]);
      const [failure] = failed;
      expect(transientFailures(facts)).toEqual(
        failure.transient ? [failure] : [],
      );

      const dependent = DEPENDENT_CHECKS[operation];
      const results = byId(checks);
      const others = Object.keys(unbroken).filter(
        id => !dependent.includes(id as SetupCheckId),
      );
      for (const id of others) {
        expect({ id, check: results[id] }).toEqual({ id, check: unbroken[id] });
      }
      for (const id of dependent) {
        expect({
          id,
          status: results[id].status,
          detail: results[id].detail,
        }).toEqual({
          id,
          status: 'unknown',
          detail: expect.stringMatching(WORDING[breakage](operation)),
        });
      }
      // Only a refusal says "may not call" and asks for actions.
      const denied = failure.kind === 'denied';
      expect(checks.some(c => c.detail.includes('may not call'))).toBe(denied);
      const asking = checks.filter(c => c.requiredActions).map(c => c.id);
      expect(asking.every(id => dependent.some(d => d === id))).toBe(true);
      expect(asking.length > 0).toBe(denied);
      // The check that reads the fact first says what to do.
      const first = results[dependent[0]];
      expect(first.remedy).toMatch(REMEDY[breakage]);
      const required = operation.startsWith('iam:GetPolicy')
        ? ['iam:GetPolicy', 'iam:GetPolicyVersion']
        : [operation];
      expect(first.requiredActions).toEqual(denied ? required : undefined);
    },
  );

  it('names the failure in full in the owner checks, which carry the binding as unknown', async () => {
    const { checks } = await breakAndGather('iam:GetRole', 'server');
    expect(byId(checks)['push-role-owner']).toMatchObject({
      status: 'unknown',
      detail: `AWS failed iam:GetRole (HTTP 500, ServiceFailureException), so Backstage cannot tell who arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role belongs to; its permissions are not read and no push access is offered.`,
      remedy: 'AWS failed; try again shortly.',
      bindings: [
        {
          kind: 'role',
          arn: 'arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role',
          state: 'unknown',
        },
      ],
    });
    heal();
    const tags = await breakAndGather('ecr:ListTagsForResource', 'html500');
    expect(byId(tags.checks)['repository-owner']).toMatchObject({
      status: 'unknown',
      detail:
        'ecr:ListTagsForResource failed (HTTP 500, no AWS error code): the endpoint failed, or does not implement it, so Backstage cannot tell who the repository belongs to; nothing else of it is read or changed.',
      bindings: [
        {
          kind: 'repository',
          arn: refs.repository('proof-of-concept-repo').arn,
          state: 'unknown',
        },
      ],
    });
    // Withheld: nothing else of the repository was asked.
    expect(emulator.calls()['ecr:DescribeRepositories']).toBeUndefined();
    expect(emulator.calls()['ecr:DescribeImages']).toBeUndefined();
  });

  it('says the endpoint does not implement an operation it answers 501 for, and that it is no passing failure', async () => {
    const { facts, checks } = await breakAndGather(
      'iam:SimulatePrincipalPolicy',
      'html501',
    );
    expect(facts.pushPermissions).toEqual({
      ok: false,
      kind: 'unavailable',
      reason: 'not-implemented',
      operation: 'iam:SimulatePrincipalPolicy',
      awsCode: 'Unknown',
      httpStatus: 501,
      transient: false,
    });
    expect(transientFailures(facts)).toEqual([]);
    expect(byId(checks)['push-permissions']).toEqual({
      id: 'push-permissions',
      status: 'unknown',
      title: 'The pushing role may push images',
      detail: `The AWS endpoint does not implement iam:SimulatePrincipalPolicy (HTTP 501, no AWS error code), so Backstage cannot check what arn:aws:iam::123412341234:role/service-role/codebuild-proof-of-concept-snapshot-service-role may do.`,
      remedy:
        'The endpoint Backstage calls does not implement iam:SimulatePrincipalPolicy: point Backstage at one that does (ecr.endpoint); until then this check cannot run.',
    });
  });

  it('retries an HTML 500 as the SDK does, and leaves what the proxy broke unasked of the emulator', async () => {
    await breakAndGather('ecr:DescribeImages', 'html500');
    // The SDK tried twice (ecr.maxAttempts 2): a 500 is worth retrying.
    expect(emulator.calls()['ecr:DescribeImages']).toBe(2);
    heal();
    await breakAndGather('ecr:DescribeImages', 'reset');
    expect(Object.keys(proxy.broken())).toEqual(['ecr:DescribeImages']);
    expect(emulator.calls()['ecr:DescribeImages']).toBeUndefined();
  });
});

describe('gathering against a source that fails everything', () => {
  const serverError = () =>
    Object.assign(new Error('UnknownError'), {
      name: 'Unknown',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
  const failing = (error: () => unknown): SetupFactSource =>
    new Proxy({} as SetupFactSource, {
      get: () => async () => {
        throw error();
      },
    });
  const ownership = ownershipFacts(
    {
      ownership: {
        entityRefTag: 'backstage.io/entity-ref',
        ownerTag: 'backstage.io/owner',
        unbound: 'read-only',
      },
      allowedRoleArnPatterns: ['arn:aws:iam::*:role/service-role/codebuild-*'],
    } as Pick<EcrConfig, 'ownership' | 'allowedRoleArnPatterns'>,
    SUBJECTS.proofOfConcept,
  );

  it('answers, with every check but the annotations unknown and each failure transient', async () => {
    const facts = await gatherSetupFactsFrom(
      failing(serverError),
      { ok: true, value: POC },
      ownership,
    );
    const checks = evaluateSetupChecks(facts);
    expect(checks.filter(c => c.status !== 'unknown').map(c => c.id)).toEqual([
      'annotation-valid',
    ]);
    expect(
      failedFacts(facts)
        .map(f => f.operation)
        .sort(),
    ).toEqual([
      'codebuild:BatchGetProjects',
      'ecr:ListTagsForResource',
      'sts:GetCallerIdentity',
    ]);
    expect(transientFailures(facts)).toHaveLength(3);
  });

  it('still throws what is not an AWS failure', async () => {
    await expect(
      gatherSetupFactsFrom(
        failing(() => new TypeError('x is not a function')),
        { ok: true, value: POC },
        ownership,
      ),
    ).rejects.toBeInstanceOf(TypeError);
  });
});
