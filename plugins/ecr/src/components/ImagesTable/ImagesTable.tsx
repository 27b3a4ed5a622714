import { useMemo } from 'react';
import {
  Button,
  Cell,
  CellText,
  ColumnConfig,
  Flex,
  Link,
  SearchField,
  Table,
  Text,
  Tooltip,
  TooltipTrigger,
  useTable,
} from '@backstage/ui';
import {
  BuildSummary,
  EcrImage,
  EcrRepositoryImages,
} from '@backstage-ecr/plugin-ecr-common';
import { CopyButton } from '../common/CopyButton';
import { SeverityChips } from '../common/SeverityChips';
import { formatBytes, formatExact, shortDigest } from '../common/format';
import { useFormatRelative } from '../common/useFormatRelative';
import { imageConsoleUrl, pullCommand } from '../common/commands';
import { RiExternalLinkLine } from '@remixicon/react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';
import { BuildStatusChip, SourceVersion } from '../Builds/BuildParts';
import { buildLabel, buildOfImage } from '../Builds/source';

type ImageRow = EcrImage & { id: string };

/** Page size of the images table; paging keeps the DOM small at any image count. */
export const IMAGES_PAGE_SIZE = 20;

function imageLabel(image: EcrImage): string {
  return image.tags[0] ?? shortDigest(image.digest);
}

function compareOptional(a?: string, b?: string): number {
  return (a ? Date.parse(a) : 0) - (b ? Date.parse(b) : 0);
}

const sorters: Record<string, (a: ImageRow, b: ImageRow) => number> = {
  pushed: (a, b) => compareOptional(a.pushedAt, b.pushedAt),
  size: (a, b) => a.sizeBytes - b.sizeBytes,
  lastPull: (a, b) => compareOptional(a.lastPulledAt, b.lastPulledAt),
  tags: (a, b) => (a.tags[0] ?? '').localeCompare(b.tags[0] ?? ''),
};

function ScanCell(props: { image: EcrImage; onShowFindings: () => void }) {
  const { scan } = props.image;
  const { t } = useTranslationRef(ecrTranslationRef);
  const total = Object.values(scan.severityCounts).reduce(
    (sum, count) => sum + (count ?? 0),
    0,
  );
  if (scan.status === 'NOT_SCANNED') {
    return (
      <Cell>
        <Text variant="body-small" color="secondary">
          {t('imagesTable.notScanned')}
        </Text>
      </Cell>
    );
  }
  if (scan.status !== 'COMPLETE' && scan.status !== 'ACTIVE') {
    return (
      <Cell>
        <Text variant="body-small" color="warning" title={scan.description}>
          {t('imagesTable.scanStatus', {
            status: scan.status.toLowerCase().replace(/_/g, ' '),
          })}
        </Text>
      </Cell>
    );
  }
  return (
    <Cell>
      <Flex direction="column" align="start" gap="1">
        {total === 0 ? (
          <Text variant="body-small" color="success">
            {t('imagesTable.noFindings')}
          </Text>
        ) : (
          <SeverityChips counts={scan.severityCounts} />
        )}
        <Button size="small" variant="tertiary" onPress={props.onShowFindings}>
          {t('imagesTable.findings')}
        </Button>
      </Flex>
    </Cell>
  );
}

/** The build that pushed an image, and its commit. */
function BuildCell(props: {
  image: EcrImage;
  builds: BuildSummary[];
  sourceLocation?: string;
}) {
  const { image, builds, sourceLocation } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const build = buildOfImage(builds, image.digest);
  if (!build) {
    return (
      <Cell>
        <Text
          variant="body-small"
          color="secondary"
          title={t('imagesTable.noBuild')}
        >
          —
        </Text>
      </Cell>
    );
  }
  const label = buildLabel(build);
  return (
    <Cell>
      <Flex align="center" gap="2" style={{ flexWrap: 'wrap' }}>
        <Link
          href={build.consoleUrl}
          target="_blank"
          rel="noopener noreferrer"
          variant="body-small"
          aria-label={t('imagesTable.buildAriaLabel', {
            build: label,
            image: imageLabel(image),
          })}
        >
          {label}
        </Link>
        <BuildStatusChip status={build.status} />
        {build.sourceVersion && (
          <SourceVersion
            version={build.sourceVersion}
            sourceLocation={sourceLocation}
            ariaLabel={commit =>
              t('imagesTable.commitAriaLabel', {
                commit,
                image: imageLabel(image),
              })
            }
          />
        )}
      </Flex>
    </Cell>
  );
}

/**
 * All images of one repository: newest first, searchable by tag, sortable,
 * paged on the client (the backend returns every image at once). Given the
 * builds of the entity's CodeBuild project, each image links to the build
 * that pushed it and to its commit (on the host `sourceLocation` names).
 */
