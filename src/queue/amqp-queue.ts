// The RabbitMQ Queue: confirmed publishes on one connection, manually acked consumers on another, both recovering by themselves.
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Message, type RecoveringChannelModel, type RecoveryOptions } from 'amqplib';
import pino, { type Logger } from 'pino';
import { amqpTopology, deadQueueName, declareTopology, deliveryQueueName, publishRoute, type AmqpTopology } from './amqp-topology.js';
import type { DeliveryJob, JobHandler, Queue } from './queue.js';

/** Options of {@link createAmqpQueue}. */
export interface AmqpQueueOptions {
  /** Broker URL, e.g. amqp://user:password@host:5672/vhost; the password never reaches a log or an error. */
  url: string;
  /** Name prefix of every exchange and queue; default `gw` (see amqp-topology.ts). */
  prefix?: string;
  /** Partners to declare queues for; publishing to or consuming another partner fails. */
  partners: readonly string[];
  /** Delay tiers in ms, one retry queue each per partner; default DEFAULT_DELAY_TIERS_MS. */
  delayTiersMs?: readonly number[];
  /** Handler attempts per job before RabbitMQ dead-letters it; default 10. */
  deliveryLimit?: number;
  /** How long the first connection may take before createAmqpQueue rejects, in ms; default 30 s. */
  connectTimeoutMs?: number;
  /** Receives connection events and job failures; silent by default. */
  logger?: Logger;
}

/** Reconnect backoff of both connections: exponential with jitter, never giving up once connected. */
/** Header carrying when a delayed job is due (epoch ms); a job that arrives earlier goes round another tier. */
const DUE_AT_HEADER = 'x-due-at';
/** How long an early job whose re-delay failed waits before it goes back to the queue. */
const HOP_RETRY_PAUSE_MS = 5_000;
/** A job this close to its due time is handled, not sent round again. */
const EARLY_TOLERANCE_MS = 250;
const RECOVERY: RecoveryOptions = { initialDelay: 200, maxDelay: 15_000, factor: 2, jitter: 0.3, maxRetries: Infinity };

/** Header that ties a basic.return to its publish: returns carry no delivery tag, and message ids may repeat. */
const PUBLISH_ID_HEADER = 'x-publish-id';

/** The publishing side of the current publish connection. */
interface Publisher {
  model: ChannelModel;
  channel: ConfirmChannel;
  /** Publish ids RabbitMQ returned as unroutable; a return always precedes its confirm. */
  returned: Set<string>;
}

/** One consume() call; `model` is the consume connection its channel was opened on. */
interface Consumer {
  partner: string;
  concurrency: number;
  handler: JobHandler;
  model?: ChannelModel;
  channel?: Channel;
  tag?: string;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable AMQP URL)';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The job a message carries, or undefined when its body is not a JSON DeliveryJob. */
function parseJob(content: Buffer): DeliveryJob | undefined {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('messageId' in value) || !('partner' in value)) return undefined;
  const { messageId, partner } = value;
  return typeof messageId === 'string' && typeof partner === 'string' ? { messageId, partner } : undefined;
}

class AmqpQueue implements Queue {
  private publishing: RecoveringChannelModel | undefined;
  private consuming: RecoveringChannelModel | undefined;
  private publisher: Publisher | undefined;
  private consumeModel: ChannelModel | undefined;
  private blocked = false;
  private stopping = false;
  private closing: Promise<void> | undefined;
  private lastFailure: Error | undefined;
  private readonly consumers: Consumer[] = [];
  /** Running handlers and unconfirmed publishes: close() waits for both. */
  private readonly pending = new Set<Promise<unknown>>();
  /** deadLetters calls, one at a time, so one peek never hides messages another is holding. */
  private peeks: Promise<unknown> = Promise.resolve();
  private readonly where: string;

  constructor(
    private readonly url: string,
    private readonly topology: AmqpTopology,
    private readonly logger: Logger,
  ) {
    this.where = redact(url);
  }

