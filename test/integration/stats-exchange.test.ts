// Trade statistics export and import: SDMX-ML validated by xmllint against the SDMX 3.0 schemas and our dataflow schema, the DSD against SDMXMessage.xsd, SDMX-CSV read back to the same numbers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSdmxCsv } from '../../src/stats/sdmx-csv.js';
import { declaration } from '../support/declaration-data.js';
import { skipWithout } from '../support/external-tool.js';
import { REFERENCE_DIR, ROOT } from '../support/project.js';

const SDMX = join(REFERENCE_DIR, 'sdmx', 'schemas');
const OURS = join(ROOT, 'schemas', 'sdmx');
const skip = skipWithout('SDMX validation', { tools: ['xmllint'], files: [join(SDMX, 'SDMXMessage.xsd')] });
const dir = mkdtempSync(join(tmpdir(), 'gw-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

/** xmllint with a driver that loads the SDMX message schemas first, then our dataflow's (whose imports of the same namespaces libxml2 then skips). */
function validate(file: string): { ok: boolean; output: string } {
  const driver = join(dir, 'driver.xsd');
  writeFileSync(
    driver,
    `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:sdmx-driver" elementFormDefault="qualified">
  <xs:import namespace="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message" schemaLocation="${join(SDMX, 'SDMXMessage.xsd')}"/>
  <xs:import namespace="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=KZ_CUSTOMS:DF_IMTS_HS(1.0.0):ObsLevelDim:AllDimensions" schemaLocation="${join(OURS, 'KZ_CUSTOMS-DF_IMTS_HS-1.0.0-AllDimensions.xsd')}"/>
</xs:schema>`,
  );
  const run = spawnSync('xmllint', ['--noout', '--schema', driver, file], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe.skipIf(skip)('gateway stats export / import (SDMX)', () => {
  const records = join(dir, 'declarations.json');
  const out = join(dir, 'out');
  beforeAll(() => {
    const items = (codes: string[]) => codes.map((code, i) => ({ code, value: `${1000 + i * 137}.${String(i * 7).padStart(2, '0').slice(-2)}`, mass: `${10 + i}.5`, quantity: { quantity: '2', unit: 'NAR' } }));
    const declarations = [
      // Cars from China: four declarations of 870323, one of 870324 (confidential, and so one more hidden to protect it).
      ...[1, 2, 3, 4].map((n) => declaration(n, { flow: 'import', partner: 'CN', day: n, items: items(['8703231990']) })),
      declaration(5, { flow: 'import', partner: 'CN', day: 5, items: items(['8703241000']) }),
      ...[6, 7, 8].map((n) => declaration(n, { flow: 'import', partner: 'CN', day: n, items: items(['8703221000', '4011100003']) })),
      // Tyres: three declarations, one flagged confidential by the declarant.
      declaration(9, { flow: 'import', partner: 'CN', day: 9, flagged: true, items: items(['4011201000']) }),
      // Exports to China and an import from Russia (another partner).
      ...[10, 11, 12].map((n) => declaration(n, { flow: 'export', partner: 'CN', day: n, items: items(['7208390000']) })),
      declaration(13, { flow: 'import', partner: 'RU', day: 13, items: items(['8703231990']) }),
    ];
    writeFileSync(records, JSON.stringify(declarations));
  });

  it('the data structure definition validates against SDMXMessage.xsd', () => {
    const run = spawnSync('xmllint', ['--noout', '--schema', join(SDMX, 'SDMXMessage.xsd'), join(OURS, 'KZ_CUSTOMS-DSD_IMTS_HS-1.0.0.xml')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  });

  it('exports HS6 with HS4 and flow totals: SDMX-ML validates, SDMX-CSV reads back to the same numbers, confidential cells suppressed and totals whole', async () => {
    const run = cli('stats', 'export', '--period', '2026-10', '--level', 'hs6', '--partner', 'CN', '--records', records, '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const xml = join(out, 'KZ-CN-2026-10-hs6.xml');
    const result = validate(xml);
    expect(result.ok, result.output).toBe(true);
    const csv = await readSdmxCsv(join(out, 'KZ-CN-2026-10-hs6.csv'));
    const key = (o: (typeof csv)[number]) => `${o.TRADE_FLOW} ${o.CMD_CODE}`;
    const byKey = new Map(csv.map((o) => [key(o), o]));
    // The XML carries the same observations as the CSV, attribute for attribute.
    const obs = [...readFileSync(xml, 'utf8').matchAll(/<Obs ([^>]*)>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
    expect(obs).toEqual(csv);
    expect([...byKey.keys()]).toEqual(['M TOTAL', 'M 4011', 'M 401110', 'M 401120', 'M 8703', 'M 870322', 'M 870323', 'M 870324', 'X TOTAL', 'X 7208', 'X 720839']);
    // 870324 has one declaration (C); 870322 is the smallest other part of 8703, hidden too (D). 401120 is flagged (C), 401110 protects it (D).
    expect(Object.fromEntries(csv.map((o) => [key(o), o.CONF_STATUS]))).toMatchObject({ 'M 870324': 'C', 'M 870322': 'D', 'M 870323': 'F', 'M 401120': 'C', 'M 401110': 'D', 'M 8703': 'F', 'M TOTAL': 'F' });
    for (const hidden of csv.filter((o) => o.CONF_STATUS !== 'F')) expect(hidden.TRADE_VALUE).toBeUndefined();
    // Totals hold every declaration of the flow, confidential ones included: eight imports from China.
    const cents = (v: string | undefined) => Math.round(Number(v) * 100);
    expect(cents(byKey.get('M TOTAL')?.TRADE_VALUE)).toBe(cents(byKey.get('M 8703')?.TRADE_VALUE) + cents(byKey.get('M 4011')?.TRADE_VALUE));
    expect(byKey.get('M 870323')).toMatchObject({ TRADE_VALUE: '4000.00', NET_MASS: '42', SUPP_QTY: '8', SUPP_UNIT: 'NAR', VALUATION: 'CIF', CMD_LEVEL: 'HS6' });
    expect(byKey.get('X 720839')).toMatchObject({ VALUATION: 'FOB', CONF_STATUS: 'F', TRADE_VALUE: '3000.00' });
    expect(byKey.get('M TOTAL')?.SUPP_QTY).toBeUndefined();
    // The import command prints it and writes the same observations.
    const imported = cli('stats', 'import', join(out, 'KZ-CN-2026-10-hs6.csv'), '--json', join(dir, 'imported.json'));
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'imported.json'), 'utf8'))).toEqual(csv);
  });

  it('the schema oracle can fail: a confidentiality status outside the code list, a measure that is no number', () => {
    const xml = readFileSync(join(out, 'KZ-CN-2026-10-hs6.xml'), 'utf8');
    for (const [from, to] of [['CONF_STATUS="C"', 'CONF_STATUS="Q"'], ['TRADE_VALUE="4000.00"', 'TRADE_VALUE="4 000"']] as const) {
      const bad = join(dir, 'bad.xml');
      writeFileSync(bad, xml.replace(from, to));
      expect(validate(bad).ok).toBe(false);
    }
  });

  it('HS4 level: headings with chapter totals', async () => {
    const run = cli('stats', 'export', '--period', '2026-10', '--level', 'hs4', '--partner', 'CN', '--records', records, '--out', out, '--threshold', '2');
    expect(run.status, run.stderr).toBe(0);
    expect(validate(join(out, 'KZ-CN-2026-10-hs4.xml')).ok).toBe(true);
    const csv = await readSdmxCsv(join(out, 'KZ-CN-2026-10-hs4.csv'));
    expect(csv.map((o) => `${o.TRADE_FLOW} ${o.CMD_CODE} ${o.CMD_LEVEL}`)).toEqual(['M TOTAL TOTAL', 'M 40 HS2', 'M 4011 HS4', 'M 87 HS2', 'M 8703 HS4', 'X TOTAL TOTAL', 'X 72 HS2', 'X 7208 HS4']);
  });

  it('reads a semicolon-separated file the same, and names every missing column of a file of another structure', async () => {
    const text = readFileSync(join(out, 'KZ-CN-2026-10-hs6.csv'), 'utf8');
    const semicolons = join(dir, 'semicolons.csv');
    writeFileSync(semicolons, text.replace(/,/g, ';'));
    expect(await readSdmxCsv(semicolons)).toEqual(await readSdmxCsv(join(out, 'KZ-CN-2026-10-hs6.csv')));
    // The field guide's first example, verbatim: another dataflow's layout.
    const guide = readFileSync(join(REFERENCE_DIR, 'sdmx', 'sdmx-csv', 'sdmx-csv-2.0-data-message-field-guide.md'), 'utf8');
    const example = guide.split('#### 1) Ordinary case')[1]!.split('\n').filter((l) => l.startsWith('\t')).map((l) => l.slice(1)).join('\n');
    const other = join(dir, 'estat.csv');
    writeFileSync(other, `${example}\n`);
    await expect(readSdmxCsv(other)).rejects.toMatchObject({
      code: 'GW_ERR_STATS_INPUT_INVALID',
      message: expect.stringContaining('estat.csv:1:1: missing columns: FREQ, REF_AREA, COUNTERPART_AREA, TRADE_FLOW, CMD_CODE, TIME_PERIOD, TRADE_VALUE, NET_MASS, CURRENCY, VALUATION, CMD_LEVEL, CONF_STATUS'),
    });
    const wrongCode = join(dir, 'wrong.csv');
    writeFileSync(wrongCode, text.replace('CN,M,870323', 'CN,M,87032'));
    await expect(readSdmxCsv(wrongCode)).rejects.toMatchObject({ message: expect.stringMatching(/wrong\.csv:\d+:\d+: CMD_CODE "87032" is not an HS code/) });
  });

  it('bad options and records are refused with GW_ERR_STATS_INPUT_INVALID (exit 2)', () => {
    const run = cli('stats', 'export', '--period', '2026-13', '--level', 'hs6', '--partner', 'CN', '--records', records, '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('GW_ERR_STATS_INPUT_INVALID: --period must be YYYY-MM, got "2026-13"');
    const noSource = cli('stats', 'export', '--period', '2026-10', '--level', 'hs6', '--partner', 'CN', '--out', out);
    expect(noSource.stderr).toContain('GW_ERR_STATS_INPUT_INVALID: give the records with --records FILE... or read them from the message log with --from-log');
    // A log that does not exist is not made up empty.
    const emptyDir = join(dir, 'no-gateway-here');
    const noLog = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'stats', 'export', '--from-log', '--period', '2026-10', '--level', 'hs6', '--partner', 'CN', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, GATEWAY_DATA_DIR: emptyDir } });
    expect(noLog.status).toBe(2);
    expect(noLog.stderr).toContain(`GW_ERR_STATS_INPUT_INVALID: no message log at ${emptyDir}/gateway.sqlite`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify([{ type: 'declaration.cargo', recordId: 'X' }]));
    const invalid = cli('stats', 'export', '--period', '2026-10', '--level', 'hs6', '--partner', 'CN', '--records', broken, '--out', out);
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toMatch(/GW_ERR_STATS_INPUT_INVALID: .*broken\.json#0: GW_ERR_RECORD_INVALID/);
  });
});
