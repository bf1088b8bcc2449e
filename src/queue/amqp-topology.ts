// The RabbitMQ topology of the AMQP queue: exchange and queue names, their arguments, declaration and publish routing.
import type { Channel, Options } from 'amqplib';
import { DEFAULT_DELAY_TIERS_MS } from './queue.js';

/*
 * Names for prefix P (default `gw`), each partner <p> and each delay tier <t> (labelled 300ms, 1s, 5s, 2m, 2h...):
 *
 *   exchange P.delivery           direct, durable
 *   queue    P.delivery.<p>       quorum, bound to P.delivery with key <p>; x-delivery-limit = deliveryLimit - 1,
 *                                 x-dead-letter-exchange P.dead, x-dead-letter-routing-key <p>,
 *                                 x-dead-letter-strategy at-least-once, x-overflow reject-publish
 *   exchange P.dead               direct, durable
 *   queue    P.dead.<p>           quorum, bound to P.dead with key <p> (the DLQ); x-max-length 1,000,000,
 *                                 x-overflow reject-publish, x-delivery-limit 2,000,000,000
 *   queue    P.retry.<p>.<t>      quorum, reached through the default exchange; x-message-ttl <t ms>,
 *                                 x-dead-letter-exchange P.delivery, x-dead-letter-routing-key <p>,
 *                                 x-dead-letter-strategy at-least-once, x-overflow reject-publish
 *
 * Why these arguments (RabbitMQ 3.10, checked against 3.10.8):
 * - x-delivery-limit has no default before 4.0 and counts failed deliveries: the broker dead-letters a
 *   message once its count exceeds the limit, i.e. on the (limit + 1)th failure. `deliveryLimit` here is the
 *   number of handler attempts a job gets, hence limit - 1.
 * - at-least-once dead-lettering only takes effect with x-overflow reject-publish; otherwise it silently falls
 *   back to at-most-once. A full DLQ (reject-publish) then keeps the job in its source queue instead of dropping it.
 * - The DLQ gets an explicit, practically unreachable delivery limit: peeking (basic.get + requeue) counts a
 *   delivery, and from 4.0 an unset limit means 20, after which a dead letter with no DLX would be dropped.
 *   -1 is not an option: 3.10.8 accepts it but then drops a message on its first requeue.
 * - Quorum queues support x-message-ttl since 3.10 (verified: expiry dead-letters back with reason `expired`),
 *   so the retry tiers are quorum queues too and survive a node loss like the rest.
 * - One retry queue per tier: messages only expire at the head of a queue, so mixed delays in one queue would
 *   hold a short delay behind a long one.
 */

/** The default name prefix of every exchange and queue. */
export const DEFAULT_PREFIX = 'gw';

/** The default number of handler attempts before a job moves to its partner's dead-letter queue. */
export const DEFAULT_DELIVERY_LIMIT = 10;

/** Upper bound of retained dead letters per partner; beyond it dead-lettering waits (reject-publish). */
export const DEAD_LETTER_MAX_LENGTH = 1_000_000;

/** Delivery limit of a DLQ: high enough that peeking never exhausts it. */
export const DEAD_LETTER_DELIVERY_LIMIT = 2_000_000_000;

/** What the topology is built from. */
export interface TopologyOptions {
  /** Name prefix of every exchange and queue; default {@link DEFAULT_PREFIX}. */
  prefix?: string;
  /** Partner ids: one delivery queue, one DLQ and one retry queue per tier each. */
  partners: readonly string[];
  /** Delay tiers in ms; default DEFAULT_DELAY_TIERS_MS. */
  delayTiersMs?: readonly number[];
  /** Handler attempts per job before it is dead-lettered; default {@link DEFAULT_DELIVERY_LIMIT}. */
  deliveryLimit?: number;
}

/** One queue to declare, with its arguments and (unless it is reached through the default exchange) its binding. */
export interface QueueDeclaration {
  name: string;
  options: Options.AssertQueue;
  binding?: { exchange: string; routingKey: string };
}

/** The complete, validated topology for one prefix and set of partners. */
export interface AmqpTopology {
  prefix: string;
  partners: readonly string[];
  /** Delay tiers in ms, ascending, without duplicates. */
  tiersMs: readonly number[];
  deliveryLimit: number;
  /** `P.delivery`: direct exchange routing a job to its partner's delivery queue. */
  deliveryExchange: string;
  /** `P.dead`: direct exchange routing a dead letter to its partner's DLQ. */
  deadExchange: string;
  /** Every queue, in declaration order (DLQs before the queues that dead-letter into them). */
  queues: readonly QueueDeclaration[];
}

/** Where a publish goes: an exchange (empty for the default exchange) and a routing key. */
export interface PublishRoute {
  exchange: string;
  routingKey: string;
}

