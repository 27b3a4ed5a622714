import {
  SetupCheck,
  SetupCheckId,
  SetupCheckStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { RepositoryFacts, SetupFacts } from '../setup/facts';

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

/** The check could not run because Backstage's identity lacks these actions. */
export function denied(
  id: SetupCheckId,
  detail: string,
  requiredActions: string[],
): SetupCheck {
  const actions = [...new Set(requiredActions)].sort();
  return result(id, 'unknown', detail, {
    requiredActions: actions,
    remedy: allowRemedy(actions),
  });
}

/** What to do when Backstage's own identity lacks actions. */
export function allowRemedy(actions: string[]): string {
  return `Allow the role Backstage uses ${[...new Set(actions)]
    .sort()
    .join(
      ', ',
    )} (see the least-privilege policy in the ECR backend plugin's README).`;
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
      requiredActions.push(repository.settings.deniedAction);
      verdicts.push({
        name: repository.name,
        status: 'unknown',
        detail: `Backstage may not call ${repository.settings.deniedAction} on ${repository.name}.`,
        remedy: allowRemedy([repository.settings.deniedAction]),
        requiredActions: [repository.settings.deniedAction],
      });
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
  const remedies = verdicts
    .filter(v => v.status !== 'pass' && v.remedy)
    .map(v => v.remedy!);
  const actions = [...new Set(requiredActions)].sort();
  return result(id, status, detail, {
    ...(status !== 'pass' &&
      remedies.length && { remedy: remedies.join('\n\n') }),
    ...(actions.length && { requiredActions: actions }),
  });
}
