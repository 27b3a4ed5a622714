/** How busy the emulator has been: what a benchmark reads beside the call counts. */
export interface Traffic {
  /** AWS calls being answered now (latency included). */
  inFlight: number;
  /** The most AWS calls in flight at once. */
  peakInFlight: number;
  /** Calls answered with an injected throttling error. */
  throttled: number;
  /** Calls answered with an injected server error. */
  serverErrors: number;
}

export const newTraffic = (): Traffic => ({
  inFlight: 0,
  peakInFlight: 0,
  throttled: 0,
  serverErrors: 0,
});

/** Clears the counts; the calls still in flight stay counted (and set the new peak). */
export function resetTraffic(traffic: Traffic): void {
  traffic.peakInFlight = traffic.inFlight;
  traffic.throttled = 0;
  traffic.serverErrors = 0;
}
