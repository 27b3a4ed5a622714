import { ReactNode, useState } from 'react';
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
} from '@backstage/ui';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';

/** A JSON-ish block: a policy, settings, tags. */
export function Code(props: { children: string }) {
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

/**
 * A write previewed before it is made: opening the dialog runs it as a dry
 * run and shows what would change; Apply runs it for real. A failed apply
 * keeps the dialog open and says why.
 */
export function DryRunDialog<T>(props: {
  title: string;
  /** The write, as a dry run or for real. */
  run: (dryRun: boolean) => Promise<T>;
  renderPreview: (preview: T) => ReactNode;
  /** False when the preview shows nothing to apply. */
  canApply?: (preview: T) => boolean;
  onApplied: (result: T) => void;
  onClose: () => void;
}) {
  const { title, run, renderPreview, canApply, onApplied, onClose } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  // The dialog is mounted for one preview: the dry run runs once.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const preview = useAsync(() => run(true), []);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<Error>();

  const apply = async () => {
    setApplying(true);
    setApplyError(undefined);
    try {
      const result = await run(false);
      onApplied(result);
      onClose();
    } catch (error) {
      setApplyError(error as Error);
    } finally {
      setApplying(false);
    }
  };

  const applicable =
    preview.value !== undefined &&
    !preview.error &&
    (canApply?.(preview.value) ?? true);

  return (
    <Dialog
      isOpen
      isDismissable
      onOpenChange={open => !open && onClose()}
      width={720}
    >
      <DialogHeader>{title}</DialogHeader>
      <DialogBody>
        <Flex direction="column" gap="3">
          {preview.loading && (
            <Skeleton
              width="100%"
              height={160}
              aria-label={t('dryRunDialog.loadingPreview')}
            />
          )}
          {preview.error && (
            <Alert
              status="danger"
              title={t('dryRunDialog.prepareFailed')}
              description={preview.error.message}
            />
          )}
          {preview.value !== undefined && renderPreview(preview.value)}
          {applyError && (
            <Alert
              status="danger"
              title={t('dryRunDialog.applyFailed')}
              description={applyError.message}
            />
          )}
        </Flex>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onPress={onClose}>
          {t('dryRunDialog.cancel')}
        </Button>
        <Button
          variant="primary"
          isDisabled={!applicable}
          isPending={applying}
          onPress={apply}
        >
          {t('dryRunDialog.apply')}
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
