// Loads and checks everything the gateway runs on (adapters, partners, schemas, mappings, keys, URLs), reporting every problem at once.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { loadMappingSet, type MappingSet } from '../mapping/mapping-set.js';
import { createDocumentValidator, type DocumentValidator } from '../partners/document-validator.js';
import { IdentityLoader, type PartnerIdentity } from '../partners/partner-identity.js';
import { loadPartnerRegistry, type Partner, type PartnerRegistry } from '../partners/partner-registry.js';
import { checkPartnerRoutes } from '../partners/partner-services.js';
import { checkClientCertificates, readInboundTls, type InboundTlsMaterial } from '../inbound/inbound-setup.js';
import { createRecordValidator, type RecordValidator } from '../records/record-validator.js';
import { addDevPartnerCertificates, initDevCertificates } from '../security/dev-certificates.js';
import { simulatorFile } from '../sim/start-simulators.js';
import { ProblemList } from './problem-list.js';

/** Everything loaded from files and checked. */
export interface Setup {
  config: GatewayConfig;
  records: RecordValidator;
  partners: PartnerRegistry;
  mappings: MappingSet;
  documents: DocumentValidator;
  /** Keys of every partner instance. */
  identities: Map<string, PartnerIdentity>;
  /** Partners served by their simulators: no URL of their own, simulators allowed. */
  simulated: Partner[];
  /** The inbound listener's TLS material, when keys were loaded and the listener is on. */
  inboundTls?: InboundTlsMaterial;
}

/** What else to load and check. */
export interface SetupOptions {
  /** Load every partner's keys; not needed to run golden tests. */
  keys: boolean;
  /**
   * Generate the development PKI where the certificates folder holds the signing key and it is missing
   * (serve, check, simulate: `npm start` works on a fresh checkout); not for one-off translation.
   */
  devCertificates?: boolean;
  /** Check that every partner can be reached: a URL, or a simulator (serve, check); not for translation. */
  urls: boolean;
  /** Told when development certificates are generated. */
  logger?: Logger;
  /** The mapping files to compile (path → text, from {@link readMappingFiles}) instead of reading the mappings folder. */
  mappingFiles?: ReadonlyMap<string, string>;
}

/** True when the certificates folder is a development one: the signing key lives in it. */
function isDevelopmentFolder(config: GatewayConfig): boolean {
  return dirname(config.signingKeyFile) === config.certsDir;
}

/**
 * Generates the development PKI on first use (no signing key yet in a development folder), and from
 * its CA the simulator keys of partners added since. Never replaces a file: an existing signing key,
 * real or not, is kept.
 */
function ensureDevCertificates(config: GatewayConfig, partners: readonly string[], logger: Logger | undefined): void {
  if (!isDevelopmentFolder(config)) return;
  const created = existsSync(config.signingKeyFile) ? undefined : initDevCertificates(config.certsDir, partners);
  const added = created && !created.existed ? created.written : addDevPartnerCertificates(config.certsDir, partners);
  if (added.length > 0) logger?.warn({ certsDir: config.certsDir, files: added.length }, 'generated DEVELOPMENT certificates (not for production)');
}

/** A partner without a URL needs its simulator, allowed and present. */
function reachability(config: GatewayConfig, partner: Partner, problems: ProblemList): boolean {
  if (partner.settings.endpoints.default) return false;
  const allowed = partner.settings.simulator ?? config.simulators;
  const present = simulatorFile(config.adaptersDir, partner.adapter) !== undefined;
  if (allowed && present) return true;
  const why = !present ? `adapter ${partner.adapter} has no simulator` : 'its simulator is off (GATEWAY_SIMULATORS or the entry\'s simulator: false)';
  problems.add({
    code: 'GW_ERR_CONFIG_INVALID',
    file: partner.settings.source.file,
    pointer: `${partner.settings.source.pointer}/endpoints`,
    message: `partner ${partner.id} has neither a URL nor a simulator (${why}): give endpoints.default or GATEWAY_PARTNER_${partner.id.toUpperCase().replace(/-/g, '_')}_URL`,
  });
  return false;
}

function inboundTlsOf(inbound: NonNullable<GatewayConfig['inbound']>, problems: ProblemList): InboundTlsMaterial | undefined {
  try {
    return readInboundTls(inbound);
  } catch (err) {
    problems.add({ code: 'GW_ERR_KEY_UNAVAILABLE', variable: 'GATEWAY_INBOUND_TLS_CERT_FILE', message: (err as Error).message });
    return undefined;
  }
}

/**
 * Loads everything `serve` needs, in the order the parts depend on each other, and keeps going after
 * a problem so that one run reports them all.
 * @returns the setup, and every problem found (an empty list means the setup is sound)
 */
export async function loadSetup(config: GatewayConfig, options: SetupOptions, problems = new ProblemList()): Promise<{ setup: Setup; problems: ProblemList }> {
  const records = createRecordValidator(config.schemasDir);
  const partners = await loadPartnerRegistry(
    { adaptersDir: config.adaptersDir, file: config.partnersFile, env: config.partnerEnv, cwd: process.cwd(), schemasDir: config.schemasDir },
    problems,
  );
  checkPartnerRoutes(partners, problems);
  const documents = createDocumentValidator(config.schemasDir, partners, problems);
  const mappings = loadMappingSet(config.mappingsDir, config.schemasDir, partners, records.types, problems, options.mappingFiles);
  const identities = new Map<string, PartnerIdentity>();
  if (options.keys) {
    if (options.devCertificates) problems.capture(() => ensureDevCertificates(config, partners.partners.map((p) => p.id), options.logger));
    const loader = new IdentityLoader({
      signingKeyFile: config.signingKeyFile,
      signingCertFile: config.signingCertFile,
      ...(config.signingKeyPassphrase === undefined ? {} : { signingKeyPassphrase: config.signingKeyPassphrase }),
      certsDir: config.certsDir,
    });
    for (const partner of partners.partners) {
      const identity = problems.capture(() => loader.load(partner.settings));
      if (identity) identities.set(partner.id, identity);
    }
    checkClientCertificates(partners, identities, problems);
  }
  const inbound = config.inbound;
  const inboundTls = options.keys && inbound ? inboundTlsOf(inbound, problems) : undefined;
  const simulated = options.urls ? partners.partners.filter((p) => reachability(config, p, problems)) : [];
  return { setup: { config, records, partners, mappings, documents, identities, simulated, ...(inboundTls ? { inboundTls } : {}) }, problems };
}

/**
 * Loads the setup and refuses a broken one.
 * @throws SetupFailed listing every problem.
 */
export async function loadSoundSetup(config: GatewayConfig, options: SetupOptions): Promise<Setup> {
  const { setup, problems } = await loadSetup(config, options);
  problems.throwIfAny();
  return setup;
}
