import {
  SetupCheck,
  SETUP_CHECK_IDS,
  SetupCheckStatus,
} from '@backstage-ecr/plugin-ecr-common';
import {
  EcrService,
  EcrSetupCheck,
  SetupFacts,
} from '@backstage-ecr/plugin-ecr-node';

const CHECK_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const STATUSES: ReadonlySet<SetupCheckStatus> = new Set([
  'pass',
  'warn',
  'fail',
  'unknown',
]);

/**
 * Adds a check to those registered through the setup checks extension point,
 * refusing (at startup, so a typo never reaches a page) an id that is not
 * kebab-case, names a built-in check, or is taken.
 */
export function addSetupCheck(
  checks: EcrSetupCheck[],
  check: EcrSetupCheck,
): void {
  if (!CHECK_ID.test(check.id)) {
    throw new Error(
      `An added ECR setup check's id must be kebab-case (a-z, 0-9 and -), not '${check.id}'`,
    );
  }
  if ((SETUP_CHECK_IDS as readonly string[]).includes(check.id)) {
    throw new Error(
      `The ECR setup check '${check.id}' is built in; give the added check another id`,
    );
  }
  if (checks.some(c => c.id === check.id)) {
    throw new Error(`An ECR setup check '${check.id}' was added twice`);
  }
  if (!check.title?.trim() || typeof check.evaluate !== 'function') {
    throw new Error(
      `The added ECR setup check '${check.id}' needs a title and an evaluate function`,
    );
  }
  checks.push(check);
}

/**
 * The added checks' results for one entity's facts. They see only the
 * repositories the entity may read, as the built-in checks do; one that
 * throws or answers something that is not a check result costs only itself.
 */
export function evaluateAddedChecks(
  checks: readonly EcrSetupCheck[],
  facts: SetupFacts,
): SetupCheck[] {
  const readable: SetupFacts = {
    ...facts,
    repositories: facts.repositories.filter(r => !r.withheld),
  };
  return checks.map(check => {
    try {
      const answer = check.evaluate(readable);
      if (!STATUSES.has(answer?.status) || typeof answer.detail !== 'string') {
        throw new Error(
          'it did not answer a status (pass, warn, fail or unknown) and a detail',
        );
      }
      return {
        id: check.id,
        title: check.title,
        status: answer.status,
        detail: answer.detail,
        ...(typeof answer.remedy === 'string' ? { remedy: answer.remedy } : {}),
      };
    } catch (error) {
      return {
        id: check.id,
        title: check.title,
        status: 'unknown' as const,
        detail: `Not checked: the check failed (${
          error instanceof Error ? error.message : String(error)
        }).`,
        remedy:
          'This check was added by your Backstage installation; ask its maintainers.',
      };
    }
  });
}

/**
 * The AWS layer with the added checks after the built-in ones, so that the
 * setup route and the audit show them alike.
 */
export function withAddedChecks(
  ecr: EcrService,
  checks: readonly EcrSetupCheck[],
): EcrService {
  return {
    get config() {
      return ecr.config;
    },
    getRepositoryImages: repository => ecr.getRepositoryImages(repository),
    resolveAnnotations: annotations => ecr.resolveAnnotations(annotations),
    getImages: annotations => ecr.getImages(annotations),
    getFindings: (repository, digest) => ecr.getFindings(repository, digest),
    getRepositoryTags: repository => ecr.getRepositoryTags(repository),
    getSetupFacts: (annotations, subject) =>
      ecr.getSetupFacts(annotations, subject),
    evaluateSetupChecks: facts => [
      ...ecr.evaluateSetupChecks(facts),
      ...evaluateAddedChecks(checks, facts),
    ],
    createRepository: request => ecr.createRepository(request),
    grantPushAccess: request => ecr.grantPushAccess(request),
    configureRepository: request => ecr.configureRepository(request),
    claim: request => ecr.claim(request),
    getBuilds: (project, subject, options) =>
      ecr.getBuilds(project, subject, options),
    startBuild: request => ecr.startBuild(request),
    startAudit: options => ecr.startAudit(options),
  };
}
