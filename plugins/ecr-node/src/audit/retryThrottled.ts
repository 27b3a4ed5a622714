import { isThrottling } from '../aws/errors';

/**
 * How long to keep asking when AWS throttles through the SDK's own retries.
 *
 * @public
 */
export interface ThrottleBackoff {
  /** Tries in all, the first included (default 4). */
  attempts?: number;
  /** The first wait in milliseconds, doubled after each throttled try (default 1000). */
  baseDelayMs?: number;
  /** The longest single wait (default 20000). */
  maxDelayMs?: number;
  /** Stops waiting when the run is cancelled. */
  signal?: AbortSignal;
}

/**
 * Runs an AWS call and, while AWS answers it with throttling, tries again
 * after an exponentially growing wait (half of it random, so that
 * concurrent callers spread out). The SDK already
 * retries each call a few times within a second or two; a run over many
 * entities can outlast that, and waiting longer is cheaper than failing the
 * run. Anything but throttling is rethrown at once.
 */
export async function retryThrottled<T>(
  call: () => Promise<T>,
  options: ThrottleBackoff = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isThrottling(error)) throw error;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(ceiling / 2 + (Math.random() * ceiling) / 2, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
