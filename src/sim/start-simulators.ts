// Discovers adapter simulators (adapters/<name>/sim/simulator) and starts one per partner instance with the partner's development key.
import type { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError } from '../errors.js';
import type { Partner } from '../partners/partner-registry.js';
import { loadKeyCapabilities } from '../security/key-capabilities.js';
import { createGatewayPusher, type GatewayInbound } from './gateway-push.js';
import type { ListenOptions, PartnerSimulator } from './partner-simulator.js';
import type { SimulatorDefinition } from './simulator-definition.js';

const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The simulator module of an adapter, when it has one. */
export function simulatorFile(adaptersDir: string, adapter: string): string | undefined {
  const file = join(adaptersDir, adapter, 'sim', `simulator${MODULE_EXT}`);
  return existsSync(file) ? file : undefined;
}

/** What starting the simulators needs. */
export interface StartSimulatorsOptions {
  adaptersDir: string;
  schemasDir: string;
  /** Certificates folder as `gateway certs init` lays it out: `partners/<id>.{key,cert}.pem` are the partners' own. */
  certsDir: string;
  /** The partners to simulate, each with the certificate we sign with for it. */
  partners: ReadonlyArray<{ partner: Partner; gatewayCertificates: readonly X509Certificate[] }>;
  /** Listen address of every simulator (default 127.0.0.1). */
  host?: string;
  /** Port per partner id (default 0: any free port). */
  ports?: Partial<Record<string, number>>;
  /** The gateway's inbound listener, for simulators that push documents to it. */
  inbound?: GatewayInbound;
}

async function loadDefinition(file: string): Promise<SimulatorDefinition> {
  const definition = ((await import(pathToFileURL(file).href)) as { default?: SimulatorDefinition }).default;
  if (!definition || typeof definition.start !== 'function') throw new GatewayError('GW_ERR_ADAPTER_INVALID', `${file} must export default defineSimulator({ start })`, { file });
  return definition;
}

/** The simulator, closing its push pool when it closes. */
function withPusherClosed(simulator: PartnerSimulator, closePusher: () => Promise<void>): PartnerSimulator {
  return { ...simulator, close: () => Promise.all([simulator.close(), closePusher()]).then(() => undefined) };
}

/**
 * Starts one simulator per partner instance and returns them by partner id. If one cannot start,
 * those already started are closed again.
 * @throws GatewayError GW_ERR_CONFIG_INVALID for a partner whose adapter has no simulator,
 *   GW_ERR_KEY_UNAVAILABLE for a missing partner key (run `npx gateway certs init`).
 */
export async function startSimulators(options: StartSimulatorsOptions): Promise<Map<string, PartnerSimulator>> {
  const started = new Map<string, PartnerSimulator>();
  try {
    for (const { partner, gatewayCertificates } of options.partners) {
      const file = simulatorFile(options.adaptersDir, partner.adapter);
      if (!file) throw new GatewayError('GW_ERR_CONFIG_INVALID', `partner ${partner.id}: adapter ${partner.adapter} has no simulator (adapters/${partner.adapter}/sim/simulator.ts); give it a URL`);
      const definition = await loadDefinition(file);
      const keyFile = join(options.certsDir, 'partners', `${partner.id}.key.pem`);
      const certFile = join(options.certsDir, 'partners', `${partner.id}.cert.pem`);
      const identity = loadKeyCapabilities(keyFile, certFile);
      const port = options.ports?.[partner.id];
      const listen: ListenOptions = { ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) };
      const pusher = createGatewayPusher(partner.id, keyFile, certFile, options.inbound);
      const simulator = await definition.start({
        partner: partner.id,
        adapter: partner.adapter,
        participants: partner.settings.participants,
        options: partner.settings.options,
        ...(partner.settings.signing ? { signing: partner.settings.signing } : {}),
        identity,
        gatewayCertificates,
        schemasDir: options.schemasDir,
        listen,
        pushToGateway: (request) => pusher.push(request),
      });
      started.set(partner.id, withPusherClosed(simulator, pusher.close));
    }
  } catch (err) {
    await Promise.all([...started.values()].map((s) => s.close()));
    throw err;
  }
  return started;
}
