// Loads every partner adapter from adapters/<id>/partner.{ts,js}; the core never imports an adapter by name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GatewayError } from '../errors.js';
import type { MessageSpec, PartnerDefinition } from './partner-definition.js';

/** The loaded partner adapters. */
export interface PartnerRegistry {
  /** All partners, sorted by id. */
  readonly partners: readonly PartnerDefinition[];
  /** A partner by id. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  get(id: string): PartnerDefinition;
  /** A partner's message spec. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  message(partner: string, message: string): MessageSpec;
}

/** Folder of the adapters' code: `adapters/` beside `src/`, or `dist/adapters/` when running compiled. */
const ADAPTERS_CODE_DIR = fileURLToPath(new URL('../../adapters/', import.meta.url));
const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

function check(definition: unknown, folder: string, file: string): PartnerDefinition {
  const d = definition as Partial<PartnerDefinition> | undefined;
  if (!d || typeof d !== 'object' || typeof d.messages !== 'object' || typeof d.name !== 'string') {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file} must export default definePartner({ id, name, messages })`, { file });
  }
  if (d.id !== folder) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: id "${String(d.id)}" must equal its folder name "${folder}"`, { file });
  return d as PartnerDefinition;
}

/** The partner with its configured profile applied (an alternative transport and classifier), if one is chosen. */
function withProfile(partner: PartnerDefinition, profile: string | undefined): PartnerDefinition {
  if (profile === undefined || profile === 'default') return partner;
  const chosen = partner.profiles?.[profile];
  if (!chosen) {
    const known = ['default', ...Object.keys(partner.profiles ?? {})].join(', ');
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `partner ${partner.id} has no profile "${profile}" (known: ${known})`, { partner: partner.id });
  }
  return { ...partner, transport: chosen.transport, classify: chosen.classify };
}

/**
 * Imports every adapter folder that has a partner module.
 * @param profiles partner id → profile name (GATEWAY_PARTNER_<ID>_PROFILE)
 */
export async function loadPartnerRegistry(profiles: Readonly<Record<string, string>> = {}, dir: string = ADAPTERS_CODE_DIR): Promise<PartnerRegistry> {
  const byId = new Map<string, PartnerDefinition>();
  const folders = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
  for (const folder of folders) {
    const file = join(dir, folder, `partner${MODULE_EXT}`);
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    byId.set(folder, withProfile(check(module.default, folder, file), profiles[folder]));
  }
  const get = (id: string): PartnerDefinition => {
    const partner = byId.get(id);
    if (!partner) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `no adapter for partner "${id}" (known: ${[...byId.keys()].join(', ')})`);
    return partner;
  };
  return {
    partners: [...byId.values()],
    get,
    message(partner, message) {
      const spec = get(partner).messages[message];
      if (!spec) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `partner "${partner}" has no message "${message}" (known: ${Object.keys(get(partner).messages).join(', ')})`);
      return spec;
    },
  };
}
