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
  CreateRepositoryResponse,
  ecrPushAccessGrantPermission,
  ecrRepositoryClaimPermission,
  ecrRepositoryCreatePermission,
  PushAccessResponse,
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
} as const;

type FixableCheckId = keyof typeof FIXES;
type Preview = CreateRepositoryResponse | PushAccessResponse;

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

function PreviewBody(props: { checkId: FixableCheckId; preview: Preview }) {
  const { t } = useTranslationRef(ecrTranslationRef);
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
  const { button, title } =
    check.id === 'repository-exists'
      ? {
          button: t('setupFix.createRepository.button'),
          title: t('setupFix.createRepository.title'),
        }
      : {
          button: t('setupFix.grantPushAccess.button'),
          title: t('setupFix.grantPushAccess.title'),
        };
  const { allowed } = usePermission({
    permission: fix.permission,
    resourceRef: stringifyEntityRef(entityRef),
  });
  const [open, setOpen] = useState(false);
  if (check.status !== 'fail' || !allowed) {
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
  const run = (dryRun: boolean): Promise<Preview> =>
    check.id === 'repository-exists'
      ? api.createRepository(entityRef, { dryRun })
      : api.grantPushAccess(entityRef, { dryRun });
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
 * allows to make it for this entity: create the repository, grant push
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
