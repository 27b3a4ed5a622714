import { ReactNode } from 'react';
import { Flex, Text } from '@backstage/ui';
import {
  RiCheckboxCircleFill,
  RiCloseCircleFill,
  RiErrorWarningFill,
  RiQuestionFill,
} from '@remixicon/react';
import {
  BuildSummary,
  SetupCheck,
  SetupCheckStatus,
  SetupStatus,
} from '@backstage-ecr/plugin-ecr-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { EcrTranslationFunction, ecrTranslationRef } from '../../translation';
import { buildLabel } from '../Builds/source';
import { useFormatRelative } from '../common/useFormatRelative';

/** The id of a check's entry in the checklist, for links to it. */
export function checkAnchor(checkId: string): string {
  return `ecr-check-${checkId}`;
}

/** The checks that the latest build's outcome bears on. */
const CHECKS_WITH_LATEST_BUILD = ['images-present', 'push-permissions'];

/** "Latest build #12 failed in POST_BUILD: …" / "Latest build #7 succeeded 2 hours ago." */
function LatestBuild(props: { build: BuildSummary }) {
  const { build } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const label = buildLabel(build);
  let text: string;
  switch (build.status) {
    case 'SUCCEEDED':
      text = t('builds.latest.succeeded', {
        build: label,
        when: formatRelative(build.endTime ?? build.startTime),
      });
      break;
    case 'IN_PROGRESS':
      text = t('builds.latest.inProgress', { build: label });
      break;
    case 'FAILED':
    case 'FAULT':
    case 'TIMED_OUT': {
      const phase = build.failedPhase;
      const message = build.diagnosis?.message;
      if (phase && message) {
        text = t('builds.latest.failedInWith', {
          build: label,
          phase,
          message,
        });
      } else if (message) {
        text = t('builds.latest.failedWith', { build: label, message });
      } else if (phase) {
        text = t('builds.latest.failedIn', { build: label, phase });
      } else {
        text = t('builds.latest.failed', { build: label });
      }
      break;
    }
    default:
      text = t('builds.latest.other', {
        build: label,
        status: build.status.toLowerCase().replace(/_/g, ' '),
      });
  }
  return (
    <Text
      variant="body-small"
      color="secondary"
      data-testid="latest-build"
      style={{ wordBreak: 'break-word' }}
    >
      {text}
    </Text>
  );
}

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

function CheckItem(props: {
  check: SetupCheck;
  action?: ReactNode;
  latestBuild?: BuildSummary;
}) {
  const { check, action, latestBuild } = props;
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
      id={checkAnchor(check.id)}
      // Focusable from script only: links to a check move focus to it.
      tabIndex={-1}
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
        {latestBuild && CHECKS_WITH_LATEST_BUILD.includes(check.id) && (
          <LatestBuild build={latestBuild} />
        )}
      </Flex>
      {action && <div style={{ alignSelf: 'center' }}>{action}</div>}
    </li>
  );
}

/**
 * The setup checks as a checklist: each with its status, what it saw and what
 * to do. `renderAction` may add a fix to a check (shown only where allowed),
 * `actions` a button for all of them.
 * `latestBuild`, the newest build of the entity's CodeBuild project, is
 * mentioned where its outcome bears on a check (images pushed, push access).
 */
export function SetupChecklist(props: {
  status: SetupStatus;
  renderAction?: (check: SetupCheck) => ReactNode;
  latestBuild?: BuildSummary;
  /** Beside the summary: "Fix all", where there is something to fix. */
  actions?: ReactNode;
}) {
  const { status, renderAction, latestBuild, actions } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  return (
    <Flex direction="column" gap="2">
      <Flex align="center" justify="between" gap="2">
        <Text variant="body-medium" weight="bold" data-testid="setup-summary">
          {setupSummary(t, status.checks)}
        </Text>
        {actions}
      </Flex>
      <ul
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
        aria-label={t('setupChecklist.listAriaLabel')}
      >
        {status.checks.map(check => (
          <CheckItem
            key={check.id}
            check={check}
            action={renderAction?.(check)}
            latestBuild={latestBuild}
          />
        ))}
      </ul>
    </Flex>
  );
}
