import { SetupCheck, SETUP_CHECK_IDS } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from '../setup/facts';
import { checkAnnotationValid } from './annotationValid';
import { CHECK_TITLES, result, SetupCheckFunction } from './checkResult';
import { checkCodeBuildManagedPolicy } from './codebuildManagedPolicy';
import { checkEncryption } from './encryption';
import { checkImagesPresent } from './imagesPresent';
import { checkLifecyclePolicy } from './lifecyclePolicy';
import { checkNotRootCredentials } from './notRootCredentials';
import { checkPushPermissions } from './pushPermissions';
import { checkPushRoleFound } from './pushRoleFound';
import { checkRepositoryExists } from './repositoryExists';
import { checkScanOnPush } from './scanOnPush';
import { checkTagImmutability } from './tagImmutability';

/** Every check, by its stable id (DESIGN §6). */
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
};

/**
 * Evaluates every setup check, in the order of DESIGN §6. When the annotations
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
  return SETUP_CHECK_IDS.map(id => SETUP_CHECKS[id](facts));
}

export { CHECK_TITLES } from './checkResult';
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
