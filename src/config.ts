// The only reader of process.env: one validated, frozen configuration object for the whole gateway.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from './errors.js';

/** Everything the gateway reads from its environment, resolved to absolute paths. */
export interface GatewayConfig {
  /** Project root: the folder holding package.json, schemas/, mappings/ and adapters/. */
  readonly rootDir: string;
  /** Admin-owned mapping files (`GATEWAY_MAPPINGS_DIR`, default `<root>/mappings`). */
  readonly mappingsDir: string;
  /** JSON Schemas (`<root>/schemas`). */
  readonly schemasDir: string;
  /** Certificates and keys (`GATEWAY_CERTS_DIR`, default `<root>/certs/dev`). */
  readonly certsDir: string;
  /** Signing key: PEM file (`GATEWAY_SIGNING_KEY_FILE`, default `<certs>/gateway.key.pem`). */
  readonly signingKeyFile: string;
  /** Signing certificate: PEM file (`GATEWAY_SIGNING_CERT_FILE`, default `<certs>/gateway.cert.pem`). */
  readonly signingCertFile: string;
  /** Folder of the embedded message log (`GATEWAY_DATA_DIR`, default `./data`). */
  readonly dataDir: string;
  /** API listen address (`GATEWAY_HOST`, default 127.0.0.1). */
  readonly host: string;
  /** API port (`GATEWAY_PORT`, default 8080; 0 picks a free port). */
  readonly port: number;
  /** API bearer tokens and their roles. */
  readonly tokens: ReadonlyArray<{ token: string; roles: readonly Role[] }>;
  /** Partner base URLs (`GATEWAY_PARTNER_<ID>_URL`, e.g. GATEWAY_PARTNER_RU_FCS_URL); a partner without one is served by its simulator. */
  readonly partnerUrls: Readonly<Record<string, string>>;
  /** Partner protocol profiles (`GATEWAY_PARTNER_<ID>_PROFILE`, e.g. GATEWAY_PARTNER_IRU_SAFETIR_PROFILE=rts-plus). */
  readonly partnerProfiles: Readonly<Record<string, string>>;
  /** Start the partner simulators on loopback (`GATEWAY_SIMULATORS`, default on). */
  readonly simulators: boolean;
  /** Multiplies every partner wait: retry delays, circuit-breaker cooldown, batch wait (`GATEWAY_RETRY_DELAY_SCALE`, default 1); tests and demos shorten them. */
  readonly retryDelayScale: number;
  /** How long a worker's claim on a message lasts before another may take it (`GATEWAY_LEASE_MS`, default 60000). */
  readonly leaseMs: number;
  /** Log level (`GATEWAY_LOG_LEVEL`, default info). */
  readonly logLevel: string;
  /** RabbitMQ URL (`GATEWAY_AMQP_URL`); unset means the embedded outbox queue under the data folder. */
  readonly amqpUrl: string | undefined;
  /** Prefix of every exchange and queue name (`GATEWAY_AMQP_PREFIX`, default `gw`). */
  readonly amqpPrefix: string;
  /** Queue CAIS may publish records to (`GATEWAY_AMQP_CAIS_QUEUE`, default `cais.records`; rejects go to `<name>.invalid`). */
  readonly caisQueue: string;
  /** Failed deliveries of one job before it is dead-lettered as poison (`GATEWAY_DELIVERY_LIMIT`, default 10). */
  readonly deliveryLimit: number;
  /** Accepted messages not yet handed to the queue, at most (`GATEWAY_MAX_OUTBOX`, default 100000); beyond it ingest answers 503. */
  readonly maxOutbox: number;
}

/** API roles: CAIS posts records, admins resend and manage, auditors read. */
export type Role = 'cais' | 'admin' | 'auditor';

const ROLES: readonly Role[] = ['cais', 'admin', 'auditor'];
/** The documented development token; `npm start` prints a warning while it is in use. */
export const DEFAULT_DEV_TOKEN = 'dev-token-change-me';

/** Finds the project root by walking up from this module to the folder that holds package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'cannot find the project root (no package.json above src/)');
    dir = parent;
  }
  return dir;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `${name}="${raw}" must be a number from ${min} to ${max}`, { variable: name });
  }
  return value;
}

/**
 * Tokens: `GATEWAY_TOKENS="token1:cais,admin;token2:auditor"`; without it, the development token
 * (`GATEWAY_DEV_TOKEN`, default {@link DEFAULT_DEV_TOKEN}) gets every role.
 */
