// Discovers the adapters under adapters/<name>/, registers what they bring, and builds the partner instances the partners file names.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_CODECS } from '../codec/builtin-codecs.js';
import type { Codec } from '../codec/codec.js';
import { GatewayError } from '../errors.js';
import { NamedRegistry } from '../named-registry.js';
import { BUILTIN_SIGNING_PROFILES } from '../security/builtin-signing-profiles.js';
import type { SigningProfile } from '../security/signing-profile.js';
import type { ProblemList } from '../setup/problem-list.js';
import { BUILTIN_TRANSPORTS } from '../transport/builtin-transports.js';
import type { Transport } from '../transport/transport.js';
import { DEFAULT_SENDER_PARTICIPANT, type InboundMessageSpec, type InboundSpec, type MessageSpec, type PartnerDefinition, type TransportSpec } from './partner-definition.js';
import { resolvePartnerSettings, type PartnerSettings, type SettingsInputs } from './partner-settings.js';

/** A partner instance ready to work: its adapter's definition with the instance's profile and policy applied. */
export interface Partner extends Omit<PartnerDefinition, 'id' | 'name' | 'profiles'> {
  /** Instance id. */
  id: string;
  /** Adapter name. */
  adapter: string;
  name: string;
  /** The profile in use (`default` for the adapter's main protocol). */
  profile: string;
  settings: PartnerSettings;
  /** The adapter's definition as declared. */
  definition: PartnerDefinition;
}

/** Codecs, signing profiles and transports: the built-ins and what adapters brought. */
export interface PluginRegistries {
  codecs: NamedRegistry<Codec>;
  signingProfiles: NamedRegistry<SigningProfile>;
  transports: NamedRegistry<Transport>;
}

/** The loaded adapters and partner instances. */
export interface PartnerRegistry extends PluginRegistries {
  /** Partner instances, in partners-file order. */
  readonly partners: readonly Partner[];
  /** Adapters by name. */
  readonly adapters: ReadonlyMap<string, PartnerDefinition>;
  /** A partner instance by id. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  get(id: string): Partner;
  /** A partner's message spec. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  message(partner: string, message: string): MessageSpec;
  /** A message type the partner pushes to us (its adapter's `inbound.messages`). @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  inboundMessage(partner: string, message: string): InboundMessageSpec;
}

const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The adapter folders that hold a partner module, sorted. */
export function adapterFolders(dir: string): Array<{ name: string; file: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, file: join(dir, e.name, `partner${MODULE_EXT}`) }))
    .filter((a) => existsSync(a.file))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}

/** The shape problems of a definition, in words (empty when it is well-formed). */
function shapeProblems(d: Partial<PartnerDefinition>, folder: string): string[] {
  const out: string[] = [];
  if (d.id !== folder) out.push(`id "${String(d.id)}" must equal its folder name "${folder}"`);
  if (typeof d.name !== 'string' || d.name === '') out.push('needs a name');
  if (typeof d.messages !== 'object' || d.messages === null || Object.keys(d.messages).length === 0) out.push('needs at least one message');
  for (const [name, spec] of Object.entries(d.messages ?? {})) {
    if (typeof spec?.codec !== 'string' || typeof spec.signing !== 'string' || typeof spec.description !== 'string') out.push(`message ${name} needs description, codec and signing`);
  }
  const transports: Array<[string, TransportSpec | undefined]> = [['transport', d.transport], ...Object.entries(d.profiles ?? {}).map(([p, v]): [string, TransportSpec | undefined] => [`profile ${p} transport`, v?.transport])];
  for (const [where, t] of transports) {
    if (!t || !isFunction(t.buildRequest) || !(t.timeoutMs > 0) || !(t.concurrency >= 1)) out.push(`${where} needs buildRequest, timeoutMs and concurrency`);
  }
  if (!isFunction(d.classify)) out.push('needs classify(result, context)');
  if (!d.retry || !Array.isArray(d.retry.delaysMs) || !(d.retry.maxAttempts >= 1)) out.push('needs a retry policy');
  if (!d.circuitBreaker || !(d.circuitBreaker.failureThreshold >= 1)) out.push('needs a circuit breaker policy');
  if (d.errors && d.errors.owner !== folder) out.push(`its errors are registered for "${d.errors.owner}", not "${folder}"`);
  if (d.inbound !== undefined) out.push(...inboundShapeProblems(d.inbound, d.participants));
  return out;
}

/** A sub-path an adapter may add under `/v1/inbound/<partner>`. */
const INBOUND_PATH = /^\/[a-z0-9][a-z0-9/-]{0,62}$/;

