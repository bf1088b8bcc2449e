// Paths and loaders the tests share: the project root, the shared reference folder, and a pipeline on temporary dev keys.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** IRU's published Real-Time SafeTIR XSDs and WSDLs, beside the repository (a test oracle, never copied in). */
export const IRU_RTS_DIR = resolve(ROOT, '..', 'shared', 'reference', 'iru-rts');
/** Sample records, one per CAIS record type. */
export const RECORD_FIXTURES = join(ROOT, 'test', 'fixtures', 'records');

/** A configuration whose development keys live in a fresh temporary folder. */
export function configWithTempKeys(partners: readonly string[] = ['iru-safetir', 'ru-fcs']): GatewayConfig {
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-certs-'));
  initDevCertificates(certsDir, partners);
  return loadConfig({ GATEWAY_CERTS_DIR: certsDir });
}
