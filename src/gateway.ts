// createGateway(config): wires store, translator, partners, simulators, delivery and API; start() and an idempotent, draining close().
import { createHash, randomUUID } from 'node:crypto';
import { AuditCheckpointer } from './audit/audit-checkpoint.js';
import { loadKeyCapabilities } from './security/key-capabilities.js';

import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/build-api.js';
import { createMetrics } from './api/metrics.js';
import type { GatewayConfig } from './config.js';
import { DeliveryConsumer } from './delivery/delivery-consumer.js';
import { AcknowledgementWatch } from './delivery/acknowledgement-watch.js';
import { openWorkFeed } from './delivery/work-feed.js';
import { GatewayError } from './errors.js';
import { createLogger } from './logger.js';
import { createPartnerRuntime } from './partners/partner-runtime.js';
import { collectPartnerServices, type PartnerServices } from './partners/partner-services.js';
import { translatorOf } from './pipeline/build-translator.js';
import { createTranslatorPool } from './pipeline/translator-pool.js';
import { RunningTranslation } from './pipeline/running-translation.js';
import { MappingAdmin } from './mapping/mapping-admin.js';
import { readMappingFiles } from './mapping/mapping-set.js';
import { createIngest } from './pipeline/ingest.js';
import { loadSoundSetup } from './setup/load-setup.js';
import type { PartnerSimulator } from './sim/partner-simulator.js';
import { simulatorTrust } from './sim/gateway-push.js';
import { simulatedServiceUrl } from './sim/simulator-environment.js';
import { startSimulators } from './sim/start-simulators.js';
import { createInboundService, type InboundService } from './inbound/inbound-service.js';
import type { InboundStore } from './store/inbound-store.js';
import type { MessageStore } from './store/message-store.js';
import { openStores } from './store/open-stores.js';
import { startCaisQueueIngest, type CaisQueueIngest } from './pipeline/cais-queue-ingest.js';

/** A running (or startable) gateway. */
export interface Gateway {
  /** Listens and starts delivering; resolves with the API's URL. */
  start(): Promise<string>;
  /** Stops accepting, drains attempts in flight, closes the store and simulators; idempotent. */
  close(): Promise<void>;
  /** The partner simulators this process runs (empty when partners have real URLs or simulators are off). */
  readonly simulators: ReadonlyMap<string, PartnerSimulator>;
  readonly store: MessageStore;
  /** What partners pushed, and its hand-over to CAIS. */
  readonly inboundStore: InboundStore;
  /** The inbound listener's URL once started (undefined when it is off). */
  inboundUrl(): string | undefined;
  readonly logger: Logger;
}

/** What the audit trail records of the configuration a gateway started with: partners, the partners file's digest, API clients and their roles, the log. */
function configurationSummary(config: GatewayConfig, partners: readonly string[]): string {
  const partnersFile = createHash('sha256').update(config.partnersFile.text).digest('hex');
  const clients = config.tokens.map((t) => `${t.name}(${t.roles.join(',')})`).join(' ');
  return `partners ${partners.join(',')}; partners file sha256 ${partnersFile}; API clients ${clients}; log ${config.database ? 'postgresql' : 'sqlite'}; queue ${config.amqpUrl ? 'amqp' : 'embedded'}`;
}

/** Options for embedding the gateway (tests pass their own logger destination). */
export interface GatewayOptions {
  logger?: Logger;
}

