import {
  SEVERITIES,
  Severity,
  SeverityCounts,
} from '@backstage-ecr/plugin-ecr-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';

const COLORS: Record<Severity, { fg: string; bg: string }> = {
  CRITICAL: { fg: '#ffffff', bg: '#8b0000' },
  HIGH: {
    fg: 'var(--bui-negative-fg-subdued)',
    bg: 'var(--bui-negative-bg-subdued)',
  },
  MEDIUM: {
    fg: 'var(--bui-warning-fg-subdued)',
    bg: 'var(--bui-warning-bg-subdued)',
  },
  LOW: {
    fg: 'var(--bui-announcement-fg-subdued)',
    bg: 'var(--bui-announcement-bg-subdued)',
  },
  INFORMATIONAL: {
    fg: 'var(--bui-fg-secondary)',
    bg: 'var(--bui-bg-neutral-2, #eee)',
  },
  UNDEFINED: {
    fg: 'var(--bui-fg-secondary)',
    bg: 'var(--bui-bg-neutral-2, #eee)',
  },
};

/** Each severity's name as the plugin's messages say it. */
export function useSeverityLabels(): Record<Severity, string> {
  const { t } = useTranslationRef(ecrTranslationRef);
  return {
    CRITICAL: t('severities.critical'),
    HIGH: t('severities.high'),
    MEDIUM: t('severities.medium'),
    LOW: t('severities.low'),
    INFORMATIONAL: t('severities.informational'),
    UNDEFINED: t('severities.undefined'),
  };
}

/** A coloured chip for one severity, with an optional count. */
export function SeverityChip(props: { severity: Severity; count?: number }) {
  const { severity, count } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const label = useSeverityLabels()[severity] ?? severity;
  const color = COLORS[severity] ?? COLORS.UNDEFINED;
  return (
    <span
      data-severity={severity}
      style={{
        display: 'inline-block',
        padding: '0 var(--bui-space-1_5, 6px)',
        borderRadius: 'var(--bui-radius-full)',
        fontSize: 'var(--bui-font-size-2)',
        fontWeight: 600,
        lineHeight: '20px',
        whiteSpace: 'nowrap',
        color: color.fg,
        background: color.bg,
      }}
    >
      {count === undefined
        ? label
        : t('severities.withCount', { severity: label, count })}
    </span>
  );
}

/** The severities that have findings, most severe first. */
export function SeverityChips(props: { counts: SeverityCounts }) {
  const present = SEVERITIES.filter(
    severity => (props.counts[severity] ?? 0) > 0,
  );
  return (
    <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 4 }}>
      {present.map(severity => (
        <SeverityChip
          key={severity}
          severity={severity}
          count={props.counts[severity]}
        />
      ))}
    </span>
  );
}
