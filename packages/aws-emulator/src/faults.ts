/**
 * Fault injection: added latency, throttling and server errors, so that tests and benchmarks
 * can see how the plugins behave when AWS is slow or pushes back. Rates are probabilities per
 * call; the `…Next` counters fail exactly the next N matching calls, for deterministic tests.
 *
 * Two modes answer as something other than AWS would, for clients that must not assume every
 * failure is a well-formed AWS error: `notImplemented` (an HTML 500 page, as some third-party
 * AWS implementations answer operations they lack) and `xml403` (an XML AccessDenied with
 * HTTP 403 whatever the service's protocol, as a proxy in front of AWS may answer).
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
  /**
   * Answer every matching call with HTTP 500, `Content-Type: text/html` and an HTML
   * "Internal Server Error" page, before authentication, as a server lacking the operation.
   */
  notImplemented?: boolean;
  /**
   * Answer every matching call with HTTP 403 and an XML
   * `<ErrorResponse><Error><Code>AccessDenied</Code>…` body, also for JSON services, before
   * authentication, as a proxy or a non-AWS implementation may.
   */
  xml403?: boolean;
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
    'notImplemented',
    'xml403',
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
  const flag = (key: 'notImplemented' | 'xml403') => {
    if (u[key] === undefined) return;
    if (typeof u[key] !== 'boolean') {
      throw new FaultsError(`${key} must be true or false`);
    }
    next[key] = u[key] as boolean;
  };
  flag('notImplemented');
  flag('xml403');
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

/** Answers that are not AWS's: decided before the request is authenticated. */
export type ForeignAnswer = 'notImplemented' | 'xml403' | undefined;

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

  /** Whether a call is answered as a non-AWS server would (`notImplemented`, `xml403`). */
  foreignAnswer(operation: string): ForeignAnswer {
    if (!this.applies(operation)) return undefined;
    if (this.current.notImplemented) return 'notImplemented';
    if (this.current.xml403) return 'xml403';
    return undefined;
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
