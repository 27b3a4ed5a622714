import {
  SetupCheck,
  SetupCheckId,
  SETUP_CHECK_IDS,
} from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { checkAnnotationValid } from './annotationValid';
import { resourceBindings } from './bindings';
import { CHECK_TITLES, result, SetupCheckFunction, worst } from './checkResult';
import { checkCodeBuildManagedPolicy } from './codebuildManagedPolicy';
import { checkEncryption } from './encryption';
import { checkImagesPresent } from './imagesPresent';
import { checkLifecyclePolicy } from './lifecyclePolicy';
import { checkNotRootCredentials } from './notRootCredentials';
import { checkPushPermissions } from './pushPermissions';
import { checkPushRoleFound } from './pushRoleFound';
import { checkPushRoleOwner } from './pushRoleOwner';
import { checkRepositoryOwner } from './repositoryOwner';
import { checkRepositoryExists } from './repositoryExists';
import { checkScanOnPush } from './scanOnPush';
import { checkTagImmutability } from './tagImmutability';

/** Every check, by its stable id (docs/architecture.md, "Setup checks"). */
export const SETUP_CHECKS: Record<
  (typeof SETUP_CHECK_IDS)[number],
  SetupCheckFunction
> = {
  'annotation-valid': checkAnnotationValid,
  'repository-exists': checkRepositoryExists,
  'scan-on-push': checkScanOnPush,
  'tag-immutability': checkTagImmutability,
  'lifecycle-policy': checkLifecyclePolicy,
  encryption: checkEncryption,
  'push-role-found': checkPushRoleFound,
  'push-permissions': checkPushPermissions,
  'codebuild-managed-policy': checkCodeBuildManagedPolicy,
  'not-root-credentials': checkNotRootCredentials,
  'images-present': checkImagesPresent,
  'repository-owner': checkRepositoryOwner,
  'push-role-owner': checkPushRoleOwner,
};

/** The checks that look into each repository, and so skip those withheld. */
const PER_REPOSITORY_CHECKS: ReadonlySet<SetupCheckId> = new Set([
  'repository-exists',
  'scan-on-push',
  'tag-immutability',
  'lifecycle-policy',
  'encryption',
  'images-present',
  'push-permissions',
]);

/**
 * Evaluates every setup check, in the order of docs/architecture.md, "Setup checks". When the annotations
 * do not parse nothing was asked of AWS, and every other check says so.
 */
export function evaluateSetupChecks(facts: SetupFacts): SetupCheck[] {
  if (!facts.annotations.ok) {
    return SETUP_CHECK_IDS.map(id =>
      id === 'annotation-valid'
        ? checkAnnotationValid(facts)
        : result(
            id,
            'unknown',
            `Not checked: the annotations are not valid (see "${CHECK_TITLES['annotation-valid']}").`,
          ),
    );
  }
  const withheld = facts.repositories.filter(r => r.withheld);
  if (!withheld.length) {
    return withBindings(
      facts,
      SETUP_CHECK_IDS.map(id => SETUP_CHECKS[id](facts)),
    );
  }
  // Repositories the entity may not read are left out of the checks that
  // look into them, each of which says why.
  const readable: SetupFacts = {
    ...facts,
    repositories: facts.repositories.filter(r => !r.withheld),
  };
  const notes = withheld.map(r => `Not checked: ${r.withheld}.`).join('\n');
  return withBindings(
    facts,
    SETUP_CHECK_IDS.map(id => {
      if (!PER_REPOSITORY_CHECKS.has(id)) return SETUP_CHECKS[id](facts);
      if (!readable.repositories.length) {
        return result(id, 'unknown', notes, {
          remedy: `See "${CHECK_TITLES['repository-owner']}".`,
        });
      }
      const check = SETUP_CHECKS[id](readable);
      return {
        ...check,
        status: worst([check.status, 'unknown']),
        detail: `${check.detail}\n${notes}`,
      };
    }),
  );
}

/**
 * The owner checks carry each resource's binding as data, so that a client
 * can tell what a claim would bind without reading the detail's words.
 */
function withBindings(facts: SetupFacts, checks: SetupCheck[]): SetupCheck[] {
  const bindings = resourceBindings(facts);
  const of = (kind: 'repository' | 'role') =>
    bindings.filter(b => b.kind === kind);
  return checks.map(check => {
    if (check.id === 'repository-owner' && of('repository').length) {
      return { ...check, bindings: of('repository') };
    }
    if (check.id === 'push-role-owner' && of('role').length) {
      return { ...check, bindings: of('role') };
    }
    return check;
  });
}

export { CHECK_TITLES, unknownChecks } from './checkResult';
export type { SetupCheckFunction } from './checkResult';
export { checkAnnotationValid } from './annotationValid';
export { checkRepositoryExists } from './repositoryExists';
export { checkScanOnPush } from './scanOnPush';
export { checkTagImmutability } from './tagImmutability';
export {
  checkLifecyclePolicy,
  EXPIRE_UNTAGGED_LIFECYCLE_POLICY,
} from './lifecyclePolicy';
export { checkEncryption } from './encryption';
export { checkPushRoleFound } from './pushRoleFound';
export { checkPushPermissions } from './pushPermissions';
export { checkCodeBuildManagedPolicy } from './codebuildManagedPolicy';
export { checkNotRootCredentials } from './notRootCredentials';
export { checkImagesPresent } from './imagesPresent';
export { checkRepositoryOwner } from './repositoryOwner';
export { checkPushRoleOwner } from './pushRoleOwner';
export { resourceBindings } from './bindings';
