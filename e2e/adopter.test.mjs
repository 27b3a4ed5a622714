// Installs the five plugin packages into a stock Backstage app as an adopter
// would, and looks at the result in Chromium:
//
// 1. builds them and packs each with `yarn pack` (prepack/postpack), and
//    checks every tarball is what the registry would get: entry points in
//    dist/ and present, the config schema and migrations shipped, no
//    `workspace:` ranges;
// 2. creates an app with `@backstage/create-app` and brings it onto the
//    Backstage release this repository builds against (see alignRelease);
// 3. follows each plugin README's install steps as written: the fenced blocks
//    after an `<!-- install-step -->` comment (shell commands run in the app,
//    code lines added to the file their first comment line names, YAML added to
//    the config file it names). The packages come from a stand-in registry for
//    the @backstage-ecr scope only (e2e/fixtures/adopter/registry.mjs), so
//    `yarn add @backstage-ecr/plugin-ecr-backend` works as written and resolves
//    our packages' ranges on each other as it will once they are published;
// 4. starts the emulator with the demo seed, the app's backend and frontend on
//    ports of their own (e2e/fixtures/adopter/app-config.yaml, given with
//    --config: the test's environment, not an edit of the app), and checks as
//    guest the ECR tab of an annotated entity and the scaffolder's actions;
// 5. stops everything it started (process groups), also on failure and on
//    SIGINT/SIGTERM, and deletes the app. Screenshots and the timings go to the
//    ignored e2e/output/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { ROOT, isUp, launchBrowser, screenshot } from './harness.mjs';
import { startScopeRegistry } from './fixtures/adopter/registry.mjs';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

const FIXTURES = join(ROOT, 'e2e', 'fixtures', 'adopter');
const TEST_CONFIG = join(FIXTURES, 'app-config.yaml');
const testConfig = YAML.parse(readFileSync(TEST_CONFIG, 'utf8'));
const APP_URL = testConfig.app.baseUrl;
const BACKEND_URL = testConfig.backend.baseUrl;
const EMULATOR_URL = testConfig.ecr.endpoint;

// The create-app release: the newest on the registry. Its template lags behind
// the release this repository builds against; alignRelease closes the gap.
const CREATE_APP = process.env.ECR_CREATE_APP ?? '@backstage/create-app@0.9.2';

// In dependency order: each is built after what it imports.
const PLUGINS = [
  'ecr-common',
  'ecr-node',
  'ecr-backend',
  'scaffolder-backend-module-ecr',
  'ecr',
];
// The order an adopter installs them in (README.md, "Installing into your app").
const README_ORDER = [
  'ecr-backend',
  'ecr-common',
  'ecr-node',
  'scaffolder-backend-module-ecr',
  'ecr',
];

// ---------------------------------------------------------------------------
// Timings of each phase, reported at the end and written to e2e/output/.

const started = Date.now();
const phases = [];
async function phase(name, fn) {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    const seconds = (Date.now() - t0) / 1000;
    phases.push({ phase: name, seconds });
    console.log(`adopter: ${name} took ${seconds.toFixed(1)} s`);
  }
}

// ---------------------------------------------------------------------------
// Processes: each in its own process group, all of them stopped at the end,
// on failure and on signals.

const groups = new Set();
let packing = null; // a `yarn pack` rewrites package.json until its postpack

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(r => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

// Every command runs with the repository's toolchain (Node.js, Yarn, the
// registry from `npm config get registry`).
function bash(script, { cwd = ROOT, env = {} } = {}) {
  return spawn(
    'bash',
    ['-c', `source "${ROOT}/scripts/toolchain.sh" >/dev/null && ${script}`],
    {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
}

/** Runs a command to its end; rejects with its output's tail when it fails. */
function run(script, { cwd, env, timeoutMs = 600_000 } = {}) {
  const child = bash(script, { cwd, env });
  groups.add(child);
  let output = '';
  const keep = chunk => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => stopChild(child), timeoutMs);
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      groups.delete(child);
      if (code === 0) resolvePromise(output);
      else {
        reject(
          new Error(
            `\`${script}\` in ${cwd ?? ROOT} failed (${
              signal ?? `exit ${code}`
            })\n--- last output ---\n${output.slice(-6000)}`,
          ),
        );
      }
    });
  });
}

