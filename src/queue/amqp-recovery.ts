// One reconnecting RabbitMQ connection for the gateway's CAIS-facing queues: amqplib's opt-in recovery, its setup run after every (re)connect.
import amqplib, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';

/** Backoff between reconnect attempts: from 200 ms doubling to 5 s, ± 20 %, for ever. */
const BACKOFF = { initialDelay: 200, maxDelay: 5000, factor: 2, jitter: 0.2, maxRetries: Infinity } as const;

/**
 * Connects to `url` and keeps reconnecting with {@link BACKOFF}; `setup` declares queues and opens
 * channels on each new connection (it should do nothing once the caller is closing).
 */
export function connectRecovering(url: string, setup: (model: ChannelModel) => Promise<void>): Promise<RecoveringChannelModel> {
  return amqplib.connect(url, { recovery: { ...BACKOFF, setup } });
}
