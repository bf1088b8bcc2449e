// Runs every mapping's golden tests (mappings/<partner>/<name>.golden/): the data are the tests.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { listGoldenCases, runGoldenCase } from '../../src/mapping/golden-tests.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';

const parts = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const cases = listGoldenCases(parts.mappings.mappings, parts.partners);

describe('mapping golden tests', () => {
  it('every mapping file has at least one golden case', () => {
    const untested = parts.mappings.mappings.filter((m) => !cases.some((c) => c.mapping === m)).map((m) => m.id);
    expect(untested).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.mapping.id} ${c.name}`, c] as const))('%s', async (_label, c) => {
    const result = await runGoldenCase(c, parts.records, parts.documents);
    expect(result.reason).toBeUndefined();
    expect(result.ok).toBe(true);
  });
});