  /** Opens both connections and resolves once both are set up, or rejects after `timeoutMs`. */
  async start(timeoutMs: number): Promise<void> {
    this.publishing = await this.open('publish', (model) => this.setUpPublisher(model));
    this.consuming = await this.open('consume', (model) => this.setUpConsumers(model));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`RabbitMQ at ${this.where} not ready within ${timeoutMs} ms: ${this.lastFailure?.message ?? 'no answer'}`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.publishing.waitForConnect(), this.consuming.waitForConnect()]), timeout]);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async publish(job: DeliveryJob, delayMs?: number): Promise<void> {
    const publisher = this.publisher;
    if (this.stopping) throw new Error('AMQP queue is closed');
    if (publisher === undefined) throw new Error(`RabbitMQ at ${this.where} is not connected; the job stays in the outbox`);
    if (this.blocked) throw new Error(`RabbitMQ at ${this.where} blocks publishing (resource alarm); the job stays in the outbox`);
    const confirmed = this.confirmedPublish(publisher, job, delayMs);
    this.track(confirmed);
    await confirmed;
  }

  async consume(partner: string, concurrency: number, handler: JobHandler): Promise<void> {
    if (this.stopping) throw new Error('AMQP queue is closed');
    if (!this.topology.partners.includes(partner)) throw new Error(`partner ${partner} has no queue in topology ${this.topology.prefix}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number >= 1, got ${concurrency}`);
    const consumer: Consumer = { partner, concurrency, handler };
    this.consumers.push(consumer);
    const model = this.consumeModel;
    if (model === undefined) return;
    try {
      await this.startConsumer(model, consumer);
    } catch (error) {
      this.logger.warn({ err: error, partner }, 'consumer not started; reconnecting, which starts every registered consumer');
      if (!this.stopping) model.close().catch(() => undefined);
    }
  }

  writable(): boolean {
    return !this.stopping && this.publisher !== undefined && !this.blocked;
  }

  /**
   * Peeks at the partner's DLQ: basic.get (manual ack) of as many messages as it held, then nack with requeue and
   * close the channel. Nothing is removed: a crash mid-peek closes the channel, which requeues them too, and a
   * quorum queue requeues them at its head in their order. Each peek counts one delivery on the DLQ, whose
   * delivery limit is therefore set out of reach. Peeks in one process take turns; concurrent peeks from other
   * processes may each see part of the queue.
   */
  deadLetters(partner: string): Promise<DeliveryJob[]> {
    const peek = this.peeks.then(() => this.peek(partner));
    this.peeks = peek.catch(() => undefined);
    return peek;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async open(role: 'publish' | 'consume', setup: (model: ChannelModel) => Promise<void>): Promise<RecoveringChannelModel> {
    const connection = await connect(this.url, {
      clientProperties: { connection_name: `${this.topology.prefix} queue ${role}` },
      recovery: { ...RECOVERY, waitForConnect: false, setup },
    });
    connection.on('connect', () => this.logger.info({ role, broker: this.where }, 'RabbitMQ connection ready'));
    connection.on('connect-failed', (err: Error) => {
      this.lastFailure = err;
      this.logger.warn({ role, broker: this.where, err }, 'RabbitMQ connection attempt failed');
    });
    connection.on('disconnect', (err: Error) => {
      if (role === 'publish') this.publisher = undefined;
      else this.consumeModel = undefined;
      this.logger.warn({ role, broker: this.where, err }, 'RabbitMQ connection lost; reconnecting');
    });
    connection.on('error', (err: Error) => this.logger.warn({ role, err }, 'RabbitMQ connection error'));
    if (role === 'publish') {
      connection.on('blocked', (reason: string) => {
        this.blocked = true;
        this.logger.warn({ reason }, 'RabbitMQ blocked publishing');
      });
      connection.on('unblocked', () => {
        this.blocked = false;
        this.logger.info('RabbitMQ unblocked publishing');
      });
    }
    return connection;
  }

  /**
   * Keeps a long-lived channel honest: a channel the broker closes while its connection lives (a channel error,
   * an ack timeout) closes that connection too, so recovery rebuilds everything with its backoff.
   */
  private watch(channel: Channel, model: ChannelModel, onClose: () => void): void {
    channel.on('error', (err: Error) => this.logger.warn({ err }, 'RabbitMQ channel error'));
    channel.on('close', () => {
      onClose();
      if (!this.stopping) model.close().catch(() => undefined);
    });
  }

  /** Recovery setup of the publish connection: a confirm channel, return tracking and the topology. */
  private async setUpPublisher(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    const publisher: Publisher = { model, channel, returned: new Set() };
    this.watch(channel, model, () => {
      if (this.publisher === publisher) this.publisher = undefined;
    });
    channel.on('return', (message: Message) => {
      const id: unknown = message.properties.headers?.[PUBLISH_ID_HEADER];
      if (typeof id === 'string') publisher.returned.add(id);
    });
    await declareTopology(channel, this.topology);
    this.blocked = false;
    this.publisher = publisher;
  }

  /** Recovery setup of the consume connection: the topology, then every consumer registered so far. */
  private async setUpConsumers(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err }, 'RabbitMQ channel error while declaring the topology'));
    await declareTopology(channel, this.topology);
    await channel.close();
    this.consumeModel = model;
    for (const consumer of this.consumers) await this.startConsumer(model, consumer);
  }

  /** Opens the consumer's channel on `model` (once per connection) with prefetch = its concurrency. */
  private async startConsumer(model: ChannelModel, consumer: Consumer): Promise<void> {
    if (consumer.model === model) return;
    consumer.model = model;
    const channel = await model.createChannel();
    this.watch(channel, model, () => {
      if (consumer.channel === channel) consumer.channel = undefined;
    });
    await channel.prefetch(consumer.concurrency);
    const queue = deliveryQueueName(this.topology.prefix, consumer.partner);
    const { consumerTag } = await channel.consume(queue, (message) => this.receive(model, consumer, channel, message), { noAck: false });
    consumer.channel = channel;
    consumer.tag = consumerTag;
  }

  private receive(model: ChannelModel, consumer: Consumer, channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      this.logger.warn({ partner: consumer.partner }, 'RabbitMQ cancelled a consumer; reconnecting to restore it');
      if (!this.stopping) model.close().catch(() => undefined);
      return;
    }
    if (this.stopping) return;
    const job = parseJob(message.content);
    if (job === undefined || job.partner !== consumer.partner) {
      this.logger.error({ partner: consumer.partner, messageId: message.properties.messageId }, 'malformed delivery job: dead-lettered without a delivery attempt');
      this.settle(() => channel.reject(message, false));
      return;
    }
    const dueAt = Number(message.properties.headers?.[DUE_AT_HEADER]);
    const remaining = Number.isFinite(dueAt) ? dueAt - Date.now() : 0;
    if (remaining > EARLY_TOLERANCE_MS) {
      this.track(this.hop(channel, message, job, remaining));
      return;
    }
    this.track(this.handle(consumer, channel, message, job));
  }

  /** A tier brought the job back before its due time: send it round again, then ack this copy. */
  private async hop(channel: Channel, message: ConsumeMessage, job: DeliveryJob, remainingMs: number): Promise<void> {
    try {
      await this.publish(job, remainingMs);
    } catch (error) {
      // The broker refuses publishes (blocked or reconnecting): wait before handing the job back, so a
      // short outage does not use up its delivery limit in a burst of instant redeliveries.
      this.logger.warn({ err: error, messageId: job.messageId }, 'early job could not be re-delayed; requeued after a pause');
      await new Promise((resolve) => setTimeout(resolve, Math.min(remainingMs, HOP_RETRY_PAUSE_MS)));
      this.settle(() => channel.reject(message, true));
      return;
    }
    this.settle(() => channel.ack(message));
  }

  /** Runs the handler: success acks; a throw rejects with requeue, which counts towards the delivery limit. */
  private async handle(consumer: Consumer, channel: Channel, message: ConsumeMessage, job: DeliveryJob): Promise<void> {
    try {
      await consumer.handler(job);
    } catch (error) {
      this.logger.debug({ err: error, messageId: job.messageId, partner: job.partner }, 'delivery job failed; requeued');
      this.settle(() => channel.reject(message, true));
      return;
    }
    this.settle(() => channel.ack(message));
  }

  /** Sends an ack or reject; on a channel that is gone the broker has requeued the message already. */
  private settle(send: () => void): void {
    try {
      send();
    } catch (error) {
      this.logger.warn({ err: error }, 'ack/reject not sent: the channel is closed, so RabbitMQ delivers the job again');
    }
  }

  private confirmedPublish(publisher: Publisher, job: DeliveryJob, delayMs: number | undefined): Promise<void> {
    const { exchange, routingKey } = publishRoute(this.topology, job.partner, delayMs);
    const publishId = randomUUID();
    const content = Buffer.from(JSON.stringify({ messageId: job.messageId, partner: job.partner }), 'utf8');
    const options = {
      persistent: true,
      mandatory: true,
      messageId: job.messageId,
      contentType: 'application/json',
      headers: { 'x-partner': job.partner, [PUBLISH_ID_HEADER]: publishId, [DUE_AT_HEADER]: Date.now() + Math.max(0, delayMs ?? 0) },
    };
    return new Promise((resolve, reject) => {
      const confirm = (err: unknown): void => {
        const returned = publisher.returned.delete(publishId);
        if (err !== null && err !== undefined) reject(new Error(`RabbitMQ did not confirm job ${job.messageId}: ${describe(err)}`));
        else if (returned) reject(new Error(`RabbitMQ returned job ${job.messageId} as unroutable (exchange "${exchange}", key ${routingKey})`));
        else resolve();
      };
      try {
        publisher.channel.publish(exchange, routingKey, content, options, confirm);
      } catch (error) {
        confirm(error);
      }
    });
  }

  private async peek(partner: string): Promise<DeliveryJob[]> {
    if (this.stopping) throw new Error('AMQP queue is closed');
    if (!this.topology.partners.includes(partner)) return [];
    const publisher = this.publisher;
    if (publisher === undefined) throw new Error(`RabbitMQ at ${this.where} is not connected; dead letters cannot be read now`);
    const channel = await publisher.model.createChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err, partner }, 'RabbitMQ channel error while reading dead letters'));
    try {
      const queue = deadQueueName(this.topology.prefix, partner);
      const { messageCount } = await channel.checkQueue(queue);
      const jobs: DeliveryJob[] = [];
      for (let n = 0; n < messageCount; n += 1) {
        const message = await channel.get(queue, { noAck: false });
        if (message === false) break;
        jobs.push(parseJob(message.content) ?? { messageId: String(message.properties.messageId ?? ''), partner });
      }
      channel.nackAll(true);
      return jobs;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.consumers.map((c) => (c.channel !== undefined && c.tag !== undefined ? c.channel.cancel(c.tag).catch(() => undefined) : undefined)));
    while (this.pending.size > 0) await Promise.allSettled(this.pending);
    await this.peeks;
    // A channel's close-ok follows its last ack; closing the connection first could overtake acks still buffered.
    await Promise.all(this.consumers.map((c) => c.channel?.close().catch(() => undefined)));
    await Promise.all([this.publishing?.close(), this.consuming?.close()]);
    this.publisher = undefined;
    this.consumeModel = undefined;
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
  }
}

/**
 * Connects to RabbitMQ with two connections (publishing, consuming), declares the topology of amqp-topology.ts
 * on each, and resolves once both are ready. Both reconnect by themselves with exponential backoff and jitter
 * (amqplib's opt-in recovery); each reconnect re-declares the topology and re-creates the consumers. While the
 * publish connection is down or blocked, publish rejects at once and writable() is false.
 * A malformed job body is rejected without requeue, so it lands in the partner's DLQ.
 * @throws Error when the options are invalid, or RabbitMQ is not reachable (or refuses the topology) within connectTimeoutMs
 */
export async function createAmqpQueue(options: AmqpQueueOptions): Promise<Queue> {
  const topology = amqpTopology(options);
  const queue = new AmqpQueue(options.url, topology, options.logger ?? pino({ enabled: false }));
  await queue.start(options.connectTimeoutMs ?? 30_000);
  return queue;
}
