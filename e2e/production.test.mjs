// The production build: scripts/production.sh runs `yarn tsc` and `yarn build:backend`,
// unpacks the backend bundle into a temporary folder, installs production dependencies
// only and runs `node packages/backend` with NODE_ENV=production on a throwaway
// PostgreSQL, beside an AWS emulator of its own (PRODUCTION_URL, PRODUCTION_EMULATOR_URL
// in harness.mjs: not the demo's ports). The test checks that the backend serves the
// built app from the bundle, then signs in as guest in Chromium and opens payments-api's
// ECR tab. Everything it starts is stopped afterwards, also on failure or a signal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_URL,
  BACKEND_URL,
  ROOT,
  launchBrowser,
  openEntity,
  signInAsGuest,
  startProductionStack,
} from './harness.mjs';

/** A built asset: its name carries a content hash (e.g. runtime.f664c9eac660.js). */
const HASHED_SCRIPT = /^\/static\/[\w.-]+\.[0-9a-f]{8,}(\.chunk)?\.js$/;

let stack;
let browser;

before(
  async () => {
    stack = await startProductionStack();
    browser = await launchBrowser();
  },
  { timeout: 900_000 },
);

after(
  async () => {
    await browser?.close();
    await stack?.stop();
  },
  { timeout: 120_000 },
);

/** The files of the app's dist/static/ folder in packages/backend/dist/bundle.tar.gz. */
function bundledStaticFiles() {
  const listing = execFileSync(
    'tar',
    ['-tzf', join(ROOT, 'packages/backend/dist/bundle.tar.gz')],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return new Set(
    listing
      .split('\n')
      .map(line => line.replace(/^\.\//, ''))
      .filter(line => line.startsWith('packages/app/dist/static/'))
      .map(line => line.slice('packages/app/dist'.length)),
  );
}

test('the production backend serves the built app from the unpacked bundle', async () => {
  const logs = stack.logs();
  assert.ok(stack.appDir, `no unpack folder in the output\n${logs}`);
  assert.match(
    logs,
    /NODE_ENV is 'production'/,
    'the backend does not run with NODE_ENV=production',
  );
  assert.ok(
    logs.includes(
      `Serving static app content from ${stack.appDir}/packages/app/dist`,
    ),
    `the app-backend plugin does not serve the unpacked bundle's app\n${logs.slice(
      -3000,
    )}`,
  );

  const res = await fetch(`${stack.url}/`);
  assert.equal(res.status, 200);
  const html = await res.text();
  // A development server would inject its client and hot reloading.
  assert.doesNotMatch(
    html,
    /webpack-dev-server|hot-update|react-refresh|__webpack_hmr|rspack-dev/i,
  );
  // The app-backend plugin injects the runtime config of this backend.
  const injected = html.match(
    /<script type="backstage\.io\/config">([\s\S]*?)<\/script>/,
  );
  assert.ok(injected, 'index.html has no injected config');
  const appConfig = JSON.parse(injected[1]).find(c => c.data?.app)?.data;
  assert.equal(appConfig?.app?.baseUrl, stack.url);
  assert.equal(appConfig?.backend?.baseUrl, stack.url);

  const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map(
    m => m[1],
  );
  assert.ok(scripts.length > 0, 'index.html loads no script');
  const bundled = bundledStaticFiles();
  const unpacked = new Set(
    readdirSync(join(stack.appDir, 'packages/app/dist/static')).map(
      name => `/static/${name}`,
    ),
  );
  for (const src of scripts) {
    assert.match(src, HASHED_SCRIPT, `${src} is not a built, hashed asset`);
    assert.ok(bundled.has(src), `${src} is not in bundle.tar.gz`);
    assert.ok(unpacked.has(src), `${src} is not in the unpacked bundle`);
  }
  // The bytes served are the unpacked bundle's.
  const runtime = scripts.find(src => src.includes('/runtime.'));
  assert.ok(runtime, `no runtime chunk among ${scripts.join(', ')}`);
  const served = Buffer.from(
    await (await fetch(`${stack.url}${runtime}`)).arrayBuffer(),
  );
  const onDisk = readFileSync(join(stack.appDir, 'packages/app/dist', runtime));
  assert.ok(served.equals(onDisk), `${runtime} differs from the bundle's file`);
});

test('guest signs in to the production app and sees payments-api’s images', async () => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(90_000);
  const requests = [];
  page.on('request', request => requests.push(request.url()));
  const scriptResponses = [];
  page.on('response', response => {
    if (response.request().resourceType() === 'script') {
      scriptResponses.push({ url: response.url(), status: response.status() });
    }
  });

  try {
    await signInAsGuest(page, { baseUrl: stack.url });
    await openEntity(page, 'payments-api', { baseUrl: stack.url });
    await page
      .getByRole('tab', { name: 'ECR', exact: true })
      .or(page.getByRole('link', { name: 'ECR', exact: true }))
      .click();
    await page.waitForURL(/\/payments-api\/ecr$/);
    const table = page.getByRole('grid').first();
    await table
      .getByText(/\bv1\.4\.2\b/)
      .first()
      .waitFor();
    // The demo seed's three images, newest first.
    const tags = await table
      .getByRole('row')
      .evaluateAll(rows =>
        rows
          .slice(1)
          .map(row =>
            (
              row.querySelector('[role="rowheader"], td, [role="gridcell"]')
                ?.textContent ?? ''
            ).trim(),
          ),
      );
    assert.deepEqual(tags, [
      '5d2c9e1, v1.4.2',
      '0a7f3b8, v1.4.1',
      '8c1d4f6, v1.4.0',
    ]);
    await page
      .getByText(
        'docker pull 123412341234.dkr.ecr.eu-west-2.amazonaws.com/payments-api:',
        { exact: false },
      )
      .first()
      .waitFor();
  } catch (error) {
    mkdirSync(join(ROOT, 'e2e/output'), { recursive: true });
    await page
      .screenshot({ path: join(ROOT, 'e2e/output/production-failure.png') })
      .catch(() => {});
    error.message += `\n${(await page.innerText('body').catch(() => '')).slice(
      0,
      800,
    )}\n--- last output ---\n${stack.logs().slice(-3000)}`;
    throw error;
  }
  mkdirSync(join(ROOT, 'e2e/output'), { recursive: true });
  await page.screenshot({
    path: join(ROOT, 'e2e/output/production-ecr-tab.png'),
    fullPage: true,
  });

  // Everything came from the production backend: nothing from a development
  // server or the demo's backend, and every script a built asset.
  const origin = new URL(stack.url).origin;
  const elsewhere = requests.filter(
    url =>
      url.startsWith(APP_URL) ||
      url.startsWith(BACKEND_URL) ||
      (/^https?:/.test(url) && new URL(url).origin !== origin),
  );
  assert.deepEqual(elsewhere, [], 'requests not to the production backend');
  assert.ok(scriptResponses.length > 0, 'no script was loaded');
  for (const { url, status } of scriptResponses) {
    assert.equal(new URL(url).origin, origin, url);
    assert.match(new URL(url).pathname, HASHED_SCRIPT, url);
    assert.ok(status === 200 || status === 304, `${url}: HTTP ${status}`);
  }
});
