import { AddressInfo } from 'net';
import { resolve } from 'path';
import { sortedCalls } from './admin';
import { FaultInjector, Faults } from './faults';
import { ExtraGeneration, loadSeed } from './seed/load';
import { Seed } from './seed/schema';
import {
  cancelBackground,
  createEmulatorServer,
  EmulatorRuntime,
} from './server';
import { EmulatorState } from './state';
import { newTraffic, resetTraffic, Traffic } from './traffic';

/**
 * A local, wire-compatible ECR, IAM, STS, CodeBuild and CloudWatch Logs endpoint for
 * development, demos and tests. See the package README for the seed format and the supported operations.
 */

/** The demo seed of this repository (`examples/aws-emulator/demo.yaml`). */
export const DEMO_SEED_PATH = resolve(
  // The emulator runs from source in this repository (it is never bundled), so this is stable.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../examples/aws-emulator/demo.yaml',
);

export interface EmulatorOptions {
  /** Port to listen on; 0 picks a free one. Default 4566. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** A seed file path or a seed object. Default: the demo seed. */
  seed?: string | Seed;
  /** Extra generated repositories in the default account and region. */
  generate?: ExtraGeneration[];
  latencyMs?: number;
  throttleRate?: number;
  errorRate?: number;
  /** Receives one line per request (and internal errors). */
  log?: (line: string) => void;
  /**
   * How long a CodeBuild build stays IN_PROGRESS before it runs its buildspec and completes.
   * Default 1500; 0 completes it on the next turn of the event loop.
   */
  buildDurationMs?: number;
}

export interface Emulator {
  /** `http://host:port`, the endpoint to give SDK clients and the AWS CLI. */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Calls per operation since start or the last reset, e.g. `{ 'ecr:DescribeImages': 3 }`. */
  calls(): Record<string, number>;
  /** Clears the call counts and the traffic counts. */
  resetCalls(): void;
  /** Calls in flight and their peak, throttled and failed calls, since start or the last reset. */
  traffic(): Traffic;
  /** Changes the faults; fields not given keep their value. Returns the faults now in force. */
  setFaults(faults: Partial<Faults>): Faults;
  faults(): Faults;
  /** Restores the seeded state (discarding pushes, new roles, sessions…). */
  reset(): void;
  /** Changes how long builds started from now on stay IN_PROGRESS (ms). */
  setBuildDuration(ms: number): void;
  /** The live state, for tests that want to look inside. */
  readonly state: EmulatorState;
}

export async function startEmulator(
  options: EmulatorOptions = {},
): Promise<Emulator> {
  const seed = options.seed ?? DEMO_SEED_PATH;
  const loadState = () => loadSeed(seed, { generate: options.generate });
  const runtime: EmulatorRuntime = {
    state: loadState(),
    faults: new FaultInjector({
      latencyMs: options.latencyMs ?? 0,
      throttleRate: options.throttleRate ?? 0,
      errorRate: options.errorRate ?? 0,
    }),
    calls: new Map(),
    traffic: newTraffic(),
    loadState,
    log: options.log,
    buildDurationMs: options.buildDurationMs ?? 1500,
    timers: new Set(),
  };
  const server = createEmulatorServer(runtime);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolveClose, reject) => {
        cancelBackground(runtime);
        server.close(err => (err ? reject(err) : resolveClose()));
        // SDK clients keep connections alive; close them so stop() does not wait for them.
        server.closeAllConnections();
      }),
    calls: () => sortedCalls(runtime.calls),
    resetCalls: () => {
      runtime.calls.clear();
      resetTraffic(runtime.traffic);
    },
    traffic: () => ({ ...runtime.traffic }),
    setFaults: faults => runtime.faults.set(faults),
    faults: () => runtime.faults.get(),
    reset: () => {
      cancelBackground(runtime);
      runtime.state = loadState();
    },
    setBuildDuration: ms => {
      runtime.buildDurationMs = ms;
    },
    get state() {
      return runtime.state;
    },
  };
}

export type { Faults } from './faults';
export type { Traffic } from './traffic';
export type { Seed } from './seed/schema';
export type { EmulatorState } from './state';
export { loadSeed, readSeedFile } from './seed/load';
export type { ExtraGeneration } from './seed/load';
export { SeedError } from './seed/schema';
export { evaluatePolicies, decideAccess } from './iam/evaluator';
export type {
  Decision,
  Evaluation,
  EvaluationRequest,
  PolicySource,
} from './iam/evaluator';
export { parsePolicy } from './iam/policy';
