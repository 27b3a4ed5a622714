import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_URL,
  EMULATOR_URL,
  screenshot,
  signInAsGuest,
  useStack,
} from './harness.mjs';

const demo = useStack({ before, after });

/** The build the demo seed last ran for proof-of-concept: the guide's session. */
const LAST_BUILD_ID =
  'codebuild-proof-of-concept-snapshot:4002c38e-ef97-2d1e-34aa-fc23a6cb4d6f';
const LAST_SOURCE_VERSION = 'fcd3f42a91b7c6e05d8f2a3b4c1e9d7f6a0b5c82';

test('guest sees why proof-of-concept’s build failed, fixes it, runs it again and finds its image', async () => {
  // A build takes a moment in the emulator, as it would in CodeBuild; short here.
  const faults = await fetch(`${EMULATOR_URL}/_emulator/builds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ buildDurationMs: 3000 }),
  });
  assert.equal(faults.status, 200);

  const page = await demo.newPage();
  await signInAsGuest(page);
  await page.goto(`${APP_URL}/catalog/default/component/proof-of-concept/ecr`);

  // The last build failed at docker login, and the tab says why, in the log's words.
  const last = page.locator(`[data-build-id="${LAST_BUILD_ID}"]`);
  await last.waitFor({ timeout: 60_000 });
  assert.equal(
    await last
      .locator('[data-build-status]')
      .first()
      .getAttribute('data-build-status'),
    'FAILED',
  );
  const diagnosis = last.getByTestId('build-diagnosis');
  await diagnosis.waitFor();
  assert.match(
    await diagnosis.innerText(),
    /is not authorized to perform: ecr:GetAuthorizationToken on resource: \*/,
  );
  await screenshot(page, 'builds-diagnosis.png');

  // The fix sits beside the diagnosis.
  await diagnosis.getByRole('button', { name: 'Grant push access' }).click();
  const grant = page.getByRole('dialog');
  await grant.getByText(/^backstage-ecr-push-proof-of-concept-repo-/).waitFor();
  await grant.getByRole('button', { name: 'Apply' }).click();
  await grant.waitFor({ state: 'detached' });
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-check-id="push-permissions"]')
        ?.getAttribute('data-status') === 'pass',
    undefined,
    { timeout: 60_000 },
  );

  // Run build again: previewed, then started for the last build's commit.
  await page.getByRole('button', { name: 'Run build again' }).click();
  const run = page.getByRole('dialog');
  await run.getByText('Backstage will start a build of').waitFor();
  assert.match(
    await run.innerText(),
    new RegExp(LAST_SOURCE_VERSION.slice(0, 7)),
  );
  await run.getByRole('button', { name: 'Apply' }).click();
  await run.waitFor({ state: 'detached' });

  // The new build is followed until it ends, and it succeeds this time.
  const newest = page.locator('[data-build-id]').first();
  await page.waitForFunction(
    lastId => {
      const first = document.querySelector('[data-build-id]');
      return (
        first &&
        first.getAttribute('data-build-id') !== lastId &&
        first
          .querySelector('[data-build-status]')
          ?.getAttribute('data-build-status') === 'SUCCEEDED'
      );
    },
    LAST_BUILD_ID,
    { timeout: 90_000 },
  );
  const newBuildText = await newest.innerText();
  const number = /#(\d+)/.exec(newBuildText)?.[1];
  assert.ok(number, `the new build shows its number: ${newBuildText}`);

  // Its image is at the top of the table, tagged with the short commit and
  // linked to the build that pushed it.
  const table = page.getByRole('grid').first();
  const tag = LAST_SOURCE_VERSION.slice(0, 7);
  await table.getByText(tag).first().waitFor({ timeout: 60_000 });
  // The table may re-render once more while the images and checks are read
  // again after the build; it must settle with the new image first.
  await page.waitForFunction(
    wanted =>
      document
        .querySelectorAll('[role="grid"]')[0]
        ?.querySelectorAll('[role="row"]')[1]
        ?.textContent?.includes(wanted),
    tag,
    { timeout: 30_000 },
  );
  const firstRow = table.getByRole('row').nth(1);
  assert.match(await firstRow.innerText(), new RegExp(tag));
  const buildLink = firstRow.getByRole('link', {
    name: new RegExp(`^Build #${number}, which pushed`),
  });
  await buildLink.waitFor();
  assert.match(
    (await buildLink.getAttribute('href')) ?? '',
    /codebuild-proof-of-concept-snapshot/,
  );
  // The owner may run it again once more.
  await page.getByRole('button', { name: 'Run build again' }).waitFor();
  await screenshot(page, 'builds-fixed.png');
});
