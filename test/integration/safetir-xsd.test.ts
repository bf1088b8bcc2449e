// IRU's own SafeTIRUpload.xsd, run by xmllint, is the oracle for every SafeTIR document the gateway renders.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument } from '../../src/codec/render-document.js';
import { loadConfig } from '../../src/config.js';
import { GOLDEN_NOW, listGoldenCases } from '../../src/mapping/golden-tests.js';
import { loadPipelineParts } from '../../src/pipeline/build-translator.js';
import type { CaisRecord } from '../../src/records/record-types.js';
import { skipWithout } from '../support/external-tool.js';
import { IRU_RTS_DIR } from '../support/project.js';

const XSD = join(IRU_RTS_DIR, 'SafeTIRUpload.xsd');
const skip = skipWithout('SafeTIR XSD validation', { tools: ['xmllint'], files: [XSD] });

describe.skipIf(skip)('SafeTIR documents against IRU SafeTIRUpload.xsd', async () => {
  const parts = await loadPipelineParts(loadConfig({}));
  const cases = listGoldenCases(parts.mappings.mappings, parts.partners).filter((c) => c.mapping.target.partner === 'iru-safetir');
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

  it.each(cases.map((c) => [c.name, c] as const))('%s validates', async (_name, c) => {
    const record = JSON.parse(readFileSync(c.inputFile, 'utf8')) as CaisRecord;
    const result = xmllint(renderDocument(await c.mapping.apply(record, GOLDEN_NOW)));
    expect(result.output).toContain('validates');
    expect(result.status).toBe(0);
  });

  it('the oracle can fail: a record attribute outside IRU enumerations is rejected', async () => {
    const c = cases[0];
    if (!c) throw new Error('no SafeTIR golden case');
    const record = JSON.parse(readFileSync(c.inputFile, 'utf8')) as CaisRecord;
    const xml = renderDocument(await c.mapping.apply(record, GOLDEN_NOW)).toString('utf8').replace(/CWR="[A-Z]+"/, 'CWR="MAYBE"');
    const result = xmllint(Buffer.from(xml));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/CWR/);
  });
});
