// createGateway(config): wires store, translator, partners, simulators, delivery and API; start() and an idempotent, draining close().
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/build-api.js';
import { createMetrics } from './api/metrics.js';
import type { GatewayConfig } from './config.js';
import { DeliveryConsumer } from './delivery/delivery-consumer.js';
import { OutboxRelay } from './delivery/outbox-relay.js';
import { GatewayError } from './errors.js';
import { createLogger } from './logger.js';
import type { TransportContext } from './partners/partner-definition.js';
import { collectPartnerServices } from './partners/partner-services.js';
import { loadPipelineParts } from './pipeline/build-translator.js';
import { createIngest } from './pipeline/ingest.js';
import { createTranslator } from './pipeline/translator.js';
import { initDevCertificates } from './security/dev-certificates.js';
import { loadSigningKey } from './security/key-store.js';
import { createXmlSigner } from './security/xml-signer.js';
import type { PartnerSimulator } from './sim/partner-simulator.js';
import { startSimulators } from './sim/start-simulators.js';
import type { MessageStore } from './store/message-store.js';
import { openSqliteMessageStore } from './store/sqlite-message-store.js';
import { createAmqpQueue } from './queue/amqp-queue.js';
import { openOutboxQueue } from './queue/outbox-queue.js';
import type { Queue } from './queue/queue.js';
import { startCaisQueueIngest, type CaisQueueIngest } from './pipeline/cais-queue-ingest.js';
import { createHttpSender } from './transport/http-sender.js';

/** A running (or startable) gateway. */
export interface Gateway {
  /** Listens and starts delivering; resolves with the API's URL. */
  start(): Promise<string>;
  /** Stops accepting, drains attempts in flight, closes the store and simulators; idempotent. */
  close(): Promise<void>;
  /** The partner simulators this process runs (empty when partners have real URLs or simulators are off). */
  readonly simulators: ReadonlyMap<string, PartnerSimulator>;
  readonly store: MessageStore;
  readonly logger: Logger;
}

/** Options for embedding the gateway (tests pass their own logger destination). */
export interface GatewayOptions {
  logger?: Logger;
}

/** Generates the development PKI on first start when the default dev key is missing. */
function ensureDevCertificates(config: GatewayConfig, partners: string[], logger: Logger): void {
  if (existsSync(config.signingKeyFile)) return;
  if (dirname(config.signingKeyFile) !== config.certsDir) {
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `signing key ${config.signingKeyFile} does not exist`, { file: config.signingKeyFile });
  }
  const result = initDevCertificates(config.certsDir, partners);
  logger.warn({ certsDir: config.certsDir, files: result.written.length }, 'generated DEVELOPMENT certificates (not for production)');
}

function transportContexts(config: GatewayConfig, partnerUrl: (partner: string) => string): (partner: string) => TransportContext {
  const gatewayCertificatePem = readFileSync(config.signingCertFile, 'utf8');
  const gatewayPrivateKeyPem = readFileSync(config.signingKeyFile, 'utf8');
  const cache = new Map<string, TransportContext>();
  return (partner) => {
    let context = cache.get(partner);
    if (!context) {
      const file = join(config.certsDir, 'partners', `${partner}.cert.pem`);
      if (!existsSync(file)) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `no certificate for partner ${partner} at ${file}`, { file });
      context = { partnerCertificatePem: readFileSync(file, 'utf8'), gatewayCertificatePem, gatewayPrivateKeyPem, endpointUrl: partnerUrl(partner) };
      cache.set(partner, context);
    }
    return context;
  };
}

/**
 * Builds the gateway from configuration. Everything is loaded and checked here (schemas, mappings,
 * adapters, keys, store migrations), so a broken setup fails before anything listens.
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const parts = await loadPipelineParts(config);
  const partnerIds = parts.partners.partners.map((p) => p.id);
  ensureDevCertificates(config, partnerIds, logger);
  const signer = createXmlSigner(loadSigningKey(config.signingKeyFile, config.signingCertFile));
  const translator = createTranslator({ ...parts, signer });
  const store = openSqliteMessageStore(join(config.dataDir, 'gateway.sqlite'));
  const simulated = config.simulators ? partnerIds.filter((p) => !config.partnerUrls[p]) : [];
  const simulators = simulated.length > 0 ? await startSimulators({ certsDir: config.certsDir, partners: simulated }) : new Map<string, PartnerSimulator>();
  const partnerUrl = (partner: string): string => {
    const url = config.partnerUrls[partner] ?? simulators.get(partner)?.url;
    if (!url) throw new GatewayError('GW_ERR_CONFIG_INVALID', `no URL for partner ${partner}: set GATEWAY_PARTNER_${partner.toUpperCase().replace(/-/g, '_')}_URL or enable the simulators`);
    return url;
  };
  for (const p of partnerIds) partnerUrl(p);
  const queue: Queue = config.amqpUrl
    ? await createAmqpQueue({ url: config.amqpUrl, prefix: config.amqpPrefix, partners: partnerIds, deliveryLimit: config.deliveryLimit, logger })
    : openOutboxQueue({ file: join(config.dataDir, 'queue.sqlite'), deliveryLimit: config.deliveryLimit });
  const transportContext = transportContexts(config, partnerUrl);
  const relay = new OutboxRelay(store, queue, { batchSize: 200, pollMs: 1000, backoffMs: 200, sweepMs: 60_000, overdueGraceMs: 15 * 60_000 }, logger);
  const sender = createHttpSender();
  const metrics = createMetrics(store, () => consumer.inFlight());
  const consumer: DeliveryConsumer = new DeliveryConsumer(
    store,
    queue,
    parts.partners,
    { store, http: sender, partnerUrl, transportContext, retryDelayScale: config.retryDelayScale, logger, observe: (p, v, ms, s) => metrics.observeAttempt(p, v, ms, s) },
    { owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, leaseMs: config.leaseMs },
    () => relay.wake(),
    logger,
  );
  const ingest = createIngest({ translator, store, partners: parts.partners, accepted: () => relay.wake(), maxOutbox: config.maxOutbox, observe: (status) => metrics.countRecord(status) });
  let running = false;
  let caisQueue: CaisQueueIngest | undefined;
  const services = collectPartnerServices({ partners: parts.partners, store, http: sender, partnerUrl, transportContext: transportContext, logger });
  let stopSchedules: (() => Promise<void>) | undefined;
  const api: FastifyInstance = await buildApi({
    store,
    ingest,
    metrics,
    tokens: config.tokens,
    logger,
    wake: () => relay.wake(),
    queueReady: () => running && queue.writable(),
    partnerRoutes: services.routes,
  });
  let closing: Promise<void> | undefined;
  return {
    simulators,
    store,
    logger,
    async start() {
      relay.start();
      await consumer.start();
      if (config.amqpUrl) caisQueue = await startCaisQueueIngest({ url: config.amqpUrl, queue: config.caisQueue, ingest, logger });
      const url = await api.listen({ host: config.host, port: config.port });
      stopSchedules = services.startSchedules();
      running = true;
      return url;
    },
    close() {
      closing ??= (async () => {
        running = false;
        await stopSchedules?.();
        await api.close();
        await caisQueue?.close();
        consumer.close();
        await queue.close();
        await relay.close();
        sender.close();
        await Promise.all([...simulators.values()].map((s) => s.close()));
        await store.close();
      })();
      return closing;
    },
  };
}