/** The shape problems of an adapter's `inbound`: what the listener and pipeline rely on. */
function inboundShapeProblems(spec: Partial<InboundSpec>, participants: PartnerDefinition['participants']): string[] {
  const out: string[] = [];
  if (typeof spec.messages !== 'object' || spec.messages === null || Object.keys(spec.messages).length === 0) out.push('inbound needs at least one message');
  if (!isFunction(spec.read) || !isFunction(spec.receipt) || typeof spec.receiptSigning !== 'string') out.push('inbound needs read(document, request, context), receipt(outcome, context) and receiptSigning');
  for (const path of spec.paths ?? []) if (!INBOUND_PATH.test(path)) out.push(`inbound path "${path}" must start with / and use lower-case letters, digits, / and -`);
  const sender = spec.senderParticipant ?? DEFAULT_SENDER_PARTICIPANT;
  if (!participants || !Object.hasOwn(participants, sender)) out.push(`inbound needs participant "${sender}" declared (the sender code its documents carry)`);
  if (spec.maxBytes !== undefined && !(Number.isInteger(spec.maxBytes) && spec.maxBytes >= 1024)) out.push('inbound maxBytes must be a whole number of at least 1024');
  return out;
}

/** Registers what an adapter brings; a clash is a problem of that adapter. */
function registerPlugins(d: PartnerDefinition, registries: PluginRegistries): void {
  for (const codec of d.codecs ?? []) registries.codecs.register(codec, d.id);
  for (const profile of d.signingProfiles ?? []) registries.signingProfiles.register(profile, d.id);
  for (const transport of d.transports ?? []) registries.transports.register(transport, d.id);
}

/** Message specs and transports must name registered plug-ins, and the signing profile must fit the codec. */
function pluginProblems(d: PartnerDefinition, registries: PluginRegistries): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(d.messages)) {
    if (!registries.codecs.has(spec.codec)) out.push(`message ${name}: no codec "${spec.codec}" (known: ${registries.codecs.names().join(', ')})`);
    if (!registries.signingProfiles.has(spec.signing)) {
      out.push(`message ${name}: no signing profile "${spec.signing}" (known: ${registries.signingProfiles.names().join(', ')})`);
      continue;
    }
    const profile = registries.signingProfiles.get(spec.signing);
    if (profile.codecs && !profile.codecs.includes(spec.codec)) out.push(`message ${name}: signing profile ${spec.signing} signs ${profile.codecs.join(', ')} documents, not ${spec.codec}`);
    const known = ['default', ...Object.keys(d.profiles ?? {})];
    for (const p of spec.profiles ?? []) if (!known.includes(p)) out.push(`message ${name}: profile "${p}" is not one of the adapter's (${known.join(', ')})`);
  }
  if (d.defaultProfile !== undefined && (d.defaultProfile === 'default' || d.profiles?.[d.defaultProfile])) out.push(`defaultProfile "${d.defaultProfile}" must name the main protocol apart from the other profiles`);
  if (d.inbound && !registries.signingProfiles.has(d.inbound.receiptSigning)) {
    out.push(`inbound: no signing profile "${d.inbound.receiptSigning}" for receipts (known: ${registries.signingProfiles.names().join(', ')})`);
  }
  for (const t of [d.transport, ...Object.values(d.profiles ?? {}).map((p) => p.transport)]) {
    const kind = t.kind ?? 'http';
    if (!registries.transports.has(kind)) out.push(`no transport "${kind}" (known: ${registries.transports.names().join(', ')})`);
  }
  return out;
}

/**
 * Imports every adapter folder and registers its plug-ins into fresh registries. A folder that does not
 * load or is malformed is a problem (GW_ERR_ADAPTER_INVALID) and is left out.
 */
export async function loadAdapters(dir: string, problems: ProblemList): Promise<PluginRegistries & { adapters: Map<string, PartnerDefinition> }> {
  const registries: PluginRegistries = {
    codecs: new NamedRegistry('codec', BUILTIN_CODECS),
    signingProfiles: new NamedRegistry('signing profile', BUILTIN_SIGNING_PROFILES),
    transports: new NamedRegistry('transport', BUILTIN_TRANSPORTS),
  };
  const adapters = new Map<string, PartnerDefinition>();
  const invalid = (file: string, message: string): void => problems.add({ code: 'GW_ERR_ADAPTER_INVALID', file, message });
  for (const { name, file } of adapterFolders(dir)) {
    let definition: unknown;
    try {
      definition = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    } catch (err) {
      invalid(file, err instanceof GatewayError ? err.message : `does not load: ${(err as Error).message}`);
      continue;
    }
    if (typeof definition !== 'object' || definition === null) {
      invalid(file, 'must export default definePartner({ … })');
      continue;
    }
    const shape = shapeProblems(definition as Partial<PartnerDefinition>, name);
    if (shape.length > 0) {
      for (const reason of shape) invalid(file, reason);
      continue;
    }
    const d = definition as PartnerDefinition;
    try {
      registerPlugins(d, registries);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      invalid(file, err.message.replace(/^GW_ERR_\w+: /, ''));
      continue;
    }
    adapters.set(name, d);
  }
  for (const [name, d] of adapters) {
    const found = pluginProblems(d, registries);
    for (const reason of found) invalid(join(dir, name, `partner${MODULE_EXT}`), reason);
    if (found.length > 0) adapters.delete(name);
  }
  return { ...registries, adapters };
}

