import { createHash } from 'crypto';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import {
  EcrAnnotations,
  EcrAnnotationsResult,
  EcrRepositoryImages,
  FindingsResponse,
  RepositoryRef,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrService, SetupFacts } from '@backstage-ecr/plugin-ecr-node';
import { JsonValue } from '@backstage/types';

/** A value read from AWS, and when. */
export interface Fetched<T> {
  value: T;
  fetchedAt: string;
}

// Bump when the shape of a cached value changes, so old entries are not read.
const VERSION = 'v1';

/**
 * The AWS reads of the ECR routes, cached in `coreServices.cache` for
 * `ecr.cache.ttlSeconds`. Keys derive from the AWS resources only (the
 * annotated ARNs, hashed to suit every cache store), never from the user:
 * callers authorize each request before they ask. Concurrent requests for the
 * same key share one AWS round trip.
 */
export class CachedEcrReader {
  private readonly inFlight = new Map<string, Promise<Fetched<unknown>>>();
  // Bumped by invalidate(), so that a read begun before a write does not
  // store its older answer after the write.
  private readonly generations = new Map<string, number>();

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

  getFindings(
    repository: RepositoryRef,
    digest: string,
  ): Promise<Fetched<FindingsResponse>> {
    return this.read(key('findings', repository.arn, digest), () =>
      this.ecr.getFindings(repository, digest),
    );
  }

  getSetupFacts(
    annotations: EcrAnnotationsResult,
  ): Promise<Fetched<SetupFacts>> {
    if (!annotations.ok) {
      // Nothing is asked of AWS for annotations that do not parse.
      return this.ecr
        .getSetupFacts(annotations)
        .then(value => ({ value, fetchedAt: new Date().toISOString() }));
    }
    return this.read(setupKey(annotations.value), () =>
      this.ecr.getSetupFacts(annotations),
    );
  }

  /**
   * Forgets the images and setup facts of an entity's annotations, after a
   * write to its repository or role, so that the next read asks AWS again.
   */
  async invalidate(annotations: EcrAnnotations): Promise<void> {
    const keys = [
      ...annotations.repositories.map(r => key('images', r.arn)),
      setupKey(annotations),
    ];
    await Promise.all(
      keys.map(async cacheKey => {
        this.generations.set(
          cacheKey,
          (this.generations.get(cacheKey) ?? 0) + 1,
        );
        this.inFlight.delete(cacheKey);
        try {
          await this.cache.delete(cacheKey);
        } catch (error) {
          this.logger.warn(`ECR cache delete failed: ${error}`);
        }
      }),
    );
  }

  private async read<T>(
    cacheKey: string,
    load: () => Promise<T>,
  ): Promise<Fetched<T>> {
    const pending = this.inFlight.get(cacheKey);
    if (pending) return pending as Promise<Fetched<T>>;
    if (this.ttlSeconds > 0) {
      const hit = await this.cacheGet<T>(cacheKey);
      if (hit) return hit;
      // Another request may have started loading while the cache answered.
      const started = this.inFlight.get(cacheKey);
      if (started) return started as Promise<Fetched<T>>;
    }
    const generation = this.generations.get(cacheKey);
    const loading = (async () => {
      const fetched = {
        value: await load(),
        fetchedAt: new Date().toISOString(),
      };
      if (
        this.ttlSeconds > 0 &&
        this.generations.get(cacheKey) === generation
      ) {
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

  // A failing cache store (a Redis outage, say) slows the page down but does
  // not break it.
  private async cacheGet<T>(cacheKey: string): Promise<Fetched<T> | undefined> {
    try {
      return (await this.cache.get(cacheKey)) as Fetched<T> | undefined;
    } catch (error) {
      this.logger.warn(`ECR cache read failed: ${error}`);
      return undefined;
    }
  }

  private async cacheSet(cacheKey: string, value: Fetched<unknown>) {
    try {
      await this.cache.set(cacheKey, value as unknown as JsonValue, {
        ttl: { seconds: this.ttlSeconds },
      });
    } catch (error) {
      this.logger.warn(`ECR cache write failed: ${error}`);
    }
  }
}

function setupKey(annotations: EcrAnnotations): string {
  const { repositories, codeBuildProject, pushRole } = annotations;
  return key(
    'setup',
    ...repositories.map(r => r.arn).sort(),
    `project=${codeBuildProject?.arn ?? ''}`,
    `role=${pushRole?.arn ?? ''}`,
  );
}

function key(kind: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${VERSION}:${kind}:${digest}`;
}
