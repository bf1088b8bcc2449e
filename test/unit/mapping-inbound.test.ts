// Inbound mapping files (direction: in): compiled once, broken ones named by file and field; documents renamed by namespace, rooted, mapped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseXml } from '../../src/codec/xml-parse.js';
import { loadConfig } from '../../src/config.js';
import { GatewayError } from '../../src/errors.js';
import { loadMappingSet, type MappingSet } from '../../src/mapping/mapping-set.js';
import type { CaisRecord } from '../../src/records/record-types.js';
import { createRecordValidator } from '../../src/records/record-validator.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { ROOT } from '../support/project.js';

const schemas = join(ROOT, 'schemas');
const { partners } = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const recordTypes = createRecordValidator(schemas).types;

const ENV = 'urn:test:envelope';
const DOC = 'urn:test:notice';

/** A small inbound mapping of the eaeu-ru instance's pushed notifications (the expressions are what is under test, not the record). */
const MAPPING = `id: test.notice.in
version: 3
direction: in
source: { partner: eaeu-ru, message: p-cp-01-msg-010 }
target: transit.notice
namespaces:
  e: ${ENV}
  '': ${DOC}
root: e:Envelope/e:Body/Notice
when: "Kind != 'TEST'"
businessKeys:
  recordId: recordId
  office: offices.departure
codes:
  event: { DEP: departure, ARR: arrival }
record:
  type: "'transit.notice'"
  recordId: "'N-' & Id"
  version: 1
  sender: "$record.\`e:Envelope\`.\`e:Header\`.From"
  event: "$code('event', Event)"
  offices:
    departure: Office
    transit:
      $each: Transit
      $value: $
  goods:
    $each: Item
    itemNumber: "$number(No)"
    hsCode: Hs
    sender: "$record.\`e:Envelope\`.\`e:Header\`.From"
`;

function document(options: { items?: number; transit?: number; kind?: string; event?: string; envelope?: string } = {}): string {
  const items = Array.from({ length: options.items ?? 2 }, (_, i) => `<n:Item><n:No>${i + 1}</n:No><n:Hs>84099${i}</n:Hs></n:Item>`).join('');
  const transit = Array.from({ length: options.transit ?? 2 }, (_, i) => `<n:Transit>KZ55503${i}</n:Transit>`).join('');
  return (
    `<s:Envelope xmlns:s="${options.envelope ?? ENV}" xmlns:n="${DOC}"><s:Header><n:From>EAEU:RU</n:From></s:Header><s:Body>` +
    `<n:Notice><n:Id>42</n:Id><n:Kind>${options.kind ?? 'LIVE'}</n:Kind><n:Event>${options.event ?? 'DEP'}</n:Event><n:Office>RU102161</n:Office>${transit}${items}</n:Notice>` +
    `</s:Body></s:Envelope>`
  );
}

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A mappings folder holding these files in `<partner>/`. */
function folderWith(partner: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-inbound-'));
  dirs.push(dir);
  mkdirSync(join(dir, partner));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, partner, name), content);
  return dir;
}

function load(content: string, partner = 'eaeu-ru'): MappingSet {
  return loadMappingSet(folderWith(partner, { 'notice.yaml': content }), schemas, partners, recordTypes);
}

