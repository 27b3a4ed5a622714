import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_URL,
  openEntity,
  screenshot,
  signInAsGuest,
  useStack,
} from './harness.mjs';

// The demo's guest sign-in, mapped to alice of platform-team for this run:
// she may run the audit and claim repositories (ecr.audit.run,
// ecr.repository.claim). In the demo seed checkout-web's repository has no
// binding tag, and reporting-api's is bound to team-b though team-a owns the
// entity.
const demo = useStack(
  { before, after },
  {
    env: {
      APP_CONFIG_auth_providers_guest_userEntityRef: 'user:default/alice',
    },
    timeoutMs: 90_000,
  },
);

const CHECKOUT_REF = 'component:default/checkout-web';
const CHECKOUT_REPO =
  'arn:aws:ecr:eu-west-2:123412341234:repository/checkout-web';

/** Starts a run from the page's Run now and waits until the page shows it. */
async function runAuditNow(page) {
  await page.getByRole('button', { name: 'Run now' }).click();
  await page
    .getByTestId('audit-run')
    .filter({ hasText: /manual$/ })
    .waitFor({ timeout: 120_000 });
}

/** The checklist item of a check, once the setup status has loaded. */
async function checkItem(page, id) {
  const item = page.locator(`[data-check-id="${id}"]`);
  await item.waitFor();
  return item;
}

test('a platform-team member claims checkout-web from the audit page', async () => {
  const page = await demo.newPage();
  await signInAsGuest(page);
  // The run audits what the catalog holds: wait until it has checkout-web.
  await openEntity(page, 'checkout-web');
  await page.goto(`${APP_URL}/ecr-audit`);
  await runAuditNow(page);

  // The audit saw checkout-web's repository unbound: Claim is offered.
  const claim = page.getByRole('button', { name: `Claim for ${CHECKOUT_REF}` });
  await claim.waitFor();
  const row = page.getByRole('row').filter({ has: claim });
  assert.match(await row.innerText(), /repository checkout-web: unbound/);
  await claim.click();

  // The dry run lists each resource with its outcome and the tags to write.
  const dialog = page.getByRole('dialog');
  const repository = dialog.locator(`li[data-arn="${CHECKOUT_REPO}"]`);
  await repository.waitFor();
  assert.equal(await repository.getAttribute('data-outcome'), 'bound');
  const preview = await repository.innerText();
  assert.match(preview, /Will be tagged/);
  assert.match(
    preview,
    /backstage\.io\/entity-ref = component:default\/checkout-web/,
  );
  assert.match(preview, /backstage\.io\/owner = group:default\/team-a/);
  await screenshot(page, 'ecr-claim.png');

  await dialog.getByRole('button', { name: 'Apply' }).click();
  await dialog.waitFor({ state: 'detached' });
  const notice = page.getByTestId('claim-notice');
  await notice.waitFor();
  const said = await notice.innerText();
  assert.match(said, /Claimed for component:default\/checkout-web/);
  assert.match(said, /after its next run/);

  // Run now from the notice: once the new run is in, the notice goes and
  // the claim is no longer offered.
  await notice.getByRole('button', { name: 'Run now' }).click();
  await notice.waitFor({ state: 'detached', timeout: 120_000 });
  const checkout = page
    .getByRole('row')
    .filter({ hasText: 'component:default/checkout-web' })
    .first();
  await checkout.getByText('✓ all bound').waitFor();
  assert.equal(
    await page
      .getByRole('button', { name: `Claim for ${CHECKOUT_REF}` })
      .count(),
    0,
  );

  // The entity's checklist agrees: its repository now belongs to it.
  await openEntity(page, 'checkout-web');
  await page.goto(`${APP_URL}/catalog/default/component/checkout-web/ecr`);
  await checkItem(page, 'repository-owner');
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-check-id="repository-owner"]')
        ?.getAttribute('data-status') === 'pass',
    undefined,
    { timeout: 60_000 },
  );
});

test('reporting-api’s repository, bound to team-b, is refused with the reason and cannot be claimed', async () => {
  const page = await demo.newPage();
  await openEntity(page, 'reporting-api');
  await page.goto(`${APP_URL}/catalog/default/component/reporting-api/ecr`);

  // Where the images would be: the backend's 403, naming the owner, told
  // apart from a missing permission.
  await page
    .getByText('A repository of this entity belongs to someone else')
    .waitFor();
  assert.equal(await page.getByText('Permission denied').count(), 0);
  const reason = page.getByText(
    /Backstage shows a repository only to the entity it belongs to/,
  );
  assert.match(await reason.innerText(), /group:default\/team-b/);

  // The checklist still renders and says why.
  const owner = await checkItem(page, 'repository-owner');
  assert.equal(await owner.getAttribute('data-status'), 'fail');
  const text = await owner.innerText();
  assert.match(text, /belongs to group:default\/team-b/);
  await owner.getByText(/belongs to someone else/).waitFor();
  // alice may claim, yet a resource bound elsewhere is never re-bound.
  await page.waitForTimeout(2000);
  assert.equal(await owner.getByRole('button', { name: 'Claim' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Claim' }).count(), 0);
});
