import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ClaimResponse,
  CreateRepositoryResponse,
  EcrAnnotations,
  ecrBuildStartPermission,
  ecrPushAccessGrantPermission,
  ecrRepositoryClaimPermission,
  ecrRepositoryCreatePermission,
  ownershipSubjectOf,
  parseRepositoryArn,
  PushAccessResponse,
  readEcrAnnotations,
  RepositoryRef,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { checkSourceVersion, EcrService } from '@backstage-ecr/plugin-ecr-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { createEntityAuthorizer } from '../auth/authorizeEntity';
import { entityRouteRef } from '../auth/entityRouteRef';
import { EcrRouter } from '../http/openApiRouter';
import { dryRunOf, sourceVersionOf } from '../http/writeRequest';
import { CachedEcrReader } from '../services/CachedEcrReader';

export interface WriteRoutesOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  ecr: EcrService;
  reader: CachedEcrReader;
}

/** What every write's auditor event says, filled in as the request proceeds. */
interface WriteAuditMeta extends JsonObject {
  entityRef: string;
  dryRun: boolean;
  awsResource?: string;
}

/**
 * The writes: `POST …/repository`, `POST …/push-access`, `POST …/claim` and
 * `POST …/builds`,
 * each scoped like the read routes (the entity loaded with the caller's
 * credentials, the permission authorized against it, only its annotated AWS
 * resources acted on, and only those AWS says belong to it), and each
 * attempt, allowed or not, recorded as an auditor event. Their bodies are
 * read and checked by `writeRequestBody` before the route (see
 * `createEcrOpenApiRouter`).
 */
export function registerWriteRoutes(
  router: EcrRouter,
  options: WriteRoutesOptions,
): void {
  const { httpAuth, auditor, ecr, reader } = options;
  const authorizeEntity = createEntityAuthorizer(options);

  /**
   * Runs one write attempt inside an auditor event: the actor comes from the
   * request, the entity, AWS resource and outcome from `meta` as the attempt
   * fills it in.
   */
  async function audited(
    req: Request,
    eventId: string,
    attempt: (meta: WriteAuditMeta) => Promise<JsonObject>,
  ): Promise<void> {
    const meta: WriteAuditMeta = {
      entityRef: requestedEntityRef(req),
      dryRun: req.query.dryRun === 'true',
    };
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta: { ...meta },
    });
    try {
      const outcome = await attempt(meta);
      await event.success({ meta: { ...meta, ...outcome } });
    } catch (error) {
      await event.fail({ meta: { ...meta }, error: error as Error });
      throw error;
    }
  }

  /** Writes are for people: a service token never passes, whatever the policy. */
  async function requireUser(req: Request): Promise<void> {
    await httpAuth.credentials(req, { allow: ['user'] });
  }

  router.post('/entity/:namespace/:kind/:name/repository', async (req, res) => {
    await audited(req, 'repository-create', async meta => {
      const dryRun = dryRunOf(req);
      meta.dryRun = dryRun;
      await requireUser(req);
      const { entity, entityRef } = await authorizeEntity(
        req,
        ecrRepositoryCreatePermission,
      );
      meta.entityRef = entityRef;
      const annotations = annotationsOf(entity, ecr);
      const subject = ownershipSubjectOf(entity);
      const repository = chooseRepository(annotations, req);
      meta.awsResource = repository.arn;
      let answer: CreateRepositoryResponse;
      try {
        answer = await ecr.createRepository({ repository, subject, dryRun });
      } finally {
        if (!dryRun) await reader.invalidate(annotations, subject);
      }
      res.status(answer.created ? 201 : 200).json(answer);
      return {
        created: answer.created,
        alreadyExisted: answer.alreadyExisted,
      };
    });
  });

  router.post(
    '/entity/:namespace/:kind/:name/push-access',
    async (req, res) => {
      await audited(req, 'push-access-grant', async meta => {
        const dryRun = dryRunOf(req);
        meta.dryRun = dryRun;
        await requireUser(req);
        const { entity, entityRef } = await authorizeEntity(
          req,
          ecrPushAccessGrantPermission,
        );
        meta.entityRef = entityRef;
        const annotations = annotationsOf(entity, ecr);
        const subject = ownershipSubjectOf(entity);
        const repository = chooseRepository(annotations, req);
        meta.repositoryArn = repository.arn;
        const { pushRole, codeBuildProject } = annotations;
        if (!pushRole && !codeBuildProject) {
          throw new InputError(
            'The entity names no pushing role: add the aws.amazon.com/aws-codebuild-project-arn or the ecr.backstage-ecr.io/push-role-arn annotation',
          );
        }
        // As the setup checks do, an explicit role annotation wins.
        meta.awsResource = pushRole?.arn ?? codeBuildProject?.arn;
        let answer: PushAccessResponse;
        try {
          answer = await ecr.grantPushAccess({
            repository,
            ...(pushRole ? { role: pushRole } : { codeBuildProject }),
            subject,
            dryRun,
          });
        } finally {
          if (!dryRun) await reader.invalidate(annotations, subject);
        }
        meta.awsResource = answer.roleArn;
        res.json(answer);
        return { changed: answer.changed, policyName: answer.policyName };
      });
    },
  );

  router.post('/entity/:namespace/:kind/:name/builds', async (req, res) => {
    await audited(req, 'build-start', async meta => {
      const dryRun = dryRunOf(req);
      meta.dryRun = dryRun;
      const asked = sourceVersionOf(req);
      const sourceVersion =
        asked === undefined ? undefined : checkSourceVersion(asked);
      await requireUser(req);
      const { entity, entityRef } = await authorizeEntity(
        req,
        ecrBuildStartPermission,
      );
      meta.entityRef = entityRef;
      const { codeBuildProject } = annotationsOf(entity, ecr);
      if (!codeBuildProject) {
        throw new InputError(
          'The entity names no CodeBuild project: add the aws.amazon.com/aws-codebuild-project-arn annotation',
        );
      }
      meta.awsResource = codeBuildProject.arn;
      const subject = ownershipSubjectOf(entity);
      let answer: StartBuildResponse;
      try {
        answer = await ecr.startBuild({
          project: codeBuildProject,
          subject,
          dryRun,
          ...(sourceVersion !== undefined && { sourceVersion }),
        });
      } finally {
        if (!dryRun) await reader.invalidateBuilds(codeBuildProject, subject);
      }
      res.status(dryRun ? 200 : 201).json(answer);
      return {
        ...(answer.sourceVersion && { sourceVersion: answer.sourceVersion }),
        ...(answer.build && { buildId: answer.build.id }),
      };
    });
  });

  router.post('/entity/:namespace/:kind/:name/claim', async (req, res) => {
    await audited(req, 'repository-claim', async meta => {
      const dryRun = dryRunOf(req);
      meta.dryRun = dryRun;
      await requireUser(req);
      const { entity, entityRef } = await authorizeEntity(
        req,
        ecrRepositoryClaimPermission,
      );
      meta.entityRef = entityRef;
      const annotations = annotationsOf(entity, ecr);
      const subject = ownershipSubjectOf(entity);
      meta.awsResource = annotations.repositories.map(r => r.arn).join(',');
      let answer: ClaimResponse;
      try {
        answer = await ecr.claim({ annotations, subject, dryRun });
      } finally {
        if (!dryRun) await reader.invalidate(annotations, subject);
      }
      res.json(answer);
      return {
        changed: answer.changed,
        resources: answer.resources.map(r => ({
          kind: r.kind,
          arn: r.arn,
          outcome: r.outcome,
          ...(r.boundTo && { boundTo: r.boundTo }),
        })),
      };
    });
  });
}

