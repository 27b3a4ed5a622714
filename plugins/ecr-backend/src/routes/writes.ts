import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ClaimResponse,
  ConfigureRepositoryResponse,
  CreateRepositoryResponse,
  EcrAnnotations,
  ecrBuildStartPermission,
  ecrPushAccessGrantPermission,
  ecrRepositoryClaimPermission,
  ecrRepositoryConfigurePermission,
  ecrRepositoryCreatePermission,
  ownershipSubjectOf,
  parseRepositoryArn,
  PushAccessResponse,
  readEcrAnnotations,
  RepositorySettingName,
  RepositoryRef,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { checkSourceVersion, EcrService } from '@backstage-ecr/plugin-ecr-node';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { authorizeEntityRef } from '../auth/authorizeEntity';
import { entityRouteRef } from '../auth/entityRouteRef';
import { EcrRouter } from '../http/openApiRouter';
import {
  dryRunOf,
  settingsRequestOf,
  sourceVersionOf,
} from '../http/writeRequest';
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
export interface WriteAuditMeta extends JsonObject {
  entityRef: string;
  dryRun: boolean;
  awsResource?: string;
}

/** One write, as a route or an action asks for it. */
export interface WriteCall {
  /** The entity, already checked against the catalog's naming rules. */
  ref: CompoundEntityRef;
  credentials: BackstageCredentials;
  dryRun: boolean;
  /** The repository ARN to act on when the entity has several; unchecked. */
  repository?: unknown;
  /** `start-build` only: the source version to build; unchecked. */
  sourceVersion?: unknown;
}

/**
 * The writes themselves, shared by the routes and the actions: each checks
 * the caller is a user, loads the entity with the caller's credentials
 * (404), authorizes the write's permission against it (403), acts only on
 * the entity's annotated resources that AWS says belong to it, and fills in
 * `meta` for the auditor event its caller records around it.
 */
