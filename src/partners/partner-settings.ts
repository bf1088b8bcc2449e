// Resolves partner instances from the partners file and GATEWAY_PARTNER_<ID>_<SETTING> overrides, checked against their adapters.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import type { ProblemList } from '../setup/problem-list.js';
import type { CircuitBreakerPolicy, PartnerDefinition, RetryPolicy } from './partner-definition.js';

/** Where the keys of one partner instance live (absolute paths; undefined means the default). */
export interface PartnerKeyFiles {
  signingKey?: string;
  signingCert?: string;
  partnerCerts?: readonly string[];
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: readonly string[];
}

/** Policy overrides of one instance. */
export interface PartnerPolicy {
  timeoutMs?: number;
  concurrency?: number;
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  circuitBreaker?: Partial<CircuitBreakerPolicy>;
}

/** One partner instance as configured. */
export interface PartnerSettings {
  /** Instance id. */
  id: string;
  /** Adapter folder that serves it. */
  adapter: string;
  name?: string;
  profile?: string;
  participants: Record<string, string>;
  /** Service name → URL (`default` for deliveries). */
  endpoints: Record<string, string>;
  /** Serve it by its simulator when it has no URL (default: the gateway's GATEWAY_SIMULATORS). */
  simulator?: boolean;
  keys: PartnerKeyFiles;
  policy: PartnerPolicy;
  options: Record<string, string>;
  /** The partners file and the JSON pointer of the entry, for messages. */
  source: { file: string; pointer: string };
}

/** What resolving needs besides the file and the environment. */
export interface SettingsInputs {
  file: { path: string; text: string };
  /** The `GATEWAY_PARTNER_*` variables. */
  env: Readonly<Record<string, string>>;
  /** The folder relative paths in environment variables resolve against. */
  cwd: string;
  /** Folder of `partners.schema.json`. */
  schemasDir: string;
  /** The loaded adapters by name. */
  adapters: ReadonlyMap<string, PartnerDefinition>;
}

type RawPartner = Omit<PartnerSettings, 'source' | 'keys'> & {
  keys?: { signingKey?: string; signingCert?: string; partnerCerts?: string[]; tlsCert?: string; tlsKey?: string; tlsCa?: string[] };
};