/** Starts a long-running command; stop() ends its whole process group. */
function serve(script, { cwd, env } = {}) {
  const child = bash(script, { cwd, env });
  groups.add(child);
  const logs = [];
  const keep = chunk => {
    logs.push(chunk.toString());
    if (logs.length > 600) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    child,
    alive: () => child.exitCode === null && child.signalCode === null,
    logs: () => logs.join(''),
    stop: async () => {
      await stopChild(child);
      groups.delete(child);
    },
  };
}

/** Whether anything listens on the URL's port, on IPv4 or IPv6 loopback. */
async function portTaken(url) {
  const port = Number(new URL(url).port);
  const probe = host =>
    new Promise(resolvePromise => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolvePromise(true);
      });
      socket.once('error', () => resolvePromise(false));
    });
  return (await probe('127.0.0.1')) || (await probe('::1'));
}

// `backstage-cli repo start` keeps the frontend running when the backend dies,
// waiting for a change to restart it: its crash shows only in the output.
const CRASHED = /Native stack trace|Backend failed to start up/;

async function waitFor(url, service, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isUp(url)) return;
    if (!service.alive() || CRASHED.test(service.logs())) {
      throw new Error(
        `exited before ${url} was up\n--- last output ---\n${service
          .logs()
          .slice(-6000)}`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `${url} was not up within ${
      timeoutMs / 1000
    } s\n--- last output ---\n${service.logs().slice(-6000)}`,
  );
}

// ---------------------------------------------------------------------------
// State shared by the tests of this file, and the clean-up.

const work = mkdtempSync(join(tmpdir(), 'ecr-adopter-'));
const packDir = join(work, 'packs');
const appDir = join(work, 'app');
let registry;
let browser;
let packed = false;
let installed = false;
const services = [];
let cleaned = false;

