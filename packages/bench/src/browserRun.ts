import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';

/** What `e2e/scale.test.mjs` writes after measuring the ECR tab in a browser. */
interface BrowserScaleRun {
  images: number;
  firstRowsMs: number;
  filterMs: number;
  tag: string;
  matches: number;
  measuredAt: string;
}

// The bench runs from source in this repository, so this path is stable.
// eslint-disable-next-line no-restricted-syntax
const SCALE_JSON = resolve(__dirname, '../../../e2e/output/scale.json');

/**
 * The frontend at scale is measured by the browser test, not here (it needs
 * the whole app and a browser); the bench repeats its last figures, dated.
 */
export function printBrowserRun(): void {
  const write = (line = '') => process.stdout.write(`${line}\n`);
  write();
  if (!existsSync(SCALE_JSON)) {
    write(
      'Frontend at scale: no browser run recorded yet (node --test e2e/scale.test.mjs writes e2e/output/scale.json).',
    );
    return;
  }
  const run = JSON.parse(readFileSync(SCALE_JSON, 'utf8')) as BrowserScaleRun;
  write(
    `Frontend at scale, from the last browser run (e2e/scale.test.mjs, ${
      run.measuredAt
    }): ECR tab of a ${run.images.toLocaleString(
      'en-US',
    )}-image repository, first rows after ${Math.round(
      run.firstRowsMs,
    )} ms; filtered by tag "${run.tag}" (${
      run.matches
    } rows) after ${Math.round(run.filterMs)} ms.`,
  );
}
