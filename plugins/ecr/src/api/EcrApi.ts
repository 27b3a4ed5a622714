import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
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

/**
 * The ECR backend's API, as the frontend uses it.
 *
 * @public
 */
export interface EcrApi {
  getImages(entity: CompoundEntityRef): Promise<ImagesResponse>;
  getFindings(
    entity: CompoundEntityRef,
    options: { repositoryArn: string; digest: string },
  ): Promise<FindingsResponse>;
  /**
   * The setup checks; `refresh` ("Check again") asks the backend to read AWS
   * again rather than answer from its cache.
   */
  getSetup(
    entity: CompoundEntityRef,
    options?: { refresh?: boolean },
  ): Promise<SetupStatus>;
  createRepository(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<CreateRepositoryResponse>;
  grantPushAccess(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<PushAccessResponse>;
  /**
   * Brings the entity's repository to the creation defaults: the `settings`
   * given (all three when left out); an existing, different lifecycle policy
   * is replaced only with `replaceLifecyclePolicy`. With `dryRun` only says
   * what would change.
   */
  configureRepository(
    entity: CompoundEntityRef,
    options: {
      dryRun: boolean;
      settings?: RepositorySettingName[];
      replaceLifecyclePolicy?: boolean;
      repositoryArn?: string;
    },
  ): Promise<ConfigureRepositoryResponse>;
  /**
   * Binds the entity's unbound repositories (and its pushing role) to it by
   * tagging them; with `dryRun` only says what would be tagged.
   */
  claim(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<ClaimResponse>;
  getAudit(): Promise<AuditReport>;
  getAuditHistory(): Promise<AuditHistory>;
  runAudit(): Promise<AuditRunResponse>;
  /** The latest audit as CSV (one row per entity and check). */
  getAuditCsv(): Promise<string>;
  /** The recent builds of the entity's CodeBuild project, newest first. */
  getBuilds(entity: CompoundEntityRef): Promise<BuildsResponse>;
  /**
   * Re-runs the entity's CodeBuild build, for `sourceVersion` or else that of
   * the newest build; a dry run says what would be started.
   */
  startBuild(
    entity: CompoundEntityRef,
    options: { dryRun: boolean; sourceVersion?: string },
  ): Promise<StartBuildResponse>;
}

/** @public */
export const ecrApiRef = createApiRef<EcrApi>({ id: 'plugin.ecr.api' });
