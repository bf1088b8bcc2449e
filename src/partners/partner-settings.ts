// Resolves partner instances from the partners file and GATEWAY_PARTNER_<ID>_<SETTING> overrides, checked against the schema and their adapters.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import type { Problem, ProblemList } from '../setup/problem-list.js';
import type { CircuitBreakerPolicy, PartnerDefinition, RetryPolicy } from './partner-definition.js';

/** Where the keys of one partner instance live (absolute paths; undefined means the default). */
export interface PartnerKeyFiles {
  signingKey?: string;
  signingCert?: string;
  /** Passphrase of an encrypted signing key (environment only, never the partners file). */
  signingKeyPassphrase?: string;
  partnerCerts?: readonly string[];
  /** Our earlier key pairs for this partner, kept during a rollover to open what it still encrypts for them (never used to sign). */
  retiredKeys?: ReadonlyArray<{ key: string; cert: string }>;
  /** The partner's pinned TLS client certificates for its pushes to us; default its pinned signing certificates. */
  clientCerts?: readonly string[];
  tlsCert?: string;
  tlsKey?: string;
  /** Passphrase of an encrypted TLS client key (environment only). */
  tlsKeyPassphrase?: string;
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
  /** Signing profile of every message and receipt of this instance, in place of the adapter's (e.g. a national GOST profile). */
  signing?: string;
  participants: Readonly<Record<string, string>>;
  /** Service name → URL (`default` for deliveries). */
  endpoints: Readonly<Record<string, string>>;
  /** Serve it by its simulator when it has no URL (default: the gateway's GATEWAY_SIMULATORS). */
  simulator?: boolean;
  keys: PartnerKeyFiles;
  policy: PartnerPolicy;
  options: Readonly<Record<string, string>>;
  /** The partners file and the JSON pointer of the entry, for messages. */
  source: { file: string; pointer: string };
  /** JSON pointers (within the entry) of the values an environment variable set, with the variable: problems name it. */
  fromEnvironment: Readonly<Record<string, string>>;
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
  /** Participant codes a transport needs (AS2: as2From, as2To); an adapter using it accepts them too. */
  transportParticipants(kind: string): readonly string[];
}

/** A partners-file entry as written, before it is checked. */
type RawEntry = Record<string, unknown> & { id?: unknown; adapter?: unknown };

/** The environment settings and where each lands in an entry (`${X}` is the rest of the variable name). */
const PATHS: Record<string, { path: string[]; kind: 'text' | 'url' | 'file' | 'files' | 'integer' | 'switch' }> = {
  URL: { path: ['endpoints', 'default'], kind: 'url' },
  PROFILE: { path: ['profile'], kind: 'text' },
  SIGNING_PROFILE: { path: ['signing'], kind: 'text' },
  SIMULATOR: { path: ['simulator'], kind: 'switch' },
  SIGNING_KEY_FILE: { path: ['keys', 'signingKey'], kind: 'file' },
  SIGNING_CERT_FILE: { path: ['keys', 'signingCert'], kind: 'file' },
  SIGNING_CERTS: { path: ['keys', 'partnerCerts'], kind: 'files' },
  CLIENT_CERTS: { path: ['keys', 'clientCerts'], kind: 'files' },
  TLS_CERT_FILE: { path: ['keys', 'tlsCert'], kind: 'file' },
  TLS_KEY_FILE: { path: ['keys', 'tlsKey'], kind: 'file' },
  TLS_CA_FILES: { path: ['keys', 'tlsCa'], kind: 'files' },
  TIMEOUT_MS: { path: ['policy', 'timeoutMs'], kind: 'integer' },
  CONCURRENCY: { path: ['policy', 'concurrency'], kind: 'integer' },
  MAX_RESPONSE_BYTES: { path: ['policy', 'maxResponseBytes'], kind: 'integer' },
  MAX_ATTEMPTS: { path: ['policy', 'retry', 'maxAttempts'], kind: 'integer' },
};
/** Secrets: environment only, kept beside the entry (the file's schema has no place for them). */
const SECRETS = { SIGNING_KEY_PASSPHRASE: 'signingKeyPassphrase', TLS_KEY_PASSPHRASE: 'tlsKeyPassphrase' } as const;
const PATTERNS = ['URL_<SERVICE>', 'OPTION_<NAME>', 'PARTICIPANT_<NAME>'];

