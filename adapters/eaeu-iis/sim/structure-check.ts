// Validates an EEC document against its schema in the version matrix with xmllint, the member gateway's structural control (Decision 5 §114, §118).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { StructureVersion } from '../process-table.js';

/** Checks a document (its bytes) against a structure's schema: every problem xmllint reports; none when valid. */
export type StructureCheck = (structure: StructureVersion, document: Buffer) => string[];

/** Where the EEC data-model schemas our reconstructed ones import live: the shared reference folder beside the project. */
export function defaultDataModelDir(schemasDir: string): string {
  return resolve(dirname(schemasDir), '..', 'shared', 'reference', 'eaeu', 'eec-r048');
}

/** True when xmllint runs here. */
function xmllintRuns(): boolean {
  return spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A checker over `schemasDir/partners/eaeu-iis/xsd/` with the EEC data model (EEC_M_*.xsd) from
 * `dataModelDir`, or undefined (with the reason) when xmllint or the data model is missing: then only
 * the envelope and signature are checked, which the caller must say.
 */
export function structureCheck(schemasDir: string, dataModelDir: string): { check: StructureCheck; close(): void } | { missing: string } {
  if (!existsSync(join(dataModelDir, 'EEC_M_ComplexDataObjects_v0.4.14.xsd'))) return { missing: `the EEC data-model schemas are not in ${dataModelDir}` };
  if (!xmllintRuns()) return { missing: 'xmllint (Debian libxml2-utils) is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'gw-eec-xsd-'));
  const ours = join(schemasDir, 'partners', 'eaeu-iis', 'xsd');
  for (const file of readdirSync(ours).filter((f) => f.endsWith('.xsd'))) copyFileSync(join(ours, file), join(dir, file));
  symlinkSync(dataModelDir, join(dir, 'eec-r048'));
  return {
    check(structure, document) {
      const run = spawnSync('xmllint', ['--noout', '--schema', join(dir, structure.schema), '-'], { input: document, encoding: 'utf8' });
      if (run.status === 0) return [];
      return `${run.stderr}`.split('\n').map((line) => line.replace(/^-:\d+: /, '').trim()).filter((line) => line && !line.endsWith('fails to validate'));
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
