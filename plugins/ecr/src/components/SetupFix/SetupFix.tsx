import { ReactNode, useState } from 'react';
import { Button, Flex, Text } from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
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
import {
  blockingOwnerCheck,
  isOwnerCheck,
  OwnerCheckId,
  ownerCheckState,
} from './ownership';

/** The checks that have a fix, and what each fix is. */
const FIXES = {
  'repository-exists': {
    permission: ecrRepositoryCreatePermission,
    button: 'Create repository',
    title: 'Create the ECR repository',
  },
  'push-permissions': {
    permission: ecrPushAccessGrantPermission,
    button: 'Grant push access',
    title: 'Grant the build role push access',
  },
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
  if (props.checkId === 'repository-exists') {
    const preview = props.preview as CreateRepositoryResponse;
    if (preview.alreadyExisted) {
      return <Text>The repository exists already; nothing would change.</Text>;
    }
    const { settings } = preview;
    return (
      <Flex direction="column" gap="2">
        <Text>
          Backstage will create <strong>{settings.repositoryName}</strong> in
          account {settings.accountId}, region {settings.region}, with these
          settings:
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
          ? 'Backstage will add this inline policy to the role. No other policy of the role is edited or removed.'
          : 'The role has this policy already; nothing would change.'}
      </Text>
      <Text variant="body-small">
        Role: <code>{preview.roleArn}</code>
      </Text>
      <Text variant="body-small">
        Policy name: <code>{preview.policyName}</code>
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
  const fix = FIXES[check.id];
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
        No fix until the{' '}
        {blocking.id === 'push-role-owner' ? 'pushing role' : 'repository'}{' '}
        belongs to this entity (see “{blocking.title}”).
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
        {fix.button}
      </Button>
      {open && (
        <DryRunDialog<Preview>
          title={fix.title}
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
  const [open, setOpen] = useState(false);
  const what = check.id === 'push-role-owner' ? 'the role' : 'the repository';
  if (!state.failing) {
    return null;
  }
  if (!state.unbound) {
    return (
      <Why>
        No claim: {what} belongs to someone else, and Backstage never re-binds a
        resource bound elsewhere.
      </Why>
    );
  }
  if (loading) {
    return null;
  }
  if (!allowed) {
    return (
      <Why>
        Only the platform team can bind resources to an entity (permission
        ecr.repository.claim); ask them to claim it.
      </Why>
    );
  }
  return (
    <>
      <Button size="small" variant="secondary" onPress={() => setOpen(true)}>
        Claim
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
