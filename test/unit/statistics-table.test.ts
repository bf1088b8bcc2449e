// Trade statistics as properties over generated declarations: exact sums, totals whole after suppression, no hidden cell recoverable by one subtraction.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMillionths, toMillionths } from '../../src/stats/fixed-decimal.js';
import { statisticsRows, type StatisticsRow } from '../../src/stats/statistics-table.js';
import { hs6Cells } from '../../src/stats/trade-cells.js';
import { declaration, type DeclarationShape } from '../support/declaration-data.js';

const CODES = ['8703231990', '8703239019', '8704211000', '4011100003', '4011201000', '0402101100', '0402911000', '8517130000'];

const money = fc.integer({ min: 0, max: 99_999_999 }).map((cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
const mass = fc.integer({ min: 1, max: 9_999_999 }).map((grams) => fromMillionths(BigInt(grams) * 1000n));
const shape: fc.Arbitrary<DeclarationShape> = fc.record({
  flow: fc.constantFrom('import', 'export', 're-export', 'transit'),
  partner: fc.constantFrom('CN', 'CN', 'RU'),
  day: fc.integer({ min: 1, max: 28 }),
  flagged: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  items: fc.array(fc.record({ code: fc.constantFrom(...CODES), value: money, mass, quantity: fc.option(fc.record({ quantity: fc.constantFrom('1', '2.5', '40'), unit: fc.constantFrom('NAR', 'NAR', 'LTR') }), { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
});

/** Rows by flow and code. */
function index(rows: StatisticsRow[]): Map<string, StatisticsRow> {
  return new Map(rows.map((r) => [`${r.flow} ${r.code}`, r]));
}

describe('trade statistics', () => {
  it('decimals are summed exactly (millionths) and written back exactly', () => {
    fc.assert(
      fc.property(fc.array(money, { maxLength: 50 }), (amounts) => {
        const sum = amounts.reduce((s, a) => s + toMillionths(a, 'GW_ERR_RECORD_INVALID', 'x'), 0n);
        const cents = amounts.reduce((s, a) => s + BigInt(a.replace('.', '')), 0n);
        expect(fromMillionths(sum, 2)).toBe(fromMillionths(cents * 10_000n, 2));
      }),
    );
    expect(fromMillionths(toMillionths('0.000001', 'GW_ERR_RECORD_INVALID', 'x'))).toBe('0.000001');
    expect(fromMillionths(toMillionths('12.345', 'GW_ERR_RECORD_INVALID', 'x'), 2)).toBe('12.35');
    expect(() => toMillionths('1e5', 'GW_ERR_RECORD_INVALID', 'x')).toThrow(/GW_ERR_RECORD_INVALID: x: "1e5"/);
  });

  it.each(['hs6', 'hs4'] as const)('%s: parts add up to their totals, suppression changes no total, and no total has exactly one hidden part', (level) => {
    fc.assert(
      fc.property(fc.array(shape, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 5 }), (shapes, threshold) => {
        const records = shapes.map((s, i) => declaration(i + 1, s));
        const cells = hs6Cells(records, { period: '2026-10', partner: 'CN' });
        const rows = statisticsRows(cells, { level, threshold });
        const open = index(statisticsRows(cells, { level, threshold: 1 }));
        const detail = level === 'hs6' ? 'HS6' : 'HS4';
        for (const row of rows) {
          // Totals are whole: the same sums as without any suppression.
          expect(row.cell.value).toBe(open.get(`${row.flow} ${row.code}`)!.cell.value);
          expect(row.cell.netMass).toBe(open.get(`${row.flow} ${row.code}`)!.cell.netMass);
        }
        for (const flow of new Set(rows.map((r) => r.flow))) {
          const flowRows = rows.filter((r) => r.flow === flow);
          const total = flowRows.find((r) => r.level === 'TOTAL')!;
          const parents = flowRows.filter((r) => r.level !== 'TOTAL' && r.level !== detail);
          expect(parents.reduce((s, r) => s + r.cell.value, 0n)).toBe(total.cell.value);
          const checkParts = (parts: StatisticsRow[], whole: StatisticsRow): void => {
            expect(parts.reduce((s, r) => s + r.cell.value, 0n)).toBe(whole.cell.value);
            const hidden = parts.filter((p) => p.status !== 'F');
            if (whole.status !== 'F') expect(hidden).toHaveLength(parts.length);
            else expect(hidden.length === 1 && parts.length > 1).toBe(false);
            // What a receiver can add up never exceeds the total it sees.
            if (whole.status === 'F') expect(parts.filter((p) => p.status === 'F').reduce((s, r) => s + r.cell.value, 0n) <= whole.cell.value).toBe(true);
          };
          checkParts(parents, total);
          for (const parent of parents) checkParts(flowRows.filter((r) => r.level === detail && r.code.startsWith(parent.code)), parent);
          // Primary confidentiality: exactly the small or flagged detail cells.
          for (const r of flowRows.filter((x) => x.level === detail)) {
            if (r.cell.declarations.size < threshold || r.cell.flagged) expect(r.status).toBe('C');
            else expect(r.status).not.toBe('C');
          }
          expect(['M', 'X', 'RX']).toContain(flow);
        }
        // Transit makes no statistics; other partners are not in these.
        expect(rows.every((r) => r.cell.declarations.size > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('an item\'s partner is its origin for imports and the destination for exports; transit is left out', () => {
    const records = [
      declaration(1, { flow: 'import', partner: 'CN', day: 3, items: [{ code: '8703231990', value: '100.00', mass: '10' }] }),
      declaration(2, { flow: 'export', partner: 'CN', day: 4, items: [{ code: '8703231990', value: '50.00', mass: '5' }] }),
      declaration(3, { flow: 'transit', partner: 'CN', day: 5, items: [{ code: '8703231990', value: '70.00', mass: '7' }] }),
      declaration(4, { flow: 'import', partner: 'RU', day: 5, items: [{ code: '8703231990', value: '30.00', mass: '3' }] }),
      { ...declaration(5, { flow: 'import', partner: 'CN', day: 5, items: [{ code: '8703231990', value: '1.00', mass: '1' }] }), declaredAt: '2026-11-01T00:10:00+05:00' },
    ];
    const cells = hs6Cells(records, { period: '2026-10', partner: 'CN' });
    expect(cells.map((c) => [c.flow, c.code, fromMillionths(c.value, 2)])).toEqual([
      ['M', '870323', '100.00'],
      ['X', '870323', '50.00'],
    ]);
  });
});
