// When the next attempt is due: the partner's delay tiers, scaled by configuration and spread with jitter.
import type { RetryPolicy } from '../partners/partner-definition.js';

/**
 * Delay before the attempt that follows attempt `attemptsMade` (1-based), or undefined when the
 * policy allows no more attempts.
 * @param random a source of numbers in [0, 1) (injected so tests can pin it)
 */
export function nextRetryDelayMs(policy: RetryPolicy, attemptsMade: number, scale: number, random: () => number = Math.random): number | undefined {
  if (attemptsMade >= policy.maxAttempts) return undefined;
  const tiers = policy.delaysMs;
  const base = tiers[Math.min(attemptsMade, tiers.length) - 1] ?? 0;
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * scale * spread));
}
