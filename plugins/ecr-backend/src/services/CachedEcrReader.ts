import { createHash } from 'crypto';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import {
  CodeBuildProjectRef,
  EcrAnnotations,
  EcrAnnotationsResult,
  EcrRepositoryImages,
  ImageScanFindings,
  OwnershipSubject,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import {
  EcrService,
  isTransientAwsError,
  ProjectBuilds,
  ResourceTags,
  SetupFacts,
  transientFailures,
} from '@backstage-ecr/plugin-ecr-node';
import { JsonValue } from '@backstage/types';

/** A value read from AWS, and when. */
export interface Fetched<T> {
  value: T;
  fetchedAt: string;
  /** True when AWS failed transiently and this earlier answer stands in. */
  stale?: boolean;
}

// Bump when the shape of a cached value changes, so old entries are not read.
const VERSION = 'v4';

/** How long a last good answer is kept to stand in while AWS fails. */
export function lastGoodSeconds(ttlSeconds: number): number {
  return Math.max(ttlSeconds * 60, 24 * 60 * 60);
}

/**
 * A refresh ("Check again") reads AWS again unless the answer is younger than
 * this, so that asking again and again reads AWS at most once in that time
 * per entity.
 */
export const REFRESH_MIN_SECONDS = 10;

// How many fresh answers each process keeps in memory, beside the cache store.
const RECENT_ENTRIES = 32;

/** How long an answer showing a build in progress is kept, in seconds. */
const BUILD_IN_PROGRESS_SECONDS = 2;

/**
 * The AWS reads of the ECR routes, cached in `coreServices.cache`: an answer
 * is fresh for `ecr.cache.ttlSeconds`, and is kept much longer
 * ({@link lastGoodSeconds}) to stand in, marked stale, while AWS throttles or
 * fails. Keys derive from the AWS resources (the annotated ARNs, hashed to suit
 * every cache store) and, for setup facts, the entity they are judged for;
 * never from the user: callers authorize each request, and check who each
 * repository belongs to, before they ask. Concurrent requests for the same key share one AWS
 * round trip.
 */
export class CachedEcrReader {
  private readonly inFlight = new Map<string, Promise<Fetched<unknown>>>();
  // Bumped by invalidate(), so that a read begun before a write does not
  // store its older answer after the write.
  private readonly generations = new Map<string, number>();
  // The fresh answers this process last read, so that a warm request need not
  // fetch and parse what the cache store holds (megabytes for a large
  // repository). One is used only while the store's small freshness stamp for
  // its key names the same fetchedAt: a store emptied, or an answer forgotten
  // or replaced by another backend instance, is seen. Bounded, least recently
  // used first out.
  private readonly recent = new Map<string, Fetched<unknown>>();

  constructor(
    private readonly ecr: EcrService,
    private readonly cache: CacheService,
    private readonly logger: LoggerService,
    private readonly ttlSeconds: number,
  ) {}

  getRepositoryImages(
    repository: RepositoryRef,
  ): Promise<Fetched<EcrRepositoryImages>> {
    return this.read(key('images', repository.arn), () =>
      this.ecr.getRepositoryImages(repository),
    );
  }

  /**
   * The annotations with the repositories `aws.amazon.com/amazon-ecr-tags`
   * finds, cached by what the annotations name. Without that annotation, the
   * annotations as they are: no AWS call, no cache.
   */
  async resolveAnnotations(
    annotations: EcrAnnotations,
  ): Promise<EcrAnnotations> {
    const tags = annotations.repositoryTags;
    if (!tags) return annotations;
    const { value } = await this.read(
      key(
        'tagged',
        ...annotations.repositories.map(r => r.arn),
        ...tags.map(t => `tag=${t.key}=${t.value}`),
      ),
      async () => (await this.ecr.resolveAnnotations(annotations)).repositories,
    );
    return { ...annotations, repositories: value };
  }

  /** Who a repository belongs to (its tags), or null when it does not exist. */
  getRepositoryTags(repository: RepositoryRef): Promise<Fetched<ResourceTags>> {
    return this.read(key('tags', repository.arn), () =>
      this.ecr.getRepositoryTags(repository),
    );
  }

  getFindings(
    repository: RepositoryRef,
    digest: string,
  ): Promise<Fetched<ImageScanFindings>> {
    return this.read(key('findings', repository.arn, digest), () =>
      this.ecr.getFindings(repository, digest),
    );
  }

  /**
   * The setup facts, gathered as far as the resources belong to `subject`.
   * With `refresh`, an answer older than {@link REFRESH_MIN_SECONDS} is read
   * again from AWS, whatever the TTL.
   */
  getSetupFacts(
    annotations: EcrAnnotationsResult,
    subject: OwnershipSubject,
    options: { refresh?: boolean } = {},
  ): Promise<Fetched<SetupFacts>> {
    if (!annotations.ok) {
      // Nothing is asked of AWS for annotations that do not parse.
      return this.ecr
        .getSetupFacts(annotations, subject)
        .then(value => ({ value, fetchedAt: new Date().toISOString() }));
    }
    return this.read(
      setupKey(annotations.value, subject),
      () => this.ecr.getSetupFacts(annotations, subject),
      options.refresh
        ? Math.min(this.ttlSeconds, REFRESH_MIN_SECONDS)
        : this.ttlSeconds,
      // Facts that AWS failed to give for a while (throttled, 5xx, out of
      // reach) are not kept; the last good answer stands in for them.
      facts => transientFailures(facts).length > 0,
    );
  }

  /**
   * The recent builds of the entity's CodeBuild project. Keyed by the entity
   * too: the project's ownership is judged for it.
   */
  async getBuilds(
    project: CodeBuildProjectRef,
    subject: OwnershipSubject,
    options: {
      /**
       * Called when this read sees a build end that an earlier answer showed
       * in progress: it may have pushed an image and changed the checks.
       */
      onBuildEnded?: () => Promise<void>;
    } = {},
  ): Promise<Fetched<ProjectBuilds>> {
    const cacheKey = buildsKey(project, subject);
    // While a build runs, its answer is kept only a few seconds, so that a
    // tab following the build sees it end.
    const earlier =
      this.ttlSeconds > 0
        ? await this.cacheGet<Fetched<ProjectBuilds>>(cacheKey)
        : undefined;
    const running = new Set(
      earlier?.value.builds
        .filter(b => b.status === 'IN_PROGRESS')
        .map(b => b.id) ?? [],
    );
    const fetched = await this.read(
      cacheKey,
      () => this.ecr.getBuilds(project, subject),
      running.size
        ? Math.min(this.ttlSeconds, BUILD_IN_PROGRESS_SECONDS)
        : this.ttlSeconds,
    );
    const ended = fetched.value.builds.some(
      b => running.has(b.id) && b.status !== 'IN_PROGRESS',
    );
    if (ended && fetched.fetchedAt !== earlier?.fetchedAt) {
      await options.onBuildEnded?.();
    }
    return fetched;
  }

  /** Forgets the builds of a project, after a build was started. */
  async invalidateBuilds(
    project: CodeBuildProjectRef,
    subject: OwnershipSubject,
  ): Promise<void> {
    await this.forget([buildsKey(project, subject)]);
  }

  /**
   * Forgets the images and setup facts of an entity's annotations, after a
   * write to its repository or role, so that the next read asks AWS again.
   */
  async invalidate(
    annotations: EcrAnnotations,
    subject: OwnershipSubject,
  ): Promise<void> {
    const keys = [
      ...annotations.repositories.map(r => key('images', r.arn)),
      ...annotations.repositories.map(r => key('tags', r.arn)),
      setupKey(annotations, subject),
    ];
    await this.forget(keys);
  }

  private async forget(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map(async cacheKey => {
        this.generations.set(
          cacheKey,
          (this.generations.get(cacheKey) ?? 0) + 1,
        );
        this.inFlight.delete(cacheKey);
        this.recent.delete(cacheKey);
        try {
          await this.cache.delete(stampKey(cacheKey));
          await this.cache.delete(cacheKey);
        } catch (error) {
          this.logger.warn(`ECR cache delete failed: ${error}`);
        }
      }),
    );
  }

  /**
   * An answer younger than `maxAgeSeconds` (default: the TTL) is reused. A
   * fresh answer that `degraded` says was cut short by a passing AWS failure
   * is not cached: the last good answer is served instead, marked stale, or,
   * with none, the degraded answer itself.
   */
  private async read<T>(
    cacheKey: string,
    load: () => Promise<T>,
    maxAgeSeconds: number = this.ttlSeconds,
    degraded?: (value: T) => boolean,
  ): Promise<Fetched<T>> {
    const pending = this.inFlight.get(cacheKey);
    if (pending) return pending as Promise<Fetched<T>>;
    let lastGood: Fetched<T> | undefined;
    if (this.ttlSeconds > 0) {
      const remembered = await this.recall<T>(cacheKey, maxAgeSeconds);
      if (remembered) return remembered;
      lastGood = await this.cacheGet<Fetched<T>>(cacheKey);
      if (lastGood && this.isFresh(lastGood, maxAgeSeconds)) {
        this.remember(cacheKey, lastGood);
        return lastGood;
      }
      // Another request may have started loading while the cache answered.
      const started = this.inFlight.get(cacheKey);
      if (started) return started as Promise<Fetched<T>>;
    }
    const generation = this.generations.get(cacheKey);
    const loading = (async (): Promise<Fetched<T>> => {
      let value: T;
      try {
        value = await load();
      } catch (error) {
        if (lastGood && isTransientAwsError(error)) {
          this.logger.warn(
            `Serving the ECR answer of ${lastGood.fetchedAt} as stale: ${error}`,
          );
          return {
            value: lastGood.value,
            fetchedAt: lastGood.fetchedAt,
            stale: true,
          };
        }
        throw error;
      }
      const fetched = { value, fetchedAt: new Date().toISOString() };
      if (degraded?.(value)) {
        if (lastGood) {
          this.logger.warn(
            `Serving the ECR answer of ${lastGood.fetchedAt} as stale: AWS failed part of a fresh read`,
          );
          return {
            value: lastGood.value,
            fetchedAt: lastGood.fetchedAt,
            stale: true,
          };
        }
        return fetched;
      }
      if (
        this.ttlSeconds > 0 &&
        this.generations.get(cacheKey) === generation
      ) {
        this.remember(cacheKey, fetched);
        await this.cacheSet(cacheKey, fetched);
      }
      return fetched;
    })();
    this.inFlight.set(cacheKey, loading);
    try {
      return await loading;
    } finally {
      if (this.inFlight.get(cacheKey) === loading) {
        this.inFlight.delete(cacheKey);
      }
    }
  }

  private async recall<T>(
    cacheKey: string,
    maxAgeSeconds: number,
  ): Promise<Fetched<T> | undefined> {
    const remembered = this.recent.get(cacheKey);
    if (!remembered) return undefined;
    if (!this.isFresh(remembered, maxAgeSeconds)) return undefined;
    this.recent.delete(cacheKey);
    const stamp = await this.cacheGet<string>(stampKey(cacheKey));
    if (stamp !== remembered.fetchedAt) return undefined;
    this.recent.set(cacheKey, remembered);
    return remembered as Fetched<T>;
  }

  private remember(cacheKey: string, fetched: Fetched<unknown>) {
    this.recent.delete(cacheKey);
    this.recent.set(cacheKey, fetched);
    while (this.recent.size > RECENT_ENTRIES) {
      this.recent.delete(this.recent.keys().next().value!);
    }
  }

  private isFresh(
    fetched: Fetched<unknown>,
    maxAgeSeconds: number = this.ttlSeconds,
  ): boolean {
    const age = Date.now() - Date.parse(fetched.fetchedAt);
    return age < maxAgeSeconds * 1000;
  }

  // A failing cache store (a Redis outage, say) slows the page down but does
  // not break it.
  private async cacheGet<T>(cacheKey: string): Promise<T | undefined> {
    try {
      return (await this.cache.get(cacheKey)) as T | undefined;
    } catch (error) {
      this.logger.warn(`ECR cache read failed: ${error}`);
      return undefined;
    }
  }

  private async cacheSet(cacheKey: string, value: Fetched<unknown>) {
    try {
      await this.cache.set(cacheKey, value as unknown as JsonValue, {
        ttl: { seconds: lastGoodSeconds(this.ttlSeconds) },
      });
      await this.cache.set(stampKey(cacheKey), value.fetchedAt, {
        ttl: { seconds: this.ttlSeconds },
      });
    } catch (error) {
      this.logger.warn(`ECR cache write failed: ${error}`);
    }
  }
}

function buildsKey(
  project: CodeBuildProjectRef,
  subject: OwnershipSubject,
): string {
  return key(
    'builds',
    `entity=${subject.entityRef}`,
    `owner=${subject.ownerRef ?? ''}`,
    project.arn,
  );
}

function setupKey(
  annotations: EcrAnnotations,
  subject: OwnershipSubject,
): string {
  const { repositories, codeBuildProject, pushRole } = annotations;
  // Facts are judged against the entity and its owner, so they are keyed by them.
  return key(
    'setup',
    `entity=${subject.entityRef}`,
    `owner=${subject.ownerRef ?? ''}`,
    ...repositories.map(r => r.arn).sort(),
    `project=${codeBuildProject?.arn ?? ''}`,
    `role=${pushRole?.arn ?? ''}`,
  );
}

/** The key of the small entry that says when `cacheKey`'s answer was read. */
function stampKey(cacheKey: string): string {
  return `${cacheKey}:fetchedAt`;
}

function key(kind: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${VERSION}:${kind}:${digest}`;
}