/** `OPTION_SUBSCRIBER_ID` matches `subscriberId`: letters and digits compared without case. */
function normalised(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/** The prefix of an instance's variables: `GATEWAY_PARTNER_<ID>_` (the id in upper case, `-` as `_`). */
export function partnerEnvPrefix(id: string): string {
  return `GATEWAY_PARTNER_${id.toUpperCase().replace(/-/g, '_')}_`;
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Sets a value at a path inside an entry, creating objects on the way (a non-object in the way is replaced). */
function setAt(entry: RawEntry, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = entry;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : (node[key] = {});
  }
  node[path.at(-1) as string] = value;
}

/** Names of participant codes and options an adapter takes: its own, and those its transports need. */
function declaredNames(definition: PartnerDefinition | undefined, inputs: SettingsInputs): { participants: string[]; options: string[] } {
  if (!definition) return { participants: [], options: [] };
  const kinds = [definition.transport.kind ?? 'http', ...Object.values(definition.profiles ?? {}).map((p) => p.transport.kind ?? 'http')];
  return {
    participants: [...new Set([...Object.keys(definition.participants ?? {}), ...kinds.flatMap((k) => inputs.transportParticipants(k))])],
    options: Object.keys(definition.options ?? {}),
  };
}

/** What one variable sets: the path in the entry and the value, or why it is not a setting. */
function environmentSetting(setting: string, value: string, cwd: string, names: { participants: string[]; options: string[] }): { path: string[]; value: unknown } | { secret: keyof typeof SECRETS } | string {
  if (setting in SECRETS) return { secret: setting as keyof typeof SECRETS };
  const known = PATHS[setting];
  if (known) {
    if (known.kind === 'switch') return value === 'on' || value === 'off' ? { path: known.path, value: value === 'on' } : 'must be on or off';
    if (known.kind === 'integer') return /^\d{1,15}$/.test(value) ? { path: known.path, value: Number(value) } : 'must be a whole number';
    if (known.kind === 'file') return { path: known.path, value: absolute(cwd, value) };
    if (known.kind === 'files') return { path: known.path, value: value.split(',').map((f) => f.trim()).filter((f) => f !== '').map((f) => absolute(cwd, f)) };
    return { path: known.path, value: known.kind === 'url' ? value.replace(/\/+$/, '') : value };
  }
  const service = /^URL_([A-Z0-9_]+)$/.exec(setting)?.[1];
  if (service) return { path: ['endpoints', service.toLowerCase().replace(/_/g, '-')], value: value.replace(/\/+$/, '') };
  const [, kind, key] = /^(OPTION|PARTICIPANT)_([A-Z0-9_]+)$/.exec(setting) ?? [];
  if (kind && key) {
    const declared = kind === 'OPTION' ? names.options : names.participants;
    const name = declared.find((d) => normalised(d) === normalised(key));
    if (!name) return `declares no ${kind === 'OPTION' ? 'option' : 'participant code'} ${key} (known: ${declared.join(', ') || 'none'})`;
    return { path: [kind === 'OPTION' ? 'options' : 'participants', name], value };
  }
  return `unknown setting (known: ${[...Object.keys(PATHS), ...Object.keys(SECRETS), ...PATTERNS].join(', ')})`;
}

/** Two ids whose variables could be mistaken for each other: `ru` and `ru-url` both claim GATEWAY_PARTNER_RU_URL_…. */
function ambiguousIds(ids: readonly string[]): Array<[string, string]> {
  const words = [...Object.keys(PATHS), ...Object.keys(SECRETS), 'URL', 'OPTION', 'PARTICIPANT'].map((w) => `${w}_`);
  const out: Array<[string, string]> = [];
  for (const a of ids) {
    for (const b of ids) {
      const rest = partnerEnvPrefix(b).slice(partnerEnvPrefix(a).length);
      if (a !== b && partnerEnvPrefix(b).startsWith(partnerEnvPrefix(a)) && words.some((w) => rest.startsWith(w) || w.startsWith(rest))) out.push([a, b]);
    }
  }
  return out;
}

function readEntries(inputs: SettingsInputs, problems: ProblemList): RawEntry[] | undefined {
  const { path, text } = inputs.file;
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  for (const e of doc.errors) problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: path, message: `is not valid YAML: ${e.message}` });
  if (doc.errors.length > 0) return undefined;
  const value = doc.toJS({ maxAliasCount: 0 }) as { partners?: unknown } | null;
  const entries = value?.partners;
  return Array.isArray(entries) ? entries.map((e) => (typeof e === 'object' && e !== null ? (e as RawEntry) : {})) : [];
}

/** The schema's verdict on the whole file; a problem in a value a variable set names the variable. */
function schemaProblems(inputs: SettingsInputs, document: unknown, origin: ReadonlyMap<string, string>): Problem[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(resolve(inputs.schemasDir, 'partners.schema.json'), 'utf8')) as object);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : '';
    const pointer = e.instancePath || '/';
    const variable = [...origin].find(([at]) => pointer === at || pointer.startsWith(`${at}/`))?.[1];
    const message = `${e.message ?? 'is invalid'}${extra}`;
    return variable ? { code: 'GW_ERR_CONFIG_INVALID', variable, message: `${variable}: ${message}` } : { code: 'GW_ERR_CONFIG_INVALID', file: inputs.file.path, pointer, message };
  });
}

