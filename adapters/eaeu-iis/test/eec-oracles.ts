// Test oracles for EAEU documents: xmllint against the version matrix's schema (beside the EEC data model), and the Body of an envelope as its own document.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_DIR, ROOT } from '../../../test/support/project.js';

/** The EEC data-model schemas in the shared reference folder. */
export const EEC_DATA_MODEL_DIR = join(REFERENCE_DIR, 'eaeu', 'eec-r048');

/** The Body's one element of an envelope we rendered, as a document of its own. */
export function bodyOf(envelope: Buffer | string): Buffer {
  const text = envelope.toString();
  const match = /<soap:Body>([\s\S]*)<\/soap:Body>/.exec(text);
  if (!match?.[1]) throw new Error('no soap:Body in the envelope');
  return Buffer.from(match[1], 'utf8');
}

/** xmllint over our reconstructed XSDs with the official data model beside them; close() removes the folder. */
export function eecXmllint(): { validate(schema: string, document: Buffer): { status: number | null; output: string }; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-eec-oracle-'));
  const ours = join(ROOT, 'schemas', 'partners', 'eaeu-iis', 'xsd');
  for (const file of readdirSync(ours).filter((f) => f.endsWith('.xsd'))) copyFileSync(join(ours, file), join(dir, file));
  symlinkSync(EEC_DATA_MODEL_DIR, join(dir, 'eec-r048'));
  return {
    validate(schema, document) {
      const file = join(dir, 'document.xml');
      writeFileSync(file, document);
      const run = spawnSync('xmllint', ['--noout', '--schema', join(dir, schema), file], { encoding: 'utf8' });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
