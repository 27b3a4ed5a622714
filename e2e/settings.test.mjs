import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, signInAsGuest, useStack } from './harness.mjs';

const demo = useStack({ before, after });

test('an owner turns on scan on push through the dialog and the check passes', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);
  // guest is in team-a, which owns proof-of-concept; its repository was
  // created with the console defaults: scan on push off.
  await page.goto(`${APP_URL}/catalog/default/component/proof-of-concept/ecr`);
  const check = page.locator('[data-check-id="scan-on-push"]');
  await check.waitFor();
  assert.equal(await check.getAttribute('data-status'), 'warn');
  await check.getByRole('button', { name: 'Turn on scan on push' }).click();

  const dialog = page.getByRole('dialog');
  // The dry run names the repository, the value found and the new one.
  await dialog.getByText('Scan on push: false → true').waitFor();
  assert.match(await dialog.innerText(), /proof-of-concept-repo/);
  // Only this setting is changed by this fix.
  assert.doesNotMatch(await dialog.innerText(), /Tag mutability/);

  await dialog.getByRole('button', { name: 'Apply' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-check-id="scan-on-push"]')
        ?.getAttribute('data-status') === 'pass',
    undefined,
    { timeout: 60_000 },
  );
  // The other settings are left as they were.
  assert.equal(
    await page
      .locator('[data-check-id="tag-immutability"]')
      .getAttribute('data-status'),
    'warn',
  );
});