async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  if (packing) await packing.catch(() => {});
  await browser?.close().catch(() => {});
  for (const service of services.reverse()) await service.stop();
  await Promise.all([...groups].map(stopChild));
  await registry?.close();
  forgetOurPackages();
  rmSync(work, { recursive: true, force: true });
  const total = (Date.now() - started) / 1000;
  const report = { totalSeconds: total, phases };
  console.log(`adopter: total ${total.toFixed(1)} s`);
  mkdirSync(join(ROOT, 'e2e', 'output'), { recursive: true });
  writeFileSync(
    join(ROOT, 'e2e', 'output', 'adopter-timings.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
}

// Yarn's global cache keeps a package's zip by name and version: a tarball
// packed by an earlier run (same version, other contents) would be installed
// in place of this run's. So the cache forgets the @backstage-ecr packages,
// and the stand-in's package documents, before the install and afterwards;
// nothing else in it is touched (no real registry serves the scope to this
// machine's projects: the repository links its own packages as workspaces).
let yarnFolders = null;
function forgetOurPackages() {
  if (!yarnFolders) return;
  const { cacheFolder, globalFolder } = yarnFolders;
  for (const file of readdirSync(cacheFolder)) {
    if (file.startsWith('@backstage-ecr-')) {
      rmSync(join(cacheFolder, file), { force: true });
    }
  }
  const metadata = join(globalFolder, 'metadata', 'npm');
  for (const dir of existsSync(metadata) ? readdirSync(metadata) : []) {
    const standIn = join(
      metadata,
      dir,
      new URL(registry?.url ?? 'http://127.0.0.1').hostname,
    );
    if (!existsSync(standIn)) continue;
    for (const file of readdirSync(standIn)) {
      if (file.startsWith('@backstage-ecr-')) {
        rmSync(join(standIn, file), { force: true });
      }
    }
  }
}

const onSignal = signal => {
  cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

before(async () => {
  for (const url of [APP_URL, BACKEND_URL, EMULATOR_URL]) {
    if (await portTaken(url)) {
      throw new Error(
        `${url} is taken; the adopter test needs its ports (${TEST_CONFIG})`,
      );
    }
  }
});
after(cleanUp);

// ---------------------------------------------------------------------------
// 1. Build and pack.

function tarEntries(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(entry => entry.replace(/^package\//, ''));
}

function tarPackageJson(tarball) {
  return JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
}

/** Every path a package.json names as an entry point. */
function entryPaths(pkg) {
  const paths = [];
  for (const key of ['main', 'module', 'types']) {
    if (pkg[key]) paths.push({ field: key, path: pkg[key] });
  }
  const walk = (value, field) => {
    if (typeof value === 'string') paths.push({ field, path: value });
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        // "backstage" names a feature type, not a file
        if (k !== 'backstage') walk(v, `${field}[${k}]`);
      }
    }
  };
  walk(pkg.exports, 'exports');
  for (const [mount, targets] of Object.entries(pkg.typesVersions?.['*'] ?? {}))
    for (const path of targets)
      paths.push({ field: `typesVersions[${mount}]`, path });
  return paths;
}

/**
 * What a tarball must be to work once published. Returns the problems found,
 * each naming the package and the field.
 */
function packProblems(plugin, tarball) {
  const source = JSON.parse(
    readFileSync(join(ROOT, 'plugins', plugin, 'package.json'), 'utf8'),
  );
  const pkg = tarPackageJson(tarball);
  const files = new Set(tarEntries(tarball));
  const problems = [];
  const say = text => problems.push(`${pkg.name}: ${text}`);
  const normal = path => path.replace(/^\.\//, '');

  for (const { field, path } of entryPaths(pkg)) {
    if (path === './package.json' || path === 'package.json') continue;
    if (!normal(path).startsWith('dist/')) {
      say(`${field} points at ${path}, not into dist/`);
    } else if (!files.has(normal(path))) {
      say(`${field} names ${path}, which the tarball does not hold`);
    }
  }
  for (const field of ['main', 'types']) {
    if (!pkg[field]) say(`has no ${field}`);
  }
  if (source.exports) {
    for (const mount of Object.keys(source.exports)) {
      if (!pkg.exports?.[mount]) say(`exports lost ${mount}`);
    }
    for (const mount of Object.keys(pkg.exports ?? {})) {
      if (mount === './package.json') continue;
      const name = mount === '.' ? null : mount.slice(2);
      if (name && !pkg.typesVersions?.['*']?.[name]) {
        say(`typesVersions has no entry for ${mount}`);
      }
    }
  }
  if (source.configSchema) {
    // The source ships its schema as config.d.ts; prepack compiles it into the
    // config.schema.json that `configSchema` and `files` then name.
    if (!source.files?.includes(source.configSchema)) {
      say(`files of the source package.json lack ${source.configSchema}`);
    }
    if (!pkg.configSchema || !files.has(normal(pkg.configSchema))) {
      say(`configSchema ${pkg.configSchema} is not in the tarball`);
    } else if (!pkg.files?.includes(pkg.configSchema)) {
      say(`files lack the config schema ${pkg.configSchema}`);
    }
  }
  if (existsSync(join(ROOT, 'plugins', plugin, 'migrations'))) {
    if (!pkg.files?.includes('migrations')) say('files lack migrations');
    const sourceMigrations = readdirSync(
      join(ROOT, 'plugins', plugin, 'migrations'),
    );
    for (const migration of sourceMigrations) {
      if (!files.has(`migrations/${migration}`)) {
        say(`the tarball lacks migrations/${migration}`);
      }
    }
  }
  for (const field of [
    'dependencies',
    'peerDependencies',
    'optionalDependencies',
  ]) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) {
        say(`${field}.${name} is ${range}`);
      }
    }
  }
  if (pkg.private) say('is private');
  if (!files.has('README.md')) say('ships no README.md');
  return problems;
}

