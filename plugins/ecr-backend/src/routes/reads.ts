import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  BuildsResponse,
  EcrAnnotations,
  ecrImagesReadPermission,
  ImagesResponse,
  ownershipSubjectOf,
  readEcrAnnotations,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { EcrService } from '@backstage-ecr/plugin-ecr-node';
import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { authorizeEntityRef } from '../auth/authorizeEntity';
import { requireReadable } from '../auth/ownership';
import { CachedEcrReader } from '../services/CachedEcrReader';

export interface ReadOperationsOptions {
  permissions: PermissionsService;
  catalog: CatalogService;
  ecr: EcrService;
  reader: CachedEcrReader;
}

/** An entity's images as read, before they are put into an answer. */
export interface FetchedImages {
  entityRef: string;
  fetched: Array<Awaited<ReturnType<CachedEcrReader['getRepositoryImages']>>>;
  containerPort: number;
}

/**
 * The entity reads, shared by the routes and the actions: each loads the
 * entity with the caller's credentials (404), authorizes `ecr.images.read`
 * against it (403) and reads only the entity's annotated resources that AWS
 * says belong to it.
 */
export function createReadOperations(options: ReadOperationsOptions) {
  const { ecr, reader } = options;
  const { allowedAccounts, containerPort } = ecr.config;

  const authorized = (
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ) => authorizeEntityRef(options, ref, credentials, ecrImagesReadPermission);

  const annotationsOf = (entity: Entity): EcrAnnotations => {
    const result = readEcrAnnotations(entity, { allowedAccounts });
    if (!result.ok) {
      throw new InputError(
        `The entity's ECR annotations are not valid: ${result.errors.join(
          '; ',
        )}`,
      );
    }
    return result.value;
  };

  async function getImages(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<FetchedImages> {
    const { entity, entityRef } = await authorized(ref, credentials);
    const annotations = annotationsOf(entity);
    await requireReadable(
      reader,
      ecr.config,
      annotations.repositories,
      ownershipSubjectOf(entity),
    );
    const fetched = await Promise.all(
      annotations.repositories.map(r => reader.getRepositoryImages(r)),
    );
    return {
      entityRef,
      fetched,
      containerPort: annotations.containerPort ?? containerPort,
    };
  }

  async function getSetupStatus(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
    /** Whether to read AWS again ("Check again"); asked once authorized. */
    options: { refresh: () => boolean },
  ): Promise<SetupStatus> {
    const { entity, entityRef } = await authorized(ref, credentials);
    const annotations = readEcrAnnotations(entity, { allowedAccounts });
    const facts = await reader.getSetupFacts(
      annotations,
      ownershipSubjectOf(entity),
      { refresh: options.refresh() },
    );
    return {
      entityRef,
      checks: ecr.evaluateSetupChecks(facts.value),
      checkedAt: facts.fetchedAt,
      ...(facts.stale && { stale: true }),
    };
  }

  async function getBuilds(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<BuildsResponse> {
    const { entity } = await authorized(ref, credentials);
    const { codeBuildProject } = annotationsOf(entity);
    if (!codeBuildProject) {
      return {
        project: null,
        builds: [],
        fetchedAt: new Date().toISOString(),
      };
    }
    const fetched = await reader.getBuilds(
      codeBuildProject,
      ownershipSubjectOf(entity),
    );
    return {
      ...fetched.value,
      fetchedAt: fetched.fetchedAt,
      ...(fetched.stale && { stale: true }),
    };
  }

  return { authorized, annotationsOf, getImages, getSetupStatus, getBuilds };
}

/** The images answer built from what `getImages` read. */
export function imagesResponseOf(images: FetchedImages): ImagesResponse {
  const { entityRef, fetched, containerPort } = images;
  return {
    entityRef,
    repositories: fetched.map(f => f.value),
    containerPort,
    fetchedAt: oldest(fetched.map(f => f.fetchedAt)),
    ...(fetched.some(f => f.stale) && { stale: true }),
  };
}

function oldest(times: string[]): string {
  return times.length
    ? times.reduce((a, b) => (a < b ? a : b))
    : new Date().toISOString();
}
