// Mirror comparison of statistics: a synthetic pair with injected gaps is reported as exactly those gaps; CIF brought to FOB and mirrored flows as properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIRROR_SETTINGS } from '../../src/mirror/mirror-pair.js';
import { compareStatistics } from '../../src/stats/statistics-compare.js';
import type { Observation } from '../../src/stats/sdmx-structure.js';

/** One observation of a reporter's flow with a partner in 2026-10. */
function obs(reporter: string, partner: string, flow: 'X' | 'M' | 'RX' | 'RM', code: string, value: string | undefined, mass: string | undefined, status = 'F'): Observation {
  return {
    FREQ: 'M',
    REF_AREA: reporter,
    COUNTERPART_AREA: partner,
    TRADE_FLOW: flow,
    CMD_CODE: code,
    TIME_PERIOD: '2026-10',
    ...(value !== undefined ? { TRADE_VALUE: value } : {}),
    ...(mass !== undefined ? { NET_MASS: mass } : {}),
    CURRENCY: 'USD',
    VALUATION: flow === 'M' || flow === 'RM' ? 'CIF' : 'FOB',
    CMD_LEVEL: code === 'TOTAL' ? 'TOTAL' : `HS${code.length}`,
    CONF_STATUS: status,
  };
}

describe('compareStatistics', () => {
  it('reports exactly the injected gaps: undervalued, mass off, missing on either side, confidential; agreeing cells and mirrored re-exports are quiet', () => {
    // Our imports from China (CIF) against China's exports to us (FOB).
    const ours = [
      obs('KZ', 'CN', 'M', '870323', '1060.00', '100'), // 1000 FOB: agrees with China's 1000
      obs('KZ', 'CN', 'M', '870421', '2120.00', '300'), // 2000 FOB against China's 1500: value gap
      obs('KZ', 'CN', 'M', '401110', '530.00', '100'), // 500 FOB agrees; mass 100 against 90: mass gap
      obs('KZ', 'CN', 'M', '940360', '318.00', '20'), // China reports nothing: missing-theirs
      obs('KZ', 'CN', 'M', '901890', '1060.00', '5'), // China suppressed it: confidential
      obs('KZ', 'CN', 'M', '850440', '1060.00', '40'), // China: 600 exports + 400 re-exports
    ];
    const theirs = [
      obs('CN', 'KZ', 'X', '870323', '1000.00', '100'),
      obs('CN', 'KZ', 'X', '870421', '1500.00', '300'),
      obs('CN', 'KZ', 'X', '401110', '500.00', '90'),
      obs('CN', 'KZ', 'X', '901890', undefined, undefined, 'C'),
      obs('CN', 'KZ', 'X', '850440', '600.00', '24'),
      obs('CN', 'KZ', 'RX', '850440', '400.00', '16'),
      obs('CN', 'KZ', 'X', '611030', '250.00', '12'), // we report nothing: missing-ours
    ];
    const { summary, gaps } = compareStatistics(ours, theirs, DEFAULT_MIRROR_SETTINGS);
    expect(gaps.map((g) => [g.kind, g.commodityCode, g.trade])).toEqual([
      ['mass', '401110', 'CN>KZ'],
      ['missing-ours', '611030', 'CN>KZ'],
      ['value', '870421', 'CN>KZ'],
      ['confidential', '901890', 'CN>KZ'],
      ['missing-theirs', '940360', 'CN>KZ'],
    ]);
    expect(gaps.find((g) => g.kind === 'value')).toMatchObject({ oursValueFob: 2000, theirsValueFob: 1500, gap: 500, gapRelative: 0.25 });
    expect(gaps.find((g) => g.kind === 'confidential')).toMatchObject({ oursValueFob: 1000, theirsValueFob: null, gap: 0 });
    expect(summary).toMatchObject({ cells: 7, agreeing: 2, gaps: { value: 1, mass: 1, 'missing-theirs': 1, 'missing-ours': 1, confidential: 1 } });
  });

  it('our exports meet their imports in the other direction of trade, and not our own imports', () => {
    const { gaps, summary } = compareStatistics([obs('KZ', 'CN', 'X', '1001', '1000.00', '5000'), obs('KZ', 'CN', 'M', '1001', '50.00', '1')], [obs('CN', 'KZ', 'M', '1001', '1060.00', '5000')], DEFAULT_MIRROR_SETTINGS);
    expect(summary.agreeing).toBe(1);
    expect(gaps.map((g) => [g.kind, g.trade])).toEqual([['missing-theirs', 'CN>KZ']]);
  });

  it('an import at CIF = FOB × factor always agrees with the export at FOB; a gap beyond the tolerance never does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 1_000_000_000 }), fc.double({ min: 1, max: 1.5, noNaN: true }), (cents, factor) => {
        const fob = (cents / 100).toFixed(2);
        const cif = ((cents * factor) / 100).toFixed(2);
        const settings = { ...DEFAULT_MIRROR_SETTINGS, cifFobFactor: factor, valueTolerance: 0.01 };
        const same = compareStatistics([obs('KZ', 'CN', 'X', '870323', fob, '10')], [obs('CN', 'KZ', 'M', '870323', cif, '10')], settings);
        const off = compareStatistics([obs('KZ', 'CN', 'X', '870323', fob, '10')], [obs('CN', 'KZ', 'M', '870323', ((cents * factor * 1.1) / 100).toFixed(2), '10')], settings);
        return same.gaps.length === 0 && off.gaps.some((g) => g.kind === 'value');
      }),
    );
  });
});
