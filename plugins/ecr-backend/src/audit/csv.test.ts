import { AuditReport } from '@backstage-ecr/plugin-ecr-common';
import {
  AUDIT_CSV_COLUMNS,
  auditCsvFilename,
  auditReportCsv,
  csvField,
} from './csv';
import { parseCsv } from './__testUtils__/parseCsv';

const REPORT: AuditReport = {
  run: {
    id: 'run-1',
    status: 'complete',
    trigger: 'schedule',
    startedAt: '2024-05-01T10:00:00.000Z',
    finishedAt: '2024-05-01T10:03:00.000Z',
  },
  entities: [
    {
      entityRef: 'component:default/checkout-web',
      title: 'Checkout, the "new" one',
      owner: 'group:default/team-a',
      repositoryArns: [
        'arn:aws:ecr:eu-west-2:123412341234:repository/a',
        'arn:aws:ecr:eu-west-2:123412341234:repository/b',
      ],
      checks: [
        { id: 'repository-exists', status: 'pass', detail: 'Both exist.' },
        {
          id: 'push-permissions',
          status: 'fail',
          detail: 'Missing:\r\n- ecr:PutImage\n- "ecr:UploadLayerPart", on a',
        },
      ],
    },
    {
      entityRef: 'component:default/sneaky',
      title: '=HYPERLINK("http://example.com")',
      repositoryArns: [],
      checks: [{ id: 'annotation-valid', status: 'fail', detail: 'Bad.' }],
    },
  ],
  unclaimed: [],
};

describe('the audit CSV', () => {
  it('has a header row, then one row per entity and check, each ending in CRLF', () => {
    const text = auditReportCsv(REPORT);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows[0].join(',')).toBe(
      'entity_ref,title,owner,repository_arns,check_id,status,detail,run_id,run_finished_at',
    );
    expect(rows).toHaveLength(1 + 3);
    expect(rows.slice(1).map(r => [r[0], r[4], r[5]])).toEqual([
      ['component:default/checkout-web', 'repository-exists', 'pass'],
      ['component:default/checkout-web', 'push-permissions', 'fail'],
      ['component:default/sneaky', 'annotation-valid', 'fail'],
    ]);
    for (const row of rows) expect(row).toHaveLength(9);
  });

  it('quotes commas, quotes and line breaks so that they read back unchanged', () => {
    const [, first, second] = parseCsv(auditReportCsv(REPORT));
    expect(first).toEqual([
      'component:default/checkout-web',
      'Checkout, the "new" one',
      'group:default/team-a',
      'arn:aws:ecr:eu-west-2:123412341234:repository/a arn:aws:ecr:eu-west-2:123412341234:repository/b',
      'repository-exists',
      'pass',
      'Both exist.',
      'run-1',
      '2024-05-01T10:03:00.000Z',
    ]);
    expect(second[6]).toBe(
      'Missing:\r\n- ecr:PutImage\n- "ecr:UploadLayerPart", on a',
    );
  });

  it('leaves plain fields unquoted', () => {
    expect(csvField('component:default/payments-api')).toBe(
      'component:default/payments-api',
    );
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(undefined)).toBe('');
  });

  it('defuses fields a spreadsheet would run as formulas', () => {
    const rows = parseCsv(auditReportCsv(REPORT));
    expect(rows[3][1]).toBe(`'=HYPERLINK("http://example.com")`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@cmd')).toBe("'@cmd");
  });

  it('is the header alone before the first run', () => {
    expect(auditReportCsv({ entities: [], unclaimed: [] })).toBe(
      `${AUDIT_CSV_COLUMNS.join(',')}\r\n`,
    );
  });

  it('is named after the day the run finished', () => {
    expect(auditCsvFilename(REPORT)).toBe('ecr-audit-2024-05-01.csv');
    expect(
      auditCsvFilename(
        { entities: [], unclaimed: [] },
        new Date('2025-01-02T03:04:05Z'),
      ),
    ).toBe('ecr-audit-2025-01-02.csv');
  });
});
