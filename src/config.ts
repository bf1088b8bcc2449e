// The only reader of process.env: one validated, frozen configuration object for the whole gateway.
import { createHash } from 'node:crypto';
import { BUILTIN_ROLES, RIGHTS, type Right } from './api/rights.js';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from './errors.js';
import { ProblemList, SetupFailed, type Problem } from './setup/problem-list.js';

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
  /** Passphrase of an encrypted signing key (`GATEWAY_SIGNING_KEY_PASSPHRASE`); never logged. */
  readonly signingKeyPassphrase: string | undefined;
  /** Folder of the embedded message log (`GATEWAY_DATA_DIR`, default `./data`). */
  readonly dataDir: string;
  /** The PostgreSQL log shared by gateway instances, or undefined for the embedded SQLite log. */
  readonly database: DatabaseConfig | undefined;
  /** API listen address (`GATEWAY_HOST`, default 127.0.0.1). */
  readonly host: string;
  /** API port (`GATEWAY_PORT`, default 8080; 0 picks a free port). */
  readonly port: number;
  /** API bearer tokens, the name each acts under, and their roles (`GATEWAY_TOKENS`). */
  readonly tokens: readonly ApiToken[];
  /** Every role and its rights: the built-in ones and `GATEWAY_ROLES`. */
  readonly roles: Readonly<Record<string, readonly Right[]>>;
  /** The partners file (`GATEWAY_PARTNERS_FILE`, default `<root>/partners.yaml`): its path and text. */
  readonly partnersFile: { readonly path: string; readonly text: string };
  /**
   * Every `GATEWAY_PARTNER_<ID>_<SETTING>` variable, by name: partner settings that override the
   * partners file (resolved against the partner ids once the file is read).
   */
  readonly partnerEnv: Readonly<Record<string, string>>;
  /** Adapter folder (`<root>/adapters`; `dist/adapters` when running compiled). */
  readonly adaptersDir: string;
  /** Start the partner simulators on loopback (`GATEWAY_SIMULATORS`, default on). */
  readonly simulators: boolean;
  /** Multiplies every partner wait: retry delays, circuit-breaker cooldown, batch wait (`GATEWAY_RETRY_DELAY_SCALE`, default 1); tests and demos shorten them. */
  readonly retryDelayScale: number;
  /**
   * Multiplies the times partners' transactions allow for signals and answers (`GATEWAY_TRANSACTION_TIME_SCALE`,
   * default the retry scale): a test can shorten retries without making every partner's answer late.
   */
  readonly transactionTimeScale: number;
  /** Multiplies adapters' schedule intervals, such as a partner's reconciliation pull, and so their leases (`GATEWAY_SCHEDULE_SCALE`, default 1); tests and demos shorten them. */
  readonly scheduleScale: number;
  /** How long a worker's claim on a message lasts before another may take it (`GATEWAY_LEASE_MS`, default 60000). */
  readonly leaseMs: number;
  /** How often the running gateway signs a checkpoint of the audit trail's head when it grew (`GATEWAY_AUDIT_CHECKPOINT_MS`, default 60000). */
  readonly auditCheckpointMs: number;
  /** How often the running gateway looks whether another instance on its log changed a mapping, and follows it (`GATEWAY_MAPPING_FOLLOW_MS`, default 5000; 0: only at start). */
  readonly mappingFollowMs: number;
  /** The file every signed audit checkpoint is also appended to, outside the database (`GATEWAY_AUDIT_CHECKPOINT_FILE`, default `<data>/audit-checkpoints.jsonl`). */
  readonly auditCheckpointFile: string;
  /** Log level (`GATEWAY_LOG_LEVEL`, default info). */
  readonly logLevel: string;
  /** RabbitMQ URL (`GATEWAY_AMQP_URL`); unset means the embedded outbox queue under the data folder. */
  readonly amqpUrl: string | undefined;
  /** Prefix of every exchange and queue name (`GATEWAY_AMQP_PREFIX`, default `gw`). */
  readonly amqpPrefix: string;
  /** Queue CAIS may publish records to (`GATEWAY_AMQP_CAIS_QUEUE`, default `cais.records`; rejects go to `<name>.invalid`). */
  readonly caisQueue: string;
  /** With RabbitMQ: failed deliveries of one job before it is dead-lettered as poison (`GATEWAY_DELIVERY_LIMIT`, default 10). */
  readonly deliveryLimit: number;
  /** With RabbitMQ: accepted messages not yet published, at most (`GATEWAY_MAX_OUTBOX`, default 100000); beyond it ingest answers 503. */
  readonly maxOutbox: number;
  /**
   * Threads that validate, map, render and sign CAIS records beside the server's thread
   * (`GATEWAY_TRANSLATE_WORKERS`, default one less than the cores, at least 1; 0 translates on the server's thread).
   */
  readonly translateWorkers: number;
  /** The inbound listener partners push to, or undefined when switched off (`GATEWAY_INBOUND_PORT=off`). */
  readonly inbound: InboundListenConfig | undefined;
  /** Where accepted inbound records go to reach CAIS. */
  readonly caisSink: CaisSinkConfig;
}

