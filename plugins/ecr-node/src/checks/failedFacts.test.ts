import { SetupCheck, SetupCheckId } from '@backstage-ecr/plugin-ecr-common';
import {
  allowRemedy,
  describeFailure,
  FailedFact,
  failureRemedy,
} from '../aws/call';
import { isAwsCode } from '../aws/errors';
import { SetupFacts } from '../setup/facts';
import { failedFacts, transientFailures } from '../setup/gatherSetupFacts';
import { evaluateSetupChecks, unknownChecks } from '.';
import {
  deniedFact,
  FAILURES,
  goodRepository,
  passingFacts,
} from './__testUtils__/facts';

// Every kind of failure, in every fact the checks read: the checks that need
// the fact are unknown and word it by its kind; the others are unchanged.

const KINDS: Record<string, (operation: string) => FailedFact> = {
  denied: operation => deniedFact(operation) as FailedFact,
  ...FAILURES,
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

/** Each fact broken as the gatherer records the failure, and the checks that need it. */
const SLOTS: Array<{
  operation: string;
  dependent: SetupCheckId[];
  /** The actions a refusal asks for, when more than the operation. */
  required?: string[];
  fail: (facts: SetupFacts, failure: FailedFact) => void;
}> = [
  {
    operation: 'ecr:ListTagsForResource',
    dependent: ['repository-owner', ...PER_REPOSITORY],
    fail: (facts, failure) => {
      const { lifecyclePolicy, images, ...repository } = goodRepository();
      facts.repositories = [
        {
          ...repository,
          tags: failure,
          settings: failure,
          withheld: `who payments-api belongs to is unknown: ${describeFailure(
            failure,
          )}`,
        },
      ];
    },
  },
  {
    operation: 'ecr:DescribeRepositories',
    dependent: PER_REPOSITORY.filter(id => id !== 'push-permissions'),
    fail: (facts, failure) => {
      const { lifecyclePolicy, images, ...repository } = goodRepository();
      facts.repositories = [{ ...repository, settings: failure }];
    },
  },
  {
    operation: 'ecr:GetLifecyclePolicy',
    dependent: ['lifecycle-policy'],
    fail: (facts, failure) => {
      facts.repositories[0].lifecyclePolicy = failure;
    },
  },
  {
    operation: 'ecr:DescribeImages',
    dependent: ['images-present'],
    fail: (facts, failure) => {
      facts.repositories[0].images = failure;
    },
  },
  {
    operation: 'codebuild:BatchGetProjects',
    dependent: ROLE_CHECKS,
    fail: (facts, failure) => {
      facts.pushRole = {
        codeBuildProject: {
          ...facts.pushRole.codeBuildProject!,
          lookup: failure,
        },
      };
      delete facts.pushPermissions;
      delete facts.attachedPolicies;
    },
  },
  {
    operation: 'iam:GetRole',
    dependent: ROLE_CHECKS,
    fail: (facts, failure) => {
      facts.pushRole.role = failure;
      facts.pushRole.withheld = `who the role belongs to is unknown: ${describeFailure(
        failure,
      )}`;
      delete facts.pushPermissions;
      delete facts.attachedPolicies;
    },
  },
  {
    operation: 'iam:SimulatePrincipalPolicy',
    dependent: ['push-permissions'],
    fail: (facts, failure) => {
      facts.pushPermissions = failure;
    },
  },
  {
    operation: 'iam:ListAttachedRolePolicies',
    dependent: ['codebuild-managed-policy'],
    fail: (facts, failure) => {
      facts.attachedPolicies = failure;
    },
  },
  {
    operation: 'iam:GetPolicyVersion',
    dependent: ['codebuild-managed-policy'],
    required: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
    fail: (facts, failure) => {
      if (!facts.attachedPolicies?.ok) throw new Error('no policies');
      facts.attachedPolicies.value[0].document = failure;
    },
  },
  {
    operation: 'sts:GetCallerIdentity',
    dependent: ['not-root-credentials'],
    fail: (facts, failure) => {
      facts.callerIdentities[0].identity = failure;
    },
  },
];

function byId(checks: SetupCheck[]): Record<string, SetupCheck> {
  return Object.fromEntries(checks.map(c => [c.id, c]));
}

describe('a failed fact costs the checks that need it, worded by its kind', () => {
  const passing = byId(evaluateSetupChecks(passingFacts()));

  it.each(
    SLOTS.flatMap(slot =>
      Object.keys(KINDS).map(kind => [slot, kind] as const),
    ),
  )('%s: %s', (slot, kind) => {
    const failure = KINDS[kind](slot.operation);
    const facts = passingFacts();
    slot.fail(facts, failure);
    expect(failedFacts(facts)).toEqual([failure]);
    expect(transientFailures(facts)).toEqual(
      failure.transient ? [failure] : [],
    );

    const checks = evaluateSetupChecks(facts);
    const results = byId(checks);
    expect(
      unknownChecks(checks)
        .map(c => c.id)
        .sort(),
    ).toEqual([...slot.dependent].sort());
    const others = Object.keys(passing).filter(
      id => !slot.dependent.includes(id as SetupCheckId),
    );
    for (const id of others) {
      expect({ id, check: results[id] }).toEqual({ id, check: passing[id] });
    }
    // Each dependent check names the operation, the HTTP status and the AWS
    // code (not the SDK's name for an answer without one).
    const says = [
      slot.operation,
      ...(failure.httpStatus ? [`HTTP ${failure.httpStatus}`] : []),
      ...(isAwsCode(failure.awsCode) ? [failure.awsCode] : []),
    ];
    const neverSays = isAwsCode(failure.awsCode) ? [] : [failure.awsCode];
    for (const id of slot.dependent) {
      const { detail } = results[id];
      for (const words of says) {
        expect({ id, detail }).toEqual({
          id,
          detail: expect.stringContaining(words),
        });
      }
      for (const words of neverSays) {
        expect({ id, detail }).toEqual({
          id,
          detail: expect.not.stringContaining(words),
        });
      }
    }
    // Only a refusal says "may not call" and asks for actions.
    const denied = failure.kind === 'denied';
    expect(checks.some(c => c.detail.includes('may not call'))).toBe(denied);
    const asking = checks.filter(c => c.requiredActions).map(c => c.id);
    expect(asking.every(id => slot.dependent.some(d => d === id))).toBe(true);
    expect(asking.length > 0).toBe(denied);
    // The check that reads the fact first says what to do.
    const required = slot.required ?? [slot.operation];
    const first = results[slot.dependent[0]];
    expect(first.requiredActions).toEqual(denied ? required : undefined);
    expect(first.remedy).toEqual(
      denied ? allowRemedy(required) : failureRemedy(failure),
    );
  });

  it('words each kind as it is', () => {
    const op = 'iam:SimulatePrincipalPolicy';
    const words = (failure: FailedFact) => {
      const facts = passingFacts();
      facts.pushPermissions = failure;
      const check = byId(evaluateSetupChecks(facts))['push-permissions'];
      return { detail: check.detail.split(', so ')[0], remedy: check.remedy };
    };
    expect(words(deniedFact(op) as FailedFact)).toEqual({
      detail: `Backstage may not call ${op} (HTTP 403, AccessDenied)`,
      remedy: `Allow the role Backstage uses ${op} (see the least-privilege policy in the ECR backend plugin's README).`,
    });
    expect(words(FAILURES.serviceFailure(op))).toEqual({
      detail: `AWS failed ${op} (HTTP 500, ServiceFailureException)`,
      remedy: 'AWS failed; try again shortly.',
    });
    expect(words(FAILURES.html500(op))).toEqual({
      detail: `${op} failed (HTTP 500, no AWS error code): the endpoint failed, or does not implement it`,
      remedy: `The endpoint failed, or does not implement ${op}: try again shortly, and if it keeps failing, check that the endpoint Backstage calls (ecr.endpoint, when set) implements it.`,
    });
    expect(words(FAILURES.notImplemented(op))).toEqual({
      detail: `The AWS endpoint does not implement ${op} (HTTP 501, no AWS error code)`,
      remedy: `The endpoint Backstage calls does not implement ${op}: point Backstage at one that does (ecr.endpoint); until then this check cannot run.`,
    });
    expect(words(FAILURES.throttled(op))).toEqual({
      detail: `AWS throttled ${op} through every retry (HTTP 400, ThrottlingException)`,
      remedy: 'AWS is throttling Backstage’s calls; try again shortly.',
    });
    expect(words(FAILURES.unreachable(op))).toEqual({
      detail: `Backstage could not reach the IAM endpoint for ${op} (ECONNREFUSED)`,
      remedy:
        "Backstage could not reach the IAM endpoint: check Backstage's network access to AWS (and ecr.endpoint, when set), then try again.",
    });
  });

  it('names the refused action beside the called one when AWS names another', () => {
    const facts = passingFacts();
    facts.repositories[0].images = {
      ...(deniedFact('ecr:DescribeImages') as FailedFact),
      kind: 'denied',
      deniedAction: 'kms:Decrypt',
    };
    const check = byId(evaluateSetupChecks(facts))['images-present'];
    expect(check).toMatchObject({
      status: 'unknown',
      detail:
        'Backstage may not call kms:Decrypt, which ecr:DescribeImages needs (HTTP 403, AccessDenied).',
      requiredActions: ['kms:Decrypt'],
    });
  });

  it('gives one remedy for several repositories failing alike', () => {
    const facts = passingFacts();
    const other = goodRepository(
      'arn:aws:ecr:eu-west-2:123412341234:repository/payments-worker',
    );
    facts.repositories = [
      { ...goodRepository(), images: FAILURES.throttled('ecr:DescribeImages') },
      { ...other, images: FAILURES.throttled('ecr:DescribeImages') },
    ];
    const check = byId(evaluateSetupChecks(facts))['images-present'];
    expect(check.detail.split('\n')).toEqual([
      'payments-api: AWS throttled ecr:DescribeImages through every retry (HTTP 400, ThrottlingException).',
      'payments-worker: AWS throttled ecr:DescribeImages through every retry (HTTP 400, ThrottlingException).',
    ]);
    expect(check.remedy).toBe(
      'AWS is throttling Backstage’s calls; try again shortly.',
    );
  });

  it('counts the checks that could not answer', () => {
    const facts = passingFacts();
    facts.pushPermissions = FAILURES.html500('iam:SimulatePrincipalPolicy');
    facts.callerIdentities[0].identity = FAILURES.unreachable(
      'sts:GetCallerIdentity',
    );
    expect(unknownChecks(evaluateSetupChecks(facts)).map(c => c.id)).toEqual([
      'push-permissions',
      'not-root-credentials',
    ]);
    expect(
      unknownChecks([
        { id: 'encryption', status: 'pass' },
        { id: 'scan-on-push', status: 'unknown' },
      ] as const),
    ).toEqual([{ id: 'scan-on-push', status: 'unknown' }]);
  });

  it('lists a repository’s tag failure once, though its settings carry it too', () => {
    const facts = passingFacts();
    SLOTS[0].fail(facts, FAILURES.serviceFailure('ecr:ListTagsForResource'));
    facts.pushPermissions = deniedFact('iam:SimulatePrincipalPolicy');
    expect(failedFacts(facts).map(f => f.operation)).toEqual([
      'ecr:ListTagsForResource',
      'iam:SimulatePrincipalPolicy',
    ]);
    expect(transientFailures(facts).map(f => f.operation)).toEqual([
      'ecr:ListTagsForResource',
    ]);
  });
});

describe('failedFacts', () => {
  it('lists a repository’s tag failure once after a trip through JSON too', () => {
    const facts = passingFacts();
    SLOTS[0].fail(facts, FAILURES.html500('ecr:ListTagsForResource'));
    const cached: SetupFacts = JSON.parse(JSON.stringify(facts));
    expect(failedFacts(cached)).toEqual([
      FAILURES.html500('ecr:ListTagsForResource'),
    ]);
  });

  it('lists the same failure of two repositories twice', () => {
    const facts = passingFacts();
    facts.repositories = [
      { ...goodRepository(), images: FAILURES.throttled('ecr:DescribeImages') },
      {
        ...goodRepository(
          'arn:aws:ecr:eu-west-2:123412341234:repository/payments-worker',
        ),
        images: FAILURES.throttled('ecr:DescribeImages'),
      },
    ];
    expect(transientFailures(facts)).toHaveLength(2);
  });
});
