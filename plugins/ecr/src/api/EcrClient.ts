import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AuditHistory,
  AuditReport,
  AuditRunResponse,
  ClaimResponse,
  CreateRepositoryResponse,
  FindingsResponse,
  ImagesResponse,
  PushAccessResponse,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrApi } from './EcrApi';

/** Talks to the `ecr` backend plugin through Backstage's fetch and discovery. */
export class EcrClient implements EcrApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getImages(entity: CompoundEntityRef): Promise<ImagesResponse> {
    return this.request(entity, '/images');
  }

  getFindings(
    entity: CompoundEntityRef,
    options: { repositoryArn: string; digest: string },
  ): Promise<FindingsResponse> {
    const query = new URLSearchParams({ repository: options.repositoryArn });
    return this.request(
      entity,
      `/images/${encodeURIComponent(options.digest)}/findings?${query}`,
    );
  }

  getSetup(
    entity: CompoundEntityRef,
    options: { refresh?: boolean } = {},
  ): Promise<SetupStatus> {
    return this.request(
      entity,
      options.refresh ? '/setup?refresh=true' : '/setup',
    );
  }

  createRepository(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<CreateRepositoryResponse> {
    return this.request(entity, `/repository?dryRun=${options.dryRun}`, {
      method: 'POST',
    });
  }

  grantPushAccess(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<PushAccessResponse> {
    return this.request(entity, `/push-access?dryRun=${options.dryRun}`, {
      method: 'POST',
    });
  }

  claim(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<ClaimResponse> {
    return this.request(entity, `/claim?dryRun=${options.dryRun}`, {
      method: 'POST',
    });
  }

  getAudit(): Promise<AuditReport> {
    return this.call('/audit');
  }

  getAuditHistory(): Promise<AuditHistory> {
    return this.call('/audit/history');
  }

  runAudit(): Promise<AuditRunResponse> {
    return this.call('/audit/run', { method: 'POST' });
  }

  async getAuditCsv(): Promise<string> {
    const response = await this.send('/audit?format=csv');
    return response.text();
  }

  private async request<T>(
    entity: CompoundEntityRef,
    path: string,
    init?: RequestInit,
  ): Promise<T> {
    const entityPath = [entity.namespace, entity.kind, entity.name]
      .map(part => encodeURIComponent(part))
      .join('/');
    return this.call(`/entity/${entityPath}${path}`, init);
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.send(path, init);
    return (await response.json()) as T;
  }

  private async send(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ecr');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
