// Riding out an outage of the log: a step refused with GW_ERR_STORE_UNAVAILABLE is tried again, with a growing pause, until the log answers or the caller gives up.
import { GatewayError } from '../errors.js';

/** Pauses between tries: 200 ms, doubling, at most 5 s. */
const FIRST_PAUSE_MS = 200;
const LONGEST_PAUSE_MS = 5_000;

/** Whether `error` says the log cannot be reached now (the step may succeed later). */
export function isStoreOutage(error: unknown): boolean {
  return error instanceof GatewayError && error.code === 'GW_ERR_STORE_UNAVAILABLE';
}

/** When to stop trying, and whom to tell about each pause. */
export interface OutageOptions {
  /** Give up (rethrow the outage) once this is true, e.g. when shutting down. */
  stop: () => boolean;
  /** Give up after trying this long. */
  withinMs: number;
  /** Told before each pause. */
  pausing?: (error: GatewayError, pauseMs: number) => void;
}

/**
 * Runs `step` until it is not refused for an outage of the log; any other error is thrown at once. A
 * step must be safe to repeat (a transaction that failed committed nothing).
 */
export async function acrossStoreOutage<T>(step: () => Promise<T>, options: OutageOptions): Promise<T> {
  const giveUpAt = Date.now() + options.withinMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(LONGEST_PAUSE_MS, pause * 2)) {
    try {
      return await step();
    } catch (error) {
      if (!isStoreOutage(error) || options.stop() || Date.now() + pause > giveUpAt) throw error;
      options.pausing?.(error as GatewayError, pause);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