test('each plugin package describes itself to the catalog', () => {
  const {
    makeValidator,
    parseEntityRef,
    stringifyEntityRef,
  } = require('@backstage/catalog-model');
  const validator = makeValidator();
  // The groups of the demo catalog, which an owner must name; none of the
  // demo's entity names may be taken, should the files be registered there.
  const demo = ['org.yaml', 'entities.yaml'].flatMap(file =>
    YAML.parseAllDocuments(
      readFileSync(join(ROOT, 'examples', file), 'utf8'),
    ).map(doc => doc.toJS()),
  );
  const groups = demo
    .filter(e => e.kind === 'Group')
    .map(e => `group:default/${e.metadata.name}`);
  const demoNames = new Set(demo.map(e => e.metadata.name));
  for (const plugin of PLUGINS) {
    const pkg = JSON.parse(
      readFileSync(join(ROOT, 'plugins', plugin, 'package.json'), 'utf8'),
    );
    const entity = YAML.parse(
      readFileSync(join(ROOT, 'plugins', plugin, 'catalog-info.yaml'), 'utf8'),
    );
    const where = `plugins/${plugin}/catalog-info.yaml`;
    assert.equal(entity.apiVersion, 'backstage.io/v1alpha1', where);
    assert.equal(entity.kind, 'Component', where);
    assert.ok(validator.isValidEntityName(entity.metadata.name), where);
    assert.ok(!demoNames.has(entity.metadata.name), `${where}: name taken`);
    assert.equal(entity.metadata.title, pkg.name, where);
    assert.equal(entity.spec.type, `backstage-${pkg.backstage.role}`, where);
    assert.ok(entity.spec.lifecycle, where);
    const owner = stringifyEntityRef(
      parseEntityRef(entity.spec.owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
    assert.ok(groups.includes(owner), `${where}: ${owner} is not a demo group`);
  }
});

test('every plugin package builds and packs as it will be published', async () => {
  // Type declarations first: each package's build rolls up its types from
  // dist-types/, which the repository-wide tsc writes. Not incrementally: an
  // incremental tsc does not write again a declaration file that was deleted
  // since its last run (a `clean`), and a backend package's build then leaves
  // out its types without failing.
  await phase('build: tsc', () =>
    run('yarn tsc --incremental false', { timeoutMs: 900_000 }),
  );
  await phase('build: packages', async () => {
    for (const plugin of PLUGINS) {
      await run('yarn backstage-cli package build', {
        cwd: join(ROOT, 'plugins', plugin),
      });
    }
  });
  mkdirSync(packDir, { recursive: true });
  const problems = await phase('pack', async () => {
    const found = [];
    for (const plugin of PLUGINS) {
      const tarball = join(packDir, `${plugin}.tgz`);
      // Not killed half-way on a signal (see cleanUp): prepack rewrites the
      // tracked package.json and postpack puts it back.
      packing = run(`yarn pack --out "${tarball}"`, {
        cwd: join(ROOT, 'plugins', plugin),
      });
      try {
        await packing;
      } finally {
        packing = null;
      }
      found.push(...packProblems(plugin, tarball));
    }
    return found;
  });
  assert.deepEqual(problems, []);
  packed = true;
});

// ---------------------------------------------------------------------------
// 2 and 3. The stock app, one Backstage release, the READMEs' steps.

/** The fenced blocks each marked `<!-- install-step … -->`, in order. */
function installSteps(markdown) {
  const lines = markdown.split('\n');
  const steps = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^<!-- install-step\b/.test(lines[i])) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    const fence = /^```(\w+)\s*$/.exec(lines[j] ?? '');
    if (!fence) {
      throw new Error(`line ${i + 1}: install-step not followed by a block`);
    }
    const body = [];
    for (j++; j < lines.length && !/^```\s*$/.test(lines[j]); j++) {
      body.push(lines[j]);
    }
    steps.push({ lang: fence[1], body, line: i + 1 });
    i = j;
  }
  return steps;
}

