import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  AuditEntityResult,
  AuditOwnershipFlags,
  AuditReport,
  AuditRun,
  AuditRunStatus,
  AuditSummary,
  UnclaimedRepository,
} from '@backstage-ecr/plugin-ecr-common';
import { Knex } from 'knex';

/** What a finished run found. */
export interface AuditRunResult {
  summary: AuditSummary;
  entities: AuditEntityResult[];
  unclaimed: UnclaimedRepository[];
  ownership?: AuditOwnershipFlags;
}

/** Where audit runs and their results are kept. */
export interface AuditStore {
  /** Records a run that has just started. */
  createRun(run: {
    id: string;
    trigger: AuditRun['trigger'];
    startedAt: Date;
  }): Promise<AuditRun>;
  /** Records a run's results; from then on it is the latest complete run. */
  completeRun(
    id: string,
    result: AuditRunResult,
    finishedAt: Date,
  ): Promise<AuditRun>;
  /** Records that a run failed, and why; the previous complete run stays the latest. */
  failRun(id: string, error: string, finishedAt: Date): Promise<AuditRun>;
  getRun(id: string): Promise<AuditRun | undefined>;
  /** The newest run still running, if any. */
  getRunningRun(): Promise<AuditRun | undefined>;
  /** The latest complete run with its results; none before the first. */
  getLatestReport(): Promise<AuditReport>;
  /** Runs, newest first, without their results. */
  listRuns(limit: number): Promise<AuditRun[]>;
  /**
   * Marks runs still `running` that started before the cutoff as failed: the
   * backend that ran them stopped, or they outlived their timeout.
   */
  failAbandonedRuns(
    startedBefore: Date,
    error: string,
    finishedAt: Date,
  ): Promise<number>;
  /**
   * Deletes all but the newest `keep` runs with their results. Running runs
   * and the latest complete run are always kept.
   */
  pruneRuns(keep: number): Promise<number>;
}

const RUNS = 'ecr_audit_runs';
const ENTITIES = 'ecr_audit_entity_results';
const UNCLAIMED = 'ecr_audit_unclaimed';

/** Rows per INSERT: well within every engine's limit on bound parameters. */
const INSERT_CHUNK = 200;

const migrationsDir = resolvePackagePath(
  '@backstage-ecr/plugin-ecr-backend',
  'migrations',
);

interface RunRow {
  id: string;
  status: string;
  trigger: string;
  started_at: Date | string | number;
  finished_at: Date | string | number | null;
  error: string | null;
  summary: string | null;
  ownership?: string | null;
}

interface EntityRow {
  run_id: string;
  entity_ref: string;
  title: string | null;
  owner: string | null;
  repository_arns: string;
  checks: string;
  bindings?: string | null;
  latest_build?: string | null;
}

interface UnclaimedRow {
  run_id: string;
  arn: string;
  name: string;
  region: string;
  account_id: string;
  created_at: Date | string | number | null;
  bound_to?: string | null;
  orphaned?: boolean | number | null;
}

