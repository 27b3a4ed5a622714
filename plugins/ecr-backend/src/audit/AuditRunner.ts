import { randomBytes, randomUUID } from 'crypto';
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  AuditBinding,
  AuditCheckResult,
  AuditEntityResult,
  AuditLatestBuild,
  AuditOwnershipFlags,
  AuditRun,
  AuditSummary,
  EcrAnnotations,
  ECR_REPOSITORY_ARN_ANNOTATION,
  ECR_REPOSITORY_TAGS_ANNOTATION,
  normaliseRef,
  ownershipSubjectOf,
  parseRepositoryArn,
  readEcrAnnotations,
  SETUP_CHECK_IDS,
  UnclaimedRepository,
} from '@backstage-ecr/plugin-ecr-common';
import {
  checkAnnotationValid,
  describeFailure,
  EcrAuditSession,
  EcrService,
  resourceBindings,
  ThrottleBackoff,
} from '@backstage-ecr/plugin-ecr-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CustomErrorBase } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { AuditRunResult, AuditStore } from './AuditStore';
import { mapBounded } from './mapBounded';
import { findBreaks, notifyBreaks } from './notifyBreaks';

/** A run that has started, and the promise of its end. */
export interface StartedAudit {
  run: AuditRun;
  /** Settles with the finished run (complete or failed); never rejects. */
  done: Promise<AuditRun>;
  /** False when the run was already in progress and has been joined. */
  started: boolean;
}

export interface AuditRunnerOptions {
  catalog: CatalogService;
  auth: AuthService;
  ecr: EcrService;
  store: AuditStore;
  logger: LoggerService;
  /** How many entities are checked at once. */
  concurrency: number;
  /** How long one run may take. */
  timeoutMs: number;
  /** How many runs the history keeps. */
  keepRuns: number;
  /** How throttling that outlasts the SDK's retries is backed off. */
  backoff?: ThrottleBackoff;
  /** How often a run of another backend instance is polled while waited for. */
  pollIntervalMs?: number;
  /**
   * Where the owners of entities whose setup broke since the previous
   * complete run are told; without it nobody is.
   */
  notifications?: NotificationService;
}

/** Entities per catalog page. */
const CATALOG_PAGE_SIZE = 500;

/** What the audit reads of each entity. */
const ENTITY_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
];

/** An entity whose check was cut short because the run was aborted (timeout or shutdown); any other failure of one entity costs only its own checks. */
class EntityAuditError extends Error {
  constructor(readonly entityRef: string, readonly failure: unknown) {
    super(`While checking ${entityRef}`);
  }
}

/**
 * Runs the platform audit (docs/architecture.md, "Audit"): the setup checks of every catalog
 * entity with an ECR annotation, with bounded concurrency and AWS answers
 * shared across the run, and the repositories of the configured accounts and
 * regions that no entity names. Scheduled and manual runs go through the same
 * runner, and one process never runs two at once: asking while a run is in
 * progress joins it. A run that fails part-way is recorded as failed; the
 * previous complete run stays the latest.
 */
