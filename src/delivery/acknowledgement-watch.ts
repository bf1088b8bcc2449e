// The acknowledgement watch: finds delivered messages whose awaited signal or answer is overdue, and sends them again or hands them to a person.
import type { Logger } from 'pino';
import type { MessageStore } from '../store/message-store.js';

/** Settings of the watch. */
export interface AcknowledgementWatchOptions {
  /** How often to look for overdue acknowledgements. */
  intervalMs: number;
  /** Overdue messages handled per look. */
  batchSize: number;
  /** Called when a message was sent again (its job must be published). */
  repeated(): void;
}

/**
 * Acts on overdue acknowledgements as the partner's transaction template says: each late one sends the
 * message again while repeats remain (the same bytes, the partner deduplicates), then the message
 * needs a person. A look that fails is logged and tried again at the next interval.
 */
export class AcknowledgementWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: MessageStore,
    private readonly options: AcknowledgementWatchOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts looking every interval. */
  start(): void {
    this.closed = false;
    this.schedule();
  }

  /** One look: acts on every overdue acknowledgement found; returns how many it acted on. */
  async sweep(): Promise<number> {
    const now = this.now();
    const overdue = await this.store.overdueAcknowledgements(now, this.options.batchSize);
    let acted = 0;
    for (const { messageId, partner, awaited } of overdue) {
      if (!(await this.store.repeatOverdue(messageId, now))) continue;
      acted++;
      const repeating = awaited.repeats < awaited.repeatsAllowed;
      this.logger[repeating ? 'info' : 'warn'](
        { messageId, partner, awaited: awaited.stage, repeats: awaited.repeats, repeatsAllowed: awaited.repeatsAllowed },
        repeating ? `no ${awaited.name} in time: message sent again` : `no ${awaited.name} after every repeat: the message needs a person`,
      );
      if (repeating) this.options.repeated();
    }
    return acted;
  }

  /** Stops after the look in progress; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err }, 'the acknowledgement watch could not look for overdue acknowledgements'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