/** The entity ref the request names, for the auditor before it is checked. */
function requestedEntityRef(req: Request): string {
  try {
    return stringifyEntityRef(entityRouteRef(req.params));
  } catch {
    const { namespace, kind, name } = req.params;
    return `${kind}:${namespace}/${name}`.slice(0, 300);
  }
}

function annotationsOf(
  entity: Parameters<typeof readEcrAnnotations>[0],
  ecr: EcrService,
): EcrAnnotations {
  const result = readEcrAnnotations(entity, {
    allowedAccounts: ecr.config.allowedAccounts,
  });
  if (!result.ok) {
    throw new InputError(
      `The entity's ECR annotations are not valid: ${result.errors.join('; ')}`,
    );
  }
  return result.value;
}

/**
 * The entity's repository the request acts on: the only one, or the one
 * `?repository=ARN` names, which must be one of the entity's.
 */
function chooseRepository(
  annotations: EcrAnnotations,
  req: Request,
): RepositoryRef {
  const { repositories } = annotations;
  const requested = req.query.repository;
  const known = repositories.map(r => r.arn).join(', ');
  if (requested === undefined) {
    if (repositories.length === 1) return repositories[0];
    throw new InputError(
      `This entity has several repositories; name one in ?repository= (${known})`,
    );
  }
  if (typeof requested !== 'string') {
    throw new InputError('Give one repository ARN in ?repository=');
  }
  const parsed = parseRepositoryArn(requested);
  const repository = parsed.ok
    ? repositories.find(r => r.arn === parsed.value.arn)
    : undefined;
  if (!repository) {
    throw new InputError(
      `${JSON.stringify(
        requested.slice(0, 300),
      )} is not one of this entity's repositories (${known})`,
    );
  }
  return repository;
}