function loadError(content: string, partner = 'eaeu-ru'): GatewayError {
  try {
    load(content, partner);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected the mapping set to fail to load');
}

describe('compiling inbound mapping files', () => {
  it('loads an inbound file beside the outbound ones, with id, version, partner, message and record type', () => {
    const set = load(MAPPING);
    expect(set.mappings).toEqual([]);
    expect(set.inbound).toHaveLength(1);
    expect(set.inbound[0]).toMatchObject({ id: 'test.notice.in', version: 3, partner: 'eaeu-ru', message: 'p-cp-01-msg-010', recordType: 'transit.notice' });
  });

  it.each([
    ['an unknown inbound message', MAPPING.replace('message: p-cp-01-msg-010', 'message: transit-telegram'), 'GW_ERR_MAPPING_INVALID', /\/source partner "eaeu-ru" pushes no message "transit-telegram"/],
    ['a partner that pushes nothing', MAPPING.replace('partner: eaeu-ru', 'partner: iru-safetir'), 'GW_ERR_MAPPING_INVALID', /\/source partner "iru-safetir" pushes no message "p-cp-01-msg-010" \(known: none\)/],
    ['an unknown record type', MAPPING.replace('target: transit.notice', 'target: transit.rumour'), 'GW_ERR_MAPPING_INVALID', /\/target "transit\.rumour" is not a CAIS record type/],
    ['a record type as source', MAPPING.replace('source: { partner: eaeu-ru, message: p-cp-01-msg-010 }', 'source: transit.movement'), 'GW_ERR_MAPPING_INVALID', /\/source must be object/],
    ['no namespaces', MAPPING.replace(/^namespaces:\n( {2}.*\n)+/m, ''), 'GW_ERR_MAPPING_INVALID', /must have required property 'namespaces'/],
    ['no record template', MAPPING.slice(0, MAPPING.indexOf('record:\n')), 'GW_ERR_MAPPING_INVALID', /must have required property 'record'/],
    ['an outbound document template', `${MAPPING}document: { a: "'1'" }\n`, 'GW_ERR_MAPPING_INVALID', /\/document is not a field of a mapping of this direction/],
    ['two prefixes for one namespace', MAPPING.replace(`  e: ${ENV}\n`, `  e: ${ENV}\n  s: ${ENV}\n`), 'GW_ERR_MAPPING_INVALID', /\/namespaces\/s "urn:test:envelope" already has the prefix "e"/],
    ['a root with an undeclared prefix', MAPPING.replace('root: e:Envelope/e:Body/Notice', 'root: soap:Envelope/e:Body/Notice'), 'GW_ERR_MAPPING_INVALID', /\/root "soap:Envelope" uses the prefix "soap", which \/namespaces does not declare/],
    ['a malformed root path', MAPPING.replace('root: e:Envelope/e:Body/Notice', 'root: e:Envelope//Notice'), 'GW_ERR_MAPPING_INVALID', /\/root must match pattern/],
    ['a JSONata syntax error in the record', MAPPING.replace("hsCode: Hs", 'hsCode: "Hs &"'), 'GW_ERR_MAPPING_EXPRESSION', /\/record\/goods\/hsCode/],
    ['a JSONata syntax error in a business key', MAPPING.replace('office: offices.departure', 'office: "offices.("'), 'GW_ERR_MAPPING_EXPRESSION', /\/businessKeys\/office/],
    ['a JSONata syntax error in when', MAPPING.replace(`when: "Kind != 'TEST'"`, 'when: "Kind !="'), 'GW_ERR_MAPPING_EXPRESSION', /\/when/],
  ])('%s fails with file, field and reason', (_what, content, code, reason) => {
    const err = loadError(content);
    expect(err.code).toBe(code);
    expect(err.message).toContain(join('eaeu-ru', 'notice.yaml'));
    expect(err.message).toMatch(reason);
  });

  it('refuses inbound-only fields in an outbound file, which is checked as before', () => {
    const outbound = `id: test.out\nversion: 1\nsource: transit.movement\ntarget: { partner: eaeu-ru, message: p-cp-01-msg-010 }\nbusinessKeys: { a: recordId }\ndocument: { a: "'1'" }\n`;
    expect(loadError(`${outbound}namespaces: { a: urn:a }\n`).message).toMatch(/\/namespaces is not a field of a mapping of this direction/);
    expect(loadError(outbound.replace('source: transit.movement', 'source: { partner: eaeu-ru, message: p-cp-01-msg-010 }')).message).toMatch(/\/source must be string/);
    expect(load(outbound).mappings.map((m) => m.id)).toEqual(['test.out']);
  });

  it('must live in the folder of its source partner', () => {
    expect(loadError(MAPPING, 'iru-safetir').message).toMatch(/\/source\/partner is "eaeu-ru" but the file is in mappings\/iru-safetir\//);
  });

  it('shares the id space with outbound files', () => {
    const outbound = `id: test.notice.in\nversion: 1\nsource: transit.movement\ntarget: { partner: eaeu-ru, message: p-cp-01-msg-010 }\nbusinessKeys: { a: recordId }\ndocument: { a: "'1'" }\n`;
    const dir = folderWith('eaeu-ru', { 'a.yaml': outbound, 'b.yaml': MAPPING });
    expect(() => loadMappingSet(dir, schemas, partners, recordTypes)).toThrow(/\/id "test\.notice\.in" is already used by/);
  });
});

describe('applying inbound mappings', () => {
  const [mapping] = load(MAPPING).inbound;
  if (!mapping) throw new Error('the test mapping did not load');

  it('reads the root element by namespace, whatever the sender’s prefixes; $record is the whole document', async () => {
    const doc = parseXml(document());
    expect(await mapping.applies(doc)).toBe(true);
    expect(await mapping.apply(doc)).toEqual({
      type: 'transit.notice',
      recordId: 'N-42',
      version: 1,
      sender: 'EAEU:RU',
      event: 'departure',
      offices: { departure: 'RU102161', transit: ['KZ555030', 'KZ555031'] },
      goods: [
        { itemNumber: 1, hsCode: '840990', sender: 'EAEU:RU' },
        { itemNumber: 2, hsCode: '840991', sender: 'EAEU:RU' },
      ],
    });
  });

  it('turns single elements repeated by $each into lists of one', async () => {
    const record = (await mapping.apply(parseXml(document({ items: 1, transit: 1 })))) as { offices: { transit: unknown }; goods: unknown };
    expect(record.offices.transit).toEqual(['KZ555030']);
    expect(record.goods).toEqual([{ itemNumber: 1, hsCode: '840990', sender: 'EAEU:RU' }]);
  });

  it('does not apply when the root element is missing (here: the envelope is of another namespace) or `when` is false', async () => {
    const elsewhere = parseXml(document({ envelope: 'urn:test:other' }));
    expect(await mapping.applies(elsewhere)).toBe(false);
    await expect(mapping.apply(elsewhere)).rejects.toMatchObject({ code: 'GW_ERR_NO_ROUTE' });
    expect(await mapping.applies(parseXml(document({ kind: 'TEST' })))).toBe(false);
  });

  it('maps partner codes with $code; an unknown code is an error naming the list and field', async () => {
    expect(await mapping.apply(parseXml(document({ event: 'ARR' })))).toMatchObject({ event: 'arrival' });
    await expect(mapping.apply(parseXml(document({ event: 'EXT' })))).rejects.toMatchObject({
      code: 'GW_ERR_MAPPING_CODE_UNKNOWN',
      message: expect.stringMatching(/\/record\/event: "EXT" is not in code list "event"/),
    });
  });

  it('evaluates business keys over the record it produced', async () => {
    const record = (await mapping.apply(parseXml(document()))) as CaisRecord;
    expect(await mapping.businessKeys(record)).toEqual({ recordId: 'N-42', office: 'RU102161' });
  });

  it('routes a push to the first applying mapping of that partner and message, in file order', async () => {
    const second = MAPPING.replace('id: test.notice.in', 'id: test.notice.second').replace(`when: "Kind != 'TEST'"`, `when: "Kind = 'TEST'"`);
    const third = MAPPING.replace('id: test.notice.in', 'id: test.notice.third').replace(/^when: .*\n/m, '');
    const set = loadMappingSet(folderWith('eaeu-ru', { 'a.yaml': MAPPING, 'b.yaml': second, 'c.yaml': third }), schemas, partners, recordTypes);
    expect((await set.routeInbound('eaeu-ru', 'p-cp-01-msg-010', parseXml(document())))?.id).toBe('test.notice.in');
    expect((await set.routeInbound('eaeu-ru', 'p-cp-01-msg-010', parseXml(document({ kind: 'TEST' }))))?.id).toBe('test.notice.second');
    expect(await set.routeInbound('eaeu-ru', 'p-cp-01-msg-010', parseXml(document({ envelope: 'urn:test:other' })))).toBeUndefined();
    expect(await set.routeInbound('iru-safetir', 'p-cp-01-msg-010', parseXml(document()))).toBeUndefined();
  });
});