export function ImagesTable(props: {
  repository: EcrRepositoryImages;
  onShowFindings: (image: EcrImage) => void;
  builds?: BuildSummary[];
  sourceLocation?: string;
}) {
  const { repository, onShowFindings, builds, sourceLocation } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  const formatRelative = useFormatRelative();
  const rows = useMemo<ImageRow[]>(
    () => repository.images.map(image => ({ ...image, id: image.digest })),
    [repository.images],
  );

  const { tableProps, search } = useTable<ImageRow>({
    mode: 'complete',
    data: rows,
    initialSort: { column: 'pushed', direction: 'descending' },
    paginationOptions: {
      pageSize: IMAGES_PAGE_SIZE,
      pageSizeOptions: [20, 50, 100],
    },
    sortFn: (data, sort) => {
      const compare = sorters[String(sort.column)];
      if (!compare) return data;
      const sorted = [...data].sort(compare);
      return sort.direction === 'descending' ? sorted.reverse() : sorted;
    },
    searchFn: (data, query) => {
      const needle = query.trim().toLowerCase();
      if (!needle) return data;
      return data.filter(
        image =>
          image.tags.some(tag => tag.toLowerCase().includes(needle)) ||
          image.digest.toLowerCase().includes(needle),
      );
    },
  });

  const columns: ColumnConfig<ImageRow>[] = [
    {
      id: 'tags',
      label: t('imagesTable.columns.tags'),
      isRowHeader: true,
      isSortable: true,
      cell: image => (
        <CellText
          title={
            image.tags.length
              ? image.tags.join(', ')
              : t('imagesTable.untagged')
          }
        />
      ),
    },
    {
      id: 'digest',
      label: t('imagesTable.columns.digest'),
      cell: image => (
        <Cell>
          <Flex align="center" gap="1">
            <TooltipTrigger>
              <Text
                as="span"
                variant="body-small"
                tabIndex={0}
                style={{ fontFamily: 'monospace' }}
                title={image.digest}
              >
                {shortDigest(image.digest)}
              </Text>
              <Tooltip>{image.digest}</Tooltip>
            </TooltipTrigger>
            <CopyButton
              value={image.digest}
              label={t('imagesTable.copyDigest')}
            />
          </Flex>
        </Cell>
      ),
    },
    {
      id: 'pushed',
      label: t('imagesTable.columns.pushed'),
      isSortable: true,
      cell: image => (
        <Cell>
          <Text variant="body-small" title={formatExact(image.pushedAt)}>
            {formatRelative(image.pushedAt)}
          </Text>
        </Cell>
      ),
    },
    {
      id: 'size',
      label: t('imagesTable.columns.size'),
      isSortable: true,
      cell: image => <CellText title={formatBytes(image.sizeBytes)} />,
    },
    {
      id: 'lastPull',
      label: t('imagesTable.columns.lastPull'),
      isSortable: true,
      cell: image => (
        <Cell>
          <Text
            variant="body-small"
            title={
              image.lastPulledAt ? formatExact(image.lastPulledAt) : undefined
            }
          >
            {image.lastPulledAt
              ? formatRelative(image.lastPulledAt)
              : t('imagesTable.neverPulled')}
          </Text>
        </Cell>
      ),
    },
    {
      id: 'scan',
      label: t('imagesTable.columns.scan'),
      cell: image => (
        <ScanCell image={image} onShowFindings={() => onShowFindings(image)} />
      ),
    },
    ...(builds
      ? [
          {
            id: 'build',
            label: t('imagesTable.columns.build'),
            cell: (image: ImageRow) => (
              <BuildCell
                image={image}
                builds={builds}
                sourceLocation={sourceLocation}
              />
            ),
          },
        ]
      : []),
    {
      id: 'pull',
      label: t('imagesTable.columns.pull'),
      cell: image => (
        <Cell>
          <Flex align="center" gap="1">
            <CopyButton
              value={pullCommand(repository, image)}
              label={t('imagesTable.copyPull', { image: imageLabel(image) })}
            />
            <Link
              href={imageConsoleUrl(repository, image)}
              target="_blank"
              rel="noopener noreferrer"
              aria-label={t('imagesTable.openImageInConsole', {
                image: imageLabel(image),
              })}
              title={t('common.openInConsole')}
            >
              <RiExternalLinkLine size={16} aria-hidden />
            </Link>
          </Flex>
        </Cell>
      ),
    },
  ];

  return (
    <Flex direction="column" gap="3">
      <SearchField
        aria-label={t('imagesTable.searchAriaLabel', {
          repository: repository.name,
        })}
        placeholder={t('imagesTable.searchPlaceholder')}
        size="small"
        value={search.value}
        onChange={search.onChange}
      />
      <Table
        {...tableProps}
        columnConfig={columns}
        emptyState={
          <Text color="secondary">
            {search.value
              ? t('imagesTable.noMatch', { query: search.value })
              : t('imagesTable.empty')}
          </Text>
        }
      />
    </Flex>
  );
}
