import {
  SetupCheck,
  SetupCheckId,
  SetupCheckStatus,
} from '@backstage-ecr/plugin-ecr-common';
import {
  allowRemedy,
  describeFailure,
  FailedFact,
  failureRemedy,
  sentence,
} from '../aws/call';
import { RepositoryFacts, SetupFacts } from '../setup/facts';

export { allowRemedy } from '../aws/call';

/** A setup check: a pure function from the gathered facts to one result. */
export type SetupCheckFunction = (facts: SetupFacts) => SetupCheck;

/** What each check is about, as the checklist shows it. */
export const CHECK_TITLES: Record<SetupCheckId, string> = {
  'annotation-valid': 'ECR annotations are valid',
  'repository-exists': 'The repository exists',
  'scan-on-push': 'Images are scanned on push',
  'tag-immutability': 'Image tags are immutable',
  'lifecycle-policy': 'A lifecycle policy cleans up old images',
  encryption: 'Images are encrypted at rest',
  'push-role-found': 'The pushing role is known',
  'push-permissions': 'The pushing role may push images',
  'codebuild-managed-policy':
    'Push access is not in the CodeBuild-managed policy',
  'not-root-credentials': 'Backstage does not use root credentials',
  'images-present': 'Images have been pushed',
  'repository-owner': 'The repositories belong to this entity',
  'push-role-owner': 'The pushing role belongs to this entity',
};

/** A result with its title filled in. */
export function result(
  id: SetupCheckId,
  status: SetupCheckStatus,
  detail: string,
  extra: Pick<
    SetupCheck,
    'remedy' | 'requiredActions' | 'missingActions' | 'bindings'
  > = {},
): SetupCheck {
  return { id, status, title: CHECK_TITLES[id], detail, ...extra };
}

/**
 * A check that could not run because AWS calls it needs failed: `unknown`,
 * with `detail` (which names each failure, see {@link describeFailure}), the
 * remedy each kind of failure calls for and, for refusals, the IAM actions
 * Backstage's identity needs (with `alsoRequired`, actions the same reads
 * need beside the refused one).
 */
export function factUnknown(
  id: SetupCheckId,
  failed: FailedFact | FailedFact[],
  detail: string,
  options: { alsoRequired?: string[] } = {},
): SetupCheck {
  return result(
    id,
    'unknown',
    detail,
    failureGuidance([failed].flat(), options.alsoRequired),
  );
}

/** One repository's verdict when a call it needs failed. */
export function factVerdict(
  fact: FailedFact,
  detail: string,
): RepositoryVerdict {
  return { status: 'unknown', detail, ...failureGuidance([fact]) };
}

/** What to do about failed facts: one remedy per kind, and the refused actions. */
function failureGuidance(
  facts: FailedFact[],
  alsoRequired: string[] = [],
): Pick<SetupCheck, 'remedy' | 'requiredActions'> {
  const refused = facts.flatMap(f =>
    f.kind === 'denied' ? [f.deniedAction] : [],
  );
  const actions = refused.length
    ? [...new Set([...refused, ...alsoRequired])].sort()
    : [];
  const remedies = [
    ...new Set([
      ...(actions.length ? [allowRemedy(actions)] : []),
      ...facts.filter(f => f.kind !== 'denied').map(failureRemedy),
    ]),
  ];
  return {
    ...(remedies.length && { remedy: remedies.join('\n\n') }),
    ...(actions.length && { requiredActions: actions }),
  };
}

/** Each failure named, one sentence, for a detail. */
export function failureSentence(fact: FailedFact, on?: string): string {
  return `${sentence(describeFailure(fact, on))}.`;
}

/**
 * The failed CodeBuild lookup, when that is why no pushing role is known: the
 * checks of the role then name the failure rather than a missing role.
 */
export function projectLookupFailure(
  facts: SetupFacts,
): FailedFact | undefined {
  const lookup = facts.pushRole.codeBuildProject?.lookup;
  return lookup && !lookup.ok && !facts.pushRole.candidateRoleArn
    ? lookup
    : undefined;
}

/** "Not checked: …, so the pushing role is unknown (see …)." */
export function roleUnknownDetail(failed: FailedFact): string {
  return `Not checked: ${describeFailure(
    failed,
  )}, so the pushing role is unknown (see "${
    CHECK_TITLES['push-role-found']
  }").`;
}

/**
 * The checks that could not answer (`unknown`): for counting, per check,
 * how often a run could not tell.
 */
