import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, screenshot, signInAsGuest, useStack } from './harness.mjs';

const demo = useStack({ before, after });

test('the sidebar leads to the notifications page, which reads the notifications backend', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);

  await page.goto(`${APP_URL}/catalog`);
  const navItem = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Notifications', exact: true });
  await navItem.waitFor();
  const answered = page.waitForResponse(res =>
    res.url().includes('/api/notifications/'),
  );
  await navItem.click();
  await page.waitForURL(`${APP_URL}/notifications`);
  // The page asks the backend for the user's notifications; the backend is
  // installed, so it answers.
  const res = await answered;
  assert.equal(res.status(), 200, `${res.url()} answered ${res.status()}`);
  await page
    .getByRole('heading', { name: /Unread notifications \(\d+\)/ })
    .waitFor();
  await screenshot(page, 'notifications-page.png');
});