export function createWriteOperations(
  options: Omit<WriteRoutesOptions, 'httpAuth'>,
) {
  const { auditor, ecr, reader } = options;

  /**
   * Runs one write attempt inside an auditor event: the actor comes from the
   * request when there is one, the entity, AWS resource and outcome from
   * `meta` as the attempt fills it in.
   */
  async function audited(
    eventId: string,
    init: { request?: Request; meta: WriteAuditMeta },
    attempt: (meta: WriteAuditMeta) => Promise<JsonObject>,
  ): Promise<void> {
    const meta = init.meta;
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      ...(init.request && { request: init.request }),
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

  async function authorized(
    call: WriteCall,
    permission: ResourcePermission<'catalog-entity'>,
    meta: WriteAuditMeta,
  ) {
    requireUserCredentials(call.credentials);
    const found = await authorizeEntityRef(
      options,
      call.ref,
      call.credentials,
      permission,
    );
    meta.entityRef = found.entityRef;
    return found;
  }

  async function createRepository(
    call: WriteCall,
    meta: WriteAuditMeta,
  ): Promise<CreateRepositoryResponse> {
    const { dryRun } = call;
    const { entity } = await authorized(
      call,
      ecrRepositoryCreatePermission,
      meta,
    );
    const annotations = await reader.resolveAnnotations(
      annotationsOf(entity, ecr),
    );
    const subject = ownershipSubjectOf(entity);
    const repository = chooseRepositoryNamed(annotations, call.repository);
    meta.awsResource = repository.arn;
    try {
      return await ecr.createRepository({ repository, subject, dryRun });
    } finally {
      if (!dryRun) await reader.invalidate(annotations, subject);
    }
  }

  async function grantPushAccess(
    call: WriteCall,
    meta: WriteAuditMeta,
  ): Promise<PushAccessResponse> {
    const { dryRun } = call;
    const { entity } = await authorized(
      call,
      ecrPushAccessGrantPermission,
      meta,
    );
    const annotations = await reader.resolveAnnotations(
      annotationsOf(entity, ecr),
    );
    const subject = ownershipSubjectOf(entity);
    const repository = chooseRepositoryNamed(annotations, call.repository);
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
    return answer;
  }

  async function startBuild(
    call: WriteCall,
    meta: WriteAuditMeta,
  ): Promise<StartBuildResponse> {
    const { dryRun } = call;
    const sourceVersion =
      call.sourceVersion === undefined
        ? undefined
        : checkSourceVersion(call.sourceVersion);
    const { entity } = await authorized(call, ecrBuildStartPermission, meta);
    const { codeBuildProject } = annotationsOf(entity, ecr);
    if (!codeBuildProject) {
      throw new InputError(
        'The entity names no CodeBuild project: add the aws.amazon.com/aws-codebuild-project-arn annotation',
      );
    }
    meta.awsResource = codeBuildProject.arn;
    const subject = ownershipSubjectOf(entity);
    try {
      return await ecr.startBuild({
        project: codeBuildProject,
        subject,
        dryRun,
        ...(sourceVersion !== undefined && { sourceVersion }),
      });
    } finally {
      if (!dryRun) await reader.invalidateBuilds(codeBuildProject, subject);
    }
  }

  async function claim(
    call: WriteCall,
    meta: WriteAuditMeta,
  ): Promise<ClaimResponse> {
    const { dryRun } = call;
    const { entity } = await authorized(
      call,
      ecrRepositoryClaimPermission,
      meta,
    );
    const annotations = await reader.resolveAnnotations(
      annotationsOf(entity, ecr),
    );
    const subject = ownershipSubjectOf(entity);
    meta.awsResource = annotations.repositories.map(r => r.arn).join(',');
    try {
      return await ecr.claim({ annotations, subject, dryRun });
    } finally {
      if (!dryRun) await reader.invalidate(annotations, subject);
    }
  }

  async function configureRepository(
    call: WriteCall,
    asked: {
      settings?: RepositorySettingName[];
      replaceLifecyclePolicy?: boolean;
    },
    meta: WriteAuditMeta,
  ): Promise<ConfigureRepositoryResponse> {
    const { dryRun } = call;
    const { entity } = await authorized(
      call,
      ecrRepositoryConfigurePermission,
      meta,
    );
    const annotations = await reader.resolveAnnotations(
      annotationsOf(entity, ecr),
    );
    const subject = ownershipSubjectOf(entity);
    const repository = chooseRepositoryNamed(annotations, call.repository);
    meta.awsResource = repository.arn;
    try {
      return await ecr.configureRepository({
        repository,
        subject,
        ...asked,
        dryRun,
      });
    } finally {
      if (!dryRun) await reader.invalidate(annotations, subject);
    }
  }

  return {
    audited,
    createRepository,
    configureRepository,
    grantPushAccess,
    startBuild,
    claim,
  };
}

/** What each write's auditor event records of its outcome. */
export const writeOutcomes = {
  createRepository: (answer: CreateRepositoryResponse): JsonObject => ({
    created: answer.created,
    alreadyExisted: answer.alreadyExisted,
  }),
  configureRepository: (answer: ConfigureRepositoryResponse): JsonObject => ({
    changed: answer.changed,
    changes: answer.changes.map(c => ({
      setting: c.setting,
      action: c.action,
      ...(c.overwritesExisting && { overwritesExisting: true }),
    })),
  }),
  grantPushAccess: (answer: PushAccessResponse): JsonObject => ({
    changed: answer.changed,
    policyName: answer.policyName,
  }),
  startBuild: (answer: StartBuildResponse): JsonObject => ({
    ...(answer.sourceVersion && { sourceVersion: answer.sourceVersion }),
    ...(answer.build && { buildId: answer.build.id }),
  }),
  claim: (answer: ClaimResponse): JsonObject => ({
    changed: answer.changed,
    resources: answer.resources.map(r => ({
      kind: r.kind,
      arn: r.arn,
      outcome: r.outcome,
      ...(r.boundTo && { boundTo: r.boundTo }),
    })),
  }),
};

/** Writes are for people: a service token never passes, whatever the policy. */
function requireUserCredentials(credentials: BackstageCredentials): void {
  const { type } = credentials.principal as { type?: unknown };
  if (type !== 'user') {
    throw new NotAllowedError('Only a user may make this change');
  }
}

/**
 * The writes: `POST …/repository`, `POST …/repository/settings`,
 * `POST …/push-access`, `POST …/claim` and `POST …/builds`,
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
  const { httpAuth } = options;
  const writes = createWriteOperations(options);

  /**
   * One write route: its auditor event (the actor from the request), the
   * dry run flag from the request, the caller checked to be a user, then
   * the write.
   */
  async function audited(
    req: Request,
    eventId: string,
    write: (call: WriteCall, meta: WriteAuditMeta) => Promise<JsonObject>,
  ): Promise<void> {
    const meta: WriteAuditMeta = {
      entityRef: requestedEntityRef(req),
      dryRun: req.query.dryRun === 'true',
    };
    await writes.audited(eventId, { request: req, meta }, async () => {
      const dryRun = dryRunOf(req);
      meta.dryRun = dryRun;
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const ref = entityRouteRef(req.params);
      return write(
        { ref, credentials, dryRun, repository: req.query.repository },
        meta,
      );
    });
  }

  router.post('/entity/:namespace/:kind/:name/repository', async (req, res) => {
    await audited(req, 'repository-create', async (call, meta) => {
      const answer = await writes.createRepository(call, meta);
      res.status(answer.created ? 201 : 200).json(answer);
      return writeOutcomes.createRepository(answer);
    });
  });

  router.post(
    '/entity/:namespace/:kind/:name/repository/settings',
    async (req, res) => {
      await audited(req, 'repository-configure', async (call, meta) => {
        const asked = settingsRequestOf(req);
        if (
          asked.repository !== undefined &&
          call.repository !== undefined &&
          call.repository !== asked.repository
        ) {
          throw new InputError(
            '?repository= and "repository" in the request body disagree; name the repository once, or the same in both',
          );
        }
        const answer = await writes.configureRepository(
          { ...call, repository: call.repository ?? asked.repository },
          {
            settings: asked.settings,
            replaceLifecyclePolicy: asked.replaceLifecyclePolicy,
          },
          meta,
        );
        res.json(answer);
        return writeOutcomes.configureRepository(answer);
      });
    },
  );

  router.post(
    '/entity/:namespace/:kind/:name/push-access',
    async (req, res) => {
      await audited(req, 'push-access-grant', async (call, meta) => {
        const answer = await writes.grantPushAccess(call, meta);
        res.json(answer);
        return writeOutcomes.grantPushAccess(answer);
      });
    },
  );

  router.post('/entity/:namespace/:kind/:name/builds', async (req, res) => {
    const meta: WriteAuditMeta = {
      entityRef: requestedEntityRef(req),
      dryRun: req.query.dryRun === 'true',
    };
    await writes.audited('build-start', { request: req, meta }, async () => {
      const dryRun = dryRunOf(req);
      meta.dryRun = dryRun;
      const asked = sourceVersionOf(req);
      // Checked before the caller, as the route always has.
      const sourceVersion =
        asked === undefined ? undefined : checkSourceVersion(asked);
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const ref = entityRouteRef(req.params);
      const answer = await writes.startBuild(
        { ref, credentials, dryRun, sourceVersion },
        meta,
      );
      res.status(dryRun ? 200 : 201).json(answer);
      return writeOutcomes.startBuild(answer);
    });
  });

  router.post('/entity/:namespace/:kind/:name/claim', async (req, res) => {
    await audited(req, 'repository-claim', async (call, meta) => {
      const answer = await writes.claim(call, meta);
      res.json(answer);
      return writeOutcomes.claim(answer);
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

/**
 * What the entity's annotations name, checked. The writes that act on its
 * repositories pass it to `reader.resolveAnnotations`, so that those found by
 * `aws.amazon.com/amazon-ecr-tags` are the entity's too, as for the reads.
 */
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
 * The entity's repository a write acts on: the only one, or the one
 * `requested` names (a route's `?repository=`, an action's `repository`),
 * which must be one of the entity's.
 */
function chooseRepositoryNamed(
  annotations: EcrAnnotations,
  requested: unknown,
): RepositoryRef {
  const { repositories } = annotations;
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
