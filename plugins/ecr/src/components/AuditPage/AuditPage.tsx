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
import { usePermission } from '@backstage/plugin-permission-react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuditEntityResult,
  AuditHistory,
  AuditReport,
  ClaimResponse,
  ecrAuditReadPermission,
  ecrAuditRunPermission,
  SETUP_CHECK_IDS,
  SetupCheckStatus,
  UnclaimedRepository,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { ErrorAlert } from '../EcrContent';
import { formatExact, formatRelative } from '../common/format';
import { FailingChecksChart } from './FailingChecksChart';
import { BindingsCell, entityTabPath, OwnershipFlags } from './Ownership';

const STATUS_MARK: Record<SetupCheckStatus, { mark: string; color: string }> = {
  pass: { mark: '✓', color: 'var(--bui-fg-positive)' },
  warn: { mark: '!', color: 'var(--bui-fg-warning)' },
  fail: { mark: '✗', color: 'var(--bui-fg-negative)' },
  unknown: { mark: '?', color: 'var(--bui-fg-secondary)' },
};

type Row = AuditEntityResult & { id: string };
type Filter = { owner: string; check: string; status: string };
const ALL = 'all';

function Tile(props: {
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
            data-testid={`tile-${props.label}`}
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
  const visibleChecks = SETUP_CHECK_IDS.filter(
    id => filter.check === ALL || filter.check === id,
  );
  const columns: ColumnConfig<Row>[] = [
    {
      id: 'entity',
      label: 'Entity',
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
      label: 'Owner',
      cell: row => (
        <CellText title={row.owner ? parseEntityRef(row.owner).name : '—'} />
      ),
    },
    {
      id: 'bindings',
      label: 'Ownership',
      minWidth: 200,
      cell: row => <BindingsCell entity={row} onClaimed={props.onClaimed} />,
    },
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
                  check ? `${check.status}: ${check.detail}` : 'not checked'
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
          label="Owner"
          selectedKey={filter.owner}
          onSelectionChange={key =>
            setFilter({ ...filter, owner: String(key) })
          }
          options={[
            { value: ALL, label: 'All owners' },
            ...owners.map(o => ({ value: o, label: parseEntityRef(o).name })),
          ]}
        />
        <Select
          label="Check"
          selectedKey={filter.check}
          onSelectionChange={key =>
            setFilter({ ...filter, check: String(key) })
          }
          options={[
            { value: ALL, label: 'All checks' },
            ...SETUP_CHECK_IDS.map(id => ({ value: id, label: id })),
          ]}
        />
        <Select
          label="Status"
          selectedKey={filter.status}
          onSelectionChange={key =>
            setFilter({ ...filter, status: String(key) })
          }
          options={[
            { value: ALL, label: 'Any status' },
            { value: 'fail', label: 'Failing' },
            { value: 'warn', label: 'Warning' },
            { value: 'unknown', label: 'Unknown' },
            { value: 'pass', label: 'Passing' },
          ]}
        />
      </Flex>
      <Table
        {...tableProps}
        columnConfig={columns}
        emptyState={
          <Text color="secondary">No entity matches these filters.</Text>
        }
      />
    </Flex>
  );
}

function UnclaimedTable(props: { repositories: UnclaimedRepository[] }) {
  const rows = props.repositories.map(r => ({ ...r, id: r.arn }));
  if (rows.length === 0) {
    return (
      <Text color="secondary">
        Every repository is claimed by a catalog entity.
      </Text>
    );
  }
  const columns: ColumnConfig<(typeof rows)[number]>[] = [
    {
      id: 'name',
      label: 'Repository',
      isRowHeader: true,
      cell: r => <CellText title={r.name} description={r.arn} />,
    },
    {
      id: 'account',
      label: 'Account',
      cell: r => <CellText title={r.accountId} />,
    },
    { id: 'region', label: 'Region', cell: r => <CellText title={r.region} /> },
    {
      id: 'boundTo',
      label: 'Bound to',
      cell: r => (
        <CellText
          title={r.boundTo ?? 'unbound'}
          description={
            r.orphaned
              ? 'orphaned: that entity is not in the catalog'
              : undefined
          }
        />
      ),
    },
    {
      id: 'created',
      label: 'Created',
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
  if (history.value) return <FailingChecksChart runs={history.value.runs} />;
  if (history.error) {
    return (
      <ErrorAlert
        what="the audit history"
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
  const history = useAsyncRetry(
    () => api.getAuditHistory(),
    [api, report.run?.id],
  );
  const summary = report.run?.summary;
  const failingChecks = SETUP_CHECK_IDS.filter(
    id => (summary?.failingByCheck[id] ?? 0) > 0,
  );

  return (
    <Flex direction="column" gap="4">
      <Flex justify="between" align="center">
        <Text color="secondary" data-testid="audit-run">
          {report.run
            ? `Last complete run ${formatRelative(
                report.run.finishedAt ?? report.run.startedAt,
              )} (${formatExact(
                report.run.finishedAt ?? report.run.startedAt,
              )}), ${report.run.trigger}`
            : 'The audit has not run yet.'}
        </Text>
        <Flex gap="2">
          <Button
            variant="secondary"
            onPress={props.onCsv}
            isDisabled={!report.run}
          >
            Download CSV
          </Button>
          {props.canRun && (
            <Button
              variant="primary"
              onPress={props.onRun}
              isPending={props.running}
            >
              Run now
            </Button>
          )}
        </Flex>
      </Flex>
      {summary && (
        <Grid.Root columns={{ initial: '2', md: '4' }} gap="3">
          <Tile label="Services" value={summary.services} />
          <Tile label="Passing" value={summary.passing} tone="good" />
          <Tile
            label="Failing"
            value={summary.services - summary.passing}
            tone={summary.services > summary.passing ? 'bad' : undefined}
          />
          <Tile
            label="Unclaimed repositories"
            value={summary.unclaimedRepositories}
          />
          {failingChecks.map(id => (
            <Tile
              key={id}
              label={`Failing ${id}`}
              value={summary.failingByCheck[id] ?? 0}
              tone="bad"
            />
          ))}
        </Grid.Root>
      )}
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            Services
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
            Ownership
          </Text>
        </CardHeader>
        <CardBody>
          <OwnershipFlags ownership={report.ownership} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            Unclaimed repositories
          </Text>
        </CardHeader>
        <CardBody>
          <section aria-label="Unclaimed repositories">
            <UnclaimedTable repositories={report.unclaimed} />
          </section>
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <Text as="h3" variant="title-small">
            Failing checks over time
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
  const bound = claim.resources.filter(r => r.outcome === 'bound').length;
  const refused = claim.resources.filter(r => r.outcome === 'refused').length;
  return (
    <Alert
      status="success"
      title={`Claimed for ${claim.entityRef}`}
      description={`${bound} resource${bound === 1 ? '' : 's'} tagged${
        refused ? `, ${refused} refused (bound to someone else)` : ''
      }. The audit shows it after its next ${canRun ? '' : 'scheduled '}run.`}
      customActions={
        canRun ? (
          <Button size="small" onPress={onRun} isPending={running}>
            Run now
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
        title="Permission denied"
        description="The ECR audit is for the platform team (permission ecr.audit.read). Ask them if you need to see it."
      />
    );
  } else if (report.loading && !report.value) {
    content = (
      <Skeleton width="100%" height={200} aria-label="Loading the audit" />
    );
  } else if (report.error) {
    content = (
      <ErrorAlert
        what="the audit"
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
          Every service that names an ECR repository, checked against the setup
          it needs. See also <Link href="/catalog">the catalog</Link>.
        </Text>
      </Flex>
      {actionError && (
        <Alert
          status="danger"
          title="That did not work"
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
