import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { table } from './stats';

/** What `e2e/scale.test.mjs` writes after measuring the ECR tab in a browser. */
interface BrowserScaleRun {
  /** Absent in files written before the production bundle was measured too. */
  target?: 'development' | 'production';
  images: number;
  firstRowsMs: number;
  filterMs: number;
  tag: string;
  matches: number;
  measuredAt: string;
}

// The bench runs from source in this repository, so these paths are stable.
// eslint-disable-next-line no-restricted-syntax
const OUTPUT = resolve(__dirname, '../../../e2e/output');

/** Where e2e/scale.test.mjs records each run, and what served the app. */
const RUNS = [
  {
    file: 'scale.json',
    servedBy: 'development server (scripts/start.sh, backstage-cli start)',
  },
  {
    file: 'scale-production.json',
    servedBy:
      'production bundle (scripts/production.sh, app-backend, NODE_ENV=production)',
  },
];

function readRun(file: string): BrowserScaleRun | undefined {
  const path = resolve(OUTPUT, file);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as BrowserScaleRun;
}

/**
 * The frontend at scale is measured by the browser test, not here (it needs
 * the whole app and a browser); the bench repeats its last figures, dated,
 * for the development server and the production bundle side by side.
 */
export function printBrowserRun(): void {
  const write = (line = '') => process.stdout.write(`${line}\n`);
  const runs = RUNS.map(run => ({ ...run, result: readRun(run.file) }));
  const first = runs.find(run => run.result)?.result;
  write();
  if (!first) {
    write(
      'Frontend at scale: no browser run recorded yet (node --test e2e/scale.test.mjs writes e2e/output/scale.json and scale-production.json).',
    );
    return;
  }
  write(
    `Frontend at scale, from the last browser runs (e2e/scale.test.mjs): ECR tab of a ${first.images.toLocaleString(
      'en-US',
    )}-image repository in Chromium, first rows after clicking the tab, then filtered by tag "${
      first.tag
    }" (${first.matches} rows)`,
  );
  write();
  write(
    table(
      ['app served by', 'first rows', 'filtered', 'measured at'],
      runs.map(({ servedBy, file, result }) =>
        result
          ? [
              servedBy,
              `${Math.round(result.firstRowsMs)} ms`,
              `${Math.round(result.filterMs)} ms`,
              result.measuredAt,
            ]
          : [servedBy, 'not measured yet', '', `(no e2e/output/${file})`],
      ),
    ),
  );
}
