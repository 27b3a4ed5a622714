/**
 * Fault injection: added latency, throttling and server errors, so that tests and benchmarks
 * can see how the plugins behave when AWS is slow or pushes back. Rates are probabilities per
 * call; the `…Next` counters fail exactly the next N matching calls, for deterministic tests.
 */
export interface Faults {
  /** Added to every AWS call before it is answered. */
  latencyMs: number;
  /** Share of calls (0–1) answered with the service's throttling error. */
  throttleRate: number;
  /** Share of calls (0–1) answered with the service's internal server error. */
  errorRate: number;
  /** Limit the faults to these operations (`ecr:DescribeImages`); all when absent or empty. */
  operations?: string[];
  /** Throttle exactly the next N matching calls. */
  throttleNext?: number;
  /** Fail exactly the next N matching calls with a server error. */
  errorNext?: number;
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  throttleRate: 0,
  errorRate: 0,
};

export class FaultsError extends Error {}

/** Checks a partial update (from the admin endpoint or the API) and merges it. */
export function mergeFaults(current: Faults, update: unknown): Faults {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new FaultsError('faults must be a JSON object');
  }
  const u = update as Record<string, unknown>;
  const known = [
    'latencyMs',
    'throttleRate',
    'errorRate',
    'operations',
    'throttleNext',
    'errorNext',
  ];
  for (const key of Object.keys(u)) {
    if (!known.includes(key))
      throw new FaultsError(`unknown fault setting ${key}`);
  }
  const next: Faults = { ...current };
  const number = (key: 'latencyMs' | 'throttleNext' | 'errorNext') => {
    if (u[key] === undefined) return;
    const v = u[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new FaultsError(`${key} must be a number ≥ 0`);
    }
    next[key] = v;
  };
  const rate = (key: 'throttleRate' | 'errorRate') => {
    if (u[key] === undefined) return;
    const v = u[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new FaultsError(`${key} must be a number between 0 and 1`);
    }
    next[key] = v;
  };
  number('latencyMs');
  number('throttleNext');
  number('errorNext');
  rate('throttleRate');
  rate('errorRate');
  if (u.operations !== undefined) {
    if (
      u.operations !== null &&
      (!Array.isArray(u.operations) ||
        u.operations.some(o => typeof o !== 'string'))
    ) {
      throw new FaultsError(
        'operations must be a list of names such as ecr:DescribeImages',
      );
    }
    next.operations = (u.operations as string[] | null) ?? undefined;
  }
  return next;
}

export type FaultDecision = 'throttle' | 'error' | undefined;

export class FaultInjector {
  private current: Faults;

  constructor(
    initial: Partial<Faults> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.current = mergeFaults(NO_FAULTS, initial);
  }

  get(): Faults {
    return { ...this.current };
  }

  set(update: Partial<Faults>): Faults {
    this.current = mergeFaults(this.current, update);
    return this.get();
  }

  private applies(operation: string): boolean {
    const ops = this.current.operations;
    return !ops || ops.length === 0 || ops.includes(operation);
  }

  latencyFor(operation: string): number {
    return this.applies(operation) ? this.current.latencyMs : 0;
  }

  /** Decides, and consumes, the fault for one call. */
  decide(operation: string): FaultDecision {
    if (!this.applies(operation)) return undefined;
    const f = this.current;
    if (f.throttleNext && f.throttleNext > 0) {
      f.throttleNext--;
      return 'throttle';
    }
    if (f.errorNext && f.errorNext > 0) {
      f.errorNext--;
      return 'error';
    }
    if (f.throttleRate > 0 && this.random() < f.throttleRate) return 'throttle';
    if (f.errorRate > 0 && this.random() < f.errorRate) return 'error';
    return undefined;
  }
}