const SIMPLE_SETTINGS = ['URL', 'PROFILE', 'SIMULATOR', 'SIGNING_KEY_FILE', 'SIGNING_CERT_FILE', 'SIGNING_CERTS', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILES', 'TIMEOUT_MS', 'CONCURRENCY', 'MAX_ATTEMPTS', 'MAX_RESPONSE_BYTES'] as const;

/** `OPTION_SUBSCRIBER_ID` matches `subscriberId`: letters and digits compared without case. */
function normalised(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/** The prefix of an instance's variables: `GATEWAY_PARTNER_<ID>_` (the id in upper case, `-` as `_`). */
export function partnerEnvPrefix(id: string): string {
  return `GATEWAY_PARTNER_${id.toUpperCase().replace(/-/g, '_')}_`;
}

function readFile(inputs: SettingsInputs, problems: ProblemList): RawPartner[] {
  const { path, text } = inputs.file;
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  for (const e of doc.errors) problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: path, message: `is not valid YAML: ${e.message}` });
  if (doc.errors.length > 0) return [];
  const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(resolve(inputs.schemasDir, 'partners.schema.json'), 'utf8')) as object);
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : '';
      problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: path, pointer: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${extra}` });
    }
    return [];
  }
  return (value as { partners: RawPartner[] }).partners;
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function fromFile(raw: RawPartner, index: number, path: string): PartnerSettings {
  const base = dirname(path);
  const k = raw.keys ?? {};
  const keys: PartnerKeyFiles = {
    ...(k.signingKey ? { signingKey: absolute(base, k.signingKey) } : {}),
    ...(k.signingCert ? { signingCert: absolute(base, k.signingCert) } : {}),
    ...(k.partnerCerts ? { partnerCerts: k.partnerCerts.map((f) => absolute(base, f)) } : {}),
    ...(k.tlsCert ? { tlsCert: absolute(base, k.tlsCert) } : {}),
    ...(k.tlsKey ? { tlsKey: absolute(base, k.tlsKey) } : {}),
    ...(k.tlsCa ? { tlsCa: k.tlsCa.map((f) => absolute(base, f)) } : {}),
  };
  return {
    id: raw.id,
    adapter: raw.adapter,
    ...(raw.name ? { name: raw.name } : {}),
    ...(raw.profile ? { profile: raw.profile } : {}),
    participants: { ...(raw.participants ?? {}) },
    endpoints: Object.fromEntries(Object.entries(raw.endpoints ?? {}).map(([k2, v]) => [k2, v.replace(/\/+$/, '')])),
    ...(raw.simulator === undefined ? {} : { simulator: raw.simulator }),
    keys,
    policy: { ...(raw.policy ?? {}) },
    options: { ...(raw.options ?? {}) },
    source: { file: path, pointer: `/partners/${index}` },
  };
}

/** Applies one `GATEWAY_PARTNER_<ID>_<SETTING>` variable; returns a reason when the setting is not one. */
function applyEnv(settings: PartnerSettings, setting: string, value: string, cwd: string, definition: PartnerDefinition | undefined): string | undefined {
  const files = (v: string): string[] => v.split(',').map((f) => f.trim()).filter((f) => f !== '').map((f) => absolute(cwd, f));
  const integer = (v: string, min: number): number | string => (/^\d+$/.test(v) && Number(v) >= min ? Number(v) : `must be a whole number of at least ${min}`);
  const set = <K extends keyof PartnerPolicy>(key: K, v: number | string): string | undefined => {
    if (typeof v === 'string') return v;
    settings.policy = { ...settings.policy, [key]: v };
    return undefined;
  };
  switch (setting) {
    case 'URL':
      if (!/^https?:\/\/\S+$/.test(value)) return 'must be an http(s) URL';
      settings.endpoints.default = value.replace(/\/+$/, '');
      return undefined;
    case 'PROFILE':
      settings.profile = value;
      return undefined;
    case 'SIMULATOR':
      if (value !== 'on' && value !== 'off') return 'must be on or off';
      settings.simulator = value === 'on';
      return undefined;
    case 'SIGNING_KEY_FILE':
      settings.keys = { ...settings.keys, signingKey: absolute(cwd, value) };
      return undefined;
    case 'SIGNING_CERT_FILE':
      settings.keys = { ...settings.keys, signingCert: absolute(cwd, value) };
      return undefined;
    case 'SIGNING_CERTS':
      settings.keys = { ...settings.keys, partnerCerts: files(value) };
      return undefined;
    case 'TLS_CERT_FILE':
      settings.keys = { ...settings.keys, tlsCert: absolute(cwd, value) };
      return undefined;
    case 'TLS_KEY_FILE':
      settings.keys = { ...settings.keys, tlsKey: absolute(cwd, value) };
      return undefined;
    case 'TLS_CA_FILES':
      settings.keys = { ...settings.keys, tlsCa: files(value) };
      return undefined;
    case 'TIMEOUT_MS':
      return set('timeoutMs', integer(value, 100));
    case 'CONCURRENCY':
      return set('concurrency', integer(value, 1));
    case 'MAX_RESPONSE_BYTES':
      return set('maxResponseBytes', integer(value, 1024));
    case 'MAX_ATTEMPTS': {
      const n = integer(value, 1);
      if (typeof n === 'string') return n;
      settings.policy = { ...settings.policy, retry: { ...settings.policy.retry, maxAttempts: n } };
      return undefined;
    }
  }
  const service = /^URL_([A-Z0-9_]+)$/.exec(setting)?.[1];
  if (service) {
    if (!/^https?:\/\/\S+$/.test(value)) return 'must be an http(s) URL';
    settings.endpoints[service.toLowerCase().replace(/_/g, '-')] = value.replace(/\/+$/, '');
    return undefined;
  }
  const [, kind, key] = /^(OPTION|PARTICIPANT)_([A-Z0-9_]+)$/.exec(setting) ?? [];
  if (kind && key) {
    const declared = Object.keys((kind === 'OPTION' ? definition?.options : definition?.participants) ?? {});
    const name = declared.find((d) => normalised(d) === normalised(key));
    if (!name) return `${settings.adapter} declares no ${kind === 'OPTION' ? 'option' : 'participant code'} ${key} (known: ${declared.join(', ') || 'none'})`;
    if (kind === 'OPTION') settings.options[name] = value;
    else settings.participants[name] = value;
    return undefined;
  }
  return `unknown setting (known: ${[...SIMPLE_SETTINGS, 'URL_<SERVICE>', 'OPTION_<NAME>', 'PARTICIPANT_<NAME>'].join(', ')})`;
}

/** Checks an instance against its adapter: profile, participant codes, options, services. */
function checkAgainstAdapter(settings: PartnerSettings, definition: PartnerDefinition, problems: ProblemList): void {
  const at = { file: settings.source.file, pointer: settings.source.pointer };
  const fail = (pointer: string, message: string): void => problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: at.file, pointer: `${at.pointer}${pointer}`, message: `partner ${settings.id}: ${message}` });
  if (settings.profile !== undefined && settings.profile !== 'default' && !definition.profiles?.[settings.profile]) {
    fail('/profile', `adapter ${definition.id} has no profile "${settings.profile}" (known: ${['default', ...Object.keys(definition.profiles ?? {})].join(', ')})`);
  }
  for (const name of Object.keys(definition.participants ?? {})) if (!settings.participants[name]) fail('/participants', `needs participant code "${name}" (${definition.participants?.[name] ?? ''})`);
  for (const [name, spec] of Object.entries(definition.options ?? {})) {
    const value = settings.options[name] ?? spec.default;
    if (value === undefined) {
      if (spec.required) fail('/options', `needs option "${name}" (${spec.description})`);
      continue;
    }
    if (spec.values && !spec.values.includes(value)) fail(`/options/${name}`, `option ${name} must be one of ${spec.values.join(', ')}`);
    settings.options[name] = value;
  }
  for (const name of Object.keys(settings.options)) if (!definition.options?.[name]) fail(`/options/${name}`, `adapter ${definition.id} has no option "${name}"`);
  const services = ['default', ...Object.keys(definition.services ?? {})];
  for (const name of Object.keys(settings.endpoints)) if (!services.includes(name)) fail(`/endpoints/${name}`, `adapter ${definition.id} has no service "${name}" (known: ${services.join(', ')})`);
}

/**
 * Reads the partners file, applies the environment overrides, and checks each instance against its
 * adapter. Every problem is added to `problems`; an instance with problems is still returned when its
 * adapter is known, so later checks (mappings, keys) can report theirs too.
 */
export function resolvePartnerSettings(inputs: SettingsInputs, problems: ProblemList): PartnerSettings[] {
  const instances = readFile(inputs, problems).map((raw, i) => fromFile(raw, i, inputs.file.path));
  const seen = new Set<string>();
  for (const s of instances) {
    if (seen.has(s.id)) problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: s.source.file, pointer: `${s.source.pointer}/id`, message: `partner id "${s.id}" appears twice` });
    seen.add(s.id);
  }
  const byPrefix = instances.map((s) => ({ s, prefix: partnerEnvPrefix(s.id) })).sort((a, b) => b.prefix.length - a.prefix.length);
  for (const [name, value] of Object.entries(inputs.env)) {
    const match = byPrefix.find(({ prefix }) => name.startsWith(prefix));
    if (!match) {
      problems.add({ code: 'GW_ERR_CONFIG_INVALID', variable: name, message: `names no partner of ${inputs.file.path} (partners: ${instances.map((s) => s.id).join(', ') || 'none'})` });
      continue;
    }
    const reason = applyEnv(match.s, name.slice(match.prefix.length), value, inputs.cwd, inputs.adapters.get(match.s.adapter));
    if (reason) problems.add({ code: 'GW_ERR_CONFIG_INVALID', variable: name, message: reason });
  }
  for (const s of instances) {
    const definition = inputs.adapters.get(s.adapter);
    if (!definition) {
      problems.add({ code: 'GW_ERR_ADAPTER_UNKNOWN', file: s.source.file, pointer: `${s.source.pointer}/adapter`, message: `partner ${s.id}: no adapter "${s.adapter}" in adapters/ (known: ${[...inputs.adapters.keys()].join(', ') || 'none'})` });
      continue;
    }
    checkAgainstAdapter(s, definition, problems);
  }
  return instances.filter((s) => inputs.adapters.has(s.adapter));
}
