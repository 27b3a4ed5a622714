import {
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  belongs,
  ConfigureRepositoryResponse,
  judgeBinding,
  OwnershipSubject,
  RepositoryRef,
  RepositorySettingChange,
  RepositorySettingName,
} from '@backstage-ecr/plugin-ecr-common';
import { ConflictError } from '@backstage/errors';
import { callAws } from '../aws/call';
import { AwsClients } from '../aws/clients';
import { EcrConfig } from '../config';
import { requireAllowedAccount, requireAllowedRegion } from './allowedTargets';
import { findRepository } from './createRepository';
import { notOwnedError } from './ownership';
import { DEFAULT_LIFECYCLE_POLICY_TEXT } from './repositorySettings';

/**
 * Which settings of which repository to bring to the defaults of repository
 * creation.
 *
 * @public
 */
export interface ConfigureRepositoryRequest {
  repository: RepositoryRef;
  /** The entity the repository must belong to (its tags, read from AWS now). */
  subject: OwnershipSubject;
  /** The settings to change; all three when left out. */
  settings?: RepositorySettingName[];
  /**
   * Replace an existing lifecycle policy that differs from the default. Off
   * by default: such a policy is `kept`, and the answer says so.
   */
  replaceLifecyclePolicy?: boolean;
  /** Answer each change, and make none. */
  dryRun?: boolean;
}

/** The order the settings are read and applied in. */
export const REPOSITORY_SETTING_NAMES: readonly RepositorySettingName[] = [
  'scanOnPush',
  'tagImmutability',
  'lifecyclePolicy',
];

/**
 * Brings an existing repository that belongs to the entity to the settings a
 * repository is created with: scan on push on
 * (`ecr:PutImageScanningConfiguration`), IMMUTABLE tags
 * (`ecr:PutImageTagMutability`) and the default lifecycle policy
 * (`ecr:PutLifecyclePolicy`), each only when selected and not already so.
 *
 * A lifecycle policy that exists and differs from the default is never
 * replaced unless `replaceLifecyclePolicy` is true: it is answered `kept`;
 * asked to replace it, the change is marked `overwritesExisting`, in the dry
 * run as in the real run.
 *
 * Refused before anything is written: an account outside
 * `ecr.allowedAccounts` (400), a region outside `ecr.regions` (403), a
 * repository that does not belong to the entity (403, `NotOwnedError`), one
 * that does not exist (409).
 */
export async function configureRepository(
  clients: AwsClients,
  config: EcrConfig,
  request: ConfigureRepositoryRequest,
): Promise<ConfigureRepositoryResponse> {
  const { repository, subject, dryRun = false } = request;
  const selected = new Set(request.settings ?? REPOSITORY_SETTING_NAMES);
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
  const ecr = clients.ecr(repository.accountId, repository.region);
  // Settings, lifecycle policy and tags, fresh from AWS.
  const found = await findRepository(ecr, repository);
  if (!found) {
    throw new ConflictError(
      `Repository ${repository.arn} does not exist yet: create it first (it is created with these settings)`,
    );
  }
  const binding = judgeBinding(found.settings.tags, subject, config.ownership);
  if (!belongs(binding)) {
    throw notOwnedError(
      `Repository ${repository.arn}`,
      binding,
      subject,
      config.ownership,
      { kind: 'repository', arn: repository.arn },
    );
  }

  const changes: RepositorySettingChange[] = [];
  const { settings } = found;
  for (const setting of REPOSITORY_SETTING_NAMES) {
    if (!selected.has(setting)) continue;
    if (setting === 'scanOnPush') {
      changes.push({
        setting,
        current: String(settings.scanOnPush),
        desired: 'true',
        action: settings.scanOnPush ? 'unchanged' : 'change',
      });
    } else if (setting === 'tagImmutability') {
      changes.push({
        setting,
        current: settings.imageTagMutability,
        desired: 'IMMUTABLE',
        action:
          settings.imageTagMutability === 'IMMUTABLE' ? 'unchanged' : 'change',
      });
    } else {
      const current = settings.lifecyclePolicyText ?? null;
      const change: RepositorySettingChange = {
        setting,
        current,
        desired: DEFAULT_LIFECYCLE_POLICY_TEXT,
        action: 'change',
      };
      if (
        current !== null &&
        sameJson(current, DEFAULT_LIFECYCLE_POLICY_TEXT)
      ) {
        change.action = 'unchanged';
      } else if (current !== null) {
        if (request.replaceLifecyclePolicy) change.overwritesExisting = true;
        else change.action = 'kept';
      }
      changes.push(change);
    }
  }

  const pending = changes.filter(c => c.action === 'change');
  if (!dryRun) {
    for (const change of pending) {
      await apply(change.setting);
    }
  }
  return {
    dryRun,
    changed: !dryRun && pending.length > 0,
    repositoryArn: repository.arn,
    changes,
  };

  async function apply(setting: RepositorySettingName): Promise<void> {
    const target = {
      registryId: repository.accountId,
      repositoryName: repository.name,
    };
    if (setting === 'scanOnPush') {
      await callAws('ecr:PutImageScanningConfiguration', repository.arn, () =>
        ecr.send(
          new PutImageScanningConfigurationCommand({
            ...target,
            imageScanningConfiguration: { scanOnPush: true },
          }),
        ),
      );
    } else if (setting === 'tagImmutability') {
      await callAws('ecr:PutImageTagMutability', repository.arn, () =>
        ecr.send(
          new PutImageTagMutabilityCommand({
            ...target,
            imageTagMutability: 'IMMUTABLE',
          }),
        ),
      );
    } else {
      await callAws('ecr:PutLifecyclePolicy', repository.arn, () =>
        ecr.send(
          new PutLifecyclePolicyCommand({
            ...target,
            lifecyclePolicyText: DEFAULT_LIFECYCLE_POLICY_TEXT,
          }),
        ),
      );
    }
  }
}

/** Two JSON texts that parse to the same value, whatever their spacing. */
function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