/** The adapter's transport, classifier and codes for the chosen profile, with the instance's policy overrides. */
function instanceOf(settings: PartnerSettings, d: PartnerDefinition): Partner {
  const profile = settings.profile && settings.profile !== 'default' ? d.profiles?.[settings.profile] : undefined;
  const base = profile ?? { transport: d.transport, classify: d.classify, ...(d.codes ? { codes: d.codes } : {}) };
  const { timeoutMs, concurrency, maxResponseBytes, retry, circuitBreaker } = settings.policy;
  const { id: _adapterId, name: _adapterName, profiles: _profiles, codes: _codes, ...rest } = d;
  const signing = settings.signing;
  return {
    ...rest,
    ...(signing
      ? {
          messages: Object.fromEntries(Object.entries(d.messages).map(([name, spec]) => [name, { ...spec, signing }])),
          ...(d.inbound ? { inbound: { ...d.inbound, receiptSigning: signing } } : {}),
        }
      : {}),
    id: settings.id,
    adapter: d.id,
    name: settings.name ?? d.name,
    profile: profile ? (settings.profile as string) : 'default',
    settings,
    definition: d,
    transport: {
      ...base.transport,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
    },
    classify: base.classify,
    ...(base.codes ? { codes: base.codes } : {}),
    ...(profile?.envelope ? { envelope: profile.envelope } : {}),
    retry: { ...d.retry, ...retry },
    circuitBreaker: { ...d.circuitBreaker, ...circuitBreaker },
  };
}

/** An instance's own signing profile must be registered and sign every message's codec. */
function signingProblems(partner: Partner, profiles: NamedRegistry<SigningProfile>, problems: ProblemList): void {
  const name = partner.settings.signing;
  if (name === undefined) return;
  const at = { file: partner.settings.source.file, pointer: `${partner.settings.source.pointer}/signing` };
  if (!profiles.has(name)) {
    problems.add({ code: 'GW_ERR_CONFIG_INVALID', ...at, message: `partner ${partner.id}: no signing profile "${name}" (known: ${profiles.names().join(', ')})` });
    return;
  }
  const codecs = profiles.get(name).codecs;
  for (const [message, spec] of Object.entries(partner.messages)) {
    if (codecs && !codecs.includes(spec.codec)) problems.add({ code: 'GW_ERR_CONFIG_INVALID', ...at, message: `partner ${partner.id}: signing profile ${name} signs ${codecs.join(', ')} documents, not message ${message}'s ${spec.codec}` });
  }
}

/** Transports name the participant codes they need (AS2: as2From, as2To); an instance must give them. */
function transportProblems(partner: Partner, transports: NamedRegistry<Transport>, problems: ProblemList): void {
  const needed = transports.has(partner.transport.kind ?? 'http') ? (transports.get(partner.transport.kind ?? 'http').participants ?? []) : [];
  for (const name of needed) {
    if (partner.settings.participants[name]) continue;
    problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: partner.settings.source.file, pointer: `${partner.settings.source.pointer}/participants`, message: `partner ${partner.id}: the ${partner.transport.kind} transport needs participant code "${name}"` });
  }
}

/**
 * Loads adapters and builds the partner instances of the partners file (with environment overrides).
 * Every problem goes to `problems`; what could be loaded is returned.
 */
export async function loadPartnerRegistry(inputs: Omit<SettingsInputs, 'adapters' | 'transportParticipants'> & { adaptersDir: string }, problems: ProblemList): Promise<PartnerRegistry> {
  const { adapters, ...registries } = await loadAdapters(inputs.adaptersDir, problems);
  const transportParticipants = (kind: string): readonly string[] => (registries.transports.has(kind) ? (registries.transports.get(kind).participants ?? []) : []);
  const partners = resolvePartnerSettings({ ...inputs, adapters, transportParticipants }, problems).map((s) => instanceOf(s, adapters.get(s.adapter) as PartnerDefinition));
  for (const p of partners) {
    transportProblems(p, registries.transports, problems);
    signingProblems(p, registries.signingProfiles, problems);
  }
  const byId = new Map(partners.map((p) => [p.id, p]));
  const get = (id: string): Partner => {
    const partner = byId.get(id);
    if (!partner) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `no partner "${id}" (known: ${[...byId.keys()].join(', ')})`);
    return partner;
  };
  return {
    ...registries,
    partners,
    adapters,
    get,
    message(partner, message) {
      const spec = get(partner).messages[message];
      if (!spec) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `partner "${partner}" has no message "${message}" (known: ${Object.keys(get(partner).messages).join(', ')})`);
      return spec;
    },
    inboundMessage(partner, message) {
      const messages = get(partner).inbound?.messages ?? {};
      const spec = Object.hasOwn(messages, message) ? messages[message] : undefined;
      if (!spec) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `partner "${partner}" pushes no message "${message}" (known: ${Object.keys(messages).join(', ') || 'none'})`);
      return spec;
    },
  };
}
