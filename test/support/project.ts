// Paths and loaders the tests share: the project root, the shared reference folder, and a pipeline on temporary dev keys.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The shared reference folder beside the repository: published schemas used as test oracles, never copied in. */
export const REFERENCE_DIR = resolve(ROOT, '..', 'shared', 'reference');
/** Sample records, one per CAIS record type. */
export const RECORD_FIXTURES = join(ROOT, 'test', 'fixtures', 'records');

/** Every partner id of the project's partners file, in its order. */
export const PROJECT_PARTNERS: readonly string[] = (parse(readFileSync(join(ROOT, 'partners.yaml'), 'utf8')) as { partners: Array<{ id: string }> }).partners.map((p) => p.id);

/**
 * A partners file and mapping folder of only some of the project's partners, in `dir`: for tests of the
 * core under load, whose partners must all be reachable (no simulator pushing back). Returns the
 * configuration that points at them.
 */
export function partnersSubset(dir: string, partners: readonly string[]): Record<string, string> {
  const file = parse(readFileSync(join(ROOT, 'partners.yaml'), 'utf8')) as { partners: Array<{ id: string }> };
  return partnersSetup(dir, stringify({ partners: file.partners.filter((p) => partners.includes(p.id)) }), partners);
}

/**
 * A partners file with this text and a mapping folder holding the project's mapping files of these
 * partners, in `dir`; returns the configuration that points at them.
 */
export function partnersSetup(dir: string, partnersYaml: string, mappingsOf: readonly string[]): Record<string, string> {
  const partnersFile = join(dir, 'partners.yaml');
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  writeFileSync(partnersFile, partnersYaml);
  for (const partner of mappingsOf) cpSync(join(ROOT, 'mappings', partner), join(dir, 'mappings', partner), { recursive: true });
  return { GATEWAY_PARTNERS_FILE: partnersFile, GATEWAY_MAPPINGS_DIR: join(dir, 'mappings') };
}

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
export function configWithTempKeys(partners: readonly string[] = PROJECT_PARTNERS): GatewayConfig {
  return loadConfig({ GATEWAY_CERTS_DIR: tempDevCertificates(partners) });
}