function lockedVersions(lockfile) {
  const versions = new Map();
  for (const block of readFileSync(lockfile, 'utf8').split('\n\n')) {
    const head = /^"?((?:@[^/@"]+\/)?[^@"]+)@/.exec(block);
    const version = /\n {2}version: (.+)/.exec(block);
    if (!head || !version) continue;
    if (!versions.has(head[1])) versions.set(head[1], new Set());
    versions.get(head[1]).add(version[1]);
  }
  return versions;
}

function appGitDiffNames() {
  return execFileSync('git', ['diff', '--name-only'], {
    cwd: appDir,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .sort();
}

const MANIFESTS = [
  'package.json',
  'packages/app/package.json',
  'packages/backend/package.json',
];
function readAppManifests() {
  return Object.fromEntries(
    MANIFESTS.map(file => [
      file,
      JSON.parse(readFileSync(join(appDir, file), 'utf8')),
    ]),
  );
}

/**
 * The changes of the app's package.json files that are neither a new range of
 * an @backstage package, an added @backstage-ecr package, nor the
 * better-sqlite3 resolution.
 */
function manifestChanges(before, afterwards) {
  const changes = [];
  for (const file of MANIFESTS) {
    const a = before[file];
    const b = afterwards[file];
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const fields = ['dependencies', 'devDependencies', 'resolutions'];
      if (!fields.includes(key)) {
        if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
          changes.push(`${file}: ${key}`);
        }
        continue;
      }
      const names = new Set([
        ...Object.keys(a[key] ?? {}),
        ...Object.keys(b[key] ?? {}),
      ]);
      for (const name of names) {
        const from = a[key]?.[name];
        const to = b[key]?.[name];
        if (from === to) continue;
        const allowed =
          (key !== 'resolutions' &&
            name.startsWith('@backstage/') &&
            from !== undefined &&
            to !== undefined) ||
          (key === 'dependencies' &&
            name.startsWith('@backstage-ecr/') &&
            from === undefined) ||
          (file === 'package.json' &&
            key === 'resolutions' &&
            name === 'better-sqlite3' &&
            from === undefined);
        if (!allowed) changes.push(`${file}: ${key}.${name} ${from} -> ${to}`);
      }
    }
  }
  return changes;
}

// Where code lines go in a file the READMEs name.
const CODE_ANCHORS = {
  'packages/backend/src/index.ts': /^backend\.start\(\);\s*$/m,
};

