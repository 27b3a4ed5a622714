import {
  AddedSetupCheckId,
  ResourceBinding,
  SetupCheckId,
  SetupCheckStatus,
} from './api';
import { BuildDiagnosis, BuildStatus } from './builds';

/**
 * The shapes of the platform audit API (docs/architecture.md, "HTTP API" and "Audit"): `GET /audit`,
 * `POST /audit/run`, `GET /audit/history`, `GET /audit?format=csv`.
 */

/**
 * One check's outcome for one entity, as the audit stores it.
 *
 * @public
 */
export interface AuditCheckResult {
  id: SetupCheckId | AddedSetupCheckId;
  status: SetupCheckStatus;
  detail: string;
}

/**
 * One catalog entity with an ECR annotation, and its checks.
 *
 * @public
 */
export interface AuditEntityResult {
  entityRef: string;
  title?: string;
  /** The entity's `spec.owner`, as an entity ref. */
  owner?: string;
  /** The repository ARNs its annotation names. */
  repositoryArns: string[];
  checks: AuditCheckResult[];
  /**
   * How each named repository (and the pushing role) stands against the
   * entity's ownership: those unbound can be claimed for it, those bound
   * elsewhere are flagged.
   */
  bindings?: AuditBinding[];
  /**
   * The newest build of the entity's CodeBuild project, when it names one and
   * it could be read (a failure to read it costs only this field).
   */
  latestBuild?: AuditLatestBuild;
}

/**
 * The newest build of an audited entity's CodeBuild project.
 *
 * @public
 */
export interface AuditLatestBuild {
  id: string;
  status: BuildStatus;
  /** Why it failed, when its log says (see `BuildDiagnosis`). */
  diagnosis?: BuildDiagnosis;
}

/**
 * One AWS resource an entity names, and who AWS says it belongs to.
 *
 * @public
 */
export type AuditBinding = ResourceBinding;

/**
 * A repository in the configured accounts and regions that no entity names.
 *
 * @public
 */
export interface UnclaimedRepository {
  arn: string;
  name: string;
  region: string;
  accountId: string;
  createdAt?: string;
  /** Who its tags bind it to, when they do. */
  boundTo?: string;
  /** True when the entity its entity-ref tag names is not in the catalog. */
  orphaned?: boolean;
}

/**
 * A repository that several entities name.
 *
 * @public
 */
export interface SharedRepository {
  arn: string;
  entityRefs: string[];
}

/**
 * What the run found wrong with who claims what.
 *
 * @public
 */
export interface AuditOwnershipFlags {
  /** Repositories several entities name. */
  sharedRepositories: SharedRepository[];
  /** Entities naming a repository or role that AWS says belongs to someone else. */
  foreignClaims: Array<{
    entityRef: string;
    kind: 'repository' | 'role';
    arn: string;
    boundTo: string;
  }>;
  /** Repositories whose entity-ref tag names an entity that is not in the catalog. */
  orphanBindings: Array<{ arn: string; boundTo: string }>;
}

/**
 * Counts over one run.
 *
 * @public
 */
export interface AuditSummary {
  /** Entities audited. */
  services: number;
  /** Entities with no failing check. */
  passing: number;
  /** Per check id: how many entities fail it. */
  failingByCheck: Partial<Record<SetupCheckId | AddedSetupCheckId, number>>;
  /** Per check id: how many entities have a warning on it. */
  warningByCheck: Partial<Record<SetupCheckId | AddedSetupCheckId, number>>;
  /**
   * Per check id: how many entities it could not be run for (AWS failed or
   * refused, or the entity could not be checked at all); absent in runs
   * stored before it was counted.
   */
  unknownByCheck?: Partial<Record<SetupCheckId | AddedSetupCheckId, number>>;
  unclaimedRepositories: number;
  /**
   * Entities whose newest build failed because its push was refused (a
   * `push-permissions` or `push-role-owner` diagnosis); absent in runs stored
   * before it was counted.
   */
  latestBuildPushFailures?: number;
}

/** @public */
export type AuditRunStatus = 'running' | 'complete' | 'failed';

/**
 * One audit run, without its per-entity results.
 *
 * @public
 */
export interface AuditRun {
  id: string;
  status: AuditRunStatus;
  trigger: 'schedule' | 'manual';
  startedAt: string;
  finishedAt?: string;
  /** Why a failed run failed. */
  error?: string;
  summary?: AuditSummary;
}

/**
 * `GET /audit`: the latest complete run with its results (none before the first).
 *
 * @public
 */
export interface AuditReport {
  run?: AuditRun;
  entities: AuditEntityResult[];
  unclaimed: UnclaimedRepository[];
  /** Absent for runs stored before ownership was audited. */
  ownership?: AuditOwnershipFlags;
}

/**
 * `GET /audit/history`: runs, newest first.
 *
 * @public
 */
export interface AuditHistory {
  runs: AuditRun[];
}

/**
 * `POST /audit/run`: the run that was started (202), or finished with `?wait=true`.
 *
 * @public
 */
export interface AuditRunResponse {
  run: AuditRun;
}
