// Starts the simulators of every partner in the project's partners file, in this process, as `gateway simulate` does in its own.
import { loadConfig } from '../../src/config.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { startSimulators } from '../../src/sim/start-simulators.js';

/** The simulators by partner id, with the development keys in `certsDir` (generated there when missing). */
export async function startProjectSimulators(certsDir: string): Promise<Map<string, PartnerSimulator>> {
  const config = loadConfig({ GATEWAY_CERTS_DIR: certsDir });
  const setup = await loadSoundSetup(config, { keys: true, devCertificates: true, urls: false });
  return startSimulators({
    adaptersDir: config.adaptersDir,
    schemasDir: config.schemasDir,
    certsDir,
    partners: setup.partners.partners.map((partner) => ({ partner, gatewayCertificates: [setup.identities.get(partner.id)!.identity.certificate] })),
  });
}
