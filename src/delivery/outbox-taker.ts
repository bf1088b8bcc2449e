// The embedded queue: per partner, takes due messages straight from the outbox under a lease while the partner has free slots and its circuit lets attempts through.
import type { Logger } from 'pino';
import type { ClaimedMessage } from '../store/message-store.js';
import type { Outbox } from '../store/outbox.js';
import type { CircuitBreaker } from './circuit-breaker.js';

/** Settings of the takers. */
export interface OutboxTakerOptions {
  /** Lease owner of this process. */
  owner: string;
  /** How long a taken message stays leased; a crashed process's messages are taken again after it. */
  leaseMs: number;
  /** How often an idle taker looks for due messages (retries coming due, another instance's expired leases), in ms. */
  pollMs: number;
  logger: Logger;
}

/** What one partner's taker needs from the delivery consumer. */
export interface TakerPartner {
  id: string;
  /** Attempts in flight at most. */
  concurrency: number;
  breaker: CircuitBreaker;
  /** Makes the attempt of a taken message and records it; a throw leaves the lease to expire, which brings the message back. */
  attempt: (message: ClaimedMessage) => Promise<void>;
}

/** How many messages a take may lease, and whether it holds the circuit's half-open trial slot. */
interface Admission {
  limit: number;
  trial: boolean;
}

/** One partner's loop: one take at a time, as many messages as there are free slots. */
class PartnerTaker {
  private running = 0;
  private taking = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeScheduled = false;
  /** The take in progress, so stopping can wait for it: what it leases is run and waited for like any attempt. */
  private current: Promise<void> | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly partner: TakerPartner,
    private readonly options: OutboxTakerOptions,
    private readonly track: (work: Promise<void>) => void,
  ) {}

  /** Takes due messages soon; a burst of wakes in one turn of the event loop makes one take. */
  wake(): void {
    if (this.stopped || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      if (this.taking) this.again = true;
      else this.current = this.take();
    });
  }

  /** Takes no more; resolves once a take in progress has handed out what it leased. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private async take(): Promise<void> {
    this.taking = true;
    try {
      for (;;) {
        this.again = false;
        const admitted = this.admitted();
        if (admitted.limit === 0) break;
        const taken = await this.claim(admitted);
        for (const message of taken) this.run(message);
        if (taken.length < admitted.limit && !this.again) break;
      }
    } finally {
      this.taking = false;
      this.poll();
    }
  }

  /** How many messages may be taken now: the free slots, one trial while the circuit is half-open, none while open. */
  private admitted(): Admission {
    const free = this.partner.concurrency - this.running;
    if (this.stopped || free <= 0) return { limit: 0, trial: false };
    const { breaker } = this.partner;
    const state = breaker.state(Date.now());
    if (state === 'closed') return { limit: free, trial: false };
    // allows() takes the half-open trial slot: released below when nothing was taken.
    return state === 'half-open' && breaker.allows(Date.now()) ? { limit: 1, trial: true } : { limit: 0, trial: false };
  }

  private async claim({ limit, trial }: Admission): Promise<ClaimedMessage[]> {
    try {
      const taken = await this.outbox.claimDue(this.partner.id, limit, Date.now(), this.options.leaseMs, this.options.owner);
      if (trial && taken.length === 0) this.partner.breaker.releaseTrial();
      return taken;
    } catch (err) {
      if (trial) this.partner.breaker.releaseTrial();
      this.options.logger.warn({ err: (err as Error).message, partner: this.partner.id }, 'taking due messages from the outbox failed; trying again at the next poll');
      return [];
    }
  }

  private run(message: ClaimedMessage): void {
    this.running += 1;
    const work = this.partner
      .attempt(message)
      .catch((err: unknown) => {
        this.options.logger.warn(
          { err: (err as Error).message, messageId: message.id, partner: message.partner, leaseUntil: message.leaseUntil },
          'an attempt could not be made or recorded; the message is taken again when its lease ends',
        );
      })
      .finally(() => {
        this.running -= 1;
        this.wake();
      });
    this.track(work);
  }

  private poll(): void {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.options.pollMs);
  }
}

/**
 * Without a broker the outbox is the queue: no relay, no job rows, no second database. Each partner's
 * taker leases its due messages in one transaction per take and hands them to the consumer, so a
 * message costs its accept, a share of a take and its attempt's record.
 */
export class OutboxTaker {
  private readonly takers = new Map<string, PartnerTaker>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly outbox: Outbox,
    private readonly options: OutboxTakerOptions,
  ) {}

  /** Starts taking one partner's due messages. */
  start(partner: TakerPartner): void {
    const taker = new PartnerTaker(this.outbox, partner, this.options, (work) => {
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.takers.set(partner.id, taker);
    taker.wake();
  }

  /** New work is due for these partners (all when not named). */
  wake(partners?: Iterable<string>): void {
    if (partners === undefined) for (const taker of this.takers.values()) taker.wake();
    else for (const id of partners) this.takers.get(id)?.wake();
  }

  /** Stops taking and waits for the attempts in flight, those of a take still in progress included; idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.takers.values()].map((taker) => taker.stop()));
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }
}