export class AuditRunner {
  private current?: Promise<StartedAudit>;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: AuditRunnerOptions) {}

  /**
   * Starts a run, or joins the one in progress (in this process, or recorded
   * as running by another instance within the timeout).
   */
  start(
    trigger: AuditRun['trigger'],
    signal?: AbortSignal,
  ): Promise<StartedAudit> {
    if (!this.current) {
      const starting = this.begin(trigger, signal);
      this.current = starting;
      starting.then(
        ({ done }) =>
          done.finally(() => {
            if (this.current === starting) this.current = undefined;
          }),
        () => {
          if (this.current === starting) this.current = undefined;
        },
      );
      return starting;
    }
    return this.current.then(started => ({ ...started, started: false }));
  }

  /** Runs the audit (or joins the run in progress) and waits for its end. */
  async run(
    trigger: AuditRun['trigger'],
    signal?: AbortSignal,
  ): Promise<AuditRun> {
    const { done } = await this.start(trigger, signal);
    return done;
  }

  /** Cancels the run in progress, for the backend's shutdown. */
  stop(): void {
    this.shutdown.abort(new Error('the backend is shutting down'));
  }

  private async begin(
    trigger: AuditRun['trigger'],
    signal?: AbortSignal,
  ): Promise<StartedAudit> {
    const { store, timeoutMs } = this.options;
    const now = new Date();
    await store.failAbandonedRuns(
      new Date(now.getTime() - timeoutMs),
      'The run did not finish: the backend running it stopped, or it outlived ecr.audit.schedule.timeout',
      now,
    );
    const elsewhere = await store.getRunningRun();
    if (elsewhere) {
      return {
        run: elsewhere,
        done: this.waitElsewhere(elsewhere),
        started: false,
      };
    }
    const run = await store.createRun({
      id: randomUUID(),
      trigger,
      startedAt: now,
    });
    this.options.logger.info(`ECR audit run ${run.id} started (${trigger})`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const cancel = AbortSignal.any([
      timeout,
      this.shutdown.signal,
      ...(signal ? [signal] : []),
    ]);
    const done = this.execute(run, cancel, timeout);
    return { run, done, started: true };
  }

  private async execute(
    run: AuditRun,
    signal: AbortSignal,
    timeout: AbortSignal,
  ): Promise<AuditRun> {
    const { store, logger } = this.options;
    let result: AuditRunResult;
    try {
      result = await this.audit(signal);
    } catch (error) {
      const message = this.describeFailure(error, signal, timeout);
      logger.warn(`ECR audit run ${run.id} failed: ${message}`);
      try {
        return await store.failRun(run.id, message, new Date());
      } catch (storeError) {
        logger.error(
          `ECR audit run ${run.id} could not be recorded as failed`,
          storeError as Error,
        );
        return { ...run, status: 'failed', error: message };
      }
    }
    // What the previous complete run found, read before this run becomes the
    // latest: what broke is told once, by the run that first sees it.
    const previous = this.options.notifications
      ? await this.previousEntities(run.id)
      : undefined;
    try {
      const finished = await store.completeRun(run.id, result, new Date());
      logger.info(
        `ECR audit run ${run.id} complete: ${result.summary.services} services, ${result.summary.passing} passing, ${result.summary.unclaimedRepositories} unclaimed repositories`,
      );
      await store
        .pruneRuns(this.options.keepRuns)
        .catch(error =>
          logger.warn(`Old ECR audit runs could not be deleted: ${error}`),
        );
      if (previous) await this.notify(run.id, previous, result.entities);
      return finished;
    } catch (error) {
      logger.error(
        `ECR audit run ${run.id} could not be stored`,
        error as Error,
      );
      const message = 'The results could not be stored; see the backend log';
      return store
        .failRun(run.id, message, new Date())
        .catch(() => ({ ...run, status: 'failed' as const, error: message }));
    }
  }

  /** The entities of the latest complete run; none for a first run or when it cannot be read. */
  private async previousEntities(
    runId: string,
  ): Promise<AuditEntityResult[] | undefined> {
    try {
      const report = await this.options.store.getLatestReport();
      return report.run && report.run.id !== runId
        ? report.entities
        : undefined;
    } catch (error) {
      this.options.logger.warn(
        `ECR audit run ${runId}: the previous run could not be read, so no owner is notified of what broke: ${error}`,
      );
      return undefined;
    }
  }

  /** Tells owners what broke since the previous run; never fails the run. */
  private async notify(
    runId: string,
    previous: AuditEntityResult[],
    current: AuditEntityResult[],
  ): Promise<void> {
    const { notifications, logger } = this.options;
    if (!notifications) return;
    try {
      const breaks = findBreaks(previous, current);
      if (!breaks.length) return;
      const sent = await notifyBreaks({
        runId,
        breaks,
        notifications,
        logger,
      });
      logger.info(
        `ECR audit run ${runId}: ${breaks.length} entities broke since the previous run; ${sent} owners notified`,
      );
    } catch (error) {
      logger.warn(
        `ECR audit run ${runId}: owners could not be notified: ${error}`,
      );
    }
  }

  private async audit(signal: AbortSignal): Promise<AuditRunResult> {
    const { ecr, concurrency, backoff } = this.options;
    const session = ecr.startAudit({ ...backoff, signal });
    const entities = await this.readEntities(signal);
    const results = await mapBounded(
      entities,
      concurrency,
      entity => this.auditEntity(session, entity, signal),
      signal,
    );
    signal.throwIfAborted();
    const unclaimed = await this.findUnclaimed(
      session,
      results.flatMap(r => r.repositoryArns),
      signal,
    );
    const ownership = await this.ownershipFlags(results, unclaimed);
    return {
      summary: summarize(results, unclaimed),
      entities: results,
      unclaimed,
      ownership,
    };
  }

  /**
   * Who claims what, across the run: repositories several entities name,
   * entities naming resources AWS says are someone else's, and repositories
   * whose entity-ref tag names an entity the catalog does not have.
   */
  private async ownershipFlags(
    results: AuditEntityResult[],
    unclaimed: UnclaimedRepository[],
  ): Promise<AuditOwnershipFlags> {
    const namers = new Map<string, string[]>();
    for (const result of results) {
      for (const arn of result.repositoryArns) {
        namers.set(arn, [...(namers.get(arn) ?? []), result.entityRef]);
      }
    }
    const sharedRepositories = [...namers]
      .filter(([, refs]) => refs.length > 1)
      .map(([arn, entityRefs]) => ({ arn, entityRefs }))
      .sort((a, b) => a.arn.localeCompare(b.arn));
    const foreignClaims = results.flatMap(result =>
      (result.bindings ?? []).flatMap(b =>
        b.state === 'elsewhere' && b.boundTo
          ? [
              {
                entityRef: result.entityRef,
                kind: b.kind,
                arn: b.arn,
                boundTo: b.boundTo,
              },
            ]
          : [],
      ),
    );
    const orphanBindings = unclaimed
      .filter(u => u.orphaned && u.boundTo)
      .map(u => ({ arn: u.arn, boundTo: u.boundTo! }));
    return { sharedRepositories, foreignClaims, orphanBindings };
  }

  /** Every entity with the repository annotation, read as the plugin itself. */
  private async readEntities(signal: AbortSignal): Promise<Entity[]> {
    const { catalog, auth } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const entities: Entity[] = [];
    let cursor: string | undefined;
    do {
      signal.throwIfAborted();
      const page = await catalog.queryEntities(
        cursor
          ? { cursor, limit: CATALOG_PAGE_SIZE, fields: ENTITY_FIELDS }
          : {
              // Named by ARN or by tags (either annotation).
              filter: [
                {
                  [`metadata.annotations.${ECR_REPOSITORY_ARN_ANNOTATION}`]:
                    CATALOG_FILTER_EXISTS,
                },
                {
                  [`metadata.annotations.${ECR_REPOSITORY_TAGS_ANNOTATION}`]:
                    CATALOG_FILTER_EXISTS,
                },
              ],
              limit: CATALOG_PAGE_SIZE,
              fields: ENTITY_FIELDS,
            },
        { credentials },
      );
      entities.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    // The same entity twice (a page boundary moving under a changing catalog)
    // is audited once.
    const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
    return [...byRef.values()];
  }

  /**
   * One entity's checks. A failure while checking it costs that entity's
   * checks, which say why, never the run; only stopping the run (timeout,
   * shutdown) ends it.
   */
  private async auditEntity(
    session: EcrAuditSession,
    entity: Entity,
    signal: AbortSignal,
  ): Promise<AuditEntityResult> {
    const { ecr } = this.options;
    const entityRef = stringifyEntityRef(entity);
    let annotations = readEcrAnnotations(entity, {
      allowedAccounts: ecr.config.allowedAccounts,
    });
    let repositoryArns = namedRepositoryArns(entity);
    let checks: AuditCheckResult[];
    let bindings: AuditBinding[];
    try {
      // The repositories aws.amazon.com/amazon-ecr-tags finds are the
      // entity's like those it names (a failing lookup costs its checks).
      if (annotations.ok && annotations.value.repositoryTags) {
        const resolved = await ecr.resolveAnnotations(annotations.value);
        annotations = { ok: true, value: resolved };
        repositoryArns = resolved.repositories.map(r => r.arn);
      }
      const facts = await session.getSetupFacts(
        annotations,
        ownershipSubjectOf(entity),
      );
      checks = ecr
        .evaluateSetupChecks(facts)
        .map(({ id, status, detail }) => ({ id, status, detail }));
      bindings = resourceBindings(facts);
    } catch (error) {
      if (signal.aborted) throw new EntityAuditError(entityRef, error);
      const reason = this.describeEntityFailure(entityRef, error);
      // The annotations need no AWS; everything else says why it is unknown.
      const annotationCheck = checkAnnotationValid({
        annotations,
        repositories: [],
        pushRole: {},
        callerIdentities: [],
      });
      checks = SETUP_CHECK_IDS.map(id =>
        id === 'annotation-valid'
          ? {
              id,
              status: annotationCheck.status,
              detail: annotationCheck.detail,
            }
          : {
              id,
              status: 'unknown' as const,
              detail: `Not checked in this run: ${reason}`,
            },
      );
      bindings = [];
    }
    const roleOwner = checks.find(c => c.id === 'push-role-owner')?.status;
    const latestBuild = annotations.ok
      ? await this.latestBuild(entity, annotations.value, signal, roleOwner)
      : undefined;
    const title = entity.metadata.title;
    const owner = ownerRef(entity);
    return {
      entityRef,
      ...(title && { title }),
      ...(owner && { owner }),
      repositoryArns,
      checks,
      bindings,
      ...(latestBuild && { latestBuild }),
    };
  }

  /**
   * The newest build of the entity's CodeBuild project, diagnosed from its
   * log. CodeBuild or CloudWatch Logs failing (or refusing) costs only this
   * field of this entity; only stopping the run ends it.
   */
  private async latestBuild(
    entity: Entity,
    annotations: EcrAnnotations,
    signal: AbortSignal,
    roleOwner: AuditCheckResult['status'] | undefined,
  ): Promise<AuditLatestBuild | undefined> {
    const project = annotations.codeBuildProject;
    if (!project) return undefined;
    try {
      const { builds } = await this.options.ecr.getBuilds(
        project,
        ownershipSubjectOf(entity),
        {
          limit: 1,
          // The run's push-role-owner check has judged the role already.
          ...(roleOwner === 'pass' && { roleBelongs: true }),
          ...(roleOwner === 'fail' && { roleBelongs: false }),
        },
      );
      const [newest] = builds;
      if (!newest) return undefined;
      return {
        id: newest.id,
        status: newest.status,
        ...(newest.diagnosis && { diagnosis: newest.diagnosis }),
      };
    } catch (error) {
      if (signal.aborted) {
        throw new EntityAuditError(stringifyEntityRef(entity), error);
      }
      this.options.logger.warn(
        `The ECR audit cannot read the latest build of ${stringifyEntityRef(
          entity,
        )}: ${error}`,
      );
      return undefined;
    }
  }

  /** Why an entity could not be checked, in words fit for the report. */
  private describeEntityFailure(entityRef: string, error: unknown): string {
    if (error instanceof CustomErrorBase) return error.message;
    const logId = randomBytes(8).toString('hex');
    this.options.logger.error(
      `ECR audit could not check ${entityRef} (logId=${logId})`,
      error as Error,
    );
    return `unexpected error; the backend log has the details under logId=${logId}`;
  }

  private async findUnclaimed(
    session: EcrAuditSession,
    /** What the audited entities claim: named by ARN or found by tags. */
    claimedArns: string[],
    signal: AbortSignal,
  ): Promise<UnclaimedRepository[]> {
    const { ecr, logger, concurrency } = this.options;
    const claimed = new Set(claimedArns.map(arn => repositoryKey(arn)));
    const unclaimed: UnclaimedRepository[] = [];
    for (const accountId of ecr.config.allowedAccounts) {
      for (const region of ecr.config.regions) {
        let listing: Awaited<ReturnType<EcrAuditSession['listRepositories']>>;
        try {
          listing = await session.listRepositories(accountId, region);
        } catch (error) {
          // AWS failing there costs the unclaimed list of that account and
          // region, never the run.
          if (signal.aborted) throw error;
          logger.warn(
            `The ECR audit cannot list the repositories of account ${accountId} in ${region}: ${error}; no unclaimed repositories are reported for it`,
          );
          continue;
        }
        if (!listing.ok) {
          logger.warn(
            `The ECR audit cannot list the repositories of account ${accountId} in ${region}: ${describeFailure(
              listing,
            )}; no unclaimed repositories are reported for it`,
          );
          continue;
        }
        for (const repository of listing.value) {
          if (claimed.has(repositoryKey(repository.arn))) continue;
          unclaimed.push({
            arn: repository.arn,
            name: repository.name,
            region: repository.region,
            accountId: repository.accountId,
            ...(repository.createdAt && { createdAt: repository.createdAt }),
          });
        }
      }
    }
    // Who each one's tags bind it to; an entity-ref tag naming no catalog
    // entity is an orphan binding.
    const keys = ecr.config.ownership;
    const byEntityTag = new Set<string>();
    const bound = await mapBounded(
      unclaimed,
      concurrency,
      async repository => {
        const parsed = parseRepositoryArn(repository.arn);
        if (!parsed.ok) return repository;
        // Who it is bound to is a detail of the list: a failure to read the
        // tags leaves it out.
        const tags = await session
          .getRepositoryTags(parsed.value)
          .catch(() => undefined);
        if (!tags?.ok || !tags.value) return repository;
        const entityTag = tags.value[keys.entityRefTag]?.trim();
        const ownerTag = tags.value[keys.ownerTag]?.trim();
        if (entityTag) {
          byEntityTag.add(repository.arn);
          return { ...repository, boundTo: normaliseRef(entityTag) };
        }
        if (ownerTag) {
          return {
            ...repository,
            boundTo: normaliseRef(ownerTag, { defaultKind: 'group' }),
          };
        }
        return repository;
      },
      signal,
    );
    const existing = await this.existingEntityRefs(
      bound.filter(u => byEntityTag.has(u.arn)).map(u => u.boundTo!),
    );
    return bound
      .map(u =>
        byEntityTag.has(u.arn) && !existing.has(u.boundTo!)
          ? { ...u, orphaned: true }
          : u,
      )
      .sort(
        (a, b) =>
          a.accountId.localeCompare(b.accountId) ||
          a.region.localeCompare(b.region) ||
          a.name.localeCompare(b.name),
      );
  }

  /** Which of these refs the catalog has (lower-case). */
  private async existingEntityRefs(refs: string[]): Promise<Set<string>> {
    const unique = [...new Set(refs)];
    if (!unique.length) return new Set();
    const { catalog, auth, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    let items: Array<Entity | undefined>;
    try {
      ({ items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: unique,
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials },
      ));
    } catch (error) {
      // Without the answer no binding is called an orphan; the run goes on.
      logger.warn(
        `The ECR audit could not look up the entities that repository tags name: ${error}`,
      );
      return new Set(unique);
    }
    return new Set(
      items.flatMap(item =>
        item ? [stringifyEntityRef(item).toLocaleLowerCase('en-US')] : [],
      ),
    );
  }

  private async waitElsewhere(run: AuditRun): Promise<AuditRun> {
    const { store, timeoutMs, pollIntervalMs = 2000 } = this.options;
    const deadline = Date.parse(run.startedAt) + timeoutMs;
    for (;;) {
      const latest = await store.getRun(run.id).catch(() => undefined);
      if (latest && latest.status !== 'running') return latest;
      if (Date.now() > deadline || this.shutdown.signal.aborted) {
        return latest ?? run;
      }
      await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
    }
  }

  /**
   * What the run's record says of a failure: AWS errors are already in plain
   * words that name the action; anything unexpected stays in the log.
   */
  private describeFailure(
    error: unknown,
    signal: AbortSignal,
    timeout: AbortSignal,
  ): string {
    if (timeout.aborted) {
      return `The run was stopped after ${Math.round(
        this.options.timeoutMs / 1000,
      )} seconds (ecr.audit.schedule.timeout)`;
    }
    if (signal.aborted) {
      return `The run was cancelled: ${
        (signal.reason as Error)?.message ?? 'the task was aborted'
      }`;
    }
    const entityRef =
      error instanceof EntityAuditError ? error.entityRef : undefined;
    const cause = error instanceof EntityAuditError ? error.failure : error;
    let message: string;
    if (cause instanceof CustomErrorBase) {
      message = cause.message;
    } else {
      const logId = randomBytes(8).toString('hex');
      this.options.logger.error(
        `ECR audit failed unexpectedly (logId=${logId})`,
        cause as Error,
      );
      message = `Unexpected error; the backend log has the details under logId=${logId}`;
    }
    return entityRef ? `While checking ${entityRef}: ${message}` : message;
  }
}

/**
 * The repository ARNs an entity's annotation names, as far as they parse: an
 * entity with a bad annotation elsewhere (a port, a role) still claims its
 * repositories.
 */
function namedRepositoryArns(entity: Entity): string[] {
  const value =
    entity.metadata.annotations?.[ECR_REPOSITORY_ARN_ANNOTATION] ?? '';
  const arns = value
    .split(',')
    .map(item => parseRepositoryArn(item))
    .flatMap(parsed => (parsed.ok ? [parsed.value.arn] : []));
  return [...new Set(arns)];
}

/** Account, region and name: what makes a repository the same one. */
function repositoryKey(arn: string): string {
  const parsed = parseRepositoryArn(arn);
  return parsed.ok
    ? `${parsed.value.accountId}/${parsed.value.region}/${parsed.value.name}`
    : arn;
}

/** `spec.owner` as a full entity ref (a bare name is a group in the entity's namespace). */
function ownerRef(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner.trim()) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return owner;
  }
}