/**
 * Builds the gateway from configuration. Everything is loaded and checked here (schemas, mappings,
 * adapters, keys, store migrations), so a broken setup fails before anything listens.
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // The mapping files are read once: every translation thread compiles these texts, whatever the folder holds later.
  const mappingFiles = readMappingFiles(config.mappingsDir);
  const setup = await loadSoundSetup(config, { keys: true, devCertificates: true, urls: true, logger, mappingFiles });
  const { partners, identities } = setup;
  const partnerIds = partners.partners.map((p) => p.id);
  // Whatever is opened is closed again if building fails further on: nothing may keep such a process alive.
  const opened: Array<() => Promise<void>> = [];
  const undo = async (err: unknown): Promise<never> => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw err;
  };
  const { store, inbound: inboundStore, where } = await openStores(config.dataDir, config.database);
  logger.info({ log: where }, 'message log opened');
  opened.push(() => store.close());
  opened.push(() => inboundStore.close());
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // The simulators push to the inbound listener, which starts after them.
  let inboundUrl: () => string | undefined = () => undefined;
  const simulators =
    setup.simulated.length > 0
      ? await startSimulators({
          adaptersDir: config.adaptersDir,
          schemasDir: config.schemasDir,
          certsDir: config.certsDir,
          partners: setup.simulated.map((partner) => ({ partner, gatewayCertificates: [identities.get(partner.id)!.identity.certificate] })),
          ...(setup.inboundTls ? { inbound: { url: () => inboundUrl(), trust: simulatorTrust(config.certsDir, setup.inboundTls.cert) } } : {}),
        }).catch(undo)
      : new Map<string, PartnerSimulator>();
  opened.push(() => Promise.all([...simulators.values()].map((s) => s.close())).then(() => undefined));
  const url = (partner: string, service: string): string => {
    const endpoints = partners.get(partner).settings.endpoints;
    const simulator = simulators.get(partner);
    const found = endpoints[service] ?? endpoints.default ?? (simulator && simulatedServiceUrl(simulator, service));
    if (!found) throw new GatewayError('GW_ERR_CONFIG_INVALID', `no URL for partner ${partner}`);
    return found;
  };
  const runtime = createPartnerRuntime({ registry: partners, identities, url });
  opened.push(() => runtime.close());
  // Worker threads load the setup themselves, compiling the mapping texts given; on the server's thread the translator uses the setup loaded here.
  const translation = new RunningTranslation(
    setup,
    mappingFiles,
    (loaded, files) =>
      config.translateWorkers > 0
        ? createTranslatorPool(config, files, config.translateWorkers, (q) => store.previousPayload(q.type, q.recordId, q.version, q.partner, q.message))
        : translatorOf(loaded, (record, partner, message) => store.previousPayload(record.type, record.recordId, record.version, partner, message)),
    logger,
  );
  const translator = translation.translator;
  opened.push(() => translation.close());
  const mappingAdmin = new MappingAdmin({ mappingsDir: config.mappingsDir, dataDir: config.dataDir, store, running: translation, logger });
  await mappingAdmin.follow().catch(undo);
  opened.push(() => mappingAdmin.stop());
  const feed = await openWorkFeed(store, {
    ...(config.amqpUrl ? { amqp: { url: config.amqpUrl, prefix: config.amqpPrefix, partners: partnerIds, deliveryLimit: config.deliveryLimit } } : {}),
    maxOutbox: config.maxOutbox,
    owner,
    leaseMs: config.leaseMs,
    logger,
  }).catch(undo);
  opened.push(() => feed.close());
  // The watch looks for overdue acknowledgements as often as a scaled second.
  const watchMs = Math.min(1000, Math.max(10, Math.round(1000 * config.transactionTimeScale)));
  const acknowledgementWatch = new AcknowledgementWatch(store, { intervalMs: watchMs, batchSize: 100, repeated: () => feed.wake() }, logger);
  let services: PartnerServices;
  try {
    services = collectPartnerServices({ partners, runtime, store, lookups: translation.lookups, logger, scheduleScale: config.scheduleScale, wake: () => feed.wake() });
  } catch (err) {
    return undo(err);
  }
  const metrics = createMetrics(store, () => consumer.inFlight(), inboundStore);
  const consumer: DeliveryConsumer = new DeliveryConsumer(
    store,
    feed.source,
    partners,
    {
      store,
      runtime,
      retryDelayScale: config.retryDelayScale,
      transactionTimeScale: config.transactionTimeScale,
      logger,
      observe: (p, v, ms, s) => metrics.observeAttempt(p, v, ms, s),
      afterDelivery: (p, message, result) => services.delivered(p, message, result),
    },
    { owner, leaseMs: config.leaseMs },
    () => feed.wake(),
    logger,
  );
  const inbound: InboundService = createInboundService({ setup, mappingFiles, store: inboundStore, messages: store, repliesQueued: () => feed.wake(), runtime, metrics, logger, owner });
  inboundUrl = () => inbound.url();
  const ingest = createIngest({
    translator,
    store,
    accepted: (partners) => feed.wake(partners),
    ...(feed.maxOutbox === undefined ? {} : { maxOutbox: feed.maxOutbox }),
    observe: (status) => metrics.countRecord(status),
  });
  const gatewayKey = loadKeyCapabilities(config.signingKeyFile, config.signingCertFile, config.signingKeyPassphrase);
  const checkpointer = new AuditCheckpointer(store.audit, gatewayKey, { intervalMs: config.auditCheckpointMs, publishTo: config.auditCheckpointFile, logger });
  let running = false;
  let caisQueue: CaisQueueIngest | undefined;
  let stopSchedules: (() => Promise<void>) | undefined;
  const api: FastifyInstance = await buildApi({
    store,
    inbound: inboundStore,
    caisSink: config.caisSink.kind,
    ingest,
    metrics,
    tokens: config.tokens,
    roles: config.roles,
    logger,
    wake: () => feed.wake(),
    queueReady: () => running && feed.writable(),
    partnerRoutes: services.routes,
    signer: gatewayKey,
    mappingAdmin,
    console: { dir: join(config.rootDir, 'src', 'ui'), partners: partnerIds },
    signers: (partner, direction) => {
      const keys = identities.get(partner);
      if (!keys) return [];
      return direction === 'in' ? keys.partnerCertificates : [keys.identity, ...keys.retiredIdentities].map((k) => k.certificate);
    },
  }).catch(undo);
  let closing: Promise<void> | undefined;
  return {
    simulators,
    store,
    inboundStore,
    logger,
    inboundUrl: () => inbound.url(),
    async start() {
      await store.audit.appendAudit([{ at: Date.now(), actor: 'gateway', action: 'configuration.loaded', subject: 'gateway', detail: configurationSummary(config, partnerIds) }]);
      checkpointer.start();
      mappingAdmin.startFollowing(config.mappingFollowMs);
      feed.start();
      acknowledgementWatch.start();
      await consumer.start();
      if (config.amqpUrl) caisQueue = await startCaisQueueIngest({ url: config.amqpUrl, queue: config.caisQueue, ingest, logger });
      const url = await api.listen({ host: config.host, port: config.port }).catch((err: NodeJS.ErrnoException) => {
        throw new GatewayError('GW_ERR_CONFIG_INVALID', `cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message} (GATEWAY_HOST, GATEWAY_PORT)`, { variable: 'GATEWAY_PORT' }, { cause: err });
      });
      await inbound.start();
      stopSchedules = services.startSchedules();
      running = true;
      return url;
    },
    close() {
      closing ??= (async () => {
        running = false;
        await inbound.close();
        await stopSchedules?.();
        await api.close();
        await caisQueue?.close();
        await consumer.close();
        await acknowledgementWatch.close();
        await feed.close();
        await runtime.close();
        await mappingAdmin.stop();
        await translation.close();
        await checkpointer.close().catch((err: unknown) => logger.warn({ err }, 'last audit checkpoint not written'));
        await Promise.all([...simulators.values()].map((s) => s.close()));
        await inboundStore.close();
        await store.close();
      })();
      return closing;
    },
  };
}
