import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardHeader,
  Cell,
  CellText,
  ColumnConfig,
  Flex,
  Grid,
  Link,
  Select,
  Skeleton,
  Table,
  Text,
  useTable,
} from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuditEntityResult,
  AuditHistory,
  AuditReport,
  AuditSummary,
  ClaimResponse,
  ecrAuditReadPermission,
  ecrAuditRunPermission,
  setupCheckIdsOf,
  SetupCheckStatus,
  UnclaimedRepository,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { ErrorAlert } from '../EcrContent';
import { formatExact } from '../common/format';
import { useFormatRelative } from '../common/useFormatRelative';
import { ecrTranslationRef } from '../../translation';
import { FailingChecksChart } from './FailingChecksChart';
import { BindingsCell, entityTabPath, OwnershipFlags } from './Ownership';
import { BuildStatusChip } from '../Builds';

const STATUS_MARK: Record<SetupCheckStatus, { mark: string; color: string }> = {
  pass: { mark: '✓', color: 'var(--bui-fg-positive)' },
  warn: { mark: '!', color: 'var(--bui-fg-warning)' },
  fail: { mark: '✗', color: 'var(--bui-fg-negative)' },
  unknown: { mark: '?', color: 'var(--bui-fg-secondary)' },
};

type Row = AuditEntityResult & { id: string };

/** The checks a build's push failure is diagnosed as. */
const PUSH_FAILURE_CHECKS = ['push-permissions', 'push-role-owner'];

/**
 * How many services' latest build failed on a push permission: the run's
 * count, else counted from the entities; undefined when the run recorded no
 * builds at all.
 */
export function latestBuildPushFailures(
  summary: AuditSummary | undefined,
  entities: AuditEntityResult[],
): number | undefined {
  const counted = summary?.latestBuildPushFailures;
  if (counted !== undefined) return counted;
  if (!entities.some(e => e.latestBuild)) return undefined;
  return entities.filter(
    e =>
      e.latestBuild &&
      e.latestBuild.status !== 'SUCCEEDED' &&
      e.latestBuild.status !== 'IN_PROGRESS' &&
      e.latestBuild.diagnosis &&
      PUSH_FAILURE_CHECKS.includes(e.latestBuild.diagnosis.checkId),
  ).length;
}
type Filter = { owner: string; check: string; status: string };
const ALL = 'all';

/** A number on the summary; `testId` names it whatever the label's wording. */
function Tile(props: {
  testId: string;
  label: string;
  value: number | string;
  tone?: 'bad' | 'good';
}) {
  const colors = {
    bad: 'var(--bui-fg-negative)',
    good: 'var(--bui-fg-positive)',
  };
  const color = props.tone ? colors[props.tone] : undefined;
  return (
    <Card>
      <CardBody>
        <Flex direction="column" gap="1">
          <Text variant="body-small" color="secondary">
            {props.label}
          </Text>
          <Text
            variant="title-medium"
            style={{ color }}
            data-testid={`tile-${props.testId}`}
          >
            {props.value}
          </Text>
        </Flex>
      </CardBody>
    </Card>
  );
}

/** Keeps the rows whose owner and check status match the filter. */
export function filterRows(rows: Row[], filter: Filter): Row[] {
  return rows.filter(row => {
    if (filter.owner !== ALL && row.owner !== filter.owner) return false;
    const checks =
      filter.check === ALL
        ? row.checks
        : row.checks.filter(c => c.id === filter.check);
    if (filter.status === ALL) return true;
    return checks.some(c => c.status === filter.status);
  });
}

