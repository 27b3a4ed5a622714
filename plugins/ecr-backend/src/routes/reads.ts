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
  SetupCheck,
  SetupCheckId,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { AwsCallError, EcrService } from '@backstage-ecr/plugin-ecr-node';
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

  /**
   * The annotations with the repositories their tags find (cached); the
   * repositories every read of the entity acts on.
   */
  const repositoriesOf = (entity: Entity): Promise<EcrAnnotations> =>
    reader.resolveAnnotations(annotationsOf(entity));

  async function getImages(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<FetchedImages> {
    const { entity, entityRef } = await authorized(ref, credentials);
    const annotations = await repositoriesOf(entity);
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
    asked: { refresh: () => boolean },
  ): Promise<SetupStatus> {
    const { entity, entityRef } = await authorized(ref, credentials);
    const parsed = readEcrAnnotations(entity, { allowedAccounts });
    let annotations = parsed;
    let lookupFailure: AwsCallError | undefined;
    if (parsed.ok && parsed.value.repositoryTags) {
      try {
        annotations = {
          ok: true,
          value: await reader.resolveAnnotations(parsed.value),
        };
      } catch (error) {
        if (!(error instanceof AwsCallError)) throw error;
        // The other checks still run, on what the ARN annotation names.
        lookupFailure = error;
      }
    }
    const facts = await reader.getSetupFacts(
      annotations,
      ownershipSubjectOf(entity),
      { refresh: asked.refresh() },
    );
    const checks = ecr.evaluateSetupChecks(facts.value);
    return {
      entityRef,
      checks: lookupFailure
        ? checks.map(check => withoutRepositoryList(check, lookupFailure!))
        : checks,
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
    const subject = ownershipSubjectOf(entity);
    const fetched = await reader.getBuilds(codeBuildProject, subject, {
      // The images and checks answered before the build ended may be out of
      // date: the next read asks AWS.
      onBuildEnded: async () =>
        reader.invalidate(await repositoriesOf(entity), subject),
    });
    return {
      ...fetched.value,
      fetchedAt: fetched.fetchedAt,
      ...(fetched.stale && { stale: true }),
    };
  }

  return {
    authorized,
    annotationsOf,
    repositoriesOf,
    getImages,
    getSetupStatus,
    getBuilds,
  };
}

/** The checks that judge the entity's repositories, and so need their list. */
const REPOSITORY_CHECKS: ReadonlySet<string> = new Set<SetupCheckId>([
  'repository-exists',
  'scan-on-push',
  'tag-immutability',
  'lifecycle-policy',
  'encryption',
  'push-permissions',
  'images-present',
  'repository-owner',
]);

/**
 * A check that needs the repository list, unknown when the tags lookup that
 * completes the list failed: it says so, naming `tag:GetResources`.
 */
function withoutRepositoryList(
  check: SetupCheck,
  failure: AwsCallError,
): SetupCheck {
  if (!REPOSITORY_CHECKS.has(check.id)) return check;
  return {
    id: check.id,
    status: 'unknown',
    title: check.title,
    detail: `The repositories aws.amazon.com/amazon-ecr-tags names could not be looked up: ${failure.message}`,
    remedy:
      'Allow Backstage tag:GetResources (Resource Groups Tagging API) in every account of ecr.allowedAccounts, or name the repositories with aws.amazon.com/amazon-ecr-arn.',
    requiredActions: ['tag:GetResources'],
  };
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