function tokensFrom(env: NodeJS.ProcessEnv): Array<{ token: string; roles: Role[] }> {
  const raw = env.GATEWAY_TOKENS;
  if (raw === undefined || raw.trim() === '') return [{ token: env.GATEWAY_DEV_TOKEN || DEFAULT_DEV_TOKEN, roles: [...ROLES] }];
  return raw.split(';').filter((e) => e.trim() !== '').map((entry) => {
    const [token, roleList] = entry.split(':');
    const roles = (roleList ?? '').split(',').map((r) => r.trim());
    if (!token || token.length < 16 || roles.some((r) => !ROLES.includes(r as Role))) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_TOKENS entries must be "<token of 16+ characters>:<role>[,<role>]" with roles cais, admin, auditor', { variable: 'GATEWAY_TOKENS' });
    }
    return { token, roles: roles as Role[] };
  });
}

function partnerProfilesFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const m = /^GATEWAY_PARTNER_([A-Z0-9_]+)_PROFILE$/.exec(name);
    if (m?.[1] && value) out[m[1].toLowerCase().replace(/_/g, '-')] = value;
  }
  return out;
}

function partnerUrlsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const m = /^GATEWAY_PARTNER_([A-Z0-9_]+)_URL$/.exec(name);
    if (!m?.[1] || !value) continue;
    if (!/^https?:\/\//.test(value)) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${name} must be an http(s) URL`, { variable: name });
    out[m[1].toLowerCase().replace(/_/g, '-')] = value.replace(/\/+$/, '');
  }
  return out;
}

function amqpUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.GATEWAY_AMQP_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^amqps?:\/\//.test(url)) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_AMQP_URL must be an amqp:// or amqps:// URL', { variable: 'GATEWAY_AMQP_URL' });
  return url;
}

function pathFrom(env: NodeJS.ProcessEnv, name: string, base: string, fallback: string): string {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  return isAbsolute(value) ? value : resolve(base, value);
}

/**
 * Reads the configuration from environment variables (relative paths resolve against the current directory).
 * @param env the environment to read; defaults to `process.env`
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const rootDir = findRoot();
  const cwd = process.cwd();
  const certsDir = pathFrom(env, 'GATEWAY_CERTS_DIR', cwd, join(rootDir, 'certs', 'dev'));
  return Object.freeze({
    rootDir,
    mappingsDir: pathFrom(env, 'GATEWAY_MAPPINGS_DIR', cwd, join(rootDir, 'mappings')),
    schemasDir: join(rootDir, 'schemas'),
    certsDir,
    signingKeyFile: pathFrom(env, 'GATEWAY_SIGNING_KEY_FILE', cwd, join(certsDir, 'gateway.key.pem')),
    signingCertFile: pathFrom(env, 'GATEWAY_SIGNING_CERT_FILE', cwd, join(certsDir, 'gateway.cert.pem')),
    dataDir: pathFrom(env, 'GATEWAY_DATA_DIR', cwd, join(cwd, 'data')),
    host: env.GATEWAY_HOST || '127.0.0.1',
    port: numberFrom(env, 'GATEWAY_PORT', 8080, 0, 65535),
    tokens: tokensFrom(env),
    partnerUrls: partnerUrlsFrom(env),
    partnerProfiles: partnerProfilesFrom(env),
    simulators: (env.GATEWAY_SIMULATORS ?? 'on') !== 'off',
    retryDelayScale: numberFrom(env, 'GATEWAY_RETRY_DELAY_SCALE', 1, 0, 1000),
    leaseMs: numberFrom(env, 'GATEWAY_LEASE_MS', 60_000, 100, 3_600_000),
    logLevel: env.GATEWAY_LOG_LEVEL || 'info',
    amqpUrl: amqpUrlFrom(env),
    amqpPrefix: env.GATEWAY_AMQP_PREFIX || 'gw',
    caisQueue: env.GATEWAY_AMQP_CAIS_QUEUE || 'cais.records',
    deliveryLimit: numberFrom(env, 'GATEWAY_DELIVERY_LIMIT', 10, 1, 1000),
    maxOutbox: numberFrom(env, 'GATEWAY_MAX_OUTBOX', 100_000, 1, 100_000_000),
  });
}
