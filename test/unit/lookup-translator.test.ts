// Look-up mappings: a record is mapped for the partner that asks, never routed as a delivery, and each problem is named.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translatorOf } from '../../src/pipeline/build-translator.js';
import { createLookupTranslator, type LookupTranslator } from '../../src/pipeline/lookup-translator.js';
import { loadSoundSetup, type Setup } from '../../src/setup/load-setup.js';
import { configWithTempKeys, RECORD_FIXTURES } from '../support/project.js';

const config = configWithTempKeys();
const query = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'permit.query.json'), 'utf8')) as Record<string, unknown>;
let setup: Setup;
let lookups: LookupTranslator;

beforeAll(async () => {
  setup = await loadSoundSetup(config, { keys: true, urls: false });
  lookups = createLookupTranslator(setup);
});
afterAll(() => rmSync(config.certsDir, { recursive: true, force: true }));

describe('look-up translation', () => {
  it('maps the record with the asking partner\'s look-up mapping, checked against the message schema', async () => {
    const result = await lookups.translate('shep-elicense', query);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.mapping).toMatchObject({ id: 'shep-elicense.permit-check', version: 1 });
    expect(result.businessKeys).toEqual({ documentNumber: 'KZ-LIC-2026-0042', declarationNumber: '55401/261126/0012345' });
    expect(result.document.value).toMatchObject({ 'pc:PermitCheckRequest': { documentNumber: 'KZ-LIC-2026-0042', hsCode: ['8703230000', '870340'] } });
  });

  it('a partner without a look-up mapping for the type has no route; a bad record names its pointer', async () => {
    expect(await lookups.translate('shep-esedo', query)).toEqual({
      ok: false,
      problems: [{ code: 'GW_ERR_NO_ROUTE', pointer: '', message: 'partner shep-esedo has no look-up mapping that applies to this permit.query record' }],
    });
    const bad = await lookups.translate('shep-elicense', { ...query, documentKind: 'passport' });
    expect(bad.ok === false && bad.problems.map((p) => p.pointer)).toEqual(['/documentKind']);
  });

  it('ingest never routes a record to a look-up mapping', async () => {
    const checked = setup.records.validate(query);
    if (!checked.ok) throw new Error(JSON.stringify(checked.violations));
    expect(await setup.mappings.route(checked.record)).toEqual([]);
    const translated = await translatorOf(setup).translate(query);
    expect(translated.ok === false && translated.problems[0]?.code).toBe('GW_ERR_NO_ROUTE');
  });
});
