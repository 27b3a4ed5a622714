import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AuditHistory,
  AuditReport,
  AuditRunResponse,
  BuildsResponse,
  ClaimResponse,
  ConfigureRepositoryResponse,
  CreateRepositoryResponse,
  FindingsResponse,
  ImagesResponse,
  PushAccessResponse,
  RepositorySettingName,
  SetupStatus,
  StartBuildResponse,
} from '@backstage-ecr/plugin-ecr-common';
import { DefaultApiClient, TypedResponse } from '../schema/openapi';
import { EcrApi } from './EcrApi';

/**
 * Talks to the `ecr` backend plugin through Backstage's fetch and discovery,
 * with the client generated from the backend's OpenAPI spec
 * (`plugins/ecr-backend/src/schema/openapi.yaml`). The generated answers are
 * returned as the types of `@backstage-ecr/plugin-ecr-common`, which they must
 * be assignable to; an answer that is not 2xx is thrown as a `ResponseError`.
 *
 * @public
 */
export class EcrClient implements EcrApi {
  private readonly client: DefaultApiClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new DefaultApiClient(options);
  }

  async getImages(entity: CompoundEntityRef): Promise<ImagesResponse> {
    return json(await this.client.getEntityImages({ path: pathOf(entity) }));
  }

  async getFindings(
    entity: CompoundEntityRef,
    options: { repositoryArn: string; digest: string },
  ): Promise<FindingsResponse> {
    return json(
      await this.client.getImageFindings({
        path: { ...pathOf(entity), digest: options.digest },
        query: { repository: options.repositoryArn },
      }),
    );
  }

  async getSetup(
    entity: CompoundEntityRef,
    options: { refresh?: boolean } = {},
  ): Promise<SetupStatus> {
    return json(
      await this.client.getEntitySetup({
        path: pathOf(entity),
        query: options.refresh ? { refresh: 'true' } : {},
      }),
    );
  }

  async createRepository(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<CreateRepositoryResponse> {
    return json(
      await this.client.createEntityRepository(writeRequest(entity, options)),
    );
  }

  async grantPushAccess(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<PushAccessResponse> {
    return json(
      await this.client.grantEntityPushAccess(writeRequest(entity, options)),
    );
  }

  async configureRepository(
    entity: CompoundEntityRef,
    options: {
      dryRun: boolean;
      settings?: RepositorySettingName[];
      replaceLifecyclePolicy?: boolean;
      repositoryArn?: string;
    },
  ): Promise<ConfigureRepositoryResponse> {
    const request = writeRequest(entity, options);
    const selected = options.settings && {
      scanOnPush: options.settings.includes('scanOnPush'),
      tagImmutability: options.settings.includes('tagImmutability'),
      lifecyclePolicy: options.settings.includes('lifecyclePolicy'),
    };
    return json(
      await this.client.configureEntityRepository({
        ...request,
        query: {
          ...request.query,
          ...(options.repositoryArn !== undefined && {
            repository: options.repositoryArn,
          }),
        },
        body: {
          ...request.body,
          ...selected,
          ...(options.replaceLifecyclePolicy && {
            replaceLifecyclePolicy: true,
          }),
        },
      }),
    );
  }

  async claim(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<ClaimResponse> {
    return json(
      await this.client.claimEntityResources(writeRequest(entity, options)),
    );
  }

  async getBuilds(entity: CompoundEntityRef): Promise<BuildsResponse> {
    return json(await this.client.getEntityBuilds({ path: pathOf(entity) }));
  }

  async startBuild(
    entity: CompoundEntityRef,
    options: { dryRun: boolean; sourceVersion?: string },
  ): Promise<StartBuildResponse> {
    const request = writeRequest(entity, options);
    return json(
      await this.client.startEntityBuild({
        ...request,
        body: {
          ...request.body,
          ...(options.sourceVersion !== undefined && {
            sourceVersion: options.sourceVersion,
          }),
        },
      }),
    );
  }

  async getAudit(): Promise<AuditReport> {
    return json(await this.client.getAudit({ query: {} }));
  }

  async getAuditHistory(): Promise<AuditHistory> {
    return json(await this.client.getAuditHistory({ query: {} }));
  }

  async runAudit(): Promise<AuditRunResponse> {
    return json(await this.client.runAudit({ query: {} }));
  }

  async getAuditCsv(): Promise<string> {
    const response = await ok(
      await this.client.getAudit({ query: { format: 'csv' } }),
    );
    return response.text();
  }
}

/** The path of an entity route: the client encodes each part. */
function pathOf(entity: CompoundEntityRef) {
  return { namespace: entity.namespace, kind: entity.kind, name: entity.name };
}

/**
 * A write's request: the dry-run flag in the query, as the backend logs and
 * audits it, and in the JSON body the spec gives writes (the two agree).
 */
function writeRequest(entity: CompoundEntityRef, options: { dryRun: boolean }) {
  return {
    path: pathOf(entity),
    query: { dryRun: options.dryRun ? ('true' as const) : ('false' as const) },
    body: { dryRun: options.dryRun },
  };
}

async function ok<T>(response: TypedResponse<T>): Promise<TypedResponse<T>> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response);
  }
  return response;
}

async function json<T>(response: TypedResponse<T>): Promise<T> {
  return (await ok(response)).json();
}