/** The inbound listener: HTTPS with mutual TLS. */
export interface InboundListenConfig {
  /** Listen address (`GATEWAY_INBOUND_HOST`, default GATEWAY_HOST). */
  readonly host: string;
  /** Port (`GATEWAY_INBOUND_PORT`, default 8443; 0 picks a free port). */
  readonly port: number;
  /** Server certificate chain, PEM (`GATEWAY_INBOUND_TLS_CERT_FILE`, default the signing certificate). */
  readonly certFile: string;
  /** Its key, PEM (`GATEWAY_INBOUND_TLS_KEY_FILE`, default the signing key). */
  readonly keyFile: string;
  /** Passphrase of an encrypted key (`GATEWAY_INBOUND_TLS_KEY_PASSPHRASE`, default the signing key's when the key is the signing key). */
  readonly keyPassphrase: string | undefined;
  /**
   * Threads that verify, read and map pushes beside the server's thread (`GATEWAY_INBOUND_WORKERS`,
   * default one less than the cores, at least 1; 0 reads on the server's thread).
   */
  readonly workers: number;
}

/**
 * How accepted inbound records reach CAIS (`GATEWAY_CAIS_SINK`): `webhook` POSTs each to
 * `GATEWAY_CAIS_SINK_URL`; `queue` publishes to the RabbitMQ queue `GATEWAY_AMQP_CAIS_INBOUND_QUEUE`
 * (default `cais.inbound`); `pull` waits for CAIS to fetch them (`GET /v1/cais/inbound`). The default is
 * webhook when a URL is given, else queue when AMQP is configured, else pull.
 */
export interface CaisSinkConfig {
  readonly kind: 'webhook' | 'queue' | 'pull';
  readonly webhookUrl: string | undefined;
  readonly queue: string;
}

/** The built-in API roles: CAIS posts records, admins resend and manage, auditors read (see rights.ts). */
export type Role = 'cais' | 'admin' | 'auditor';

const ROLES: readonly Role[] = ['cais', 'admin', 'auditor'];

/** One API client: its token, the name the audit trail records for it, and its roles. */
export interface ApiToken {
  readonly name: string;
  readonly token: string;
  readonly roles: readonly string[];
}
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

