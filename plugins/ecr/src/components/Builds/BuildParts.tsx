import { Link, Text } from '@backstage/ui';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { BuildStatus } from '@backstage-ecr/plugin-ecr-common';
import { EcrTranslationFunction, ecrTranslationRef } from '../../translation';
import { commitUrl, shortSourceVersion } from './source';

const STATUS_TONE: Record<BuildStatus, { fg: string; bg: string }> = {
  SUCCEEDED: {
    fg: 'var(--bui-positive-fg-subdued)',
    bg: 'var(--bui-positive-bg-subdued)',
  },
  FAILED: {
    fg: 'var(--bui-negative-fg-subdued)',
    bg: 'var(--bui-negative-bg-subdued)',
  },
  FAULT: {
    fg: 'var(--bui-negative-fg-subdued)',
    bg: 'var(--bui-negative-bg-subdued)',
  },
  TIMED_OUT: {
    fg: 'var(--bui-negative-fg-subdued)',
    bg: 'var(--bui-negative-bg-subdued)',
  },
  IN_PROGRESS: {
    fg: 'var(--bui-announcement-fg-subdued)',
    bg: 'var(--bui-announcement-bg-subdued)',
  },
  STOPPED: {
    fg: 'var(--bui-fg-secondary)',
    bg: 'var(--bui-bg-neutral-2, #eee)',
  },
};

/** Each build status as the plugin's messages say it. */
export function buildStatusLabel(
  t: EcrTranslationFunction,
  status: BuildStatus,
): string {
  const labels: Record<BuildStatus, string> = {
    SUCCEEDED: t('builds.status.succeeded'),
    FAILED: t('builds.status.failed'),
    FAULT: t('builds.status.fault'),
    TIMED_OUT: t('builds.status.timedOut'),
    IN_PROGRESS: t('builds.status.inProgress'),
    STOPPED: t('builds.status.stopped'),
  };
  return labels[status] ?? status;
}

/** A coloured chip for a build's status. */
export function BuildStatusChip(props: { status: BuildStatus }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const tone = STATUS_TONE[props.status] ?? STATUS_TONE.STOPPED;
  return (
    <span
      data-build-status={props.status}
      style={{
        display: 'inline-block',
        padding: '0 var(--bui-space-2, 8px)',
        borderRadius: 'var(--bui-radius-full)',
        fontSize: 'var(--bui-font-size-2)',
        fontWeight: 600,
        color: tone.fg,
        background: tone.bg,
        border: `1px solid ${tone.fg}`,
        whiteSpace: 'nowrap',
      }}
    >
      {buildStatusLabel(t, props.status)}
    </span>
  );
}

/** "3 min 12 s". */
export function formatDuration(
  t: EcrTranslationFunction,
  totalSeconds: number,
): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds >= 3600) {
    return t('builds.duration.hours', {
      hours: String(Math.floor(seconds / 3600)),
      minutes: String(Math.floor((seconds % 3600) / 60)),
    });
  }
  if (seconds >= 60) {
    return t('builds.duration.minutes', {
      minutes: String(Math.floor(seconds / 60)),
      seconds: String(seconds % 60),
    });
  }
  return t('builds.duration.seconds', { seconds: String(seconds) });
}

/**
 * A build's source version, short; a link to the commit when the entity's
 * source location is on a host whose commit pages are known.
 */
export function SourceVersion(props: {
  version: string;
  sourceLocation?: string;
  ariaLabel: (commit: string) => string;
}) {
  const { version, sourceLocation } = props;
  const short = shortSourceVersion(version);
  const href = commitUrl(sourceLocation, version);
  const style = { fontFamily: 'monospace' };
  if (!href) {
    return (
      <Text as="span" variant="body-small" style={style} title={version}>
        {short}
      </Text>
    );
  }
  return (
    <Link
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      variant="body-small"
      style={style}
      title={version}
      aria-label={props.ariaLabel(short)}
    >
      {short}
    </Link>
  );
}
