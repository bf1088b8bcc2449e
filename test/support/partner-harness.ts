// Partners of a setup against their simulators, without the rest of the gateway: build a request with the adapter, send it by its transport, judge it.
import { rmSync } from 'node:fs';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import type { AttemptResult, OutboundMessage, Outcome, PartnerContext, TransportRequest } from '../../src/partners/partner-definition.js';
import type { Partner } from '../../src/partners/partner-registry.js';
import { createPartnerRuntime, type PartnerRuntime } from '../../src/partners/partner-runtime.js';
import { translatorOf } from '../../src/pipeline/build-translator.js';
import type { Translator } from '../../src/pipeline/translator.js';
import { loadSoundSetup, type Setup } from '../../src/setup/load-setup.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { simulatedServiceUrl } from '../../src/sim/simulator-environment.js';
import { startSimulators } from '../../src/sim/start-simulators.js';
import { tempDir } from './project.js';

/** One attempt as the delivery makes it, with what was sent and answered. */
export interface HarnessAttempt {
  request: TransportRequest;
  result: AttemptResult;
  outcome: Outcome;
}

/** Options of one attempt. */
export interface AttemptOptions {
  /** A deadline shorter than the partner's timeout. */
  timeoutMs?: number;
  /** Another context (e.g. other certificates) for building and judging. */
  context?: PartnerContext;
  /** Changes the built request before it is sent. */
  edit?: (request: TransportRequest) => TransportRequest;
}

/** The loaded setup, its simulators, and how to run attempts against them. */
export interface PartnerHarness {
  config: GatewayConfig;
  setup: Setup;
  runtime: PartnerRuntime;
  translator: Translator;
  partner(id: string): Partner;
  sim(id: string): PartnerSimulator;
  context(id: string): PartnerContext;
  /** Another runtime of the same partners whose every URL is `url` (e.g. where nothing listens). */
  runtimeAt(url: string): PartnerRuntime;
  /** Builds the adapter's request for a message, sends it by its transport, and lets the adapter judge the answer. */
  attempt(partner: string, message: Pick<OutboundMessage, 'id' | 'payload'> & Partial<OutboundMessage>, options?: AttemptOptions): Promise<HarnessAttempt>;
  close(): Promise<void>;
}

/**
 * Loads the project's setup on fresh development keys (`env` adds configuration, e.g. another partners
 * file) and starts a simulator for every partner (or those in `only`).
 */
export async function startPartnerHarness(env: Record<string, string> = {}, only?: readonly string[]): Promise<PartnerHarness> {
  const certsDir = tempDir('gw-harness-certs-');
  const config = loadConfig({ GATEWAY_CERTS_DIR: certsDir, ...env });
  const setup = await loadSoundSetup(config, { keys: true, devCertificates: true, urls: false });
  const partners = setup.partners.partners.filter((p) => !only || only.includes(p.id));
  const sims = await startSimulators({
    adaptersDir: config.adaptersDir,
    schemasDir: config.schemasDir,
    certsDir,
    partners: partners.map((partner) => ({ partner, gatewayCertificates: [setup.identities.get(partner.id)!.identity.certificate] })),
  });
  const sim = (id: string): PartnerSimulator => {
    const found = sims.get(id);
    if (!found) throw new Error(`no simulator for ${id}`);
    return found;
  };
  const url = (id: string, service: string): string => {
    const endpoints = setup.partners.get(id).settings.endpoints;
    return endpoints[service] ?? endpoints.default ?? simulatedServiceUrl(sim(id), service);
  };
  const runtime = createPartnerRuntime({ registry: setup.partners, identities: setup.identities, url });
  const others: PartnerRuntime[] = [];
  return {
    config,
    setup,
    runtime,
    translator: translatorOf(setup),
    partner: (id) => setup.partners.get(id),
    sim,
    context: (id) => runtime.context(id),
    runtimeAt(at) {
      const other = createPartnerRuntime({ registry: setup.partners, identities: setup.identities, url: () => at });
      others.push(other);
      return other;
    },
    async attempt(id, message, options = {}) {
      const partner = setup.partners.get(id);
      const context = options.context ?? runtime.context(id);
      const built = partner.transport.buildRequest({ messageType: Object.keys(partner.messages)[0] ?? '', attempt: 1, ...message }, context);
      const request = options.edit ? options.edit(built) : built;
      const result = await runtime.send(id, request, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      return { request, result, outcome: partner.classify(result, context) };
    },
    async close() {
      await Promise.all([runtime, ...others].map((r) => r.close()));
      await Promise.all([...sims.values()].map((s) => s.close()));
      rmSync(certsDir, { recursive: true, force: true });
    },
  };
}
