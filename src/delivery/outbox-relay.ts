// The outbox relay: publishes a queue job for every pending message that has none yet, and marks it published only after the queue confirmed.
import type { Logger } from 'pino';
import type { Queue } from '../queue/queue.js';
import type { MessageStore } from '../store/message-store.js';

/** Settings of the relay. */
export interface RelayOptions {
  /** Messages taken from the outbox per round. */
  batchSize: number;
  /** Longest wait between rounds when nothing wakes the relay. */
  pollMs: number;
  /** First wait after the queue refused a publish; doubles up to pollMs × 20. */
  backoffMs: number;
  /** How often to look for messages whose job was lost (see MessageStore.republishOverdue). */
  sweepMs: number;
  /** How overdue a published, unleased message must be before its job counts as lost. */
  overdueGraceMs: number;
}

/**
 * Moves work from the message log to the queue. Publishing happens only after the message is
 * committed (accept, or a scheduled retry), so the queue never holds a job for a message the log
 * lacks; a crash between publish and mark means one duplicate job, which the consumer recognises.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  constructor(
    private readonly store: MessageStore,
    private readonly queue: Queue,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts publishing; messages left unpublished by an earlier run go first. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New work was committed: publish it now. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Stops after the round in progress; idempotent. */
  async close(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = this.options.backoffMs;
    let nextSweep = Date.now() + this.options.sweepMs;
    while (this.running) {
      this.pendingWake = false;
      let published = 0;
      try {
        if (Date.now() >= nextSweep) {
          nextSweep = Date.now() + this.options.sweepMs;
          const lost = await this.store.republishOverdue(Date.now(), this.options.overdueGraceMs);
          if (lost > 0) this.logger.warn({ messages: lost }, 'pending messages had no job in the queue; publishing new ones');
        }
        published = await this.round();
        backoff = this.options.backoffMs;
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, retryInMs: backoff }, 'queue refused a publish; messages stay in the outbox');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.options.pollMs * 20);
        continue;
      }
      if (published < this.options.batchSize && !this.pendingWake && this.running) await this.sleep(this.options.pollMs);
    }
  }

  /** Publishes one batch; returns how many jobs went out. */
  private async round(): Promise<number> {
    const batch = await this.store.unpublished(this.options.batchSize);
    if (batch.length === 0) return 0;
    const now = Date.now();
    const results = await Promise.allSettled(batch.map((m) => this.queue.publish({ messageId: m.id, partner: m.partner }, Math.max(0, m.nextAttemptAt - now))));
    const done = batch.filter((_, i) => results[i]?.status === 'fulfilled').map((m) => m.id);
    if (done.length > 0) await this.store.markPublished(done);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason instanceof Error ? refused.reason : new Error(String(refused.reason));
    return batch.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}