/** The name a token without one acts under: a short digest, so the trail never holds the token. */
function tokenName(token: string): string {
  return `token-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
}

/**
 * Roles: the built-in ones plus `GATEWAY_ROLES="reviewer=metadata;investigator=metadata,content,export"`,
 * each composed of rights (records, metadata, content, export, resend, mappings).
 */
function rolesFrom(env: NodeJS.ProcessEnv): Record<string, readonly Right[]> {
  const roles: Record<string, readonly Right[]> = { ...BUILTIN_ROLES };
  for (const entry of (env.GATEWAY_ROLES ?? '').split(';').filter((e) => e.trim() !== '')) {
    const [name, list] = entry.split('=').map((p) => p.trim());
    const rights = (list ?? '').split(',').map((r) => r.trim());
    if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || Object.hasOwn(BUILTIN_ROLES, name) || rights.some((r) => !RIGHTS.includes(r as Right))) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `GATEWAY_ROLES entries must be "<new role name>=<right>[,<right>]" with rights ${RIGHTS.join(', ')}`, { variable: 'GATEWAY_ROLES' });
    }
    roles[name] = rights as Right[];
  }
  return roles;
}

/**
 * Tokens: `GATEWAY_TOKENS="cais-prod=token1:cais;anna=token2:auditor"` (the name before `=` is what the
 * audit trail records; without one, a digest of the token); without it, the development token
 * (`GATEWAY_DEV_TOKEN`, default {@link DEFAULT_DEV_TOKEN}) gets every built-in role as `developer`.
 */
function tokensFrom(env: NodeJS.ProcessEnv, roles: Readonly<Record<string, readonly Right[]>>): ApiToken[] {
  const raw = env.GATEWAY_TOKENS;
  if (raw === undefined || raw.trim() === '') return [{ name: 'developer', token: env.GATEWAY_DEV_TOKEN || DEFAULT_DEV_TOKEN, roles: [...ROLES] }];
  return raw.split(';').filter((e) => e.trim() !== '').map((entry) => {
    const named = /^([A-Za-z0-9._@-]+)=(.*)$/.exec(entry.trim());
    const [token, roleList] = (named?.[2] ?? entry.trim()).split(':');
    const list = (roleList ?? '').split(',').map((r) => r.trim());
    if (!token || token.length < 16 || list.some((r) => !Object.hasOwn(roles, r))) {
      throw new GatewayError(
        'GW_ERR_CONFIG_INVALID',
        `GATEWAY_TOKENS entries must be "[<name>=]<token of 16+ characters>:<role>[,<role>]" with roles ${Object.keys(roles).join(', ')}`,
        { variable: 'GATEWAY_TOKENS' },
      );
    }
    return { name: named?.[1] ?? tokenName(token), token, roles: list };
  });
}

function partnerEnvFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (name.startsWith('GATEWAY_PARTNER_') && value !== undefined && value !== '') out[name] = value;
  return out;
}

function partnersFileFrom(path: string): { path: string; text: string } {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `cannot read the partners file ${path} (GATEWAY_PARTNERS_FILE)`, { file: path, variable: 'GATEWAY_PARTNERS_FILE' }, { cause: err });
  }
}

/** The PostgreSQL log: `GATEWAY_DATABASE_URL` and its pool settings. */
export interface DatabaseConfig {
  /** postgres:// or postgresql:// URL (`GATEWAY_DATABASE_URL`); credentials in it are never logged. */
  readonly url: string;
  /** Schema of the gateway's tables (`GATEWAY_DATABASE_SCHEMA`, default `public`). */
  readonly schema: string;
  /** Connections per instance at most (`GATEWAY_DATABASE_POOL_MAX`, default 10). */
  readonly poolMax: number;
  /** A statement running longer is cancelled (`GATEWAY_DATABASE_STATEMENT_TIMEOUT_MS`, default 30000). */
  readonly statementTimeoutMs: number;
  /** Waiting longer for a connection fails with 503 (`GATEWAY_DATABASE_CONNECT_TIMEOUT_MS`, default 5000). */
  readonly connectTimeoutMs: number;
}

function databaseFrom(env: NodeJS.ProcessEnv): DatabaseConfig | undefined {
  const url = env.GATEWAY_DATABASE_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_DATABASE_URL must be a postgres:// or postgresql:// URL (unset for the embedded SQLite log)', { variable: 'GATEWAY_DATABASE_URL' });
  }
  return {
    url,
    schema: env.GATEWAY_DATABASE_SCHEMA || 'public',
    poolMax: numberFrom(env, 'GATEWAY_DATABASE_POOL_MAX', 10, 1, 1000),
    statementTimeoutMs: numberFrom(env, 'GATEWAY_DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    connectTimeoutMs: numberFrom(env, 'GATEWAY_DATABASE_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
  };
}

function amqpUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.GATEWAY_AMQP_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^amqps?:\/\//.test(url)) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_AMQP_URL must be an amqp:// or amqps:// URL', { variable: 'GATEWAY_AMQP_URL' });
  return url;
}

function inboundFrom(env: NodeJS.ProcessEnv, cwd: string, host: string, signing: { keyFile: string; certFile: string; passphrase: string | undefined }): InboundListenConfig | undefined {
  if (env.GATEWAY_INBOUND_PORT === 'off') return undefined;
  const keyFile = pathFrom(env, 'GATEWAY_INBOUND_TLS_KEY_FILE', cwd, signing.keyFile);
  return {
    host: env.GATEWAY_INBOUND_HOST || host,
    port: numberFrom(env, 'GATEWAY_INBOUND_PORT', 8443, 0, 65535),
    certFile: pathFrom(env, 'GATEWAY_INBOUND_TLS_CERT_FILE', cwd, signing.certFile),
    keyFile,
    keyPassphrase: env.GATEWAY_INBOUND_TLS_KEY_PASSPHRASE || (keyFile === signing.keyFile ? signing.passphrase : undefined),
    workers: numberFrom(env, 'GATEWAY_INBOUND_WORKERS', Math.max(1, availableParallelism() - 1), 0, 64),
  };
}

const SINKS: ReadonlyArray<CaisSinkConfig['kind']> = ['webhook', 'queue', 'pull'];

function caisSinkFrom(env: NodeJS.ProcessEnv, amqpConfigured: boolean): CaisSinkConfig {
  const queue = env.GATEWAY_AMQP_CAIS_INBOUND_QUEUE || 'cais.inbound';
  const url = env.GATEWAY_CAIS_SINK_URL || undefined;
  if (url !== undefined && !/^https?:\/\//.test(url)) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_CAIS_SINK_URL must be an http:// or https:// URL', { variable: 'GATEWAY_CAIS_SINK_URL' });
  const chosen = env.GATEWAY_CAIS_SINK || (url ? 'webhook' : amqpConfigured ? 'queue' : 'pull');
  if (!SINKS.includes(chosen as CaisSinkConfig['kind'])) throw new GatewayError('GW_ERR_CONFIG_INVALID', `GATEWAY_CAIS_SINK="${chosen}" must be one of ${SINKS.join(', ')}`, { variable: 'GATEWAY_CAIS_SINK' });
  if (chosen === 'webhook' && !url) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_CAIS_SINK=webhook needs GATEWAY_CAIS_SINK_URL', { variable: 'GATEWAY_CAIS_SINK_URL' });
  if (chosen === 'queue' && !amqpConfigured) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'GATEWAY_CAIS_SINK=queue needs GATEWAY_AMQP_URL', { variable: 'GATEWAY_CAIS_SINK' });
  return { kind: chosen as CaisSinkConfig['kind'], webhookUrl: url, queue };
}

function pathFrom(env: NodeJS.ProcessEnv, name: string, base: string, fallback: string): string {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  return isAbsolute(value) ? value : resolve(base, value);
}

/**
 * Reads the configuration from environment variables (relative paths resolve against the current
 * directory), and throws when any is invalid.
 * @param env the environment to read; defaults to `process.env`
 * @throws SetupFailed listing each invalid variable (GW_ERR_CONFIG_INVALID).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { config, problems } = readConfig(env);
  if (problems.length > 0) throw new SetupFailed(problems);
  return config;
}

/**
 * Reads the configuration, every invalid variable a problem in the list and its default used instead,
 * so `gateway check` can go on and report the rest too.
 * @param env the environment to read; defaults to `process.env`
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): { config: GatewayConfig; problems: readonly Problem[] } {
  const rootDir = findRoot();
  const cwd = process.cwd();
  const problems = new ProblemList();
  const get = <T>(read: () => T, fallback: T): T => problems.capture(read) ?? fallback;
  const certsDir = pathFrom(env, 'GATEWAY_CERTS_DIR', cwd, join(rootDir, 'certs', 'dev'));
  const dataDir = pathFrom(env, 'GATEWAY_DATA_DIR', cwd, join(cwd, 'data'));
  const compiled = import.meta.url.endsWith('.js');
  const host = env.GATEWAY_HOST || '127.0.0.1';
  const signing = {
    keyFile: pathFrom(env, 'GATEWAY_SIGNING_KEY_FILE', cwd, join(certsDir, 'gateway.key.pem')),
    certFile: pathFrom(env, 'GATEWAY_SIGNING_CERT_FILE', cwd, join(certsDir, 'gateway.cert.pem')),
    passphrase: env.GATEWAY_SIGNING_KEY_PASSPHRASE || undefined,
  };
  const amqpUrl = get(() => amqpUrlFrom(env), undefined);
  const roles = get(() => rolesFrom(env), { ...BUILTIN_ROLES });
  const retryDelayScale = get(() => numberFrom(env, 'GATEWAY_RETRY_DELAY_SCALE', 1, 0, 1000), 1);
  const config: GatewayConfig = {
    rootDir,
    mappingsDir: pathFrom(env, 'GATEWAY_MAPPINGS_DIR', cwd, join(rootDir, 'mappings')),
    schemasDir: join(rootDir, 'schemas'),
    adaptersDir: compiled ? join(dirname(fileURLToPath(import.meta.url)), '..', 'adapters') : join(rootDir, 'adapters'),
    certsDir,
    signingKeyFile: signing.keyFile,
    signingCertFile: signing.certFile,
    signingKeyPassphrase: signing.passphrase,
    dataDir,
    database: get(() => databaseFrom(env), undefined),
    host,
    port: get(() => numberFrom(env, 'GATEWAY_PORT', 8080, 0, 65535), 8080),
    roles,
    tokens: get(() => tokensFrom(env, roles), []),
    partnersFile: get(() => partnersFileFrom(pathFrom(env, 'GATEWAY_PARTNERS_FILE', cwd, join(rootDir, 'partners.yaml'))), { path: '', text: '' }),
    partnerEnv: partnerEnvFrom(env),
    simulators: (env.GATEWAY_SIMULATORS ?? 'on') !== 'off',
    retryDelayScale,
    transactionTimeScale: get(() => numberFrom(env, 'GATEWAY_TRANSACTION_TIME_SCALE', retryDelayScale, 0, 1000), retryDelayScale),
    scheduleScale: get(() => numberFrom(env, 'GATEWAY_SCHEDULE_SCALE', 1, 0.0001, 1000), 1),
    leaseMs: get(() => numberFrom(env, 'GATEWAY_LEASE_MS', 60_000, 100, 3_600_000), 60_000),
    auditCheckpointMs: get(() => numberFrom(env, 'GATEWAY_AUDIT_CHECKPOINT_MS', 60_000, 100, 86_400_000), 60_000),
    mappingFollowMs: get(() => numberFrom(env, 'GATEWAY_MAPPING_FOLLOW_MS', 5_000, 0, 3_600_000), 5_000),
    auditCheckpointFile: pathFrom(env, 'GATEWAY_AUDIT_CHECKPOINT_FILE', cwd, join(dataDir, 'audit-checkpoints.jsonl')),
    logLevel: env.GATEWAY_LOG_LEVEL || 'info',
    amqpUrl,
    amqpPrefix: env.GATEWAY_AMQP_PREFIX || 'gw',
    caisQueue: env.GATEWAY_AMQP_CAIS_QUEUE || 'cais.records',
    deliveryLimit: get(() => numberFrom(env, 'GATEWAY_DELIVERY_LIMIT', 10, 1, 1000), 10),
    maxOutbox: get(() => numberFrom(env, 'GATEWAY_MAX_OUTBOX', 100_000, 1, 100_000_000), 100_000),
    translateWorkers: get(() => numberFrom(env, 'GATEWAY_TRANSLATE_WORKERS', Math.max(1, availableParallelism() - 1), 0, 64), 1),
    inbound: get(() => inboundFrom(env, cwd, host, signing), undefined),
    caisSink: get(() => caisSinkFrom(env, amqpUrl !== undefined), { kind: 'pull', webhookUrl: undefined, queue: 'cais.inbound' }),
  };
  return { config: Object.freeze(config), problems: problems.list };
}
