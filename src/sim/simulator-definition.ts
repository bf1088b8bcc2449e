// The simulator contract: an adapter's stand-in for its partner, discovered at adapters/<name>/sim/simulator.{ts,js}.
import type { X509Certificate } from 'node:crypto';
import type { KeyCapabilities } from '../security/key-capabilities.js';
import type { ListenOptions, PartnerSimulator } from './partner-simulator.js';

/** What a simulator is told about the partner instance it plays. */
export interface SimulatorContext {
  /** Partner instance id (a simulator may run once per instance). */
  partner: string;
  adapter: string;
  /** The instance's participant codes, as the gateway uses them. */
  participants: Readonly<Record<string, string>>;
  /** The instance's adapter options. */
  options: Readonly<Record<string, string>>;
  /** The partner's own key (the simulator plays the partner): `certs/dev/partners/<id>.key.pem`. */
  identity: KeyCapabilities;
  /** The certificates the partner pins for us: our signing certificate for this partner. */
  gatewayCertificates: readonly X509Certificate[];
  /** The project's `schemas/` folder. */
  schemasDir: string;
  /** Where to listen. */
  listen: ListenOptions;
}

/** How to start an adapter's simulator. */
export interface SimulatorDefinition {
  /** Starts the partner's side on loopback. */
  start(context: SimulatorContext): Promise<PartnerSimulator>;
}

/** Declares a simulator; returns it unchanged, typed. */
export function defineSimulator(definition: SimulatorDefinition): SimulatorDefinition {
  return definition;
}
