// Mapping files are compiled once: broken files fail at load naming file, field and reason; routing fans out.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { loadMappingSet, readMappingFiles } from '../../src/mapping/mapping-set.js';
import { loadConfig } from '../../src/config.js';
import { createRecordValidator } from '../../src/records/record-validator.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import type { CaisRecord } from '../../src/records/record-types.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const schemas = join(ROOT, 'schemas');
const { partners } = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const recordTypes = createRecordValidator(schemas).types;
const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as CaisRecord;
const safetirYaml = readFileSync(join(ROOT, 'mappings', 'iru-safetir', 'safetir-upload.yaml'), 'utf8');

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A mappings folder holding one file at `<partner>/<name>`. */
function folderWith(partner: string, name: string, content: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-mappings-'));
  dirs.push(dir);
  mkdirSync(join(dir, partner));
  const file = join(dir, partner, name);
  writeFileSync(file, content);
  return { dir, file };
}

function loadError(dir: string): GatewayError {
  try {
    loadMappingSet(dir, schemas, partners, recordTypes);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected the mapping set to fail to load');
}

describe('loading mapping files', () => {
  it.each([
    ['YAML syntax', safetirYaml.replace('source: tir.termination', 'source: [tir.termination'), 'GW_ERR_MAPPING_INVALID', /is not valid YAML/],
    ['a required field missing', safetirYaml.replace(/^target:\n {2}partner: iru-safetir\n {2}message: safetir-upload\n/m, ''), 'GW_ERR_MAPPING_INVALID', /must have required property 'target'/],
    ['an unknown record type', safetirYaml.replace('source: tir.termination', 'source: tir.teleportation'), 'GW_ERR_MAPPING_INVALID', /\/source "tir\.teleportation" is not a CAIS record type/],
    ['an unknown target message', safetirYaml.replace('message: safetir-upload', 'message: safetir-download'), 'GW_ERR_MAPPING_INVALID', /\/target partner "iru-safetir" has no message "safetir-download"/],
    ['a JSONata syntax error', safetirYaml.replace('"@ICC": country', '"@ICC": "country ="'), 'GW_ERR_MAPPING_EXPRESSION', /\/document\/SafeTIR\/Body\/SafeTIRRecords\/Record\/@ICC/],
    ['a duplicate YAML key', safetirYaml.replace('"@ICC": country', '"@ICC": country\n          "@ICC": country'), 'GW_ERR_MAPPING_INVALID', /not valid YAML/],
  ])('%s fails with file, field and reason', (_what, content, code, reason) => {
    const { dir, file } = folderWith('iru-safetir', 'safetir-upload.yaml', content);
    const err = loadError(dir);
    expect(err.code).toBe(code);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(reason);
  });

  it('refuses a mapping filed under another partner’s folder', () => {
    const { dir } = folderWith('eaeu-ru', 'safetir-upload.yaml', safetirYaml);
    expect(loadError(dir).message).toMatch(/\/target\/partner is "iru-safetir" but the file is in mappings\/eaeu-ru\//);
  });

  it('refuses two files with the same id', () => {
    const { dir } = folderWith('iru-safetir', 'a.yaml', safetirYaml);
    writeFileSync(join(dir, 'iru-safetir', 'b.yaml'), safetirYaml);
    expect(loadError(dir).message).toMatch(/\/id "iru-safetir\.safetir-upload" is already used by/);
  });

  it('stamps id, version and the SHA-256 of the file bytes', async () => {
    const { dir } = folderWith('iru-safetir', 'safetir-upload.yaml', safetirYaml);
    const [mapping] = loadMappingSet(dir, schemas, partners, recordTypes).mappings;
    expect(mapping?.id).toBe('iru-safetir.safetir-upload');
    expect(mapping?.version).toBe(2);
    const { createHash } = await import('node:crypto');
    expect(mapping?.sha256).toBe(createHash('sha256').update(safetirYaml).digest('hex'));
  });

  it('stamps the SHA-256 of the file bytes when the text was read first, byte-order mark and CRLF line ends included', async () => {
    const bytes = Buffer.from(`\uFEFF${safetirYaml.replaceAll('\n', '\r\n')}`, 'utf8');
    const { dir } = folderWith('iru-safetir', 'safetir-upload.yaml', '');
    writeFileSync(join(dir, 'iru-safetir', 'safetir-upload.yaml'), bytes);
    const [mapping] = loadMappingSet(dir, schemas, partners, recordTypes, undefined, readMappingFiles(dir)).mappings;
    const { createHash } = await import('node:crypto');
    expect(mapping?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('refuses a file that is not UTF-8 rather than hash a text that differs from its bytes', () => {
    const { dir, file } = folderWith('iru-safetir', 'safetir-upload.yaml', '');
    writeFileSync(file, Buffer.concat([Buffer.from(safetirYaml, 'utf8'), Buffer.from('# caf\xe9\n', 'latin1')]));
    expect(() => readMappingFiles(dir)).toThrow(/safetir-upload\.yaml.*is not UTF-8 text/);
    expect(loadError(dir)).toMatchObject({ code: 'GW_ERR_MAPPING_INVALID', message: expect.stringMatching(/is not UTF-8 text/) });
  });
});

describe('routing and evaluation', () => {
  const set = loadMappingSet(join(ROOT, 'mappings'), schemas, partners, recordTypes);

  it('fans a termination that started in Russia out to IRU and to Russian customs', async () => {
    const ids = (await set.route(termination)).map((m) => m.id).sort();
    expect(ids).toEqual(['eaeu-ru.p-cp-01.termination', 'iru-safetir.safetir-upload']);
  });

  it('sends a termination that started outside the EAEU to IRU only', async () => {
    const ids = (await set.route({ ...termination, departureCountry: 'TUR' } as CaisRecord)).map((m) => m.id);
    expect(ids).toEqual(['iru-safetir.safetir-upload']);
  });

  it('gives the business keys the log will index', async () => {
    const mapping = (await set.route(termination)).find((m) => m.id === 'iru-safetir.safetir-upload');
    expect(await mapping?.businessKeys(termination)).toEqual({ carnetNumber: 'DX25123456', customsOffice: 'KZ554010' });
  });

  it('an unknown code is an error naming the list and field, never a blank', async () => {
    const content = safetirYaml.replace('    volet-not-retained: VNR\n', '');
    const { dir } = folderWith('iru-safetir', 'safetir-upload.yaml', content);
    const [mapping] = loadMappingSet(dir, schemas, partners, recordTypes).mappings;
    const record = { ...termination, retention: 'volet-not-retained' } as CaisRecord;
    await expect(mapping?.apply(record)).rejects.toMatchObject({
      code: 'GW_ERR_MAPPING_CODE_UNKNOWN',
      message: expect.stringMatching(/@RBC: "volet-not-retained" is not in code list "retention"/),
    });
  });
});
