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
}

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
  });
}
