// CAIS over AMQP: records published to `cais.records` are accepted like API posts; each is acked only after it is committed.
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { parseJson } from '../codec/json-codec.js';
import { GatewayError } from '../errors.js';
import { connectRecovering } from '../queue/amqp-recovery.js';
import type { Ingest, IngestOutcome } from './ingest.js';

/** A running CAIS queue consumer. */
export interface CaisQueueIngest {
  /** Stops consuming, waits for messages in hand, closes the connection; idempotent. */
  close(): Promise<void>;
}

/** Where CAIS publishes, and what the gateway does with it. */
export interface CaisQueueOptions {
  url: string;
  /** Queue name; rejected messages go to `<queue>.invalid`. */
  queue: string;
  ingest: Ingest;
  logger: Logger;
  /** Messages handled at once (default 20). */
  prefetch?: number;
}

/** The rejected records of a message, as the `x-violations` header carries them. */
function rejections(outcomes: IngestOutcome[]): Array<Extract<IngestOutcome, { status: 'rejected' }>> {
  return outcomes.filter((o): o is Extract<IngestOutcome, { status: 'rejected' }> => o.status === 'rejected');
}

/**
 * Consumes the CAIS queue. A message holds one record or an array of records (JSON). Valid records
 * are committed, then the message is acked; invalid ones (and unreadable messages) are republished
 * with publisher confirms to `<queue>.invalid` with their violations in the `x-violations` header
 * before the ack, so nothing is lost. When the log cannot take records (outbox full, store down)
 * the message is returned to the queue after a pause.
 */
export async function startCaisQueueIngest(options: CaisQueueOptions): Promise<CaisQueueIngest> {
  const { queue, ingest, logger } = options;
  const invalidQueue = `${queue}.invalid`;
  let closing = false;
  let consumer: { channel: Channel; tag: string } | undefined;
  const inHand = new Set<Promise<void>>();

  async function handle(channel: Channel, publisher: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    let outcomes: IngestOutcome[];
    try {
      const parsed = parseJson(msg.content);
      outcomes = await ingest.accept(Array.isArray(parsed) ? parsed : [parsed], `amqp:${queue}`);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'GW_ERR_RECORD_UNREADABLE') {
        outcomes = [{ index: 0, status: 'rejected', violations: [{ code: err.code, pointer: '', message: err.message.replace(/^GW_ERR_\w+: /, '') }] }];
      } else {
        logger.warn({ err: (err as Error).message }, 'CAIS queue message not accepted now; returned to the queue');
        await new Promise((r) => setTimeout(r, 1000));
        channel.nack(msg, false, true);
        return;
      }
    }
    const rejected = rejections(outcomes);
    if (rejected.length > 0) {
      const headers = { ...msg.properties.headers, 'x-violations': JSON.stringify(rejected), 'x-rejected-records': rejected.length };
      publisher.sendToQueue(invalidQueue, msg.content, { persistent: true, headers, contentType: 'application/json', ...(msg.properties.messageId ? { messageId: String(msg.properties.messageId) } : {}) });
      await publisher.waitForConfirms();
    }
    channel.ack(msg);
  }

  const connection = await connectRecovering(options.url, async (model) => {
    if (closing) return;
    const channel = await model.createChannel();
    const publisher = await model.createConfirmChannel();
    for (const name of [queue, invalidQueue]) await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.prefetch(options.prefetch ?? 20);
    const { consumerTag } = await channel.consume(queue, (msg) => {
      if (!msg) return;
      const work = handle(channel, publisher, msg).catch(async (err: unknown) => {
        // Accepting is idempotent, so handing the message back is safe even if its records were committed.
        logger.error({ err }, 'CAIS queue message not settled; returned to the queue');
        await new Promise((r) => setTimeout(r, 1000));
        try {
          channel.nack(msg, false, true);
        } catch {
          // the channel is gone: the broker redelivers the message by itself
        }
      });
      inHand.add(work);
      void work.finally(() => inHand.delete(work));
    });
    consumer = { channel, tag: consumerTag };
  });
  connection.on('error', (err: Error) => logger.warn({ err: err.message }, 'CAIS queue connection error; reconnecting'));
  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        closing = true;
        await consumer?.channel.cancel(consumer.tag).catch(() => undefined);
        await Promise.all(inHand);
        await connection.close().catch(() => undefined);
      })();
      return closed;
    },
  };
}
