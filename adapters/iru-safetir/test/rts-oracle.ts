// Independent checks of classic RTS documents as they travelled: IRU's XSD through xmllint, and the Body hash recomputed here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_DIR } from '../../../test/support/project.js';

/** IRU's published Real-Time SafeTIR XSDs and WSDLs in the shared reference folder. */
export const IRU_RTS_DIR = join(REFERENCE_DIR, 'iru-rts');

/** An xmllint runner writing into its own temporary folder; `dispose` removes it. */
export function createXmllint(): { validate(xsd: string, document: string): { status: number | null; output: string }; dispose(): void } {
  const work = mkdtempSync(join(tmpdir(), 'gw-xmllint-'));
  let files = 0;
  return {
    /** xmllint over the document as it travelled: UTF-16LE text with its declaration. */
    validate(xsd, document) {
      const file = join(work, `doc-${++files}.xml`);
      writeFileSync(file, Buffer.from(document, 'utf16le'));
      const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
      return { status: r.status, output: `${r.stdout}${r.stderr}` };
    },
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** The tests' own reading of the RTS hash: SHA-1 of the UTF-16LE text between <Body> and </Body>, base64. */
export function hashMatches(document: string): boolean {
  const body = document.slice(document.indexOf('<Body>') + '<Body>'.length, document.lastIndexOf('</Body>'));
  const claimed = /<Hash>([^<]*)<\/Hash>/.exec(document)?.[1];
  return claimed === createHash('sha1').update(Buffer.from(body, 'utf16le')).digest('base64');
}
