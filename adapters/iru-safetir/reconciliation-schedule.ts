// The scheduled WSRQ pull: every five minutes, backing off when IRU keeps answering 1200, which it also answers to a defect of ours that retrying cannot cure.
import { GatewayError, type PartnerRouteDeps } from '../../src/partners/kit.js';
import { pullReconciliation } from './reconciliation.js';
import { PULL_HEALTH } from './reconciliation-pull.js';

/** How often the gateway pulls IRU's new requests (admins can pull at once: POST /v1/safetir/reconciliation/pull). */
export const RECONCILIATION_PULL_EVERY_MS = 5 * 60_000;
/** 1200 answers in a row after which the schedule stops treating them as IRU's passing trouble. */
export const UNCLEAR_FAILURES_BEFORE_BACKOFF = 3;
const LONGEST_WAIT_MS = 24 * 60 * 60_000;

/** The schedule's memory of IRU's 1200 answers. */
export interface PullHealth {
  /** WSRQ calls answered 1200 in a row. */
  unclassified: number;
  /** Scheduled pulls wait until then (ISO time), after {@link UNCLEAR_FAILURES_BEFORE_BACKOFF} of them. */
  nextTryAt?: string;
}

/**
 * One scheduled pull. IRU's WSRQ answers 1200 to its own database trouble, and also to a hash
 * mismatch or a schema error in our query, which no retry cures; so after three 1200 answers in a
 * row the schedule waits twice as long each time (10 minutes, 20 … up to a day) and its error says a
 * person must look. Any answer IRU gives otherwise resets the count (fetchAndKeep does it, for an
 * admin's pull too); an admin's pull (the API route) always runs.
 * @throws GatewayError what the pull threw, the 1200 ones with that advice.
 */
export async function scheduledPull(deps: PartnerRouteDeps, now = new Date()): Promise<void> {
  const health = ((await deps.records.get(PULL_HEALTH.kind, PULL_HEALTH.id)) as PullHealth | undefined) ?? { unclassified: 0 };
  if (health.nextTryAt && now.getTime() < Date.parse(health.nextTryAt)) return;
  const keep = (next: PullHealth): Promise<void> => deps.records.put(PULL_HEALTH.kind, PULL_HEALTH.id, '', next, now.getTime());
  try {
    await pullReconciliation(deps, now);
  } catch (err) {
    if (!(err instanceof GatewayError) || err.detail.partnerCode !== '1200') {
      if (health.unclassified > 0) await keep({ unclassified: 0 });
      throw err;
    }
    const unclassified = health.unclassified + 1;
    if (unclassified < UNCLEAR_FAILURES_BEFORE_BACKOFF) {
      await keep({ unclassified });
      throw err;
    }
    const waitMs = Math.min(LONGEST_WAIT_MS, RECONCILIATION_PULL_EVERY_MS * 2 ** (unclassified - UNCLEAR_FAILURES_BEFORE_BACKOFF + 1));
    const nextTryAt = new Date(now.getTime() + waitMs).toISOString();
    await keep({ unclassified, nextTryAt });
    throw new GatewayError(
      err.code,
      `IRU answered 1200 to ${unclassified} reconciliation pulls in a row; its WSRQ answers 1200 to a hash or schema defect in our query as well as to its own trouble, so a person must look (scheduled pulls wait until ${nextTryAt}; POST /v1/safetir/reconciliation/pull tries at once): ${err.message}`,
      { ...err.detail, unclassified, nextTryAt },
      { cause: err },
    );
  }
}