function settingsOf(entry: RawEntry, index: number, path: string, fromEnvironment: Record<string, string>, secrets: Partial<PartnerKeyFiles>): PartnerSettings {
  const raw = entry as unknown as Omit<PartnerSettings, 'source' | 'fromEnvironment' | 'keys'> & { keys?: Record<string, string | string[] | Array<{ key: string; cert: string }>> };
  const base = dirname(path);
  const k = raw.keys ?? {};
  const file = (name: string): string | undefined => (typeof k[name] === 'string' ? absolute(base, k[name]) : undefined);
  const files = (name: string): string[] | undefined => (Array.isArray(k[name]) ? (k[name] as string[]).map((f) => absolute(base, f)) : undefined);
  const retired = Array.isArray(k.retiredKeys) ? (k.retiredKeys as Array<{ key: string; cert: string }>).map((p) => ({ key: absolute(base, p.key), cert: absolute(base, p.cert) })) : undefined;
  const keys: PartnerKeyFiles = Object.fromEntries(
    Object.entries({
      signingKey: file('signingKey'),
      signingCert: file('signingCert'),
      partnerCerts: files('partnerCerts'),
      retiredKeys: retired,
      clientCerts: files('clientCerts'),
      tlsCert: file('tlsCert'),
      tlsKey: file('tlsKey'),
      tlsCa: files('tlsCa'),
      ...secrets,
    }).filter(([, v]) => v !== undefined),
  );
  return {
    id: raw.id,
    adapter: raw.adapter,
    ...(raw.name ? { name: raw.name } : {}),
    ...(raw.profile ? { profile: raw.profile } : {}),
    ...(raw.signing ? { signing: raw.signing } : {}),
    participants: { ...(raw.participants ?? {}) },
    endpoints: Object.fromEntries(Object.entries(raw.endpoints ?? {}).map(([service, url]) => [service, url.replace(/\/+$/, '')])),
    ...(raw.simulator === undefined ? {} : { simulator: raw.simulator }),
    keys,
    policy: { ...(raw.policy ?? {}) },
    options: { ...(raw.options ?? {}) },
    source: { file: path, pointer: `/partners/${index}` },
    fromEnvironment,
  };
}

/** Checks an instance against its adapter: profile, participant codes, options, services. Fills option defaults. */
function checkAgainstAdapter(settings: PartnerSettings, definition: PartnerDefinition, names: { participants: string[] }, problems: ProblemList): PartnerSettings {
  const fail = (at: string, message: string): void => {
    const variable = settings.fromEnvironment[at];
    const text = `partner ${settings.id}: ${message}`;
    problems.add(variable ? { code: 'GW_ERR_CONFIG_INVALID', variable, message: `${variable}: ${text}` } : { code: 'GW_ERR_CONFIG_INVALID', file: settings.source.file, pointer: `${settings.source.pointer}${at}`, message: text });
  };
  if (settings.profile !== undefined && settings.profile !== 'default' && settings.profile !== definition.defaultProfile && !definition.profiles?.[settings.profile]) {
    const main = definition.defaultProfile ? `default (${definition.defaultProfile})` : 'default';
    fail('/profile', `adapter ${definition.id} has no profile "${settings.profile}" (known: ${[main, ...Object.keys(definition.profiles ?? {})].join(', ')})`);
  }
  for (const name of Object.keys(definition.participants ?? {})) if (!settings.participants[name]) fail('/participants', `needs participant code "${name}" (${definition.participants?.[name] ?? ''})`);
  for (const name of Object.keys(settings.participants)) {
    if (!names.participants.includes(name)) fail(`/participants/${escapePointer(name)}`, `adapter ${definition.id} takes no participant code "${name}" (known: ${names.participants.join(', ') || 'none'})`);
  }
  const options: Record<string, string> = { ...settings.options };
  for (const [name, spec] of Object.entries(definition.options ?? {})) {
    const value = options[name] || spec.default;
    if (value === undefined || value === '') {
      if (spec.required) fail('/options', `needs option "${name}" (${spec.description})`);
      continue;
    }
    if (spec.values && !spec.values.includes(value)) fail(`/options/${escapePointer(name)}`, `option ${name} must be one of ${spec.values.join(', ')}`);
    if (spec.secret && settings.options[name] !== undefined && !settings.fromEnvironment[`/options/${escapePointer(name)}`]) {
      fail(`/options/${escapePointer(name)}`, `option ${name} is a secret: give it by GATEWAY_PARTNER_<ID>_OPTION_<NAME>, not in the partners file`);
    }
    options[name] = value;
  }
  for (const name of Object.keys(settings.options)) if (!definition.options?.[name]) fail(`/options/${escapePointer(name)}`, `adapter ${definition.id} has no option "${name}"`);
  const services = ['default', ...Object.keys(definition.services ?? {})];
  for (const name of Object.keys(settings.endpoints)) if (!services.includes(name)) fail(`/endpoints/${escapePointer(name)}`, `adapter ${definition.id} has no service "${name}" (known: ${services.join(', ')})`);
  return { ...settings, options };
}

