import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Alert,
  Button,
  Dialog,
  DialogBody,
  DialogFooter,
  DialogHeader,
  Flex,
  Skeleton,
  Text,
} from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CreateRepositoryResponse,
  ecrPushAccessGrantPermission,
  ecrRepositoryCreatePermission,
  PushAccessResponse,
  SetupCheck,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';

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

function Code(props: { children: string }) {
  return (
    <pre
      style={{
        margin: 0,
        padding: 'var(--bui-space-3)',
        borderRadius: 'var(--bui-radius-2)',
        background: 'var(--bui-bg-neutral-1)',
        fontSize: 'var(--bui-font-size-2)',
        overflow: 'auto',
        maxHeight: 320,
      }}
    >
      {props.children}
    </pre>
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

function FixDialog(props: {
  entityRef: CompoundEntityRef;
  checkId: FixableCheckId;
  onClose: () => void;
  onApplied: () => void;
}) {
  const { entityRef, checkId, onClose, onApplied } = props;
  const api = useApi(ecrApiRef);
  const fix = FIXES[checkId];
  const run = (dryRun: boolean): Promise<Preview> =>
    checkId === 'repository-exists'
      ? api.createRepository(entityRef, { dryRun })
      : api.grantPushAccess(entityRef, { dryRun });
  const preview = useAsync(() => run(true), [checkId]);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<Error>();

  const apply = async () => {
    setApplying(true);
    setApplyError(undefined);
    try {
      await run(false);
      onApplied();
      onClose();
    } catch (error) {
      setApplyError(error as Error);
    } finally {
      setApplying(false);
    }
  };

  return (
    <Dialog
      isOpen
      isDismissable
      onOpenChange={open => !open && onClose()}
      width={720}
    >
      <DialogHeader>{fix.title}</DialogHeader>
      <DialogBody>
        <Flex direction="column" gap="3">
          {preview.loading && (
            <Skeleton width="100%" height={160} aria-label="Loading preview" />
          )}
          {preview.error && (
            <Alert
              status="danger"
              title="Could not prepare the change"
              description={preview.error.message}
            />
          )}
          {preview.value && (
            <PreviewBody checkId={checkId} preview={preview.value} />
          )}
          {applyError && (
            <Alert
              status="danger"
              title="The change was not made"
              description={applyError.message}
            />
          )}
        </Flex>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onPress={onClose}>
          Cancel
        </Button>
        <Button
          variant="primary"
          isDisabled={!preview.value || Boolean(preview.error)}
          isPending={applying}
          onPress={apply}
        >
          Apply
        </Button>
      </DialogFooter>
    </Dialog>
  );
}

/**
 * The fix for a failing check, shown only to those the permission policy
 * allows to make it for this entity.
 */
export function SetupFix(props: {
  entityRef: CompoundEntityRef;
  check: SetupCheck;
  onApplied: () => void;
}) {
  const { entityRef, check, onApplied } = props;
  const fixable = isFixable(check.id) && check.status === 'fail';
  const { allowed } = usePermission({
    permission:
      FIXES[isFixable(check.id) ? check.id : 'repository-exists'].permission,
    resourceRef: stringifyEntityRef(entityRef),
  });
  const [open, setOpen] = useState(false);
  if (!fixable || !allowed) {
    return null;
  }
  return (
    <>
      <Button size="small" variant="secondary" onPress={() => setOpen(true)}>
        {FIXES[check.id as FixableCheckId].button}
      </Button>
      {open && (
        <FixDialog
          entityRef={entityRef}
          checkId={check.id as FixableCheckId}
          onClose={() => setOpen(false)}
          onApplied={onApplied}
        />
      )}
    </>
  );
}