function EntitiesTable(props: {
  entities: AuditEntityResult[];
  onClaimed: (claim: ClaimResponse) => void;
}) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const rows = useMemo<Row[]>(
    () => props.entities.map(e => ({ ...e, id: e.entityRef })),
    [props.entities],
  );
  const owners = useMemo(
    () =>
      [
        ...new Set(rows.map(r => r.owner).filter((o): o is string => !!o)),
      ].sort(),
    [rows],
  );
  const [filter, setFilter] = useState<Filter>({
    owner: ALL,
    check: ALL,
    status: ALL,
  });
  const { tableProps } = useTable<Row, Filter>({
    mode: 'complete',
    data: rows,
    filter,
    onFilterChange: setFilter,
    filterFn: filterRows,
    paginationOptions: { pageSize: 25, pageSizeOptions: [25, 50, 100] },
  });
  const checkIds = useMemo(
    () => setupCheckIdsOf(rows.map(r => r.checks)),
    [rows],
  );
  const visibleChecks = checkIds.filter(
    id => filter.check === ALL || filter.check === id,
  );
  const columns: ColumnConfig<Row>[] = [
    {
      id: 'entity',
      label: t('audit.entities.columns.entity'),
      isRowHeader: true,
      minWidth: 220,
      cell: row => (
        <CellText
          title={row.title ?? parseEntityRef(row.entityRef).name}
          description={row.entityRef}
          href={entityTabPath(row.entityRef)}
        />
      ),
    },
    {
      id: 'owner',
      label: t('audit.entities.columns.owner'),
      cell: row => (
        <CellText title={row.owner ? parseEntityRef(row.owner).name : '—'} />
      ),
    },
    {
      id: 'bindings',
      label: t('audit.entities.columns.ownership'),
      minWidth: 200,
      cell: row => <BindingsCell entity={row} onClaimed={props.onClaimed} />,
    },
    ...(rows.some(row => row.latestBuild)
      ? [
          {
            id: 'latestBuild',
            label: t('audit.entities.columns.latestBuild'),
            cell: (row: Row) => (
              <Cell>
                {row.latestBuild ? (
                  <span
                    data-testid="latest-build-status"
                    title={
                      row.latestBuild.diagnosis
                        ? t('audit.entities.buildDiagnosis', {
                            check: row.latestBuild.diagnosis.checkId,
                            message: row.latestBuild.diagnosis.message,
                          })
                        : undefined
                    }
                  >
                    <BuildStatusChip status={row.latestBuild.status} />
                  </span>
                ) : (
                  <Text variant="body-small" color="secondary">
                    {t('audit.entities.noBuild')}
                  </Text>
                )}
              </Cell>
            ),
          },
        ]
      : []),
    ...visibleChecks.map(
      (id): ColumnConfig<Row> => ({
        id,
        label: id,
        cell: row => {
          const check = row.checks.find(c => c.id === id);
          const status = STATUS_MARK[check?.status ?? 'unknown'];
          return (
            <Cell>
              <span
                title={
                  check
                    ? t('audit.entities.checkTooltip', {
                        status: check.status,
                        detail: check.detail,
                      })
                    : t('audit.entities.notChecked')
                }
                data-status={check?.status ?? 'none'}
                style={{ color: status.color, fontWeight: 700 }}
              >
                {check ? status.mark : '–'}
              </span>
            </Cell>
          );
        },
      }),
    ),
  ];

  return (
    <Flex direction="column" gap="3">
      <Flex gap="3" style={{ flexWrap: 'wrap' }}>
        <Select
          label={t('audit.entities.filters.owner')}
          selectedKey={filter.owner}
          onSelectionChange={key =>
            setFilter({ ...filter, owner: String(key) })
          }
          options={[
            { value: ALL, label: t('audit.entities.filters.allOwners') },
            ...owners.map(o => ({ value: o, label: parseEntityRef(o).name })),
          ]}
        />
        <Select
          label={t('audit.entities.filters.check')}
          selectedKey={filter.check}
          onSelectionChange={key =>
            setFilter({ ...filter, check: String(key) })
          }
          options={[
            { value: ALL, label: t('audit.entities.filters.allChecks') },
            ...checkIds.map(id => ({ value: id, label: id })),
          ]}
        />
        <Select
          label={t('audit.entities.filters.status')}
          selectedKey={filter.status}
          onSelectionChange={key =>
            setFilter({ ...filter, status: String(key) })
          }
          options={[
            { value: ALL, label: t('audit.entities.filters.anyStatus') },
            { value: 'fail', label: t('audit.entities.filters.failing') },
            { value: 'warn', label: t('audit.entities.filters.warning') },
            { value: 'unknown', label: t('audit.entities.filters.unknown') },
            { value: 'pass', label: t('audit.entities.filters.passing') },
          ]}
        />
      </Flex>
      <Table
        {...tableProps}
        columnConfig={columns}
        emptyState={<Text color="secondary">{t('audit.entities.empty')}</Text>}
      />
    </Flex>
  );
}

