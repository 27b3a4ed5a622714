import { useState } from 'react';
import { ButtonIcon, Tooltip, TooltipTrigger } from '@backstage/ui';
import { RiCheckLine, RiFileCopyLine } from '@remixicon/react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';

/** Copies a value to the clipboard, and says so. */
export function CopyButton(props: { value: string; label: string }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await window.navigator.clipboard?.writeText(props.value);
    setCopied(true);
    window.setTimeout(() => setCopied(false), 1500);
  };
  return (
    <TooltipTrigger>
      <ButtonIcon
        size="small"
        variant="tertiary"
        aria-label={props.label}
        icon={copied ? <RiCheckLine /> : <RiFileCopyLine />}
        onPress={copy}
      />
      <Tooltip>{copied ? t('common.copied') : props.label}</Tooltip>
    </TooltipTrigger>
  );
}
