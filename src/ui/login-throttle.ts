// Limits refused console sign-ins per client address, so guessing tokens is slow and cannot flood the audit trail.

/** Refusals one address may have within the window before it must wait. */
const MAX_REFUSALS = 10;
const WINDOW_MS = 5 * 60_000;

/** Refused sign-ins by client address, in a sliding window. */
export class LoginThrottle {
  private readonly refusals = new Map<string, number[]>();

  /** Whether `address` may try now (false once it had {@link MAX_REFUSALS} refusals within the window). */
  allows(address: string, now = Date.now()): boolean {
    return this.recent(address, now).length < MAX_REFUSALS;
  }

  /** Counts a refusal; true when it is the one that reached the limit (worth one audit event). */
  refused(address: string, now = Date.now()): boolean {
    const times = [...this.recent(address, now), now];
    this.refusals.set(address, times);
    if (this.refusals.size > 10_000) for (const [a, t] of this.refusals) if ((t.at(-1) ?? 0) <= now - WINDOW_MS) this.refusals.delete(a);
    return times.length === MAX_REFUSALS;
  }

  private recent(address: string, now: number): number[] {
    return (this.refusals.get(address) ?? []).filter((t) => t > now - WINDOW_MS);
  }
}
