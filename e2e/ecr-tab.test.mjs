import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, screenshot, signInAsGuest, useStack } from './harness.mjs';

// The entity page's tabs render as links in the current catalog header.
const ecrTab = page =>
  page
    .getByRole('tab', { name: 'ECR', exact: true })
    .or(page.getByRole('link', { name: 'ECR', exact: true }));

const demo = useStack({ before, after });

test('guest sees proof-of-concept’s images and its failing push permissions', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);

  await page.goto(`${APP_URL}/catalog/default/component/proof-of-concept`);
  await ecrTab(page).click();
  await page.waitForURL(/\/proof-of-concept\/ecr$/);

  const table = page.getByRole('grid').first();
  await table.getByText('fcd3f42').first().waitFor();
  const rows = await table.getByRole('row').count();
  assert.ok(rows > 2, `expected several image rows, saw ${rows - 1}`);

  await page
    .getByText(
      'docker pull 123412341234.dkr.ecr.eu-west-2.amazonaws.com/proof-of-concept-repo:',
      { exact: false },
    )
    .first()
    .waitFor();

  const pushCheck = page.locator('[data-check-id="push-permissions"]');
  await pushCheck.waitFor();
  assert.equal(await pushCheck.getAttribute('data-status'), 'fail');
  assert.match(await pushCheck.innerText(), /ecr:PutImage/);

  await screenshot(page, 'ecr-tab.png');
});

test('the ECR tab is not offered for an entity without ECR annotations', async () => {
  const page = await demo.newPage();
  await page.goto(`${APP_URL}/catalog/default/component/developer-handbook`);
  await page.getByText('The engineering handbook website').first().waitFor();
  await page.getByText('Overview', { exact: true }).first().waitFor();
  assert.equal(await ecrTab(page).count(), 0);
});