function UnclaimedTable(props: { repositories: UnclaimedRepository[] }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const rows = props.repositories.map(r => ({ ...r, id: r.arn }));
  if (rows.length === 0) {
    return <Text color="secondary">{t('audit.unclaimed.allClaimed')}</Text>;
  }
  const columns: ColumnConfig<(typeof rows)[number]>[] = [
    {
      id: 'name',
      label: t('audit.unclaimed.columns.repository'),
      isRowHeader: true,
      cell: r => <CellText title={r.name} description={r.arn} />,
    },
    {
      id: 'account',
      label: t('audit.unclaimed.columns.account'),
      cell: r => <CellText title={r.accountId} />,
    },
    {
      id: 'region',
      label: t('audit.unclaimed.columns.region'),
      cell: r => <CellText title={r.region} />,
    },
    {
      id: 'boundTo',
      label: t('audit.unclaimed.columns.boundTo'),
      cell: r => (
        <CellText
          title={r.boundTo ?? t('audit.unclaimed.unbound')}
          description={r.orphaned ? t('audit.unclaimed.orphaned') : undefined}
        />
      ),
    },
    {
      id: 'created',
      label: t('audit.unclaimed.columns.created'),
      cell: r => (
        <CellText title={r.createdAt ? formatRelative(r.createdAt) : '—'} />
      ),
    },
  ];
  return (
    <Table data={rows} columnConfig={columns} pagination={{ type: 'none' }} />
  );
}

