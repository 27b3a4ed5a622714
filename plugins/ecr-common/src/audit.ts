import { SetupCheckId, SetupCheckStatus } from './api';

/**
 * The shapes of the platform audit API (DESIGN §5, §9): `GET /audit`,
 * `POST /audit/run`, `GET /audit/history`, `GET /audit?format=csv`.
 */

/** One check's outcome for one entity, as the audit stores it. */
export interface AuditCheckResult {
  id: SetupCheckId;
  status: SetupCheckStatus;
  detail: string;
}

/** One catalog entity with an ECR annotation, and its checks. */
export interface AuditEntityResult {
  entityRef: string;
  title?: string;
  /** The entity's `spec.owner`, as an entity ref. */
  owner?: string;
  /** The repository ARNs its annotation names. */
  repositoryArns: string[];
  checks: AuditCheckResult[];
}

/** A repository in the configured accounts and regions that no entity names. */
export interface UnclaimedRepository {
  arn: string;
  name: string;
  region: string;
  accountId: string;
  createdAt?: string;
}

/** Counts over one run. */
export interface AuditSummary {
  /** Entities audited. */
  services: number;
  /** Entities with no failing check. */
  passing: number;
  /** Per check id: how many entities fail it. */
  failingByCheck: Partial<Record<SetupCheckId, number>>;
  /** Per check id: how many entities have a warning on it. */
  warningByCheck: Partial<Record<SetupCheckId, number>>;
  unclaimedRepositories: number;
}

export type AuditRunStatus = 'running' | 'complete' | 'failed';

/** One audit run, without its per-entity results. */
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

/** `GET /audit`: the latest complete run with its results (none before the first). */
export interface AuditReport {
  run?: AuditRun;
  entities: AuditEntityResult[];
  unclaimed: UnclaimedRepository[];
}

/** `GET /audit/history`: runs, newest first. */
export interface AuditHistory {
  runs: AuditRun[];
}

/** `POST /audit/run`: the run that was started (202), or finished with `?wait=true`. */
export interface AuditRunResponse {
  run: AuditRun;
}
