// Starts the demo stack for browser tests and stops everything it started,
// also when a test fails or the process is interrupted.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
export const APP_URL = 'http://localhost:3000';
export const BACKEND_URL = 'http://localhost:7007';
export const EMULATOR_URL = 'http://127.0.0.1:4566';

/**
 * Takes a full-page screenshot. A test run writes it to the ignored
 * e2e/output/; only `scripts/screenshots.sh` (ECR_UPDATE_SCREENSHOTS=1)
 * refreshes the README's pictures in docs/screenshots/, so that running the
 * tests never changes tracked files.
 */
export async function screenshot(page, name) {
  const dir =
    process.env.ECR_UPDATE_SCREENSHOTS === '1'
      ? join(ROOT, 'docs', 'screenshots')
      : join(ROOT, 'e2e', 'output');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name), fullPage: true });
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function isUp(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitFor(url, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isUp(url)) return;
    if (!isAlive()) throw new Error(`the stack exited before ${url} was up`);
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} was not up within ${timeoutMs / 1000} s`);
}

/**
 * Starts the demo as the README's first command does (scripts/start.sh: the AWS
 * emulator with the demo seed, then frontend and backend), in its own process
 * group, and waits until all answer. Each test file gets a fresh emulator, so
 * what one file changes in AWS does not leak into another. Returns a handle
 * whose stop() ends the whole group.
 */
export async function startStack({ timeoutMs = 300_000, env = {} } = {}) {
  for (const url of [
    APP_URL,
    BACKEND_URL,
    `${EMULATOR_URL}/_emulator/health`,
  ]) {
    if (await isUp(url)) {
      throw new Error(
        `${url} is already taken; stop the running app before the browser tests`,
      );
    }
  }
  const logs = [];
  const child = spawn('bash', ['scripts/start.sh'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BROWSER: 'none',
      NODE_ENV: 'development',
      ECR_SKIP_INSTALL: '1',
      ...env,
    },
  });
  const keep = chunk => {
    logs.push(chunk.toString());
    if (logs.length > 400) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + 15_000;
    while (!exited && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 200));
    }
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const onSignal = () => {
    stop().finally(() => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await waitFor(
      `${BACKEND_URL}/.backstage/health/v1/readiness`,
      timeoutMs,
      () => !exited,
    );
    await waitFor(APP_URL, timeoutMs, () => !exited);
  } catch (error) {
    await stop();
    error.message += `\n--- last output of scripts/start.sh ---\n${logs
      .join('')
      .slice(-4000)}`;
    throw error;
  }
  return { stop, logs: () => logs.join('') };
}

/** Launches Debian's Chromium through playwright-core. */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ecr-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const close = async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

/** Opens the app and signs in through the guest provider. */
export async function signInAsGuest(page) {
  await page.goto(APP_URL);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .waitFor({ state: 'attached', timeout: 60_000 });
}

/**
 * Registers before/after hooks that start the demo (see startStack) and a
 * browser for the calling test file, and stop both afterwards. Returns
 * newPage(), which opens a page with the given default timeout.
 */
export function useStack(t, { env, timeoutMs = 60_000 } = {}) {
  let stack;
  let browser;
  t.before(async () => {
    stack = await startStack({ env });
    browser = await launchBrowser();
  });
  t.after(async () => {
    await browser?.close();
    await stack?.stop();
  });
  return {
    async newPage() {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(timeoutMs);
      return page;
    },
  };
}

/**
 * Opens an entity's page, reloading until the catalog has ingested the entity
 * (an entity page does not update itself once it has said "not found").
 */
export async function openEntity(page, name, { timeoutMs = 180_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(`${APP_URL}/catalog/default/component/${name}`);
    const heading = page.getByRole('heading', { name }).first();
    try {
      await heading.waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}
