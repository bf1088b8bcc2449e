// How delivery work reaches the consumers: through RabbitMQ (the relay publishes the outbox's jobs) or, embedded, straight from the outbox.
import type { Logger } from 'pino';
import { createAmqpQueue } from '../queue/amqp-queue.js';
import type { MessageStore } from '../store/message-store.js';
import type { DeliverySource } from './delivery-consumer.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxTaker } from './outbox-taker.js';

/** The plumbing between the outbox and the delivery consumers. */
export interface WorkFeed {
  /** What the delivery consumer takes its work from. */
  readonly source: DeliverySource;
  /** Accepted messages waiting to be handed to the broker, at most (GW_ERR_OUTBOX_FULL beyond); undefined when the outbox is the queue. */
  readonly maxOutbox: number | undefined;
  /** Work was committed to the outbox (accepted, a retry scheduled, resent) for these partners, or for any when not named. */
  wake(partners?: Iterable<string>): void;
  /** Whether new work can be handed on now (the broker is connected and not blocking). */
  writable(): boolean;
  /** Starts handing work on (the relay); the consumer starts the taker. */
  start(): void;
  /** Closes what the feed opened; call after the delivery consumer closed. Idempotent. */
  close(): Promise<void>;
}

/** What {@link openWorkFeed} needs. */
export interface WorkFeedOptions {
  /** RabbitMQ; unset: the embedded queue, which is the outbox itself. */
  amqp?: { url: string; prefix: string; partners: readonly string[]; deliveryLimit: number };
  maxOutbox: number;
  /** Lease owner of this process. */
  owner: string;
  leaseMs: number;
  logger: Logger;
}

/** Times of the relay: batches of 200, a sweep for lost jobs every minute, a job counts as lost 15 min overdue. */
const RELAY = { batchSize: 200, pollMs: 1000, backoffMs: 200, sweepMs: 60_000, overdueGraceMs: 15 * 60_000 } as const;

/** How often an idle embedded taker looks for due messages: a retry's delay is exact to within this. */
const TAKER_POLL_MS = 250;

/**
 * Opens the feed: with RabbitMQ, its queue and the outbox relay that publishes to it; without, an
 * outbox taker (no relay, no job table, no second database file).
 * @throws when RabbitMQ cannot be reached or its topology declared
 */
export async function openWorkFeed(store: MessageStore, options: WorkFeedOptions): Promise<WorkFeed> {
  const { amqp, logger } = options;
  if (amqp === undefined) {
    const taker = new OutboxTaker(store, { owner: options.owner, leaseMs: options.leaseMs, pollMs: TAKER_POLL_MS, logger });
    return {
      source: { taker },
      maxOutbox: undefined,
      wake: (partners) => taker.wake(partners),
      writable: () => true,
      start: () => undefined,
      close: () => taker.close(),
    };
  }
  const queue = await createAmqpQueue({ url: amqp.url, prefix: amqp.prefix, partners: amqp.partners, deliveryLimit: amqp.deliveryLimit, logger });
  const relay = new OutboxRelay(store, queue, RELAY, logger);
  let closing: Promise<void> | undefined;
  return {
    source: { queue },
    maxOutbox: options.maxOutbox,
    wake: () => relay.wake(),
    writable: () => queue.writable(),
    start: () => relay.start(),
    close: () =>
      (closing ??= (async () => {
        await queue.close();
        await relay.close();
      })()),
  };
}
