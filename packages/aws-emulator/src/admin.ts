import { ServerResponse } from 'http';
import { FaultsError } from './faults';
import { resetTraffic } from './traffic';
import type { EmulatorRuntime } from './server';

/**
 * The admin endpoint under `/_emulator/`: unsigned, for tests and benchmarks on the same
 * machine. It reports health and per-operation call counts, resets them, changes faults at run
 * time, and can restore the seeded state.
 */

function json(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sortedCalls(
  calls: Map<string, number>,
): Record<string, number> {
  return Object.fromEntries([...calls].sort(([a], [b]) => a.localeCompare(b)));
}

export function handleAdmin(
  runtime: EmulatorRuntime,
  method: string,
  url: URL,
  body: Buffer,
  res: ServerResponse,
): void {
  const path = url.pathname.replace(/\/+$/, '');
  const routes: Record<string, () => void> = {
    'GET /_emulator/health': () => json(res, 200, { status: 'ok' }),
    'GET /_emulator/calls': () => json(res, 200, sortedCalls(runtime.calls)),
    'POST /_emulator/calls/reset': () => {
      runtime.calls.clear();
      resetTraffic(runtime.traffic);
      json(res, 200, {});
    },
    'GET /_emulator/traffic': () => json(res, 200, { ...runtime.traffic }),
    'GET /_emulator/faults': () => json(res, 200, runtime.faults.get()),
    'POST /_emulator/faults': () => {
      let update: unknown;
      try {
        update = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        json(res, 400, { error: 'the body must be JSON' });
        return;
      }
      try {
        json(res, 200, runtime.faults.set(update as object));
      } catch (e) {
        if (e instanceof FaultsError) json(res, 400, { error: e.message });
        else throw e;
      }
    },
    'POST /_emulator/reset': () => {
      // Builds in progress belong to the state being discarded.
      for (const timer of runtime.timers) clearTimeout(timer);
      runtime.timers.clear();
      runtime.state = runtime.loadState();
      json(res, 200, {});
    },
    'GET /_emulator/builds': () =>
      json(res, 200, { buildDurationMs: runtime.buildDurationMs }),
    'POST /_emulator/builds': () => {
      let update: any;
      try {
        update = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        json(res, 400, { error: 'the body must be JSON' });
        return;
      }
      const ms = update?.buildDurationMs;
      if (ms !== undefined) {
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
          json(res, 400, {
            error: 'buildDurationMs must be a non-negative number',
          });
          return;
        }
        runtime.buildDurationMs = ms;
      }
      json(res, 200, { buildDurationMs: runtime.buildDurationMs });
    },
  };
  const handler = routes[`${method} ${path}`];
  if (handler) {
    handler();
    return;
  }
  json(res, 404, {
    error: `no admin route ${method} ${path}`,
    routes: Object.keys(routes),
  });
}
