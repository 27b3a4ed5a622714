import { ReactNode, useState } from 'react';
import { Button, Flex, Text } from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConfigureRepositoryResponse,
  CreateRepositoryResponse,
  ecrPushAccessGrantPermission,
  ecrRepositoryClaimPermission,
  ecrRepositoryConfigurePermission,
  ecrRepositoryCreatePermission,
  PushAccessResponse,
  RepositorySettingName,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { ClaimDialog } from '../ClaimDialog';
import { Code, DryRunDialog } from '../common/DryRunDialog';
import { ecrTranslationRef } from '../../translation';
import {
  blockingOwnerCheck,
  isOwnerCheck,
  OwnerCheckId,
  ownerCheckState,
} from './ownership';

/** The checks that have a fix, and the permission each fix needs. */
const FIXES = {
  'repository-exists': { permission: ecrRepositoryCreatePermission },
  'push-permissions': { permission: ecrPushAccessGrantPermission },
  'scan-on-push': { permission: ecrRepositoryConfigurePermission },
  'tag-immutability': { permission: ecrRepositoryConfigurePermission },
  'lifecycle-policy': { permission: ecrRepositoryConfigurePermission },
} as const;

/** The repository setting each settings check's fix changes. */
export const SETTING_OF_CHECK: Partial<Record<string, RepositorySettingName>> =
  {
    'scan-on-push': 'scanOnPush',
    'tag-immutability': 'tagImmutability',
    'lifecycle-policy': 'lifecyclePolicy',
  };

export type FixableCheckId = keyof typeof FIXES;
export type Preview =
  | CreateRepositoryResponse
  | PushAccessResponse
  | ConfigureRepositoryResponse;

function isFixable(id: string): id is FixableCheckId {
  return id in FIXES;
}

/** Why no fix is offered, beside the check. */
function Why(props: { children: ReactNode }) {
  return (
    <Text
      variant="body-small"
      color="secondary"
      style={{ display: 'block', maxWidth: 260 }}
      data-testid="fix-unavailable"
    >
      {props.children}
    </Text>
  );
}

/** Each setting a settings fix changes, as found and as it would be. */
export function SettingsPreview(props: {
  preview: ConfigureRepositoryResponse;
}) {
  const { preview } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const shown = (value: string | null) =>
    value === null ? t('setupFix.configure.none') : value;
  const policyText = (value: string) => {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  };
  return (
    <Flex direction="column" gap="2">
      <Text>
        {t('setupFix.configure.intro', {
          repositoryArn: <code>{preview.repositoryArn}</code>,
        })}
      </Text>
      {preview.changes.every(c => c.action !== 'change') && (
        <Text>{t('setupFix.configure.nothingToChange')}</Text>
      )}
      {preview.changes.map(change => {
        const setting = t(`setupFix.configure.setting.${change.setting}`);
        const lifecycle = change.setting === 'lifecyclePolicy';
        return (
          <Flex
            direction="column"
            gap="1"
            key={change.setting}
            data-testid={`setting-${change.setting}`}
          >
            <Text variant="body-small">
              {change.action === 'kept' &&
                t('setupFix.configure.kept', { setting })}
              {change.action === 'unchanged' &&
                t('setupFix.configure.unchanged', {
                  setting,
                  current: lifecycle
                    ? t('setupFix.configure.defaultPolicy')
                    : shown(change.current),
                })}
              {change.action === 'change' &&
                (change.overwritesExisting
                  ? t('setupFix.configure.overwrites', { setting })
                  : t('setupFix.configure.change', {
                      setting,
                      current: shown(change.current),
                      desired: lifecycle
                        ? t('setupFix.configure.defaultPolicy')
                        : change.desired,
                    }))}
            </Text>
            {lifecycle &&
              change.current !== null &&
              change.action !== 'unchanged' && (
                <Code>{policyText(change.current)}</Code>
              )}
            {lifecycle && change.action === 'change' && (
              <Code>{policyText(change.desired)}</Code>
            )}
          </Flex>
        );
      })}
    </Flex>
  );
}

export function PreviewBody(props: {
  checkId: FixableCheckId;
  preview: Preview;
}) {
  const { t } = useTranslationRef(ecrTranslationRef);
  if (SETTING_OF_CHECK[props.checkId]) {
    return (
      <SettingsPreview preview={props.preview as ConfigureRepositoryResponse} />
    );
  }
  if (props.checkId === 'repository-exists') {
    const preview = props.preview as CreateRepositoryResponse;
    if (preview.alreadyExisted) {
      return <Text>{t('setupFix.createRepository.exists')}</Text>;
    }
    const { settings } = preview;
    return (
      <Flex direction="column" gap="2">
        <Text>
          {t('setupFix.createRepository.preview', {
            repositoryName: <strong>{settings.repositoryName}</strong>,
            accountId: settings.accountId,
            region: settings.region,
          })}
        </Text>
        <Code>
          {JSON.stringify(
            {
              repositoryArn: preview.repositoryArn,
              imageTagMutability: settings.imageTagMutability,
              scanOnPush: settings.scanOnPush,
              encryption: settings.encryptionType,
              tags: settings.tags,
              lifecyclePolicy: settings.lifecyclePolicyText
                ? JSON.parse(settings.lifecyclePolicyText)
                : undefined,
            },
            null,
            2,
          )}
        </Code>
      </Flex>
    );
  }
  const preview = props.preview as PushAccessResponse;
  return (
    <Flex direction="column" gap="2">
      <Text>
        {preview.changed
          ? t('setupFix.grantPushAccess.willAdd')
          : t('setupFix.grantPushAccess.unchanged')}
      </Text>
      <Text variant="body-small">
        {t('setupFix.grantPushAccess.role', {
          roleArn: <code>{preview.roleArn}</code>,
        })}
      </Text>
      <Text variant="body-small">
        {t('setupFix.grantPushAccess.policyName', {
          policyName: <code>{preview.policyName}</code>,
        })}
      </Text>
      <Code>{JSON.stringify(preview.policyDocument, null, 2)}</Code>
    </Flex>
  );
}

