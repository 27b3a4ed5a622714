import { ReactNode } from 'react';
import { Flex, Text } from '@backstage/ui';
import {
  RiCheckboxCircleFill,
  RiCloseCircleFill,
  RiErrorWarningFill,
  RiQuestionFill,
} from '@remixicon/react';
import {
  SetupCheck,
  SetupCheckStatus,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { EcrTranslationFunction, ecrTranslationRef } from '../../translation';

const STATUS: Record<SetupCheckStatus, { color: string; icon: ReactNode }> = {
  pass: {
    color: 'var(--bui-fg-positive)',
    icon: <RiCheckboxCircleFill size={20} aria-hidden />,
  },
  warn: {
    color: 'var(--bui-fg-warning)',
    icon: <RiErrorWarningFill size={20} aria-hidden />,
  },
  fail: {
    color: 'var(--bui-fg-negative)',
    icon: <RiCloseCircleFill size={20} aria-hidden />,
  },
  unknown: {
    color: 'var(--bui-fg-secondary)',
    icon: <RiQuestionFill size={20} aria-hidden />,
  },
};

/** "2 of 11 need attention", or that all is well. */
export function setupSummary(
  t: EcrTranslationFunction,
  checks: SetupCheck[],
): string {
  const attention = checks.filter(check => check.status !== 'pass').length;
  if (attention === 0) {
    return t('setupChecklist.allPass', { count: checks.length });
  }
  return t('setupChecklist.needAttention', {
    attention: String(attention),
    total: String(checks.length),
  });
}

function CheckItem(props: { check: SetupCheck; action?: ReactNode }) {
  const { check, action } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const status = {
    ...STATUS[check.status],
    label: {
      pass: t('setupChecklist.status.pass'),
      warn: t('setupChecklist.status.warn'),
      fail: t('setupChecklist.status.fail'),
      unknown: t('setupChecklist.status.unknown'),
    }[check.status],
  };
  return (
    <li
      data-check-id={check.id}
      data-status={check.status}
      style={{
        display: 'flex',
        gap: 'var(--bui-space-3)',
        padding: 'var(--bui-space-3) 0',
        borderBottom: '1px solid var(--bui-border, rgba(0,0,0,0.08))',
      }}
    >
      <span style={{ color: status.color, paddingTop: 2 }} title={status.label}>
        {status.icon}
        <span
          style={{
            position: 'absolute',
            width: 1,
            height: 1,
            overflow: 'hidden',
            clip: 'rect(0 0 0 0)',
          }}
        >
          {status.label}
        </span>
      </span>
      <Flex direction="column" gap="1" style={{ flex: 1 }}>
        <Text weight="bold">{check.title}</Text>
        <Text variant="body-small">{check.detail}</Text>
        {check.remedy && (
          <Text
            variant="body-small"
            color="secondary"
            style={{ whiteSpace: 'pre-wrap' }}
          >
            {t('setupChecklist.remedy', { remedy: check.remedy })}
          </Text>
        )}
        {check.requiredActions && check.requiredActions.length > 0 && (
          <Text variant="body-small" color="secondary">
            {t('setupChecklist.requiredActions', {
              actions: check.requiredActions.join(', '),
            })}
          </Text>
        )}
      </Flex>
      {action && <div style={{ alignSelf: 'center' }}>{action}</div>}
    </li>
  );
}

/**
 * The setup checks as a checklist: each with its status, what it saw and what
 * to do. `renderAction` may add a fix to a check (shown only where allowed).
 */
export function SetupChecklist(props: {
  status: SetupStatus;
  renderAction?: (check: SetupCheck) => ReactNode;
}) {
  const { status, renderAction } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  return (
    <Flex direction="column" gap="2">
      <Text variant="body-medium" weight="bold" data-testid="setup-summary">
        {setupSummary(t, status.checks)}
      </Text>
      <ul
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
        aria-label={t('setupChecklist.listAriaLabel')}
      >
        {status.checks.map(check => (
          <CheckItem
            key={check.id}
            check={check}
            action={renderAction?.(check)}
          />
        ))}
      </ul>
    </Flex>
  );
}
