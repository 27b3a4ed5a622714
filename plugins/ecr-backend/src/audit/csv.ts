import { AuditReport } from '@backstage-ecr/plugin-ecr-common';

/** The columns of the audit CSV, in order. */
export const AUDIT_CSV_COLUMNS = [
  'entity_ref',
  'title',
  'owner',
  'repository_arns',
  'check_id',
  'status',
  'detail',
  'run_id',
  'run_finished_at',
] as const;

/**
 * One field of RFC 4180: quoted when it holds a comma, a quote, a line break
 * or leading or trailing space, with quotes doubled. A field a spreadsheet
 * would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return) is prefixed with an apostrophe: entity titles come from catalog
 * files anyone may edit.
 */
export function csvField(value: string | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The latest complete run as CSV (RFC 4180): a header row, then one row per
 * entity and check; lines end in CRLF. Several repository ARNs are separated
 * by spaces.
 */
export function auditReportCsv(report: AuditReport): string {
  const rows: string[][] = [[...AUDIT_CSV_COLUMNS]];
  for (const entity of report.entities) {
    for (const check of entity.checks) {
      rows.push([
        entity.entityRef,
        entity.title ?? '',
        entity.owner ?? '',
        entity.repositoryArns.join(' '),
        check.id,
        check.status,
        check.detail,
        report.run?.id ?? '',
        report.run?.finishedAt ?? '',
      ]);
    }
  }
  return rows.map(row => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** `ecr-audit-2024-05-01.csv`, after the day the run finished. */
export function auditCsvFilename(
  report: AuditReport,
  now = new Date(),
): string {
  const day = (report.run?.finishedAt ?? now.toISOString()).slice(0, 10);
  return `ecr-audit-${day}.csv`;
}
