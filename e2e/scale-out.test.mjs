// Scale-out (issue 8, point 7): runs scripts/scale-out.sh, which starts PostgreSQL,
// Redis, the AWS emulator and two backends sharing the database and the cache, checks
// that the scheduled audit runs once and that an answer cached by one instance serves
// the other, then a control run of two backends that share nothing, where both checks
// must come out the other way. Takes about 2 minutes; uses free loopback ports only, so
// it does not collide with the demo the browser tests start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const TIMEOUT_MS = 10 * 60_000;
/** How long the script gets to stop what it started after SIGTERM. */
const STOP_GRACE_MS = 60_000;

const EXPECTED = [
  'PASS  the scheduled audit ran once for two instances',
  'PASS  images cached by A serve B',
  'PASS  control: without a shared database the audit ran on each instance',
  'PASS  control: without a shared cache D called AWS again',
];

/**
 * Runs the script in its own process group and resolves with its exit code (or
 * signal) and output. On timeout, or when this process is interrupted, the whole
 * group gets SIGTERM (the script's trap then stops PostgreSQL and the rest), and
 * SIGKILL if it is still there after STOP_GRACE_MS.
 */
function runScript() {
  const child = spawn('bash', ['scripts/scale-out.sh'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = chunk => {
    output += chunk;
    process.stderr.write(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);

  let exited = false;
  let timedOut = false;
  let killTimer;
  const stop = () => {
    if (exited || killTimer) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    killTimer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_GRACE_MS);
  };
  const timeout = setTimeout(() => {
    timedOut = true;
    stop();
  }, TIMEOUT_MS);
  const onSignal = signal => {
    stop();
    child.once('close', () => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exited = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolvePromise({ code, signal, output, timedOut });
    });
  });
}

/** The last lines of the script's output, for assertion messages. */
const lastOutput = output =>
  `\n--- last output of scripts/scale-out.sh ---\n${output.slice(-6000)}`;

const testTimeout = TIMEOUT_MS + STOP_GRACE_MS + 30_000;

test(
  'scale-out: shared audit schedule and cache, and a control run',
  {
    timeout: testTimeout,
  },
  async () => {
    const { code, signal, output, timedOut } = await runScript();
    const tail = lastOutput(output);
    const minutes = TIMEOUT_MS / 60_000;
    assert.ok(!timedOut, `the script did not finish in ${minutes} min${tail}`);
    assert.deepEqual(
      { code, signal },
      { code: 0, signal: null },
      `exit${tail}`,
    );
    const lines = output.split('\n');
    for (const expected of EXPECTED) {
      assert.ok(
        lines.some(line => line.startsWith(expected)),
        `no line "${expected} …"${tail}`,
      );
    }
    const failed = lines.filter(line => line.startsWith('FAIL'));
    assert.deepEqual(failed, [], `FAIL lines${tail}`);
  },
);
