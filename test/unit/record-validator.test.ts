// CAIS record validation: every fixture is valid, and each rule of the tir.termination contract is enforced with a pointer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecordValidator } from '../../src/records/record-validator.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const validator = createRecordValidator(join(ROOT, 'schemas'));
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(RECORD_FIXTURES, name), 'utf8')) as Record<string, unknown>;

describe('CAIS record validation', () => {
  it('knows the eight record types', () => {
    expect([...validator.types].sort()).toEqual(['advance.declaration', 'declaration.cargo', 'guarantee.event', 'mirror.batch', 'mirror.period', 'mirror.statistics', 'official.letter', 'payment.receipt', 'permit.query', 'tir.termination', 'trade.statistics', 'transit.movement', 'transit.notice']);
  });

  it.each(readdirSync(RECORD_FIXTURES))('fixture %s is valid', (name) => {
    expect(validator.validate(fixture(name))).toMatchObject({ ok: true });
  });

  const base = fixture('tir.termination.json');
  it.each([
    ['voletPage odd', { voletPage: 5 }, '/voletPage'],
    ['voletPage above 20', { voletPage: 22 }, '/voletPage'],
    ['carnet below the IRU range (NCTS R0990)', { carnetNumber: 'XA12345678' }, '/carnetNumber'],
    ['carnet without X', { carnetNumber: 'AB25123456' }, '/carnetNumber'],
    ['remarks over 126 characters', { remarks: 'x'.repeat(127) }, '/remarks'],
    ['unknown operation', { operation: 'abandoned' }, '/operation'],
    ['unknown retention', { retention: 'kept' }, '/retention'],
    ['departure country alpha-2', { departureCountry: 'RU' }, '/departureCountry'],
    ['terminatedAt without offset', { terminatedAt: '2026-11-26 10:42' }, '/terminatedAt'],
    ['ledger without date', { ledger: { reference: '007222' } }, '/ledger/date'],
    ['negative packages', { packages: -1 }, '/packages'],
    ['a field CAIS does not export', { officer: 'A. Smith' }, '/officer'],
    ['recordId with a slash', { recordId: '../etc/passwd' }, '/recordId'],
  ])('refuses %s', (_what, change, pointer) => {
    const result = validator.validate({ ...base, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violations.map((v) => v.pointer)).toContain(pointer);
  });

  it('refuses check letters that break IRU\'s rule with their own code and pointer, in every record type that carries a carnet', () => {
    for (const name of ['tir.termination.json', 'transit.movement.json', 'transit.notice.json']) {
      const result = validator.validate({ ...fixture(name), carnetNumber: 'XA25123456' });
      expect(result.ok === false && result.violations).toEqual([
        { code: 'GW_ERR_RECORD_CARNET_CHECK_LETTERS', pointer: '/carnetNumber', message: "check letters XA do not fit 25123456: the TIR numbering rule (number mod 23) gives DX25123456" },
      ]);
    }
  });

  it('accepts 8- and 9-digit carnet numbers whose check letters fit, among them IRU\'s own samples', () => {
    for (const carnetNumber of ['DX25123456', 'DX62690713', 'AX66950772', 'UX251234567', 'XW999999999']) {
      expect(validator.validate({ ...base, carnetNumber })).toMatchObject({ ok: true });
    }
  });

  it('reports every violation at once, each with a code', () => {
    const result = validator.validate({ ...base, voletPage: 3, carnetNumber: 'XA1', remarks: 'x'.repeat(200) });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.violations).toHaveLength(3);
      expect(new Set(result.violations.map((v) => v.code))).toEqual(new Set(['GW_ERR_RECORD_INVALID']));
    }
  });

  it('refuses a missing required field by its pointer', () => {
    const { customsOffice: _dropped, ...rest } = base;
    const result = validator.validate(rest);
    expect(result.ok === false && result.violations).toEqual([{ code: 'GW_ERR_RECORD_INVALID', pointer: '/customsOffice', message: 'is required' }]);
  });

  it('refuses non-objects and unknown types with their own codes', () => {
    expect(validator.validate([base])).toMatchObject({ ok: false, violations: [{ code: 'GW_ERR_RECORD_UNREADABLE' }] });
    expect(validator.validate({ type: 'x.y' })).toMatchObject({ ok: false, violations: [{ code: 'GW_ERR_RECORD_TYPE_UNKNOWN', pointer: '/type' }] });
  });
});
