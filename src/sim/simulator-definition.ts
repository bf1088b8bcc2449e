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
  /** The instance's own signing profile (its `signing` setting), when configured: the partner signs, and expects our signatures, that way. */
  signing?: string;
  /** The partner's own key (the simulator plays the partner): `certs/dev/partners/<id>.key.pem`. */
  identity: KeyCapabilities;
  /** The certificates the partner pins for us: our signing certificate for this partner. */
  gatewayCertificates: readonly X509Certificate[];
  /** The project's `schemas/` folder. */
  schemasDir: string;
  /** Where to listen. */
  listen: ListenOptions;
  /**
   * Pushes a document to the gateway as this partner: `POST /v1/inbound/<partner><path>` over mutual
   * TLS with the partner's client certificate, trusting the gateway's server certificate through the
   * development CA only.
   * Resolves with the gateway's answer, whatever its status.
   * @throws GatewayError GW_ERR_CONFIG_INVALID when the gateway's inbound listener is not running.
   */
  pushToGateway(request: GatewayPush): Promise<GatewayAnswer>;
}

/** A push to the gateway's inbound endpoint. */
export interface GatewayPush {
  /** Sub-path after `/v1/inbound/<partner>` (default none). */
  path?: string;
  contentType: string;
  body: Buffer;
  headers?: Record<string, string>;
}

/** The gateway's answer to a push. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
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
