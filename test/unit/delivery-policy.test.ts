// Retry delays with jitter, and the circuit breaker's open, half-open and closed states.
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/delivery/circuit-breaker.js';
import { nextRetryDelayMs } from '../../src/delivery/retry-schedule.js';

const policy = { delaysMs: [1000, 10_000, 60_000], jitter: 0.2, maxAttempts: 5 };

describe('retry schedule', () => {
  it('walks the delay tiers and stays on the last one', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4].map((n) => nextRetryDelayMs(policy, n, 1, mid))).toEqual([1000, 10_000, 60_000, 60_000]);
  });

  it('spreads each delay by the jitter fraction either way', () => {
    expect(nextRetryDelayMs(policy, 1, 1, () => 0)).toBe(800);
    expect(nextRetryDelayMs(policy, 1, 1, () => 0.999999)).toBe(1200);
  });

  it('allows no attempt beyond the maximum', () => {
    expect(nextRetryDelayMs(policy, 5, 1)).toBeUndefined();
  });

  it('scales every delay', () => {
    expect(nextRetryDelayMs(policy, 2, 0.001, () => 0.5)).toBe(10);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures, lets one trial through after the cooldown, closes on success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 });
    for (const t of [0, 1, 2]) {
      expect(breaker.allows(t)).toBe(true);
      breaker.recordFailure(t);
    }
    expect(breaker.state(10)).toBe('open');
    expect(breaker.allows(500)).toBe(false);
    expect(breaker.allows(1002)).toBe(true);
    expect(breaker.allows(1003)).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state(1004)).toBe('closed');
  });

  it('re-opens when the trial fails, and a released trial slot can be taken again', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 });
    breaker.recordFailure(0);
    expect(breaker.allows(100)).toBe(true);
    breaker.recordFailure(100);
    expect(breaker.allows(150)).toBe(false);
    expect(breaker.allows(200)).toBe(true);
    breaker.releaseTrial();
    expect(breaker.allows(201)).toBe(true);
  });

  it('a success between failures resets the count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100 });
    breaker.recordFailure(0);
    breaker.recordSuccess();
    breaker.recordFailure(1);
    expect(breaker.state(2)).toBe('closed');
  });
});