/** An instance can no longer change once resolved: transports and simulators share it. */
function frozen(settings: PartnerSettings): PartnerSettings {
  for (const part of [settings.participants, settings.endpoints, settings.options, settings.keys, settings.policy, settings.source, settings.fromEnvironment]) Object.freeze(part);
  return Object.freeze(settings);
}

/**
 * Reads the partners file, applies the environment overrides to it, checks the result against the
 * partners schema (a value a variable set is reported under that variable) and each instance against
 * its adapter. Every problem is added to `problems`; instances whose adapter is known are returned
 * even with problems, so later checks (mappings, keys) can report theirs too.
 */
export function resolvePartnerSettings(inputs: SettingsInputs, problems: ProblemList): PartnerSettings[] {
  const entries = readEntries(inputs, problems);
  if (!entries) return [];
  const ids = entries.map((e) => (typeof e.id === 'string' ? e.id : ''));
  for (const [a, b] of ambiguousIds(ids.filter(Boolean))) {
    problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: inputs.file.path, pointer: `/partners/${ids.indexOf(b)}/id`, message: `partner ids "${a}" and "${b}" make GATEWAY_PARTNER_ variables ambiguous; rename one` });
  }
  const byPrefix = ids.map((id, index) => ({ index, prefix: id ? partnerEnvPrefix(id) : '' })).filter((p) => p.prefix).sort((a, b) => b.prefix.length - a.prefix.length);
  const origins = entries.map(() => new Map<string, string>());
  const secrets = entries.map((): Partial<PartnerKeyFiles> => ({}));
  for (const [name, value] of Object.entries(inputs.env)) {
    const match = byPrefix.find(({ prefix }) => name.startsWith(prefix));
    if (!match) {
      problems.add({ code: 'GW_ERR_CONFIG_INVALID', variable: name, message: `${name} names no partner of ${inputs.file.path} (partners: ${ids.filter(Boolean).join(', ') || 'none'})` });
      continue;
    }
    const entry = entries[match.index] as RawEntry;
    const adapter = typeof entry.adapter === 'string' ? inputs.adapters.get(entry.adapter) : undefined;
    const applied = environmentSetting(name.slice(match.prefix.length), value, inputs.cwd, declaredNames(adapter, inputs));
    if (typeof applied === 'string') problems.add({ code: 'GW_ERR_CONFIG_INVALID', variable: name, message: `${name}: ${applied}` });
    else if ('secret' in applied) (secrets[match.index] as Partial<PartnerKeyFiles>)[SECRETS[applied.secret]] = value;
    else {
      setAt(entry, applied.path, applied.value);
      origins[match.index]?.set(`/${applied.path.map(escapePointer).join('/')}`, name);
    }
  }
  const fileOrigins = new Map(origins.flatMap((map, index) => [...map].map(([at, variable]): [string, string] => [`/partners/${index}${at}`, variable])));
  const schema = schemaProblems(inputs, { partners: entries }, fileOrigins);
  for (const problem of schema) problems.add(problem);
  if (schema.length > 0) return [];
  const settings = entries.map((e, i) => settingsOf(e, i, inputs.file.path, Object.fromEntries(origins[i] ?? []), secrets[i] ?? {}));
  const seen = new Set<string>();
  for (const s of settings) {
    if (seen.has(s.id)) problems.add({ code: 'GW_ERR_CONFIG_INVALID', file: s.source.file, pointer: `${s.source.pointer}/id`, message: `partner id "${s.id}" appears twice` });
    seen.add(s.id);
  }
  const out: PartnerSettings[] = [];
  for (const s of settings) {
    const definition = inputs.adapters.get(s.adapter);
    if (!definition) {
      problems.add({ code: 'GW_ERR_ADAPTER_UNKNOWN', file: s.source.file, pointer: `${s.source.pointer}/adapter`, message: `partner ${s.id}: no adapter "${s.adapter}" in adapters/ (known: ${[...inputs.adapters.keys()].join(', ') || 'none'})` });
      continue;
    }
    out.push(frozen(checkAgainstAdapter(s, definition, declaredNames(definition, inputs), problems)));
  }
  return out;
}