/** A short label for a tier: 300ms, 1s, 30s, 2m, 2h. */
export function tierLabel(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `P.delivery.<partner>`: the queue the partner's consumers read. */
export function deliveryQueueName(prefix: string, partner: string): string {
  return `${prefix}.delivery.${partner}`;
}

/** `P.dead.<partner>`: the partner's dead-letter queue. */
export function deadQueueName(prefix: string, partner: string): string {
  return `${prefix}.dead.${partner}`;
}

/** `P.retry.<partner>.<tier>`: holds the partner's jobs delayed by this tier. */
export function retryQueueName(prefix: string, partner: string, tierMs: number): string {
  return `${prefix}.retry.${partner}.${tierLabel(tierMs)}`;
}

function quorum(args: Record<string, string | number>): Options.AssertQueue {
  return { durable: true, arguments: { 'x-queue-type': 'quorum', ...args } };
}

/** Arguments shared by queues that dead-letter at least once into `exchange` with key `partner`. */
function deadLettersTo(exchange: string, partner: string): Record<string, string> {
  return {
    'x-dead-letter-exchange': exchange,
    'x-dead-letter-routing-key': partner,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

function partnerQueues(prefix: string, partner: string, tiersMs: readonly number[], deliveryLimit: number): QueueDeclaration[] {
  const deliveryExchange = `${prefix}.delivery`;
  const deadExchange = `${prefix}.dead`;
  return [
    {
      name: deadQueueName(prefix, partner),
      options: quorum({ 'x-max-length': DEAD_LETTER_MAX_LENGTH, 'x-overflow': 'reject-publish', 'x-delivery-limit': DEAD_LETTER_DELIVERY_LIMIT }),
      binding: { exchange: deadExchange, routingKey: partner },
    },
    {
      name: deliveryQueueName(prefix, partner),
      options: quorum({ 'x-delivery-limit': deliveryLimit - 1, ...deadLettersTo(deadExchange, partner) }),
      binding: { exchange: deliveryExchange, routingKey: partner },
    },
    ...tiersMs.map((tierMs) => ({
      name: retryQueueName(prefix, partner, tierMs),
      options: quorum({ 'x-message-ttl': tierMs, ...deadLettersTo(deliveryExchange, partner) }),
    })),
  ];
}

function validTiers(tiersMs: readonly number[]): number[] {
  if (tiersMs.length === 0 || tiersMs.some((ms) => !Number.isInteger(ms) || ms <= 0)) {
    throw new Error(`delay tiers must be positive whole milliseconds, got [${tiersMs.join(', ')}]`);
  }
  return [...new Set(tiersMs)].sort((a, b) => a - b);
}

/**
 * Builds the topology for `options` (see the name list at the top of this file).
 * @throws Error when a partner id is empty or contains a dot, or the tiers or delivery limit are invalid
 */
export function amqpTopology(options: TopologyOptions): AmqpTopology {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1) throw new Error(`delivery limit must be a whole number >= 1, got ${deliveryLimit}`);
  const bad = options.partners.find((partner) => partner === '' || partner.includes('.'));
  if (bad !== undefined) throw new Error(`partner id "${bad}" cannot name a queue: it must be non-empty and contain no dot`);
  const tiersMs = validTiers(options.delayTiersMs ?? DEFAULT_DELAY_TIERS_MS);
  return {
    prefix,
    partners: [...options.partners],
    tiersMs,
    deliveryLimit,
    deliveryExchange: `${prefix}.delivery`,
    deadExchange: `${prefix}.dead`,
    queues: options.partners.flatMap((partner) => partnerQueues(prefix, partner, tiersMs, deliveryLimit)),
  };
}

/**
 * Where to publish a job for `partner` delayed by `delayMs`: no delay goes straight to `P.delivery`; a delay goes
 * through the default exchange to the retry queue of the longest tier not longer than the delay (the smallest
 * tier for a delay below it). The job carries its due time, so when a tier brings it back early the consumer
 * sends it round again with what remains: every job arrives at its due time, within the smallest tier, and a
 * 36-second retry waits 30 s + 5 s + 1 s instead of a whole 2-minute tier.
 */
export function publishRoute(topology: AmqpTopology, partner: string, delayMs?: number): PublishRoute {
  if (delayMs === undefined || delayMs <= 0) return { exchange: topology.deliveryExchange, routingKey: partner };
  const tierMs = [...topology.tiersMs].reverse().find((ms) => ms <= delayMs) ?? (topology.tiersMs[0] as number);
  return { exchange: '', routingKey: retryQueueName(topology.prefix, partner, tierMs) };
}

/**
 * Declares (idempotently) both exchanges and every queue and binding of `topology` on `channel`.
 * @throws the broker's error, e.g. PRECONDITION_FAILED when a queue exists with other arguments (the channel closes)
 */
export async function declareTopology(channel: Channel, topology: AmqpTopology): Promise<void> {
  await channel.assertExchange(topology.deliveryExchange, 'direct', { durable: true });
  await channel.assertExchange(topology.deadExchange, 'direct', { durable: true });
  for (const queue of topology.queues) {
    await channel.assertQueue(queue.name, queue.options);
    if (queue.binding !== undefined) await channel.bindQueue(queue.name, queue.binding.exchange, queue.binding.routingKey);
  }
}
