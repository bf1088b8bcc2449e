// The Queue contract: moves delivery jobs between the outbox relay and the delivery consumers; never the only copy of a message.

/** A delivery job: "make the next attempt of this message". The message itself lives in the message log. */
export interface DeliveryJob {
  messageId: string;
  partner: string;
}

/**
 * Handles one job. Resolving acknowledges it (it is gone from the queue); throwing counts a failed
 * delivery and puts it back; after the queue's delivery limit it moves to the partner's dead-letter
 * queue (poison message).
 */
export type JobHandler = (job: DeliveryJob) => Promise<void>;

/** Delay tiers a queue schedules with (RabbitMQ: one TTL queue each); a delay is made of hops through them. */
export const DEFAULT_DELAY_TIERS_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000];

/** A durable job queue. Every implementation passes test/conformance/queue.conformance.ts. */
export interface Queue {
  /**
   * Enqueues a job durably: resolves only once the queue has stored it (for RabbitMQ: after the
   * publisher confirm, with no return). With a delay, the job becomes visible after at least that
   * long (rounded up to a delay tier); a long delay never holds back a shorter one.
   * @throws when the queue cannot take it now (broker unreachable or blocked): the caller keeps it in its outbox.
   */
  publish(job: DeliveryJob, delayMs?: number): Promise<void>;
  /** Starts handling one partner's jobs with at most `concurrency` in flight. */
  consume(partner: string, concurrency: number, handler: JobHandler): Promise<void>;
  /** Whether publish can succeed now (connected and not blocked). */
  writable(): boolean;
  /** Jobs of a partner that reached the delivery limit (its dead-letter queue), oldest first; does not remove them. */
  deadLetters(partner: string): Promise<DeliveryJob[]>;
  /** Stops taking jobs, waits for handlers in flight, releases connections; idempotent. */
  close(): Promise<void>;
}
