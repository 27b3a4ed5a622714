import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Alert,
  Button,
  Cell,
  CellText,
  ColumnConfig,
  Dialog,
  DialogBody,
  DialogHeader,
  Flex,
  Link,
  Select,
  Skeleton,
  Table,
  Text,
  useTable,
} from '@backstage/ui';
import { useApi } from '@backstage/core-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EcrImage,
  EcrRepositoryImages,
  ScanFinding,
  SEVERITIES,
  Severity,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import { SeverityChip, SeverityChips } from '../common/SeverityChips';
import { formatExact, formatRelative, shortDigest } from '../common/format';

type FindingRow = ScanFinding & { id: string };
type SeverityFilter = Severity | 'ALL';

const severityRank = (severity: Severity) => SEVERITIES.indexOf(severity);

function FindingsTable(props: { findings: ScanFinding[] }) {
  const [severity, setSeverity] = useState<SeverityFilter>('ALL');
  const rows = useMemo<FindingRow[]>(
    () =>
      [...props.findings]
        .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
        .map((finding, index) => ({ ...finding, id: `${index}` })),
    [props.findings],
  );
  const { tableProps } = useTable<FindingRow, SeverityFilter>({
    mode: 'complete',
    data: rows,
    filter: severity,
    onFilterChange: setSeverity,
    filterFn: (data, filter) =>
      filter === 'ALL' ? data : data.filter(f => f.severity === filter),
    paginationOptions: { pageSize: 25, pageSizeOptions: [] },
  });

  const present = SEVERITIES.filter(s =>
    props.findings.some(f => f.severity === s),
  );
  const columns: ColumnConfig<FindingRow>[] = [
    {
      id: 'severity',
      label: 'Severity',
      cell: f => (
        <Cell>
          <SeverityChip severity={f.severity} />
        </Cell>
      ),
    },
    {
      id: 'name',
      label: 'Vulnerability',
      isRowHeader: true,
      cell: f => (
        <CellText title={f.name} description={f.description} href={f.uri} />
      ),
    },
    {
      id: 'package',
      label: 'Package',
      cell: f => <CellText title={f.packageName ?? '—'} />,
    },
    {
      id: 'version',
      label: 'Version',
      cell: f => <CellText title={f.packageVersion ?? '—'} />,
    },
    {
      id: 'fixed',
      label: 'Fixed in',
      cell: f => <CellText title={f.fixedInVersion ?? 'No fix yet'} />,
    },
    {
      id: 'link',
      label: 'Link',
      cell: f => (
        <Cell>
          {f.uri ? (
            <Link href={f.uri} target="_blank" rel="noopener noreferrer">
              Details
            </Link>
          ) : (
            <Text color="secondary">—</Text>
          )}
        </Cell>
      ),
    },
  ];

  return (
    <Flex direction="column" gap="3">
      <Select
        label="Severity"
        aria-label="Filter findings by severity"
        selectedKey={severity}
        onSelectionChange={key => setSeverity(key as SeverityFilter)}
        options={[
          { value: 'ALL', label: `All severities (${props.findings.length})` },
          ...present.map(s => ({
            value: s,
            label: `${s} (${
              props.findings.filter(f => f.severity === s).length
            })`,
          })),
        ]}
      />
      <Table
        {...tableProps}
        columnConfig={columns}
        emptyState={
          <Text color="secondary">No findings of this severity.</Text>
        }
      />
    </Flex>
  );
}

/** An image's scan findings, loaded when the dialog opens. */
export function FindingsDialog(props: {
  entityRef: CompoundEntityRef;
  repository: EcrRepositoryImages;
  image: EcrImage;
  onClose: () => void;
}) {
  const { entityRef, repository, image, onClose } = props;
  const api = useApi(ecrApiRef);
  const state = useAsyncRetry(
    () =>
      api.getFindings(entityRef, {
        repositoryArn: repository.arn,
        digest: image.digest,
      }),
    [api, entityRef, repository.arn, image.digest],
  );
  const label = image.tags[0] ?? shortDigest(image.digest);

  let body;
  if (state.loading) {
    body = <Skeleton width="100%" height={120} />;
  } else if (state.error) {
    body = (
      <Alert
        status="danger"
        title="Could not load the findings"
        description={state.error.message}
        customActions={<Button onPress={state.retry}>Retry</Button>}
      />
    );
  } else if (state.value && !state.value.scanned) {
    body = (
      <Alert
        status="info"
        title="This image has not been scanned"
        description="Turn on scan on push for the repository, or start a manual scan in the AWS console, to see its vulnerabilities here."
      />
    );
  } else if (state.value) {
    body = (
      <Flex direction="column" gap="3">
        {state.value.stale && (
          <Alert
            status="warning"
            title="Showing earlier findings"
            description={`AWS could not be reached just now; these findings were read ${formatRelative(
              state.value.fetchedAt,
            )}.`}
          />
        )}
        <Flex gap="2" align="center">
          <Text variant="body-small" color="secondary">
            Scan {state.value.status.toLowerCase()}
            {state.value.completedAt
              ? `, ${formatExact(state.value.completedAt)}`
              : ''}
          </Text>
          <SeverityChips counts={state.value.severityCounts} />
        </Flex>
        {state.value.findings.length === 0 ? (
          <Text color="success">No vulnerabilities found.</Text>
        ) : (
          <FindingsTable findings={state.value.findings} />
        )}
      </Flex>
    );
  }

  return (
    <Dialog
      isOpen
      isDismissable
      onOpenChange={open => !open && onClose()}
      width={960}
    >
      <DialogHeader>
        Findings for {repository.name}:{label}
      </DialogHeader>
      <DialogBody>{body}</DialogBody>
    </Dialog>
  );
}
