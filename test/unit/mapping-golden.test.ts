// Runs every mapping's golden tests (mappings/<partner>/<name>.golden/), both directions: the data are the tests.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { listGoldenCases, runGoldenCase } from '../../src/mapping/golden-tests.js';
import { listInboundGoldenCases, runInboundGoldenCase } from '../../src/mapping/inbound-golden-tests.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';

const parts = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const cases = listGoldenCases(parts.mappings.mappings, parts.partners);
const inboundCases = listInboundGoldenCases(parts.mappings.inbound);

describe('mapping golden tests', () => {
  it('every mapping file has at least one golden case', () => {
    const tested = new Set([...cases, ...inboundCases].map((c) => c.mapping.id));
    const untested = [...parts.mappings.mappings, ...parts.mappings.inbound].filter((m) => !tested.has(m.id)).map((m) => m.id);
    expect(untested).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.mapping.id} ${c.name}`, c] as const))('%s', async (_label, c) => {
    const result = await runGoldenCase(c, parts.records, parts.documents);
    expect(result.reason).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it.each(inboundCases.map((c) => [`${c.mapping.id} ${c.name}`, c] as const))('inbound %s', async (_label, c) => {
    const result = await runInboundGoldenCase(c, parts.records);
    expect(result.reason).toBeUndefined();
    expect(result.ok).toBe(true);
  });
});

describe('inbound golden cases check business keys', () => {
  it('refuse a mapping whose business keys read the document instead of the record', async () => {
    const c = inboundCases.find((x) => x.mapping.id === 'uz-customs.dec.in')!;
    const documentKeys = { ...c.mapping, keyNames: ['reference'], businessKeys: async () => ({}) };
    const result = await runInboundGoldenCase({ ...c, mapping: documentKeys }, parts.records);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('no business key (reference) selects anything from the record');
  });
});
