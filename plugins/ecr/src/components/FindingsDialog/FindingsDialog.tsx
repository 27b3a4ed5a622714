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
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EcrImage,
  EcrRepositoryImages,
  ScanFinding,
  SEVERITIES,
  Severity,
} from '@backstage-ecr/plugin-ecr-common';
import { ecrApiRef } from '../../api/EcrApi';
import {
  SeverityChip,
  SeverityChips,
  useSeverityLabels,
} from '../common/SeverityChips';
import { formatExact, shortDigest } from '../common/format';
import { useFormatRelative } from '../common/useFormatRelative';
import { ecrTranslationRef } from '../../translation';

type FindingRow = ScanFinding & { id: string };
type SeverityFilter = Severity | 'ALL';

const severityRank = (severity: Severity) => SEVERITIES.indexOf(severity);

function FindingsTable(props: { findings: ScanFinding[] }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const severityLabels = useSeverityLabels();
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
      label: t('findingsDialog.columns.severity'),
      cell: f => (
        <Cell>
          <SeverityChip severity={f.severity} />
        </Cell>
      ),
    },
    {
      id: 'name',
      label: t('findingsDialog.columns.vulnerability'),
      isRowHeader: true,
      cell: f => (
        <CellText title={f.name} description={f.description} href={f.uri} />
      ),
    },
    {
      id: 'package',
      label: t('findingsDialog.columns.package'),
      cell: f => <CellText title={f.packageName ?? '—'} />,
    },
    {
      id: 'version',
      label: t('findingsDialog.columns.version'),
      cell: f => <CellText title={f.packageVersion ?? '—'} />,
    },
    {
      id: 'fixed',
      label: t('findingsDialog.columns.fixedIn'),
      cell: f => (
        <CellText title={f.fixedInVersion ?? t('findingsDialog.noFix')} />
      ),
    },
    {
      id: 'link',
      label: t('findingsDialog.columns.link'),
      cell: f => (
        <Cell>
          {f.uri ? (
            <Link href={f.uri} target="_blank" rel="noopener noreferrer">
              {t('findingsDialog.details')}
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
        label={t('findingsDialog.severityFilter.label')}
        aria-label={t('findingsDialog.severityFilter.ariaLabel')}
        selectedKey={severity}
        onSelectionChange={key => setSeverity(key as SeverityFilter)}
        options={[
          {
            value: 'ALL',
            label: t('findingsDialog.severityFilter.all', {
              count: props.findings.length,
            }),
          },
          ...present.map(s => ({
            value: s,
            label: t('findingsDialog.severityFilter.option', {
              severity: severityLabels[s] ?? s,
              count: props.findings.filter(f => f.severity === s).length,
            }),
          })),
        ]}
      />
      <Table
        {...tableProps}
        columnConfig={columns}
        emptyState={
          <Text color="secondary">
            {t('findingsDialog.noFindingsOfSeverity')}
          </Text>
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
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
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
        title={t('findingsDialog.loadFailed')}
        description={state.error.message}
        customActions={
          <Button onPress={state.retry}>{t('common.retry')}</Button>
        }
      />
    );
  } else if (state.value && !state.value.scanned) {
    body = (
      <Alert
        status="info"
        title={t('findingsDialog.notScannedTitle')}
        description={t('findingsDialog.notScannedDescription')}
      />
    );
  } else if (state.value) {
    body = (
      <Flex direction="column" gap="3">
        {state.value.stale && (
          <Alert
            status="warning"
            title={t('findingsDialog.staleTitle')}
            description={t('findingsDialog.staleDescription', {
              when: formatRelative(state.value.fetchedAt),
            })}
          />
        )}
        <Flex gap="2" align="center">
          <Text variant="body-small" color="secondary">
            {state.value.completedAt
              ? t('findingsDialog.scanStatusCompleted', {
                  status: state.value.status.toLowerCase(),
                  completedAt: formatExact(state.value.completedAt),
                })
              : t('findingsDialog.scanStatus', {
                  status: state.value.status.toLowerCase(),
                })}
          </Text>
          <SeverityChips counts={state.value.severityCounts} />
        </Flex>
        {state.value.findings.length === 0 ? (
          <Text color="success">{t('findingsDialog.noVulnerabilities')}</Text>
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
        {t('findingsDialog.title', {
          repository: repository.name,
          image: label,
        })}
      </DialogHeader>
      <DialogBody>{body}</DialogBody>
    </Dialog>
  );
}
