import {
  Severity,
  SEVERITIES,
  SeverityCounts,
} from '@backstage-ecr/plugin-ecr-common';

const KNOWN = new Set<string>(SEVERITIES);

/** ECR's severity as one of ours; Inspector's UNTRIAGED and anything new as UNDEFINED. */
export function toSeverity(value: string | undefined): Severity {
  const upper = value?.toUpperCase();
  return upper && KNOWN.has(upper) ? (upper as Severity) : 'UNDEFINED';
}

/** ECR's per-severity counts, keeping only severities with findings. */
export function toSeverityCounts(
  counts: Partial<Record<string, number>> | undefined,
): SeverityCounts {
  const result: SeverityCounts = {};
  for (const [severity, count] of Object.entries(counts ?? {})) {
    if (typeof count === 'number' && count > 0) {
      const key = toSeverity(severity);
      result[key] = (result[key] ?? 0) + count;
    }
  }
  return result;
}

/** Most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}
