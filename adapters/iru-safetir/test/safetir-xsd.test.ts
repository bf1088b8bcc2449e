// IRU's own SafeTIRUpload.xsd, run by xmllint, is the oracle for every SafeTIR document the gateway renders.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goldenDocuments } from '../../../test/support/golden-documents.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { IRU_RTS_DIR } from './rts-oracle.js';
import { withSubscriber } from '../upload-document.js';


const XSD = join(IRU_RTS_DIR, 'SafeTIRUpload.xsd');
const skip = skipWithout('SafeTIR XSD validation', { tools: ['xmllint'], files: [XSD] });

describe.skipIf(skip)('SafeTIR documents against IRU SafeTIRUpload.xsd', async () => {
  const cases = await goldenDocuments('iru-safetir');
  const dir = mkdtempSync(join(tmpdir(), 'gw-xsd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function xmllint(xml: Buffer): { status: number | null; output: string } {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it('has SafeTIR golden inputs to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  // The mapping leaves Body/SubscriberID to the adapter, which writes the configured one at translation.
  const translated = async (c: (typeof cases)[number]): Promise<Buffer> => withSubscriber(await c.render(), 'KZ-CUSTOMS');

  it.each(cases.map((c) => [c.name, c] as const))('%s, with the SubscriberID the adapter writes, validates', async (_name, c) => {
    const result = xmllint(await translated(c));
    expect(result.output).toContain('validates');
    expect(result.status).toBe(0);
  });

  it('the oracle can fail: the mapping\'s own output, without the SubscriberID, is not a SafeTIR upload IRU takes', async () => {
    const c = cases[0];
    if (!c) throw new Error('no SafeTIR golden case');
    const result = xmllint(await c.render());
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/UploadType.*expected is.*SubscriberID/is);
  });

  it('the oracle can fail: a record attribute outside IRU enumerations is rejected', async () => {
    const c = cases[0];
    if (!c) throw new Error('no SafeTIR golden case');
    const xml = (await translated(c)).toString('utf8').replace(/CWR="[A-Z]+"/, 'CWR="MAYBE"');
    const result = xmllint(Buffer.from(xml));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/CWR/);
  });
});
