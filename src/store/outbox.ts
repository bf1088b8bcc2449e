// The outbox role of the store: pending messages, published as queue jobs by the relay or taken directly as the embedded queue, leased, completed with their attempt.
import type { AttemptRecord, ClaimedMessage, ClaimResult, Transition, UnpublishedMessage } from './message-store.js';

/**
 * The outbox of the delivery queue: every pending message needs exactly one queue job for its next
 * attempt. A message is unpublished when it becomes pending (accepted, a retry scheduled, resent);
 * {@link Outbox.unpublished} hands it to the relay, which marks it published once the queue confirmed
 * its job. Consumers take a job and {@link Outbox.claimById} its message. Without a broker the outbox
 * is the queue itself: consumers take due messages with {@link Outbox.claimDue} and the relay does not
 * run. Every implementation passes
 * test/conformance/outbox.conformance.ts.
 */
export interface Outbox {
  /**
   * Up to `limit` pending messages whose job is not published, longest waiting first (by the time
   * they became pending, then id), handed to the caller for publishing: {@link markPublished} marks
   * only messages handed out this way and unchanged since. Messages handed out but never marked
   * (the relay crashed, the queue refused) are listed again.
   */
  unpublished(limit: number): Promise<UnpublishedMessage[]>;
  /**
   * Marks the jobs of these messages published, in one transaction, after the queue confirmed them.
   * Touches only messages still pending with their job as {@link unpublished} handed it out: one that
   * changed meanwhile (ended, or its job consumed and a retry scheduled or a resend made since) stays
   * unpublished, so its new job is not lost. Unknown ids are ignored.
   */
  markPublished(ids: readonly string[]): Promise<void>;
  /** How many pending messages wait for their job to be published (for backpressure); cheap. */
  unpublishedCount(): Promise<number>;
  /**
   * Safety net for a lost job (a completion lost to a power cut after the queue acked, a queue
   * purged by hand): pending messages whose job was published, that nobody holds a lease on, and
   * whose next attempt is more than `graceMs` overdue become unpublished again, so the relay
   * publishes a new job; the next attempt moves to `now`, so a message gets at most one extra job
   * per grace period. A duplicate job is harmless (the consumer claims by id). Returns how many.
   */
  republishOverdue(now: number, graceMs: number): Promise<number>;
  /**
   * A job found the message leased by someone else: hand the job back to the outbox, due when the
   * lease ends, so the relay publishes it when the queue can take it (nothing is lost if the holder
   * crashed, and nothing is retried in a tight loop). Only for a pending message.
   */
  deferUntil(id: string, at: number): Promise<void>;
  /**
   * Leases one message to `owner` until `now + leaseMs` when it is pending and not leased (or its
   * lease has ended, so a crashed consumer's message comes back by itself). A job arriving more than
   * {@link CLAIM_EARLY_TOLERANCE_MS} before the message's next attempt is a stale duplicate (a job
   * redelivered after its attempt scheduled a retry, or a second relay's copy): `not-due`, so it
   * cannot cause an extra attempt or a second retry chain.
   */
  claimById(id: string, now: number, leaseMs: number, owner: string): Promise<ClaimResult>;
  /**
   * The embedded queue's take: leases to `owner` until `now + leaseMs`, in one transaction, up to
   * `limit` pending messages of `partner` that are due (next attempt at or before `now`) and not
   * leased (or whose lease has ended), earliest due first. Whether a job was published for them
   * does not matter: here the outbox itself is the queue.
   */
  claimDue(partner: string, limit: number, now: number, leaseMs: number, owner: string): Promise<ClaimedMessage[]>;
  /**
   * Records an attempt and the resulting transition in one transaction, releasing the lease. A
   * `pending` transition (a retry) makes the message unpublished, so the relay publishes its next job.
   * Returns false (and changes nothing) when the message is no longer leased to `owner`.
   */
  completeAttempt(id: string, owner: string, attempt: AttemptRecord, transition: Transition, now: number): Promise<boolean>;
  /**
   * Makes an ended message (failed, dead-lettered, needs-human) pending again, due now and unpublished;
   * with `delivered`, a delivered one too (the partner says it does not hold it). False when not in
   * such a state.
   */
  resend(id: string, now: number, reason: string, options?: { delivered?: boolean }): Promise<boolean>;
}