function applyStep(step, plugin, appEnv, applied) {
  const where = `plugins/${plugin}/README.md:${step.line}`;
  if (step.lang === 'sh') {
    return step.body
      .map(line => line.trim())
      .filter(line => line && !line.startsWith('#'))
      .map(command => async () => {
        applied.push(`${where}: ${command}`);
        await run(command, { cwd: appDir, env: appEnv });
      });
  }
  const comment = step.lang === 'yaml' ? '#' : '//';
  const [first, ...rest] = step.body;
  const target = first?.startsWith(`${comment} `)
    ? first.slice(comment.length + 1).trim()
    : null;
  assert.ok(target, `${where}: the block's first line must name its file`);
  const file = join(appDir, target);
  assert.ok(existsSync(file), `${where}: the app has no ${target}`);
  if (step.lang === 'yaml') {
    return [
      async () => {
        const before = YAML.parse(readFileSync(file, 'utf8')) ?? {};
        const added = YAML.parse(rest.join('\n'));
        for (const key of Object.keys(added)) {
          assert.ok(!(key in before), `${where}: ${target} already has ${key}`);
        }
        writeFileSync(
          file,
          `${readFileSync(file, 'utf8').trimEnd()}\n\n${rest.join('\n')}\n`,
        );
        applied.push(`${where}: added ${Object.keys(added)} to ${target}`);
      },
    ];
  }
  if (['ts', 'tsx', 'js'].includes(step.lang)) {
    return [
      async () => {
        const anchor = CODE_ANCHORS[target];
        assert.ok(anchor, `${where}: the test does not know ${target}`);
        let text = readFileSync(file, 'utf8');
        for (const line of rest) {
          const code = line.replace(/;\s+\/\/.*$/, ';').trim();
          if (!code || code.startsWith('//')) continue;
          if (text.split('\n').some(l => l.trim() === code)) {
            applied.push(`${where}: ${target} has ${code} already`);
            continue;
          }
          const match = anchor.exec(text);
          assert.ok(match, `${where}: ${target} has no ${anchor}`);
          text = `${text.slice(0, match.index)}${code}\n${text.slice(
            match.index,
          )}`;
          applied.push(`${where}: added ${code} to ${target}`);
        }
        writeFileSync(file, text);
      },
    ];
  }
  throw new Error(`${where}: an install step in ${step.lang} is not known`);
}

