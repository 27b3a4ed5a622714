import { useState } from 'react';
import { ButtonIcon, Tooltip, TooltipTrigger } from '@backstage/ui';
import { RiCheckLine, RiFileCopyLine } from '@remixicon/react';

/** Copies a value to the clipboard, and says so. */
export function CopyButton(props: { value: string; label: string }) {
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
      <Tooltip>{copied ? 'Copied' : props.label}</Tooltip>
    </TooltipTrigger>
  );
}