/** {@link AuditStore} in the plugin's database (SQLite, PostgreSQL), through knex. */
export class DatabaseAuditStore implements AuditStore {
  /** Connects to the plugin's database and brings its tables up to date. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseAuditStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseAuditStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async createRun(run: {
    id: string;
    trigger: AuditRun['trigger'];
    startedAt: Date;
  }): Promise<AuditRun> {
    await this.db<RunRow>(RUNS).insert({
      id: run.id,
      status: 'running',
      trigger: run.trigger,
      started_at: run.startedAt,
    });
    return this.requireRun(run.id);
  }

  async completeRun(
    id: string,
    result: AuditRunResult,
    finishedAt: Date,
  ): Promise<AuditRun> {
    await this.db.transaction(async trx => {
      const entityRows: EntityRow[] = result.entities.map(e => ({
        run_id: id,
        entity_ref: e.entityRef,
        title: e.title ?? null,
        owner: e.owner ?? null,
        repository_arns: JSON.stringify(e.repositoryArns),
        checks: JSON.stringify(e.checks),
        bindings: e.bindings ? JSON.stringify(e.bindings) : null,
        latest_build: e.latestBuild ? JSON.stringify(e.latestBuild) : null,
      }));
      const unclaimedRows: UnclaimedRow[] = result.unclaimed.map(u => ({
        run_id: id,
        arn: u.arn,
        name: u.name,
        region: u.region,
        account_id: u.accountId,
        created_at: u.createdAt ? new Date(u.createdAt) : null,
        bound_to: u.boundTo ?? null,
        orphaned: u.orphaned ?? null,
      }));
      // A run is written once; clear anything a previous attempt left.
      await trx(ENTITIES).where({ run_id: id }).delete();
      await trx(UNCLAIMED).where({ run_id: id }).delete();
      for (const chunk of chunks(entityRows)) {
        await trx(ENTITIES).insert(chunk);
      }
      for (const chunk of chunks(unclaimedRows)) {
        await trx(UNCLAIMED).insert(chunk);
      }
      await trx<RunRow>(RUNS)
        .where({ id })
        .update({
          status: 'complete',
          finished_at: finishedAt,
          error: null,
          summary: JSON.stringify(result.summary),
          ownership: result.ownership ? JSON.stringify(result.ownership) : null,
        });
    });
    return this.requireRun(id);
  }

  async failRun(
    id: string,
    error: string,
    finishedAt: Date,
  ): Promise<AuditRun> {
    await this.db<RunRow>(RUNS)
      .where({ id })
      .update({ status: 'failed', finished_at: finishedAt, error });
    return this.requireRun(id);
  }

  async getRun(id: string): Promise<AuditRun | undefined> {
    const row = await this.db<RunRow>(RUNS).where({ id }).first();
    return row && toRun(row);
  }

  async getRunningRun(): Promise<AuditRun | undefined> {
    const row = await this.db<RunRow>(RUNS)
      .where({ status: 'running' })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row && toRun(row);
  }

  async getLatestReport(): Promise<AuditReport> {
    const row = await this.db<RunRow>(RUNS)
      .where({ status: 'complete' })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    if (!row) return { entities: [], unclaimed: [] };
    const [entityRows, unclaimedRows] = await Promise.all([
      this.db<EntityRow>(ENTITIES)
        .where({ run_id: row.id })
        .orderBy('entity_ref'),
      this.db<UnclaimedRow>(UNCLAIMED)
        .where({ run_id: row.id })
        .orderBy(['account_id', 'region', 'name']),
    ]);
    return {
      run: toRun(row),
      entities: entityRows.map(toEntityResult),
      unclaimed: unclaimedRows.map(toUnclaimed),
      ...(row.ownership && {
        ownership: JSON.parse(row.ownership) as AuditOwnershipFlags,
      }),
    };
  }

  async listRuns(limit: number): Promise<AuditRun[]> {
    const rows = await this.db<RunRow>(RUNS)
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toRun);
  }

  async failAbandonedRuns(
    startedBefore: Date,
    error: string,
    finishedAt: Date,
  ): Promise<number> {
    return this.db<RunRow>(RUNS)
      .where({ status: 'running' })
      .where('started_at', '<', startedBefore)
      .update({ status: 'failed', finished_at: finishedAt, error });
  }

  async pruneRuns(keep: number): Promise<number> {
    const kept = await this.db<RunRow>(RUNS)
      .select('id')
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(keep);
    const latestComplete = await this.db<RunRow>(RUNS)
      .select('id')
      .where({ status: 'complete' })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    const keepIds = [
      ...kept.map(r => r.id),
      ...(latestComplete ? [latestComplete.id] : []),
    ];
    const doomed = (
      await this.db<RunRow>(RUNS)
        .select('id')
        .whereNot({ status: 'running' })
        .whereNotIn('id', keepIds)
    ).map(r => r.id);
    // Children first: SQLite enforces the foreign keys' cascade only when
    // asked to, so it is not relied on.
    for (const chunk of chunks(doomed)) {
      await this.db.transaction(async trx => {
        await trx(ENTITIES).whereIn('run_id', chunk).delete();
        await trx(UNCLAIMED).whereIn('run_id', chunk).delete();
        await trx(RUNS).whereIn('id', chunk).delete();
      });
    }
    return doomed.length;
  }

  private async requireRun(id: string): Promise<AuditRun> {
    const run = await this.getRun(id);
    if (!run) throw new Error(`Audit run ${id} is not in the database`);
    return run;
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += INSERT_CHUNK) {
    out.push(items.slice(i, i + INSERT_CHUNK));
  }
  return out;
}

/** Timestamps come back as Date (PostgreSQL), number or string (SQLite). */
function toIso(value: Date | string | number): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const asNumber = Number(value);
  if (/^\d+$/.test(value) && Number.isFinite(asNumber)) {
    return new Date(asNumber).toISOString();
  }
  return new Date(value).toISOString();
}

function toRun(row: RunRow): AuditRun {
  return {
    id: row.id,
    status: row.status as AuditRunStatus,
    trigger: row.trigger === 'manual' ? 'manual' : 'schedule',
    startedAt: toIso(row.started_at),
    ...(row.finished_at !== null &&
      row.finished_at !== undefined && {
        finishedAt: toIso(row.finished_at),
      }),
    ...(row.error && { error: row.error }),
    ...(row.summary && { summary: JSON.parse(row.summary) as AuditSummary }),
  };
}

function toEntityResult(row: EntityRow): AuditEntityResult {
  return {
    entityRef: row.entity_ref,
    ...(row.title && { title: row.title }),
    ...(row.owner && { owner: row.owner }),
    repositoryArns: JSON.parse(row.repository_arns),
    checks: JSON.parse(row.checks),
    ...(row.bindings && { bindings: JSON.parse(row.bindings) }),
    ...(row.latest_build && { latestBuild: JSON.parse(row.latest_build) }),
  };
}

function toUnclaimed(row: UnclaimedRow): UnclaimedRepository {
  return {
    arn: row.arn,
    name: row.name,
    region: row.region,
    accountId: row.account_id,
    ...(row.created_at !== null &&
      row.created_at !== undefined && { createdAt: toIso(row.created_at) }),
    ...(row.bound_to && { boundTo: row.bound_to }),
    ...(row.orphaned && { orphaned: true }),
  };
}