test('a stock app from create-app installs the plugins by their READMEs', async () => {
  assert.ok(packed, 'the packages did not pack as they will be published');
  registry = await startScopeRegistry({
    tarballs: PLUGINS.map(plugin => join(packDir, `${plugin}.tgz`)),
  });

  // The test's environment for yarn, as a user-level .yarnrc.yml would hold
  // it (yarn reads .yarnrc.yml files of the parent folders too), not an edit
  // of the app:
  // - the @backstage-ecr scope comes from the stand-in registry;
  // - the stock .yarnrc.yml holds back versions younger than 3 days
  //   (npmMinimalAgeGate) except @backstage/*; the tarballs are minutes old,
  //   as a release is on its first days, so the scope is preapproved rather
  //   than the stand-in pretending an older publish date;
  // - `yarn add` in a TypeScript project asks Algolia for @types packages
  //   (tsEnableAutoTypes), which this machine cannot reach (yarn then crashes
  //   with "The `onCancel` handler was attached after the promise settled").
  writeFileSync(
    join(work, '.yarnrc.yml'),
    YAML.stringify({
      npmScopes: { 'backstage-ecr': { npmRegistryServer: registry.url } },
      unsafeHttpWhitelist: ['127.0.0.1'],
      npmPreapprovedPackages: ['@backstage-ecr/*'],
      tsEnableAutoTypes: false,
    }),
  );
  const appEnv = { BACKSTAGE_APP_NAME: 'adopter-app' };

  await phase('create-app', () =>
    run(`npx -y ${CREATE_APP} --skip-install --path "${appDir}" </dev/null`, {
      cwd: work,
      env: appEnv,
    }),
  );
  assert.deepEqual(appGitDiffNames(), [], 'create-app left uncommitted files');

  // The Yarn global cache is shared with this repository's install.
  const cacheOf = cwd =>
    execFileSync(
      'bash',
      [
        '-c',
        `source "${ROOT}/scripts/toolchain.sh" >/dev/null && yarn config get enableGlobalCache && yarn config get cacheFolder`,
      ],
      { cwd, encoding: 'utf8' },
    ).trim();
  const appCache = cacheOf(appDir);
  assert.equal(appCache, cacheOf(ROOT));
  assert.match(appCache, /^true\n/, 'the app does not use the global cache');
  yarnFolders = {
    cacheFolder: appCache.split('\n')[1],
    globalFolder: execFileSync(
      'bash',
      [
        '-c',
        `source "${ROOT}/scripts/toolchain.sh" >/dev/null && yarn config get globalFolder`,
      ],
      { cwd: appDir, encoding: 'utf8' },
    ).trim(),
  };
  forgetOurPackages();

  // One Backstage release in the app. The newest create-app's template pins
  // an older release than the @backstage packages our plugins are built
  // against (frontend-plugin-api ^1.0.0, backend-defaults ^0.19.0, ui ^0.20.0),
  // and installing our packages into it would mix two releases (two copies of
  // frontend-plugin-api; a backend that dies with "addWebSocketHandler is not
  // a function"). An adopter upgrades the app first; Backstage's own
  // `backstage-cli versions:bump` needs versions.backstage.io, which this
  // machine cannot reach, so the test does the registry-only equivalent:
  // `yarn up '@backstage/*'` moves every @backstage dependency of the app to
  // the registry's newest release, in one install (through the global cache).
  // It then checks that release is the one in this repository's yarn.lock.
  //
  // The same install holds better-sqlite3 at the major this repository holds
  // it at (its root `resolutions`, see README.md "Toolchain"): the template's
  // ^12 aborts the stock backend on Node.js 24.19 and later (an assertion in
  // RemoveEnvironmentCleanupHook when a statement is collected), with or
  // without our plugins. That resolution is the one edit of the app beyond
  // the release and the READMEs' steps; the checks below allow no other.
  const stock = readAppManifests();
  const { resolutions: repoResolutions } = JSON.parse(
    readFileSync(join(ROOT, 'package.json'), 'utf8'),
  );
  const rootManifest = join(appDir, 'package.json');
  const root = JSON.parse(readFileSync(rootManifest, 'utf8'));
  root.resolutions = {
    ...root.resolutions,
    'better-sqlite3': repoResolutions['better-sqlite3'],
  };
  writeFileSync(rootManifest, `${JSON.stringify(root, null, 2)}\n`);
  await phase('align release: yarn up @backstage/*', () =>
    run(`yarn up '@backstage/*'`, {
      cwd: appDir,
      env: appEnv,
      timeoutMs: 1_200_000,
    }),
  );
  const repoLock = lockedVersions(join(ROOT, 'yarn.lock'));
  const appLock = lockedVersions(join(appDir, 'yarn.lock'));
  const offLine = [];
  for (const [name, versions] of appLock) {
    if (!name.startsWith('@backstage/') || !repoLock.has(name)) continue;
    for (const version of versions) {
      if (!repoLock.get(name).has(version)) {
        offLine.push(
          `${name}@${version} (this repository: ${[...repoLock.get(name)]})`,
        );
      }
    }
  }
  assert.deepEqual(
    offLine,
    [],
    'the app is not on the Backstage release of this repository: bump it here (yarn backstage-cli versions:bump) or pin ECR_CREATE_APP',
  );

  // The READMEs' install steps, as written.
  const applied = [];
  await phase('README install steps', async () => {
    for (const plugin of README_ORDER) {
      const readme = readFileSync(
        join(ROOT, 'plugins', plugin, 'README.md'),
        'utf8',
      );
      const steps = installSteps(readme);
      assert.ok(steps.length > 0, `plugins/${plugin}/README.md has no steps`);
      for (const step of steps) {
        for (const action of applyStep(step, plugin, appEnv, applied)) {
          await action();
        }
      }
    }
  });
  console.log(`adopter: install steps\n  ${applied.join('\n  ')}`);

  // The app's changes: the release alignment and the READMEs' steps, nothing else.
  assert.deepEqual(manifestChanges(stock, readAppManifests()), []);
  assert.deepEqual(appGitDiffNames(), [
    'app-config.yaml',
    'package.json',
    'packages/app/package.json',
    'packages/backend/package.json',
    'packages/backend/src/index.ts',
    'yarn.lock',
  ]);
  // Each of our packages once, at the version packed, from the stand-in.
  const ours = [...lockedVersions(join(appDir, 'yarn.lock'))].filter(([name]) =>
    name.startsWith('@backstage-ecr/'),
  );
  assert.deepEqual(
    Object.fromEntries(ours.map(([name, versions]) => [name, [...versions]])),
    Object.fromEntries(
      PLUGINS.map(plugin => {
        const pkg = tarPackageJson(join(packDir, `${plugin}.tgz`));
        return [pkg.name, [pkg.version]];
      }),
    ),
  );
  for (const name of registry.names) {
    assert.ok(
      registry.requests().some(r => r.startsWith(`GET /${name}/-/`)),
      `${name} was not fetched from the stand-in registry`,
    );
  }
  installed = true;
});

