import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  BuildsResponse,
  ecrImagesReadPermission,
  FindingsResponse,
  ImagesResponse,
  ownershipSubjectOf,
  parseRepositoryArn,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrService, IMAGE_DIGEST } from '@backstage-ecr/plugin-ecr-node';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import { AuditRouterOptions, registerAuditRoutes } from './audit/router';
import { createEntityAuthorizer } from './auth/authorizeEntity';
import { entityRouteRef } from './auth/entityRouteRef';
import { requireReadable } from './auth/ownership';
import { createErrorHandler } from './errorHandler';
import { JsonAnswerMemo, sendJsonAnswer } from './http/JsonAnswerMemo';
import { createEcrOpenApiRouter } from './http/openApiRouter';
import { createReadOperations, imagesResponseOf } from './routes/reads';
import { registerWriteRoutes } from './routes/writes';
import { CachedEcrReader } from './services/CachedEcrReader';

export interface RouterOptions {
  config: RootConfigService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  ecr: EcrService;
  reader: CachedEcrReader;
  /** Records every write attempt (POST …/repository, POST …/push-access). */
  auditor: AuditorService;
  /** The platform audit's store and runner; without them /audit is not served. */
  audit?: Pick<AuditRouterOptions, 'store' | 'runner'>;
}

/**
 * The HTTP API of docs/architecture.md, "HTTP API", as `src/schema/openapi.yaml`
 * specifies it: parameters in, JSON out; the work is elsewhere.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { ecr, reader, httpAuth } = options;
  const authorizeEntity = createEntityAuthorizer(options);
  const reads = createReadOperations(options);
  const { repositoriesOf } = reads;

  /** The entity a route names (checked first) and the caller's credentials. */
  const callerOf = async (
    req: express.Request,
  ): Promise<[CompoundEntityRef, BackstageCredentials]> => {
    const ref = entityRouteRef(req.params);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return [ref, credentials];
  };

  const router = await createEcrOpenApiRouter(options);
  const imagesAnswers = new JsonAnswerMemo();

  // Every route but /health needs a user or service token: Backstage's auth
  // barrier answers 401 before a request gets here (see plugin.ts).

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/entity/:namespace/:kind/:name/images', async (req, res) => {
    const images = await reads.getImages(...(await callerOf(req)));
    // Built from the same fetched values as last time, the answer is the same
    // bytes: send those rather than serialize megabytes again.
    const answer = imagesAnswers.answer(
      `${images.entityRef}\n${images.containerPort}`,
      images.fetched,
      (): ImagesResponse => imagesResponseOf(images),
    );
    await sendJsonAnswer(req, res, answer);
  });

  router.get(
    '/entity/:namespace/:kind/:name/images/:digest/findings',
    async (req, res) => {
      const { digest } = req.params;
      if (!IMAGE_DIGEST.test(digest)) {
        throw new InputError(
          'The image digest must be sha256: followed by 64 lowercase hexadecimal digits',
        );
      }
      const requested = req.query.repository;
      if (requested !== undefined && typeof requested !== 'string') {
        throw new InputError('Give one repository ARN in ?repository=');
      }
      const { entity } = await authorizeEntity(req, ecrImagesReadPermission);
      const { repositories } = await repositoriesOf(entity);
      let repository = repositories.length === 1 ? repositories[0] : undefined;
      if (requested !== undefined) {
        const parsed = parseRepositoryArn(requested);
        repository = parsed.ok
          ? repositories.find(r => r.arn === parsed.value.arn)
          : undefined;
        if (!repository) {
          throw new InputError(
            `${JSON.stringify(
              requested.slice(0, 300),
            )} is not one of this entity's repositories (${repositories
              .map(r => r.arn)
              .join(', ')})`,
          );
        }
      }
      if (!repository) {
        throw new InputError(
          `This entity has several repositories; name one in ?repository= (${repositories
            .map(r => r.arn)
            .join(', ')})`,
        );
      }
      await requireReadable(
        reader,
        ecr.config,
        [repository],
        ownershipSubjectOf(entity),
      );
      const fetched = await reader.getFindings(repository, digest);
      const body: FindingsResponse = {
        ...fetched.value,
        fetchedAt: fetched.fetchedAt,
        ...(fetched.stale && { stale: true }),
      };
      res.json(body);
    },
  );

  router.get('/entity/:namespace/:kind/:name/setup', async (req, res) => {
    const [ref, credentials] = await callerOf(req);
    const body: SetupStatus = await reads.getSetupStatus(ref, credentials, {
      // Read after the entity is authorized, as the route always has.
      refresh: () => refreshOf(req),
    });
    res.json(body);
  });

  router.get('/entity/:namespace/:kind/:name/builds', async (req, res) => {
    const body: BuildsResponse = await reads.getBuilds(
      ...(await callerOf(req)),
    );
    res.json(body);
  });

  registerWriteRoutes(router, options);

  if (options.audit) {
    registerAuditRoutes(router, { ...options, ...options.audit });
  }

  router.use(createErrorHandler(options));
  return router;
}

/**
 * `?refresh=true` ("Check again"): read AWS again rather than answer from the
 * cache, unless the answer is only seconds old.
 */
function refreshOf(req: Pick<express.Request, 'query'>): boolean {
  const value: unknown = req.query.refresh;
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new InputError('refresh must be true or false');
}
