// A per-partner circuit breaker: after repeated retryable failures, stop calling the partner for a while.
import type { CircuitBreakerPolicy } from '../partners/partner-definition.js';

/** Circuit state as metrics and logs report it. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Tracks consecutive failures of one partner. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(private readonly policy: CircuitBreakerPolicy) {}

  /** Current state at `now`. */
  state(now: number): CircuitState {
    if (this.openedAt === null) return 'closed';
    return now - this.openedAt >= this.policy.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether an attempt may start now; in half-open state only one trial attempt at a time. */
  allows(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** A trial slot was granted but no attempt was made (nothing to send after all). */
  releaseTrial(): void {
    this.trialInFlight = false;
  }

  /** The partner answered in a way that is not its fault to repeat (delivered, or a permanent verdict). */
  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  /** A retryable failure (5xx, timeout, connection refused …). */
  recordFailure(now: number): void {
    this.failures++;
    this.trialInFlight = false;
    if (this.openedAt !== null || this.failures >= this.policy.failureThreshold) this.openedAt = now;
  }
}