// ---------------------------------------------------------------------------
// 4. The running app.

const ecrTab = page =>
  page
    .getByRole('tab', { name: 'ECR', exact: true })
    .or(page.getByRole('link', { name: 'ECR', exact: true }));

async function signIn(page) {
  await page.goto(APP_URL);
  const enter = page.getByRole('button', { name: 'Enter' });
  const nav = page.getByRole('navigation').first();
  await enter.or(nav).first().waitFor({ timeout: 120_000 });
  if (await enter.isVisible()) await enter.click();
  await nav.waitFor({ state: 'attached', timeout: 60_000 });
}

test('the stock app shows the ECR tab and the scaffolder actions', async () => {
  assert.ok(installed, 'the plugins were not installed into the stock app');
  await phase('start: emulator, backend, frontend', async () => {
    const emulatorPort = new URL(EMULATOR_URL).port;
    const emulator = serve(
      `exec node packages/aws-emulator/bin/aws-emulator --seed examples/aws-emulator/demo.yaml --port ${emulatorPort}`,
    );
    services.push(emulator);
    await waitFor(`${EMULATOR_URL}/_emulator/health`, emulator, 60_000);

    const app = serve(
      `exec yarn start --config "${appDir}/app-config.yaml" --config "${TEST_CONFIG}"`,
      {
        cwd: appDir,
        env: {
          ADOPTER_FIXTURES: FIXTURES,
          // The STS calls of @backstage/integration-aws-node go to the
          // emulator too, as in scripts/start.sh.
          AWS_ENDPOINT_URL: EMULATOR_URL,
          AWS_REGION: 'eu-west-2',
          AWS_EC2_METADATA_DISABLED: 'true',
          BROWSER: 'none',
          NODE_ENV: 'development',
        },
      },
    );
    services.push(app);
    await waitFor(
      `${BACKEND_URL}/.backstage/health/v1/readiness`,
      app,
      300_000,
    );
    await waitFor(APP_URL, app, 300_000);
  });

  await phase('browser', async () => {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    page.setDefaultTimeout(60_000);
    await signIn(page);

    // The catalog ingests the fixture entity shortly after start.
    const deadline = Date.now() + 180_000;
    for (;;) {
      await page.goto(`${APP_URL}/catalog/default/component/payments-api`);
      try {
        await page
          .getByRole('heading', { name: 'payments-api' })
          .first()
          .waitFor({ timeout: 10_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    await ecrTab(page).first().click();
    await page.waitForURL(/\/payments-api\/ecr$/);
    const table = page.getByRole('grid').first();
    await table.getByText('v1.4.2').first().waitFor();
    await table.getByText('v1.4.1').first().waitFor();
    const rows = await table.getByRole('row').count();
    assert.ok(rows > 2, `expected several image rows, saw ${rows - 1}`);
    await page
      .getByText(
        'docker pull 123412341234.dkr.ecr.eu-west-2.amazonaws.com/payments-api:',
        { exact: false },
      )
      .first()
      .waitFor();
    await screenshot(page, 'adopter-ecr-tab.png');

    await page.goto(`${APP_URL}/create/actions`);
    for (const action of ['ecr:repository:create', 'ecr:push-access:grant']) {
      await page.getByText(action, { exact: true }).first().waitFor();
    }
    await screenshot(page, 'adopter-scaffolder-actions.png');
  });
});