export function unknownChecks<C extends Pick<SetupCheck, 'id' | 'status'>>(
  checks: readonly C[],
): C[] {
  return checks.filter(c => c.status === 'unknown');
}

const SEVERITY: Record<SetupCheckStatus, number> = {
  pass: 0,
  unknown: 1,
  warn: 2,
  fail: 3,
};

/** The worst of several statuses: fail, then warn, then unknown, then pass. */
export function worst(statuses: SetupCheckStatus[]): SetupCheckStatus {
  return statuses.reduce<SetupCheckStatus>(
    (a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a),
    'pass',
  );
}

/** One repository's verdict for a per-repository check. */
export interface RepositoryVerdict {
  status: SetupCheckStatus;
  detail: string;
  remedy?: string;
  requiredActions?: string[];
}

/**
 * Runs a per-repository check over every annotated repository and merges the
 * verdicts: the worst status, each repository's detail, every remedy.
 * Repositories that do not exist are left to `repository-exists`; when none
 * exists the check is `unknown`.
 */
export function perRepository(
  id: SetupCheckId,
  facts: SetupFacts,
  verdict: (
    repository: RepositoryFacts,
    settings: NonNullable<
      Extract<RepositoryFacts['settings'], { ok: true }>['value']
    >,
  ) => RepositoryVerdict,
): SetupCheck {
  const verdicts: Array<RepositoryVerdict & { name: string }> = [];
  const missing: string[] = [];
  const requiredActions: string[] = [];
  for (const repository of facts.repositories) {
    if (!repository.settings.ok) {
      const v = factVerdict(
        repository.settings,
        failureSentence(repository.settings, repository.name),
      );
      requiredActions.push(...(v.requiredActions ?? []));
      verdicts.push({ ...v, name: repository.name });
      continue;
    }
    if (repository.settings.value === null) {
      missing.push(repository.name);
      continue;
    }
    const v = verdict(repository, repository.settings.value);
    requiredActions.push(...(v.requiredActions ?? []));
    verdicts.push({ ...v, name: repository.name });
  }
  const missingNote = missing.length
    ? `${missing.join(', ')} ${
        missing.length === 1 ? 'does' : 'do'
      } not exist yet; create ${
        missing.length === 1 ? 'it' : 'them'
      } first (see "${CHECK_TITLES['repository-exists']}").`
    : '';
  if (!verdicts.length) {
    return result(id, 'unknown', missingNote || 'No repository is annotated.');
  }
  const several = facts.repositories.length > 1;
  const detail = [
    ...verdicts.map(v => (several ? `${v.name}: ${v.detail}` : v.detail)),
    missingNote,
  ]
    .filter(Boolean)
    .join('\n');
  const status = worst(verdicts.map(v => v.status));
  const remedy = remedyOf(verdicts);
  const actions = [...new Set(requiredActions)].sort();
  return result(id, status, detail, {
    ...(status !== 'pass' && remedy && { remedy }),
    ...(actions.length && { requiredActions: actions }),
  });
}

/** The remedies of the verdicts that did not pass, each once. */
export function remedyOf(verdicts: RepositoryVerdict[]): string | undefined {
  const remedies = [
    ...new Set(
      verdicts.filter(v => v.status !== 'pass' && v.remedy).map(v => v.remedy!),
    ),
  ];
  return remedies.length ? remedies.join('\n\n') : undefined;
}

/**
 * Why a check about the pushing role's own policies (`what`) was not run,
 * when the facts about the role were not gathered: it is not known to belong
 * to the entity (withheld), or its CodeBuild project could not be read.
 * Undefined when the role's facts were gathered.
 */
export function roleNotInspected(
  id: SetupCheckId,
  facts: SetupFacts,
  gathered: unknown,
  what: string,
): SetupCheck | undefined {
  if (gathered) return undefined;
  const { withheld, role } = facts.pushRole;
  if (withheld) {
    return role && !role.ok
      ? factUnknown(
          id,
          role,
          `Not checked: ${withheld}, and its ${what} are read only once it is known to belong to this entity.`,
        )
      : result(
          id,
          'unknown',
          `Not checked: ${withheld} (see "${CHECK_TITLES['push-role-owner']}").`,
        );
  }
  const lookupFailed = projectLookupFailure(facts);
  return lookupFailed
    ? factUnknown(id, lookupFailed, roleUnknownDetail(lookupFailed))
    : undefined;
}
