// Starts the demo stack for browser tests and stops everything it started,
// also when a test fails or the process is interrupted.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
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

/** Whether the URL answers 2xx within two seconds. */
export async function isUp(url) {
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

/**
 * Opens the app and signs in through the guest provider; baseUrl is the
 * production bundle's PRODUCTION_URL where it serves the app.
 */
export async function signInAsGuest(page, { baseUrl = APP_URL } = {}) {
  await page.goto(baseUrl);
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
export async function openEntity(
  page,
  name,
  { timeoutMs = 180_000, baseUrl = APP_URL } = {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(`${baseUrl}/catalog/default/component/${name}`);
    const heading = page.getByRole('heading', { name }).first();
    try {
      await heading.waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

// --- The production bundle -------------------------------------------------------------
// scripts/production.sh builds the backend bundle (with the built app) and runs it as a
// deployment does; these helpers start it beside its own AWS emulator, on ports of their
// own, so that a demo (:3000, :7007, :4566) running on the same machine is not in the way.

export const PRODUCTION_PORT = Number(process.env.ECR_PRODUCTION_PORT ?? 7107);
export const PRODUCTION_EMULATOR_PORT = Number(
  process.env.ECR_PRODUCTION_EMULATOR_PORT ?? 4666,
);
export const PRODUCTION_URL = `http://127.0.0.1:${PRODUCTION_PORT}`;
export const PRODUCTION_EMULATOR_URL = `http://127.0.0.1:${PRODUCTION_EMULATOR_PORT}`;
/** The test-only config read after app-config.production.yaml. */
export const PRODUCTION_TEST_CONFIG =
  'e2e/fixtures/app-config.production-test.yaml';

/** Resolves whether something accepts TCP connections on 127.0.0.1:port. */
function portTaken(port) {
  return new Promise(resolvePromise => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

/**
 * Spawns a command as the leader of its own process group and keeps its last
 * output. stop() sends the group SIGTERM and, after graceMs, SIGKILL.
 */
function spawnGroup(name, command, args, { env, graceMs }) {
  const logs = [];
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const keep = chunk => {
    logs.push(chunk.toString());
    if (logs.length > 2000) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const done = new Promise(resolvePromise => {
    child.once('exit', () => {
      exited = true;
      resolvePromise();
    });
  });
  let terminated = false;
  const terminate = () => {
    if (exited || terminated) return;
    terminated = true;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (exited) return;
    terminate();
    const timer = new Promise(r => setTimeout(r, graceMs));
    await Promise.race([done, timer]);
    if (!exited) {
      logs.push(`${name}: still running ${graceMs / 1000} s after SIGTERM\n`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await done;
    }
  };
  return {
    terminate,
    stop,
    isAlive: () => !exited,
    logs: () => logs.join(''),
  };
}

/**
 * Starts the AWS emulator with the demo seed on PRODUCTION_EMULATOR_PORT, then
 * `scripts/production.sh --skip-tsc --config e2e/fixtures/app-config.production-test.yaml`
 * (which builds unless build is false, without the type check, unpacks the bundle into a temporary
 * folder, starts a throwaway PostgreSQL on a free port and runs the backend on
 * PRODUCTION_PORT), each in its own process group, and waits until the backend
 * is ready. emulatorArgs are extra emulator flags, env extra variables for the
 * backend (e.g. APP_CONFIG_…). Returns { url, appDir, buildSeconds, stop, logs };
 * stop() ends both groups, and so does SIGINT or SIGTERM of this process.
 */
export async function startProductionStack({
  emulatorArgs = [],
  env = {},
  build = true,
  timeoutMs = 600_000,
} = {}) {
  for (const port of [PRODUCTION_PORT, PRODUCTION_EMULATOR_PORT]) {
    if (await portTaken(port)) {
      throw new Error(
        `port ${port} is already taken; the production test needs it (set ECR_PRODUCTION_PORT / ECR_PRODUCTION_EMULATOR_PORT to use others)`,
      );
    }
  }
  const baseEnv = { ...process.env };
  // production.sh starts its own PostgreSQL when POSTGRES_HOST is not set, and
  // sets NODE_ENV=production for the backend itself.
  for (const key of [
    'POSTGRES_HOST',
    'POSTGRES_PORT',
    'POSTGRES_USER',
    'POSTGRES_PASSWORD',
    'NODE_ENV',
  ]) {
    delete baseEnv[key];
  }
  const groups = [];
  const stop = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The backend first, then the emulator it talks to.
    for (const group of [...groups].reverse()) await group.stop();
  };
  const onSignal = signal => {
    // SIGTERM to every group at once, before anything else can end this
    // process (another stack's signal handler may exit it): production.sh's
    // trap then stops the backend and PostgreSQL by itself.
    for (const group of groups) group.terminate();
    stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const logs = () => groups.map(group => group.logs()).join('\n---\n');

  try {
    const emulator = spawnGroup(
      'aws-emulator',
      process.execPath,
      [
        'packages/aws-emulator/bin/aws-emulator',
        '--seed',
        'examples/aws-emulator/demo.yaml',
        '--port',
        String(PRODUCTION_EMULATOR_PORT),
        ...emulatorArgs,
      ],
      { env: baseEnv, graceMs: 10_000 },
    );
    groups.push(emulator);
    await waitFor(
      `${PRODUCTION_EMULATOR_URL}/_emulator/health`,
      120_000,
      emulator.isAlive,
    );

    const backend = spawnGroup(
      'production.sh',
      'bash',
      [
        'scripts/production.sh',
        // The type check is CI's own step (yarn tsc); the bundle does not need it.
        build ? '--skip-tsc' : '--skip-build',
        '--config',
        PRODUCTION_TEST_CONFIG,
      ],
      {
        env: {
          ...baseEnv,
          ECR_PRODUCTION_PORT: String(PRODUCTION_PORT),
          ECR_EMULATOR_URL: PRODUCTION_EMULATOR_URL,
          ECR_REPO_ROOT: ROOT,
          ECR_AWS_ACCOUNT_ID: '123412341234',
          ECR_AWS_REGION: 'eu-west-2',
          // The STS calls of @backstage/integration-aws-node go to the emulator too.
          AWS_ENDPOINT_URL: PRODUCTION_EMULATOR_URL,
          AWS_REGION: 'eu-west-2',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        },
        // production.sh stops the backend, then PostgreSQL, 20 s at most each.
        graceMs: 50_000,
      },
    );
    groups.push(backend);
    await waitFor(
      `${PRODUCTION_URL}/.backstage/health/v1/readiness`,
      timeoutMs,
      backend.isAlive,
    );
    const output = backend.logs();
    const appDir = output.match(
      /production: unpacked and installed in (\S+)/,
    )?.[1];
    const built = output.match(/production: built in (\d+) s/)?.[1];
    return {
      url: PRODUCTION_URL,
      appDir,
      buildSeconds: built === undefined ? undefined : Number(built),
      stop,
      logs,
    };
  } catch (error) {
    const output = groups.map(group => group.logs().slice(-6000));
    await stop();
    error.message += `\n--- last output of the emulator and scripts/production.sh ---\n${output.join(
      '\n---\n',
    )}`;
    throw error;
  }
}
