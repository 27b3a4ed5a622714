import { SetupCheckId } from './api';

/**
 * A CodeBuild build's status, as CodeBuild reports it.
 *
 * @public
 */
export type BuildStatus =
  | 'SUCCEEDED'
  | 'FAILED'
  | 'FAULT'
  | 'TIMED_OUT'
  | 'IN_PROGRESS'
  | 'STOPPED';

/**
 * The setup checks a build's log can point at (DESIGN §6a).
 *
 * @public
 */
export type BuildDiagnosisCheckId = Extract<
  SetupCheckId,
  | 'push-permissions'
  | 'push-role-owner'
  | 'repository-exists'
  | 'tag-immutability'
>;

/**
 * Why a failed build failed, in terms of the setup checks: the first error
 * line of its log, matched to the check whose fix would have avoided it.
 *
 * @public
 */
export interface BuildDiagnosis {
  /** The check whose fix would have avoided the failure. */
  checkId: BuildDiagnosisCheckId;
  /** The log line, as the build printed it. */
  message: string;
}

/**
 * One build of an entity's CodeBuild project.
 *
 * @public
 */
export interface BuildSummary {
  id: string;
  buildNumber?: number;
  status: BuildStatus;
  currentPhase?: string;
  /** The phase that failed, for a build that did not succeed. */
  failedPhase?: string;
  startTime: string;
  endTime?: string;
  durationSeconds?: number;
  sourceVersion?: string;
  initiator?: string;
  /** The build's log in the CloudWatch console. */
  logUrl?: string;
  /** The build in the CodeBuild console. */
  consoleUrl: string;
  /** The image digests the build pushed. */
  imageDigests: string[];
  diagnosis?: BuildDiagnosis;
}

/**
 * `GET /entity/:namespace/:kind/:name/builds`: the recent builds of the
 * entity's CodeBuild project, newest first.
 *
 * @public
 */
export interface BuildsResponse {
  /** Null when the entity names no CodeBuild project. */
  project: { arn: string; name: string } | null;
  builds: BuildSummary[];
  /**
   * Set when the builds' logs could not be read, so that failed builds carry
   * no diagnosis: what AWS answered, naming the missing `logs:` action.
   */
  logsUnreadable?: string;
  /** When the builds were read from AWS. */
  fetchedAt: string;
  /** True when AWS could not be reached and an earlier answer is served. */
  stale?: boolean;
}

/**
 * `POST /entity/:namespace/:kind/:name/builds`: the build started (or, in a
 * dry run, what would be started).
 *
 * @public
 */
export interface StartBuildResponse {
  dryRun: boolean;
  projectArn: string;
  /** The source version built: as asked, or that of the newest build. */
  sourceVersion?: string;
  /** The build started; absent in a dry run. */
  build?: BuildSummary;
}
