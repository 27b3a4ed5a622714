import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import {
  belongs,
  bindingTags,
  CreateRepositoryResponse,
  judgeBinding,
  OwnershipSubject,
  RepositoryRef,
  RepositorySettings,
} from '@backstage-ecr/plugin-ecr-common';
import { ConflictError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import {
  AwsAccessDeniedError,
  awsErrorCode,
  AwsServiceError,
  AwsThrottledError,
  toAwsError,
} from '../aws/errors';
import { EcrConfig } from '../config';
import { repositoryUri } from '../images/repositoryUri';
import { requireAllowedAccount, requireAllowedRegion } from './allowedTargets';
import { notOwnedError } from './ownership';
import {
  RepositorySettingsOverrides,
  resolveRepositorySettings,
  SETUP_STATE_TAG,
} from './repositorySettings';

/**
 * What to create, and how.
 *
 * @public
 */
export interface CreateRepositoryRequest {
  repository: RepositoryRef;
  /**
   * The catalog entity the repository is for: a new repository is tagged as
   * its own (entity and owner), an existing one is reused only when it
   * belongs to it.
   */
  subject: OwnershipSubject;
  /** Changes to the defaults of docs/architecture.md, "Writes". */
  settings?: RepositorySettingsOverrides;
  /** Answer what would be created, and create nothing. */
  dryRun?: boolean;
  /** An existing repository is answered unchanged (`reuse`, the default) or refused with 409 (`fail`). */
  ifExists?: 'reuse' | 'fail';
}

type MappedAwsError = ReturnType<typeof toAwsError>;

/** A repository as found in ECR. */
interface FoundRepository {
  arn: string;
  settings: RepositorySettings;
}

/**
 * Creates an ECR repository with the default settings (docs/architecture.md, "Writes"), or answers the existing
 * one unchanged. Everything CreateRepository accepts (tag mutability, scan on
 * push, encryption, tags) is set by that one call; only the lifecycle policy
 * needs a second. The repository is tagged `ecr.backstage-ecr.io/setup:
 * incomplete` until that second call succeeds, so that:
 * - a failure in between rolls back, deleting the repository this call created
 *   (never one that existed before it);
 * - where the rollback is impossible (Backstage may not delete, or the backend
 *   stopped part-way), the next request, or the scaffolder's task recovery,
 *   finishes that repository instead of reusing it half-done.
 */
export async function createRepository(
  clients: AwsClients,
  config: EcrConfig,
  request: CreateRepositoryRequest,
): Promise<CreateRepositoryResponse> {
  const { repository, dryRun = false, ifExists = 'reuse' } = request;
  requireAllowedAccount(
    repository.accountId,
    config.allowedAccounts,
    `Repository ${repository.arn}`,
  );
  requireAllowedRegion(
    repository.region,
    config.regions,
    `Repository ${repository.arn}`,
  );
  const desired = resolveRepositorySettings(repository, {
    bindingTags: bindingTags(request.subject, config.ownership),
    overrides: withoutBindingTags(request.settings, config.ownership),
  });
  const ecr = clients.ecr(repository.accountId, repository.region);
  const answer = (
    settings: RepositorySettings,
    outcome: { created: boolean; alreadyExisted: boolean },
  ): CreateRepositoryResponse => ({
    dryRun,
    ...outcome,
    repositoryArn: repository.arn,
    repositoryUri: repositoryUri(repository),
    settings,
  });

  const onExisting = async (
    found: FoundRepository,
  ): Promise<CreateRepositoryResponse> => {
    // Reused, or finished, only when it is the entity's own.
    const binding = judgeBinding(
      found.settings.tags,
      request.subject,
      config.ownership,
    );
    if (!belongs(binding)) {
      throw notOwnedError(
        `Repository ${repository.arn} exists already and`,
        binding,
        request.subject,
        config.ownership,
        { kind: 'repository', arn: repository.arn },
      );
    }
    if (found.settings.tags[SETUP_STATE_TAG] === 'incomplete') {
      // Backstage's own creation that did not finish: finish it.
      const finished: RepositorySettings = {
        ...found.settings,
        lifecyclePolicyText: desired.lifecyclePolicyText,
        tags: { ...found.settings.tags, [SETUP_STATE_TAG]: 'complete' },
      };
      if (!dryRun) await finishSetup(ecr, repository, finished);
      return answer(finished, { created: !dryRun, alreadyExisted: false });
    }
    if (ifExists === 'fail') {
      throw new ConflictError(
        `Repository ${repository.name} exists already in account ${repository.accountId}, region ${repository.region} (ifExists: fail)`,
      );
    }
    return answer(found.settings, { created: false, alreadyExisted: true });
  };

  const existing = await findRepository(ecr, repository);
  if (existing) return onExisting(existing);
  if (dryRun) return answer(desired, { created: false, alreadyExisted: false });

  try {
    await callAws('ecr:CreateRepository', repository.arn, () =>
      ecr.send(
        new CreateRepositoryCommand({
          registryId: repository.accountId,
          repositoryName: repository.name,
          imageTagMutability: desired.imageTagMutability,
          imageScanningConfiguration: { scanOnPush: desired.scanOnPush },
          encryptionConfiguration: {
            encryptionType: desired.encryptionType,
            ...(desired.kmsKey && { kmsKey: desired.kmsKey }),
          },
          tags: Object.entries({
            ...desired.tags,
            [SETUP_STATE_TAG]: 'incomplete',
          }).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
  } catch (error) {
    // Created meanwhile by someone else (or by a parallel run of this task).
    if (error instanceof RepositoryAlreadyExistsException) {
      const created = await findRepository(ecr, repository);
      if (created) return onExisting(created);
    }
    throw toAwsError(error, 'ecr:CreateRepository', repository.arn);
  }

  try {
    await finishSetup(ecr, repository, desired);
  } catch (error) {
    throw await rollBack(ecr, repository, error);
  }
  // Read back what ECR made of it (e.g. the KMS key it chose); the repository
  // is complete whether or not this read succeeds.
  const created = await findRepository(ecr, repository).catch(() => undefined);
  return answer(created?.settings ?? desired, {
    created: true,
    alreadyExisted: false,
  });
}

/**
 * The overrides without the binding tag keys, which are Backstage's own: the
 * extra tags may not set them, not even the owner tag of an entity that has
 * no owner (which would bind the new repository to another team).
 */
function withoutBindingTags(
  settings: RepositorySettingsOverrides | undefined,
  keys: EcrConfig['ownership'],
): RepositorySettingsOverrides | undefined {
  if (!settings?.tags) return settings;
  const {
    [keys.entityRefTag]: _entityRef,
    [keys.ownerTag]: _owner,
    ...tags
  } = settings.tags;
  return { ...settings, tags };
}

/** The second half of a creation: the lifecycle policy, then the setup tag. */
async function finishSetup(
  ecr: ECRClient,
  repository: RepositoryRef,
  settings: RepositorySettings,
): Promise<void> {
  await callAws('ecr:PutLifecyclePolicy', repository.arn, () =>
    ecr.send(
      new PutLifecyclePolicyCommand({
        registryId: repository.accountId,
        repositoryName: repository.name,
        lifecyclePolicyText: settings.lifecyclePolicyText,
      }),
    ),
  );
  await callAws('ecr:TagResource', repository.arn, () =>
    ecr.send(
      new TagResourceCommand({
        resourceArn: repository.arn,
        tags: [{ Key: SETUP_STATE_TAG, Value: 'complete' }],
      }),
    ),
  );
}

/**
 * Deletes the repository this call created (empty, so without force) and
 * answers the original failure, saying what was left behind.
 */
async function rollBack(
  ecr: ECRClient,
  repository: RepositoryRef,
  failure: unknown,
): Promise<Error> {
  const cause = toAwsError(failure, 'ecr:PutLifecyclePolicy', repository.arn);
  let outcome: string;
  try {
    await ecr.send(
      new DeleteRepositoryCommand({
        registryId: repository.accountId,
        repositoryName: repository.name,
        force: false,
      }),
    );
    outcome =
      'the repository this request had created was deleted again, so nothing is left half-done; try again';
  } catch (rollbackError) {
    outcome = `the repository was created, and Backstage could not delete it again (ecr:DeleteRepository: ${awsErrorCode(
      rollbackError,
    )}); it is tagged ${SETUP_STATE_TAG}=incomplete, and running the request again finishes it`;
  }
  return withOutcome(cause, outcome);
}

/** The same failure, with what became of the repository added to its message. */
function withOutcome(error: MappedAwsError, outcome: string): MappedAwsError {
  const message = `${error.message}; ${outcome}`;
  const details = { httpStatus: error.httpStatus, transient: error.transient };
  if (error instanceof AwsAccessDeniedError) {
    return new AwsAccessDeniedError(
      message,
      error.awsCode,
      error.action,
      details,
    );
  }
  if (error instanceof AwsThrottledError) {
    return new AwsThrottledError(message, error.awsCode, error.action, details);
  }
  return new AwsServiceError(message, error.awsCode, error.action, details);
}

/** The repository's settings, tags and lifecycle policy; undefined when it does not exist. */
export async function findRepository(
  ecr: ECRClient,
  repository: RepositoryRef,
): Promise<FoundRepository | undefined> {
  const described = await callAws(
    'ecr:DescribeRepositories',
    repository.arn,
    async () => {
      try {
        const answer = await ecr.send(
          new DescribeRepositoriesCommand({
            registryId: repository.accountId,
            repositoryNames: [repository.name],
          }),
        );
        return answer.repositories?.[0];
      } catch (error) {
        if (error instanceof RepositoryNotFoundException) return undefined;
        throw error;
      }
    },
  );
  if (!described) return undefined;
  const arn = described.repositoryArn ?? repository.arn;
  const [lifecyclePolicyText, tags] = await Promise.all([
    callAws('ecr:GetLifecyclePolicy', repository.arn, async () => {
      try {
        const answer = await ecr.send(
          new GetLifecyclePolicyCommand({
            registryId: repository.accountId,
            repositoryName: repository.name,
          }),
        );
        return answer.lifecyclePolicyText;
      } catch (error) {
        if (error instanceof LifecyclePolicyNotFoundException) return undefined;
        throw error;
      }
    }),
    callAws('ecr:ListTagsForResource', repository.arn, async () => {
      const answer = await ecr.send(
        new ListTagsForResourceCommand({ resourceArn: arn }),
      );
      return Object.fromEntries(
        (answer.tags ?? []).map(t => [t.Key ?? '', t.Value ?? '']),
      );
    }),
  ]);
  const encryption = described.encryptionConfiguration;
  return {
    arn,
    settings: {
      repositoryName: repository.name,
      region: repository.region,
      accountId: repository.accountId,
      // IMMUTABLE_WITH_EXCLUSION and MUTABLE_WITH_EXCLUSION count as their base.
      imageTagMutability: described.imageTagMutability?.startsWith('IMMUTABLE')
        ? 'IMMUTABLE'
        : 'MUTABLE',
      scanOnPush: described.imageScanningConfiguration?.scanOnPush ?? false,
      encryptionType: encryption?.encryptionType === 'KMS' ? 'KMS' : 'AES256',
      ...(encryption?.kmsKey && { kmsKey: encryption.kmsKey }),
      ...(lifecyclePolicyText && { lifecyclePolicyText }),
      tags,
    },
  };
}
