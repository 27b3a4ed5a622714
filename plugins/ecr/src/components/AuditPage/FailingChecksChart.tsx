import { Flex, Text } from '@backstage/ui';
import { AuditRun, setupCheckIdsOf } from '@backstage-ecr/plugin-ecr-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { ecrTranslationRef } from '../../translation';

const PALETTE = [
  '#c62828',
  '#ef6c00',
  '#f9a825',
  '#2e7d32',
  '#00838f',
  '#1565c0',
  '#6a1b9a',
  '#ad1457',
  '#4e342e',
  '#37474f',
  '#9e9d24',
];

/**
 * Failing checks over runs, oldest on the left: one stacked bar per complete
 * run, one colour per check. Plain SVG, so the page needs no charting library.
 */
export function FailingChecksChart(props: { runs: AuditRun[] }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  const runs = props.runs
    .filter(run => run.status === 'complete' && run.summary)
    .slice(0, 30)
    .reverse();
  if (runs.length === 0) {
    return <Text color="secondary">{t('audit.chart.noRuns')}</Text>;
  }
  const checks = setupCheckIdsOf(
    runs.map(run =>
      Object.keys(run.summary!.failingByCheck).map(id => ({ id })),
    ),
  ).filter(id => runs.some(run => (run.summary!.failingByCheck[id] ?? 0) > 0));
  const totals = runs.map(run =>
    checks.reduce((sum, id) => sum + (run.summary!.failingByCheck[id] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const width = 640;
  const height = 160;
  const barWidth = Math.min(40, (width - 40) / runs.length - 6);

  return (
    <Flex direction="column" gap="2">
      <svg
        role="img"
        aria-label={t('audit.chart.ariaLabel', { runs: String(runs.length) })}
        viewBox={`0 0 ${width} ${height + 20}`}
        style={{ width: '100%', maxWidth: width }}
      >
        <line
          x1={30}
          y1={height}
          x2={width}
          y2={height}
          stroke="currentColor"
          strokeOpacity={0.3}
        />
        <text x={0} y={12} fontSize={11} fill="currentColor">
          {max}
        </text>
        <text x={0} y={height} fontSize={11} fill="currentColor">
          0
        </text>
        {runs.map((run, index) => {
          const x = 36 + index * (barWidth + 6);
          let y = height;
          return (
            <g key={run.id} data-run={run.id}>
              <title>
                {t('audit.chart.barTitle', {
                  date: new Date(run.startedAt).toLocaleString(),
                  failing: String(totals[index]),
                })}
              </title>
              {checks.map((id, c) => {
                const count = run.summary!.failingByCheck[id] ?? 0;
                const h = (count / max) * (height - 10);
                y -= h;
                return count > 0 ? (
                  <rect
                    key={id}
                    x={x}
                    y={y}
                    width={barWidth}
                    height={h}
                    fill={PALETTE[c % PALETTE.length]}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <Flex gap="3" style={{ flexWrap: 'wrap' }}>
        {checks.map((id, c) => (
          <Flex key={id} gap="1" align="center">
            <span
              style={{
                width: 10,
                height: 10,
                background: PALETTE[c % PALETTE.length],
                display: 'inline-block',
              }}
            />
            <Text variant="body-x-small">{id}</Text>
          </Flex>
        ))}
      </Flex>
    </Flex>
  );
}