function downloadCsv(csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `ecr-audit-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

function HistoryChart(props: {
  history: ReturnType<typeof useAsyncRetry<AuditHistory>>;
}) {
  const { history } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  if (history.value) return <FailingChecksChart runs={history.value.runs} />;
  if (history.error) {
    return (
      <ErrorAlert
        what={t('errorAlert.subjects.auditHistory')}
        error={history.error}
        onRetry={history.retry}
      />
    );
  }
  return <Skeleton width="100%" height={160} />;
}

function AuditReportView(props: {
  report: AuditReport;
  onRun: () => Promise<void>;
  running: boolean;
  /** Whether the user may start a run (ecr.audit.run). */
  canRun: boolean;
  onCsv: () => Promise<void>;
  onClaimed: (claim: ClaimResponse) => void;
}) {
  const { report } = props;
  const api = useApi(ecrApiRef);
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const history = useAsyncRetry(
    () => api.getAuditHistory(),
    [api, report.run?.id],
  );
  const summary = report.run?.summary;
  const pushFailures = latestBuildPushFailures(summary, report.entities);
  const failingChecks = setupCheckIdsOf([
    Object.keys(summary?.failingByCheck ?? {}).map(id => ({ id })),
  ]).filter(id => (summary?.failingByCheck[id] ?? 0) > 0);

  return (
    <Flex direction="column" gap="4">
      <Flex justify="between" align="center">
        <Text color="secondary" data-testid="audit-run">
          {report.run
            ? t('audit.lastRun', {
                when: formatRelative(
                  report.run.finishedAt ?? report.run.startedAt,
                ),
                exact: formatExact(
                  report.run.finishedAt ?? report.run.startedAt,
                ),
                trigger: report.run.trigger,
              })
            : t('audit.notRunYet')}
        </Text>
        <Flex gap="2">
          <Button
            variant="secondary"
            onPress={props.onCsv}
            isDisabled={!report.run}
          >
            {t('audit.downloadCsv')}
          </Button>
          {props.canRun && (
            <Button
              variant="primary"
              onPress={props.onRun}
              isPending={props.running}
            >
              {t('common.runNow')}
            </Button>
          )}
        </Flex>
      </Flex>
      {summary && (
        <Grid.Root columns={{ initial: '2', md: '4' }} gap="3">
          <Tile
            testId="Services"
            label={t('audit.tiles.services')}
            value={summary.services}
          />
          <Tile
            testId="Passing"
            label={t('audit.tiles.passing')}
            value={summary.passing}
            tone="good"
          />
          <Tile
            testId="Failing"
            label={t('audit.tiles.failing')}
            value={summary.services - summary.passing}
            tone={summary.services > summary.passing ? 'bad' : undefined}
          />
          <Tile
            testId="Unclaimed repositories"
            label={t('audit.tiles.unclaimedRepositories')}
            value={summary.unclaimedRepositories}
          />
          {pushFailures !== undefined && (
            <Tile
              testId="Latest build push failures"
              label={t('audit.tiles.latestBuildPushFailures')}
              value={pushFailures}
              tone={pushFailures > 0 ? 'bad' : undefined}
            />
          )}
          {failingChecks.map(id => (
            <Tile
              key={id}
              testId={`Failing ${id}`}
              label={t('audit.tiles.failingCheck', { check: id })}
              value={summary.failingByCheck[id] ?? 0}
              tone="bad"
            />
          ))}
        </Grid.Root>
      )}
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            {t('audit.sections.services')}
          </Text>
        </CardHeader>
        <CardBody>
          <EntitiesTable
            entities={report.entities}
            onClaimed={props.onClaimed}
          />
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            {t('audit.sections.ownership')}
          </Text>
        </CardHeader>
        <CardBody>
          <OwnershipFlags ownership={report.ownership} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            {t('audit.sections.unclaimedRepositories')}
          </Text>
        </CardHeader>
        <CardBody>
          <section aria-label={t('audit.sections.unclaimedRepositories')}>
            <UnclaimedTable repositories={report.unclaimed} />
          </section>
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            {t('audit.sections.history')}
          </Text>
        </CardHeader>
        <CardBody>
          <HistoryChart history={history} />
        </CardBody>
      </Card>
    </Flex>
  );
}

/** What a claim from the audit did; the audit shows it after its next run. */
function ClaimNotice(props: {
  claim: ClaimResponse;
  canRun: boolean;
  running: boolean;
  onRun: () => Promise<void>;
}) {
  const { claim, canRun, running, onRun } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const bound = claim.resources.filter(r => r.outcome === 'bound').length;
  const refused = claim.resources.filter(r => r.outcome === 'refused').length;
  const tagged = t('audit.claimNotice.tagged', { count: bound });
  const outcome = refused
    ? t('audit.claimNotice.taggedWithRefused', {
        tagged,
        refused: String(refused),
      })
    : tagged;
  return (
    <Alert
      status="success"
      title={t('audit.claimNotice.title', { entityRef: claim.entityRef })}
      description={
        canRun
          ? t('audit.claimNotice.nextRun', { outcome })
          : t('audit.claimNotice.nextScheduledRun', { outcome })
      }
      customActions={
        canRun ? (
          <Button size="small" onPress={onRun} isPending={running}>
            {t('common.runNow')}
          </Button>
        ) : undefined
      }
      data-testid="claim-notice"
    />
  );
}

/** The platform audit: every service's ECR setup, unclaimed repositories, history. */
export function AuditPage() {
  const api = useApi(ecrApiRef);
  const { t } = useTranslationRef(ecrTranslationRef);
  const permission = usePermission({ permission: ecrAuditReadPermission });
  const runPermission = usePermission({ permission: ecrAuditRunPermission });
  const report = useAsyncRetry(
    async () => (permission.allowed ? api.getAudit() : undefined),
    [api, permission.allowed],
  );
  const [running, setRunning] = useState(false);
  const [actionError, setActionError] = useState<Error>();
  const [claimed, setClaimed] = useState<ClaimResponse>();

  const run = async () => {
    setRunning(true);
    setActionError(undefined);
    try {
      const { run: started } = await api.runAudit();
      for (let i = 0; i < 600; i++) {
        const { runs } = await api.getAuditHistory();
        const current = runs.find(r => r.id === started.id);
        if (!current || current.status !== 'running') break;
        await new Promise(r => setTimeout(r, 1000));
      }
      setClaimed(undefined);
      report.retry();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setRunning(false);
    }
  };
  const csv = async () => {
    try {
      downloadCsv(await api.getAuditCsv());
    } catch (error) {
      setActionError(error as Error);
    }
  };

  let content;
  if (permission.loading) {
    content = <Skeleton width="100%" height={200} />;
  } else if (!permission.allowed) {
    content = (
      <Alert
        status="warning"
        title={t('common.permissionDenied')}
        description={t('audit.permissionDeniedDescription')}
      />
    );
  } else if (report.loading && !report.value) {
    content = (
      <Skeleton width="100%" height={200} aria-label={t('audit.loading')} />
    );
  } else if (report.error) {
    content = (
      <ErrorAlert
        what={t('errorAlert.subjects.audit')}
        error={report.error}
        onRetry={report.retry}
      />
    );
  } else if (report.value) {
    content = (
      <AuditReportView
        report={report.value}
        onRun={run}
        running={running}
        canRun={runPermission.allowed}
        onCsv={csv}
        onClaimed={setClaimed}
      />
    );
  }

  return (
    <Flex direction="column" gap="4" p="4">
      <Flex direction="column" gap="1">
        <Text color="secondary">
          {t('audit.intro', {
            catalogLink: <Link href="/catalog">{t('audit.catalogLink')}</Link>,
          })}
        </Text>
      </Flex>
      {actionError && (
        <Alert
          status="danger"
          title={t('audit.actionFailed')}
          description={actionError.message}
        />
      )}
      {claimed && (
        <ClaimNotice
          claim={claimed}
          canRun={runPermission.allowed}
          running={running}
          onRun={run}
        />
      )}
      {content}
    </Flex>
  );
}
