import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_URL,
  launchBrowser,
  signInAsGuest,
  startStack,
} from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function openEcrTab(page, name) {
  await page.goto(`${APP_URL}/catalog/default/component/${name}/ecr`);
  await page.locator('[data-check-id="push-permissions"]').waitFor();
}

test('an owner grants push access through the dialog and the check passes', async () => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(60_000);
  await signInAsGuest(page);
  await openEcrTab(page, 'proof-of-concept');

  const check = page.locator('[data-check-id="push-permissions"]');
  assert.equal(await check.getAttribute('data-status'), 'fail');
  await check.getByRole('button', { name: 'Grant push access' }).click();

  const dialog = page.getByRole('dialog');
  await dialog.getByText('backstage-ecr-push-proof-of-concept-repo').waitFor();
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
  const page = await browser.context.newPage();
  page.setDefaultTimeout(60_000);
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
  const page = await browser.context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${APP_URL}/ecr-audit`);
  await page.getByText('Permission denied').waitFor();
  assert.match(await page.locator('body').innerText(), /ecr\.audit\.read/);
});

test('the ecr-service template is offered under Create', async () => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${APP_URL}/create`);
  await page.getByText('Containerised service on Amazon ECR').first().waitFor();
});
