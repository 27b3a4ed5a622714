import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, signInAsGuest, useStack } from './harness.mjs';

const demo = useStack({ before, after });

async function openEcrTab(page, name) {
  await page.goto(`${APP_URL}/catalog/default/component/${name}/ecr`);
  await page.locator('[data-check-id="push-permissions"]').waitFor();
}

test('an owner grants push access through the dialog and the check passes', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);
  await openEcrTab(page, 'proof-of-concept');

  const check = page.locator('[data-check-id="push-permissions"]');
  assert.equal(await check.getAttribute('data-status'), 'fail');
  await check.getByRole('button', { name: 'Grant push access' }).click();

  const dialog = page.getByRole('dialog');
  // The policy name ends with a hash of the repository ARN.
  await dialog
    .getByText(/^backstage-ecr-push-proof-of-concept-repo-[0-9a-f]{10}$/)
    .waitFor();
  const preview = await dialog.innerText();
  assert.match(preview, /codebuild-proof-of-concept-snapshot-service-role/);
  assert.match(preview, /"ecr:GetAuthorizationToken"/);
  assert.match(preview, /"ecr:PutImage"/);

  await dialog.getByRole('button', { name: 'Apply' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-check-id="push-permissions"]')
        ?.getAttribute('data-status') === 'pass',
    undefined,
    { timeout: 60_000 },
  );
});

test('no fix button on another team’s component', async () => {
  const page = await demo.newPage();
  await openEcrTab(page, 'notifications-worker');
  const check = page.locator('[data-check-id="push-permissions"]');
  assert.equal(await check.getAttribute('data-status'), 'fail');
  // Let the permission decision arrive before asserting the absence.
  await page.waitForTimeout(2000);
  assert.equal(
    await page.getByRole('button', { name: 'Grant push access' }).count(),
    0,
  );
});

test('guest is denied the audit page', async () => {
  const page = await demo.newPage();
  await page.goto(`${APP_URL}/ecr-audit`);
  await page.getByText('Permission denied').waitFor();
  assert.match(await page.locator('body').innerText(), /ecr\.audit\.read/);
});

test('the ecr-service template is offered under Create', async () => {
  const page = await demo.newPage();
  await page.goto(`${APP_URL}/create`);
  await page.getByText('Containerised service on Amazon ECR').first().waitFor();
});
