import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { SetupCheckStatus } from '@backstage-ecr/plugin-ecr-common';
import { SetupFacts } from './setup/facts';

/**
 * What a check an adopter adds answers: like a built-in check, a status, what
 * it saw, and what to do when it does not pass.
 *
 * @public
 */
export interface EcrSetupCheckResult {
  status: SetupCheckStatus;
  detail: string;
  remedy?: string;
}

/**
 * A setup check an adopter adds to every entity's checklist and to the
 * platform audit. Like the built-in checks it is a pure function of the facts
 * Backstage gathered from AWS for the entity (only of resources the entity may
 * read), so it costs no AWS call; it runs after the built-in checks. A check
 * that throws is shown as `unknown` with the error's message.
 *
 * @public
 */
export interface EcrSetupCheck {
  /** A stable kebab-case id, none of the built-in ids (`SETUP_CHECK_IDS`). */
  id: string;
  /** What the checklist and the audit show for it. */
  title: string;
  evaluate(facts: SetupFacts): EcrSetupCheckResult;
}

/**
 * Lets backend modules add setup checks to the ECR backend plugin.
 *
 * @public
 */
export interface EcrSetupChecksExtensionPoint {
  addSetupCheck(...checks: EcrSetupCheck[]): void;
}

/**
 * The extension point of the ECR backend plugin (`ecr`) for extra setup
 * checks, used from a backend module:
 *
 * ```ts
 * createBackendModule({
 *   pluginId: 'ecr',
 *   moduleId: 'cost-tags',
 *   register(env) {
 *     env.registerInit({
 *       deps: { checks: ecrSetupChecksExtensionPoint },
 *       async init({ checks }) {
 *         checks.addSetupCheck({ id: 'cost-tags', title: 'Cost tags', evaluate });
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const ecrSetupChecksExtensionPoint =
  createExtensionPoint<EcrSetupChecksExtensionPoint>({
    id: 'ecr.setup-checks',
  });
