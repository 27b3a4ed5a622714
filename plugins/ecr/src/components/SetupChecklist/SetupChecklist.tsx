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

const STATUS: Record<
  SetupCheckStatus,
  { label: string; color: string; icon: ReactNode }
> = {
  pass: {
    label: 'Passed',
    color: 'var(--bui-fg-positive)',
    icon: <RiCheckboxCircleFill size={20} aria-hidden />,
  },
  warn: {
    label: 'Warning',
    color: 'var(--bui-fg-warning)',
    icon: <RiErrorWarningFill size={20} aria-hidden />,
  },
  fail: {
    label: 'Failed',
    color: 'var(--bui-fg-negative)',
    icon: <RiCloseCircleFill size={20} aria-hidden />,
  },
  unknown: {
    label: 'Unknown',
    color: 'var(--bui-fg-secondary)',
    icon: <RiQuestionFill size={20} aria-hidden />,
  },
};

/** "2 of 11 need attention", or that all is well. */
export function setupSummary(checks: SetupCheck[]): string {
  const attention = checks.filter(check => check.status !== 'pass').length;
  if (attention === 0) return `All ${checks.length} checks pass`;
  return `${attention} of ${checks.length} need attention`;
}

function CheckItem(props: { check: SetupCheck; action?: ReactNode }) {
  const { check, action } = props;
  const status = STATUS[check.status];
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
            What to do: {check.remedy}
          </Text>
        )}
        {check.requiredActions && check.requiredActions.length > 0 && (
          <Text variant="body-small" color="secondary">
            Backstage needs IAM permission for:{' '}
            {check.requiredActions.join(', ')}
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
  return (
    <Flex direction="column" gap="2">
      <Text variant="body-medium" weight="bold" data-testid="setup-summary">
        {setupSummary(status.checks)}
      </Text>
      <ul
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
        aria-label="Setup checks"
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