/** Create the repository or grant push access, previewed with a dry run. */
function WriteFix(props: {
  entityRef: CompoundEntityRef;
  check: SetupCheck & { id: FixableCheckId };
  checks?: SetupCheck[];
  onApplied: () => void;
}) {
  const { entityRef, check, checks, onApplied } = props;
  const api = useApi(ecrApiRef);
  const { t } = useTranslationRef(ecrTranslationRef);
  const fix = FIXES[check.id];
  const setting = SETTING_OF_CHECK[check.id];
  let labels: { button: string; title: string };
  if (setting) {
    labels = {
      button: t(`setupFix.configure.button.${setting}`),
      title: t('setupFix.configure.title'),
    };
  } else if (check.id === 'repository-exists') {
    labels = {
      button: t('setupFix.createRepository.button'),
      title: t('setupFix.createRepository.title'),
    };
  } else {
    labels = {
      button: t('setupFix.grantPushAccess.button'),
      title: t('setupFix.grantPushAccess.title'),
    };
  }
  const { button, title } = labels;
  const { allowed } = usePermission({
    permission: fix.permission,
    resourceRef: stringifyEntityRef(entityRef),
  });
  const [open, setOpen] = useState(false);
  // The settings checks warn; the others fail.
  const needsFix = setting
    ? check.status === 'warn' || check.status === 'fail'
    : check.status === 'fail';
  if (!needsFix || !allowed) {
    return null;
  }
  const blocking = blockingOwnerCheck(check.id, checks);
  if (blocking) {
    // The backend refuses to change a resource that is not the entity's.
    return (
      <Why>
        {blocking.id === 'push-role-owner'
          ? t('setupFix.blockedByPushRole', { check: blocking.title })
          : t('setupFix.blockedByRepository', { check: blocking.title })}
      </Why>
    );
  }
  const run = (dryRun: boolean): Promise<Preview> => {
    if (setting) {
      return api.configureRepository(entityRef, {
        dryRun,
        settings: [setting],
      });
    }
    return check.id === 'repository-exists'
      ? api.createRepository(entityRef, { dryRun })
      : api.grantPushAccess(entityRef, { dryRun });
  };
  return (
    <>
      <Button size="small" variant="secondary" onPress={() => setOpen(true)}>
        {button}
      </Button>
      {open && (
        <DryRunDialog<Preview>
          title={title}
          run={run}
          renderPreview={preview => (
            <PreviewBody checkId={check.id} preview={preview} />
          )}
          onApplied={() => onApplied()}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * Claim, on an owner check that fails because a resource is unbound: tags
 * the entity's unbound resources as its own. A resource bound to someone
 * else is never re-bound, so then no claim is offered.
 */
function ClaimFix(props: {
  entityRef: CompoundEntityRef;
  check: SetupCheck & { id: OwnerCheckId };
  onApplied: () => void;
}) {
  const { entityRef, check, onApplied } = props;
  const state = ownerCheckState(check);
  const { loading, allowed } = usePermission({
    permission: ecrRepositoryClaimPermission,
    resourceRef: stringifyEntityRef(entityRef),
  });
  const { t } = useTranslationRef(ecrTranslationRef);
  const [open, setOpen] = useState(false);
  if (!state.failing) {
    return null;
  }
  if (!state.unbound) {
    return (
      <Why>
        {check.id === 'push-role-owner'
          ? t('setupFix.roleElsewhere')
          : t('setupFix.repositoryElsewhere')}
      </Why>
    );
  }
  if (loading) {
    return null;
  }
  if (!allowed) {
    return <Why>{t('setupFix.claimNotAllowed')}</Why>;
  }
  return (
    <>
      <Button size="small" variant="secondary" onPress={() => setOpen(true)}>
        {t('common.claim')}
      </Button>
      {open && (
        <ClaimDialog
          entityRef={entityRef}
          onApplied={() => onApplied()}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/**
 * The fix for a failing check, shown only to those the permission policy
 * allows to make it for this entity: create the repository, change its
 * settings (scan on push, immutable tags, lifecycle policy), grant push
 * access, or claim unbound resources. `checks` (the entity's other checks)
 * keeps a write fix back while its resource does not belong to the entity.
 */
export function SetupFix(props: {
  entityRef: CompoundEntityRef;
  check: SetupCheck;
  checks?: SetupCheck[];
  onApplied: () => void;
}) {
  const { entityRef, check, checks, onApplied } = props;
  if (isOwnerCheck(check.id)) {
    return (
      <ClaimFix
        entityRef={entityRef}
        check={check as SetupCheck & { id: OwnerCheckId }}
        onApplied={onApplied}
      />
    );
  }
  if (isFixable(check.id)) {
    return (
      <WriteFix
        entityRef={entityRef}
        check={check as SetupCheck & { id: FixableCheckId }}
        checks={checks}
        onApplied={onApplied}
      />
    );
  }
  return null;
}
