// The ECR tab at scale (issue 8, point 3): a repository of 10,000 images stays
// interactive. Measures the time to the first rows and the time to filter by tag,
// twice: against the development server (scripts/start.sh, as the demo runs) and
// against the production bundle (scripts/production.sh: the built app served by the
// backend, NODE_ENV=production, PostgreSQL). Prints them and writes them to
// e2e/output/scale.json and e2e/output/scale-production.json for `yarn bench`. The
// assertions are on what the table shows, not on the timings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  APP_URL,
  ROOT,
  launchBrowser,
  openEntity,
  signInAsGuest,
  startProductionStack,
  startStack,
} from './harness.mjs';

const IMAGES = 10_000;
const REPOSITORY = 'scale-10000';
// Generated images are tagged build-00001 … build-10000 (every 25th untagged),
// pushed in that order: build-09990 … build-09999 match, newest first.
const TAG = 'build-0999';
const EXPECTED = Array.from({ length: 10 }, (_, i) => `build-0${9999 - i}`);

// The app's catalog locations (app-config.yaml) plus the scale entity; paths
// are relative to packages/backend. An APP_CONFIG_ array replaces the file's.
const LOCATIONS = [
  { type: 'file', target: '../../examples/entities.yaml' },
  {
    type: 'file',
    target: '../../examples/org.yaml',
    rules: [{ allow: ['User', 'Group'] }],
  },
  { type: 'file', target: '../../e2e/fixtures/scale-entity.yaml' },
];

// The production bundle runs from a temporary folder: the same files, by absolute path.
const PRODUCTION_LOCATIONS = LOCATIONS.map(location => ({
  ...location,
  target: resolve(ROOT, 'packages/backend', location.target),
}));
const EMULATOR_ARGS = [
  '--generate-images',
  String(IMAGES),
  '--generate-repository',
  REPOSITORY,
];

/** The first column (tags) of every row the table shows now. */
const shownTags = page =>
  page
    .getByRole('grid')
    .first()
    .getByRole('row')
    .evaluateAll(rows =>
      rows
        .slice(1)
        .map(row =>
          row.querySelector('[role="rowheader"], td, [role="gridcell"]'),
        )
        .map(cell => (cell?.textContent ?? '').trim()),
    );

/**
 * Signs in, opens the scale entity's ECR tab and filters it by tag; asserts what
 * the table shows and returns the timings. stack is the running stack (for its
 * logs), baseUrl where it serves the app.
 */
async function measureScale({ browser, stack, baseUrl, target }) {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(120_000);
  await signInAsGuest(page, { baseUrl });
  await openEntity(page, REPOSITORY, { baseUrl });
  const tab = page
    .getByRole('tab', { name: 'ECR', exact: true })
    .or(page.getByRole('link', { name: 'ECR', exact: true }));
  await tab.waitFor().catch(async error => {
    mkdirSync(`${ROOT}/e2e/output`, { recursive: true });
    await page.screenshot({
      path: `${ROOT}/e2e/output/scale-failure-${target}.png`,
    });
    const logs = stack
      .logs()
      .split('\n')
      .filter(line => /scale-10000|catalog_locations|location/i.test(line));
    error.message += `\n${(await page.innerText('body')).slice(0, 800)}\n${logs
      .slice(-20)
      .join('\n')}`;
    throw error;
  });

  const opened = performance.now();
  await tab.click();
  const table = page.getByRole('grid').first();
  // build-10000 is untagged, so the newest tagged image comes second.
  await table.getByText('build-09999', { exact: true }).first().waitFor();
  const firstRowsMs = performance.now() - opened;

  const firstPage = await shownTags(page);
  assert.ok(
    firstPage.length >= 10,
    `expected a page of rows, saw ${firstPage.length}`,
  );
  assert.deepEqual(firstPage.slice(0, 3), [
    '<untagged>',
    'build-09999',
    'build-09998',
  ]);

  const search = page.getByRole('searchbox', {
    name: `Search ${REPOSITORY} images by tag`,
  });
  const typed = performance.now();
  await search.fill(TAG);
  await page.waitForFunction(
    ({ expected }) => {
      const grid = document.querySelector('[role="grid"]');
      if (!grid) return false;
      const rows = [...grid.querySelectorAll('[role="row"]')].slice(1);
      return (
        rows.length === expected &&
        rows.every(row => row.textContent.includes('build-0999'))
      );
    },
    { expected: EXPECTED.length },
    { polling: 'raf', timeout: 60_000 },
  );
  const filterMs = performance.now() - typed;

  assert.deepEqual(await shownTags(page), EXPECTED);

  const result = {
    target,
    images: IMAGES,
    firstRowsMs: Math.round(firstRowsMs),
    filterMs: Math.round(filterMs),
    tag: TAG,
    matches: EXPECTED.length,
    measuredAt: new Date().toISOString(),
  };
  await page.close();
  console.log(
    `SCALE ${target}, ${IMAGES} images: first rows ${result.firstRowsMs} ms, filter by tag "${TAG}" ${result.filterMs} ms`,
  );
  return result;
}

/** Writes a run where `yarn bench` reads it (packages/bench/src/browserRun.ts). */
function record(file, result) {
  mkdirSync(`${ROOT}/e2e/output`, { recursive: true });
  writeFileSync(
    `${ROOT}/e2e/output/${file}`,
    `${JSON.stringify(result, null, 2)}\n`,
  );
}

describe('development server (scripts/start.sh)', () => {
  let stack;
  let browser;
  before(async () => {
    stack = await startStack({
      env: {
        ECR_EMULATOR_ARGS: EMULATOR_ARGS.join(' '),
        APP_CONFIG_catalog_locations: JSON.stringify(LOCATIONS),
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test(`the ECR tab of a ${IMAGES}-image repository shows rows and filters by tag`, async () => {
    record(
      'scale.json',
      await measureScale({
        browser,
        stack,
        baseUrl: APP_URL,
        target: 'development',
      }),
    );
  });
});

describe('production bundle (scripts/production.sh)', () => {
  let stack;
  let browser;
  before(
    async () => {
      stack = await startProductionStack({
        emulatorArgs: EMULATOR_ARGS,
        env: {
          APP_CONFIG_catalog_locations: JSON.stringify(PRODUCTION_LOCATIONS),
        },
      });
      browser = await launchBrowser();
    },
    { timeout: 900_000 },
  );
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test(`the ECR tab of a ${IMAGES}-image repository shows rows and filters by tag`, async () => {
    record(
      'scale-production.json',
      await measureScale({
        browser,
        stack,
        baseUrl: stack.url,
        target: 'production',
      }),
    );
  });
});
