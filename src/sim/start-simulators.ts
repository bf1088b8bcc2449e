// Starts the partner simulators with the keys under a certificates folder: IRU's key pair, and the gateway certificate IRU seals for and Russia pins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import { startIruSafetirSimulator } from './iru-safetir-simulator.js';
import type { ListenOptions, PartnerSimulator } from './partner-simulator.js';
import { startRuFcsSimulator } from './ru-fcs-simulator.js';

/** Where the simulators find their keys and where they listen. */
export interface StartSimulatorsOptions {
  /** Certificates folder as `gateway certs init` lays it out: `gateway.cert.pem`, `partners/<id>.{key,cert}.pem`. */
  certsDir: string;
  /** Listen address of every simulator (default 127.0.0.1). */
  host?: string;
  /** Port per partner id (default 0: any free port). */
  ports?: Partial<Record<string, number>>;
  /** Partners to simulate (default: every partner that has a simulator). */
  partners?: readonly string[];
}

type ReadPem = (file: string) => string;

/** The simulator of each partner, and the files it reads. */
const SIMULATORS: Record<string, (read: ReadPem, listen: ListenOptions) => Promise<PartnerSimulator>> = {
  'iru-safetir': (read, listen) =>
    startIruSafetirSimulator({
      ...listen,
      certificatePem: read('partners/iru-safetir.cert.pem'),
      privateKeyPem: read('partners/iru-safetir.key.pem'),
      gatewayCertificatePem: read('gateway.cert.pem'),
    }),
  'ru-fcs': (read, listen) => startRuFcsSimulator({ ...listen, gatewayCertificatePem: read('gateway.cert.pem') }),
};

/**
 * Starts one simulator per partner and returns them by partner id (the IRU simulator's state: `iruState`
 * in iru-safetir-simulator.ts). If one cannot start, those already
 * started are closed again.
 * @throws GatewayError GW_ERR_PARTNER_UNKNOWN for a partner without a simulator, GW_ERR_KEY_UNAVAILABLE
 *   for a missing or unreadable key file.
 */
export async function startSimulators(options: StartSimulatorsOptions): Promise<Map<string, PartnerSimulator>> {
  const partners = options.partners ?? Object.keys(SIMULATORS);
  const read: ReadPem = (file) => {
    const path = join(options.certsDir, file);
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', `cannot read ${path} (for development keys run: npx gateway certs init)`, { file: path }, { cause: err });
    }
  };
  const started = new Map<string, PartnerSimulator>();
  try {
    for (const partner of partners) {
      const start = SIMULATORS[partner];
      if (!start) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `no simulator for partner "${partner}" (known: ${Object.keys(SIMULATORS).join(', ')})`);
      const port = options.ports?.[partner];
      started.set(partner, await start(read, { ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) }));
    }
  } catch (err) {
    await Promise.all([...started.values()].map((s) => s.close()));
    throw err;
  }
  return started;
}
