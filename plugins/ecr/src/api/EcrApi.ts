import { createApiRef } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CreateRepositoryResponse,
  FindingsResponse,
  ImagesResponse,
  PushAccessResponse,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';

/** The ECR backend's API, as the frontend uses it. */
export interface EcrApi {
  getImages(entity: CompoundEntityRef): Promise<ImagesResponse>;
  getFindings(
    entity: CompoundEntityRef,
    options: { repositoryArn: string; digest: string },
  ): Promise<FindingsResponse>;
  getSetup(entity: CompoundEntityRef): Promise<SetupStatus>;
  createRepository(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<CreateRepositoryResponse>;
  grantPushAccess(
    entity: CompoundEntityRef,
    options: { dryRun: boolean },
  ): Promise<PushAccessResponse>;
}

/** @public */
export const ecrApiRef = createApiRef<EcrApi>({ id: 'plugin.ecr.api' });
