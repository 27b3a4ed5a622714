import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, signInAsGuest, useStack } from './harness.mjs';

const demo = useStack({ before, after });

test('guest signs in and sees the proof-of-concept entity page', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);

  await page.goto(`${APP_URL}/catalog/default/component/proof-of-concept`);
  await page
    .getByRole('heading', { name: 'proof-of-concept' })
    .first()
    .waitFor();

  // The About card shows the catalog's description of the service.
  await page.getByText('Proof of concept built by CodeBuild').first().waitFor();
  await page.screenshot({ path: 'e2e/output/smoke-entity-page.png' });
  const body = await page.locator('body').innerText();
  assert.match(body, /Owner\s+\S*\s*team-a/);
  assert.match(body, /System\s+shop/);
  assert.match(body, /experimental/);

  // The sidebar shows the signed-in catalog user's settings entry.
  await page.goto(`${APP_URL}/settings`);
  await page.getByText('Guest').first().waitFor();
});