/** The counts of one run (entities passing: no failing check). */
export function summarize(
  entities: AuditEntityResult[],
  unclaimed: UnclaimedRepository[],
): AuditSummary {
  const failingByCheck: AuditSummary['failingByCheck'] = {};
  const warningByCheck: AuditSummary['warningByCheck'] = {};
  const unknownByCheck: AuditSummary['failingByCheck'] = {};
  let passing = 0;
  let latestBuildPushFailures = 0;
  for (const entity of entities) {
    const checkId = entity.latestBuild?.diagnosis?.checkId;
    if (checkId === 'push-permissions' || checkId === 'push-role-owner') {
      latestBuildPushFailures++;
    }
    let failing = false;
    for (const check of entity.checks) {
      if (check.status === 'fail') {
        failing = true;
        failingByCheck[check.id] = (failingByCheck[check.id] ?? 0) + 1;
      } else if (check.status === 'warn') {
        warningByCheck[check.id] = (warningByCheck[check.id] ?? 0) + 1;
      } else if (check.status === 'unknown') {
        unknownByCheck[check.id] = (unknownByCheck[check.id] ?? 0) + 1;
      }
    }
    if (!failing) passing++;
  }
  return {
    services: entities.length,
    passing,
    failingByCheck,
    warningByCheck,
    unknownByCheck,
    unclaimedRepositories: unclaimed.length,
    latestBuildPushFailures,
  };
}
