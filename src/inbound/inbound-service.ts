// Assembles the inbound side from a loaded setup: the partner directory, verifier and pipeline, the mutual-TLS listener, and the hand-over to CAIS.
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../api/metrics.js';
import type { PartnerRuntime } from '../partners/partner-runtime.js';
import type { Setup } from '../setup/load-setup.js';
import type { InboundStore } from '../store/inbound-store.js';
import type { MessageStore } from '../store/message-store.js';
import { startHandoverWorker, type HandoverWorker } from './cais-handover.js';
import { startInboundListener, type InboundListener } from './inbound-listener.js';
import { createInboundPipeline } from './inbound-pipeline.js';
import { replyMessages } from './reply-messages.js';
import { maxPushBytes, readerFromSetup } from './reader-from-setup.js';
import { createReaderPool } from './reader-pool.js';
import type { HandoverTarget } from './handover-target.js';
import { createQueueTarget } from './queue-target.js';
import { createWebhookTarget } from './webhook-target.js';

/** Waits before each retry of a failed hand-over (the last repeats). */
const HANDOVER_RETRY_MS = [1_000, 5_000, 30_000, 120_000, 600_000];

/** The inbound side of a gateway. */
export interface InboundService {
  /** Starts the hand-over and the listener (when configured); resolves with the listener's URL. */
  start(): Promise<string | undefined>;
  /** The listener's URL while it runs. */
  url(): string | undefined;
  /** Stops the listener (pushes in flight finish), then the hand-over; idempotent. */
  close(): Promise<void>;
}

/** What the inbound side needs from the rest of the gateway. */
export interface InboundServiceParts {
  setup: Setup;
  /** The mapping texts `setup` was compiled from (path → text): reader threads compile the same. */
  mappingFiles: ReadonlyMap<string, string>;
  store: InboundStore;
  /** The message log, where acknowledgements of our messages are recorded and our replies logged. */
  messages: Pick<MessageStore, 'acknowledge' | 'accept'>;
  /** Replies were logged: their delivery jobs must be published. */
  repliesQueued(): void;
  runtime: PartnerRuntime;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Worker name on hand-over leases. */
  owner: string;
}

async function targetOf(setup: Setup, logger: Logger): Promise<HandoverTarget | undefined> {
  const { caisSink, amqpUrl } = setup.config;
  if (caisSink.kind === 'webhook' && caisSink.webhookUrl) return createWebhookTarget(caisSink.webhookUrl);
  if (caisSink.kind === 'queue' && amqpUrl) return createQueueTarget(amqpUrl, caisSink.queue, logger);
  return undefined;
}

/** Builds the inbound side; nothing listens or runs until {@link InboundService.start}. */
export function createInboundService({ setup, mappingFiles, store, messages, repliesQueued, runtime, metrics, logger, owner }: InboundServiceParts): InboundService {
  const { config } = setup;
  const { directory, reader: onThisThread } = readerFromSetup(setup, (id) => runtime.context(id));
  const maxBytes = maxPushBytes(directory);
  const workers = config.inbound?.workers ?? 0;
  const reader = workers > 0 ? createReaderPool(config, mappingFiles, workers) : onThisThread;
  let worker: HandoverWorker | undefined;
  const pipeline = createInboundPipeline({
    directory,
    reader,
    store,
    logger,
    observe: (partner, outcome, code) => metrics.countPush(partner, outcome, code),
    accepted: () => worker?.wake(),
    acknowledge: (incoming, now) => messages.acknowledge(incoming, now),
    async sendReplies(partner, inboundId, replies, now) {
      await messages.accept(...(await replyMessages(setup, runtime.context(partner), inboundId, replies)), now);
      repliesQueued();
    },
  });
  let listener: InboundListener | undefined;
  let closing: Promise<void> | undefined;
  return {
    async start() {
      const target = await targetOf(setup, logger);
      if (target) {
        worker = startHandoverWorker(
          store,
          target,
          { owner, leaseMs: config.leaseMs, batchSize: 100, pollMs: 1_000, retryDelaysMs: HANDOVER_RETRY_MS, retryDelayScale: config.retryDelayScale },
          logger,
        );
      }
      const inbound = config.inbound;
      const tls = setup.inboundTls;
      if (!inbound || !tls) return undefined;
      listener = await startInboundListener(
        { host: inbound.host, port: inbound.port, ...tls, maxBytes, subPaths: (partner) => directory.get(partner)?.spec.paths ?? [] },
        pipeline,
      );
      return listener.url;
    },
    url: () => listener?.url,
    close() {
      closing ??= (async () => {
        await listener?.close();
        await reader.close();
        await worker?.close();
      })();
      return closing;
    },
  };
}
