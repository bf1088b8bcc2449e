// Hands inbound records to CAIS through RabbitMQ: persistent messages on the quorum queue cais.inbound, each confirmed by the broker.
import amqplib, { type ChannelModel, type ConfirmChannel, type Message, type Options } from 'amqplib';
import type { Logger } from 'pino';
import type { Handover } from '../store/inbound-store.js';
import { handoverHeaders, type HandoverTarget } from './handover-target.js';

/** How the gateway declares the queue (on every connect, and again after the broker could not route a record). */
const QUEUE_OPTIONS: Options.AssertQueue = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

/** The confirm channel of the current connection, and what the broker returned on it. */
interface Publisher {
  channel: ConfirmChannel;
  /** Message ids the broker returned as unroutable (a return comes before its confirm). */
  returned: Set<string>;
  /** False once a record came back unroutable: declare the queue again before the next publish. */
  declared: boolean;
}

/**
 * Connects (reconnecting by itself) and declares the queue. A record is handed over once the broker
 * confirmed its message and did not return it: messages are mandatory, so one the broker cannot route
 * (the queue was deleted) fails the attempt instead of vanishing, and the next attempt declares the queue
 * again. A connection lost in between makes the attempt fail and repeat, so CAIS may see a record twice,
 * with the same message id. A channel the broker closes closes its connection too, so recovery rebuilds it.
 */
export async function createQueueTarget(url: string, queue: string, logger: Logger): Promise<HandoverTarget> {
  let publisher: Publisher | undefined;
  let closing = false;
  async function setup(model: ChannelModel): Promise<void> {
    if (closing) return;
    const channel = await model.createConfirmChannel();
    const current: Publisher = { channel, returned: new Set(), declared: true };
    channel.on('error', (err: Error) => logger.warn({ err: err.message, queue }, 'CAIS inbound queue channel error'));
    channel.on('close', () => {
      if (publisher === current) publisher = undefined;
      if (!closing) model.close().catch(() => undefined);
    });
    channel.on('return', (message: Message) => {
      if (typeof message.properties.messageId === 'string') current.returned.add(message.properties.messageId);
    });
    await channel.assertQueue(queue, QUEUE_OPTIONS);
    publisher = current;
  }
  const connection = await amqplib.connect(url, { recovery: { initialDelay: 200, maxDelay: 5000, factor: 2, jitter: 0.2, maxRetries: Infinity, waitForConnect: false, setup } });
  connection.on('error', (err: Error) => logger.warn({ err: err.message }, 'CAIS inbound queue connection error; reconnecting'));
  // Said before the first connection too: a queue that cannot be declared would otherwise hold up start-up without a word.
  connection.on('connect-failed', (err: Error) => logger.warn({ err: err.message, queue }, 'CAIS inbound queue: connecting or declaring the queue failed; trying again'));
  await connection.waitForConnect();
  let closed: Promise<void> | undefined;
  return {
    via: 'queue',
    async deliver(handover: Handover) {
      const current = publisher;
      if (!current) throw new Error(`not connected to the broker for queue ${queue}`);
      if (!current.declared) {
        await current.channel.assertQueue(queue, QUEUE_OPTIONS);
        current.declared = true;
      }
      current.returned.delete(handover.id);
      await new Promise<void>((resolve, reject) => {
        current.channel.sendToQueue(
          queue,
          Buffer.from(handover.recordJson, 'utf8'),
          { persistent: true, mandatory: true, contentType: 'application/json', messageId: handover.id, type: handover.recordType, headers: handoverHeaders(handover) },
          (err: unknown) => {
            const returned = current.returned.delete(handover.id);
            if (err) reject(new Error(`the broker did not confirm the message: ${String(err)}`));
            else if (returned) {
              current.declared = false;
              reject(new Error(`the broker returned the message as unroutable: no queue ${queue}`));
            } else resolve();
          },
        );
      });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        await connection.close().catch(() => undefined);
      })();
      return closed;
    },
  };
}
