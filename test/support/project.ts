// Paths and loaders the tests share: the project root, the shared reference folder, and a pipeline on temporary dev keys.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The shared reference folder beside the repository: published schemas used as test oracles, never copied in. */
export const REFERENCE_DIR = resolve(ROOT, '..', 'shared', 'reference');
/** Sample records, one per CAIS record type. */
export const RECORD_FIXTURES = join(ROOT, 'test', 'fixtures', 'records');

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh temporary folder holding the development PKI (CA, gateway keys, these partners' keys). */
export function tempDevCertificates(partners: readonly string[]): string {
  const dir = tempDir('gw-certs-');
  initDevCertificates(dir, partners);
  return dir;
}

/** A configuration whose development keys live in a fresh temporary folder. */
export function configWithTempKeys(partners: readonly string[] = ['iru-safetir', 'ru-fcs']): GatewayConfig {
  return loadConfig({ GATEWAY_CERTS_DIR: tempDevCertificates(partners) });
}
