import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, screenshot, signInAsGuest, useStack } from './harness.mjs';

// The demo's guest sign-in, mapped to alice of platform-team for this run.
const demo = useStack(
  { before, after },
  {
    env: {
      APP_CONFIG_auth_providers_guest_userEntityRef: 'user:default/alice',
    },
    timeoutMs: 90_000,
  },
);

test('a platform-team member runs the audit and reads it', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);

  // The page is reached from the app's navigation.
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'ECR audit' })
    .click();
  await page.waitForURL(`${APP_URL}/ecr-audit`);
  await page.getByRole('button', { name: 'Run now' }).click();
  await page.getByTestId('tile-Services').waitFor();
  // Unclaimed, and also listed under Ownership as an orphan binding.
  await page
    .getByRole('region', { name: 'Unclaimed repositories' })
    .getByText('legacy-batch-jobs', { exact: true })
    .waitFor();

  // The demo catalog's ten ECR services, ledger-service (named by tags) among them.
  const services = await page.getByTestId('tile-Services').innerText();
  assert.equal(services.trim(), '10');
  const body = await page.locator('body').innerText();
  assert.match(body, /proof-of-concept/);
  assert.match(body, /inventory-service/);
  assert.match(body, /old-frontend-2019/);
  await screenshot(page, 'ecr-audit.png');
});
