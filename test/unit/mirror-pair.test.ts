// The pair comparison's arithmetic as properties: CIF brought to FOB, gaps relative to the larger side, tolerances inclusive, the factor touching only value gaps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePair, DEFAULT_MIRROR_SETTINGS, fobValue, relativeGap, type MirrorSettings } from '../../src/mirror/mirror-pair.js';
import type { MirrorRow } from '../../src/mirror/mirror-row.js';

function row(overrides: Partial<MirrorRow>): MirrorRow {
  return {
    declarationId: 'D',
    flow: 'X',
    reporter: 'KZ',
    partner: 'CN',
    date: '2026-03-01',
    day: 20513,
    hsCode: '8703230000',
    hs6: '870323',
    valueUsd: 1000,
    valuation: 'FOB',
    netMassKg: 100,
    supplementaryQty: null,
    supplementaryUnit: '',
    transportDocument: 'CMR1',
    vehicle: '',
    line: 2,
    ...overrides,
  };
}

const amount = fc.double({ min: 1, max: 1e9, noNaN: true });
const share = fc.double({ min: 0, max: 0.5, noNaN: true });
const factor = fc.double({ min: 1, max: 1.3, noNaN: true });

describe('mirror pair comparison', () => {
  it('CIF divided by the factor, FOB as it is', () => {
    fc.assert(
      fc.property(amount, factor, (value, f) => {
        expect(fobValue({ valueUsd: value, valuation: 'FOB' }, f)).toBe(value);
        expect(fobValue({ valueUsd: value * f, valuation: 'CIF' }, f)).toBeCloseTo(value, 6);
      }),
    );
  });

  it('the relative gap is symmetric, within [0, 1], and 0 only for equal amounts', () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        const gap = relativeGap(a, b);
        expect(gap).toBe(relativeGap(b, a));
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(gap).toBeLessThanOrEqual(1);
        expect(gap === 0).toBe(a === b);
      }),
    );
    expect(relativeGap(0, 0)).toBe(0);
  });

  it('a value gap is reported exactly when it exceeds the tolerance; a gap at the tolerance is within it', () => {
    fc.assert(
      fc.property(amount, share, share, (value, gap, tolerance) => {
        // Theirs is `gap` below ours relative to ours (the larger).
        const settings: MirrorSettings = { ...DEFAULT_MIRROR_SETTINGS, valueTolerance: tolerance };
        const found = comparePair(row({ valueUsd: value }), row({ valueUsd: value * (1 - gap) }), 'transport-document', settings);
        const measured = relativeGap(value, value * (1 - gap));
        expect(found.some((d) => d.kind === 'value')).toBe(measured > tolerance);
      }),
    );
    const settings = { ...DEFAULT_MIRROR_SETTINGS, valueTolerance: 0.25 };
    expect(comparePair(row({ valueUsd: 100 }), row({ valueUsd: 75 }), 'vehicle', settings)).toEqual([]);
  });

  it('the same holds for net mass with its own tolerance, and mass never depends on the factor', () => {
    fc.assert(
      fc.property(amount, share, factor, (mass, gap, f) => {
        const ours = row({ netMassKg: mass });
        const theirs = row({ netMassKg: mass * (1 - gap) });
        const kinds = (settings: MirrorSettings): boolean => comparePair(ours, theirs, 'vehicle', settings).some((d) => d.kind === 'mass');
        expect(kinds(DEFAULT_MIRROR_SETTINGS)).toBe(relativeGap(mass, mass * (1 - gap)) > DEFAULT_MIRROR_SETTINGS.massTolerance);
        expect(kinds({ ...DEFAULT_MIRROR_SETTINGS, cifFobFactor: f })).toBe(kinds(DEFAULT_MIRROR_SETTINGS));
      }),
    );
  });

  it('changing the factor changes only value discrepancies, and only of pairs where one side is CIF and the other FOB', () => {
    fc.assert(
      fc.property(amount, amount, amount, amount, factor, fc.boolean(), fc.boolean(), (v1, v2, m1, m2, f, cif1, cif2) => {
        const ours = row({ valueUsd: v1, netMassKg: m1, valuation: cif1 ? 'CIF' : 'FOB', hs6: '870323' });
        const theirs = row({ valueUsd: v2, netMassKg: m2, valuation: cif2 ? 'CIF' : 'FOB', hs6: v1 > v2 ? '870324' : '870323' });
        const at = (cifFobFactor: number) => comparePair(ours, theirs, 'transport-document', { ...DEFAULT_MIRROR_SETTINGS, cifFobFactor });
        const before = at(1.06);
        const after = at(f);
        const without = (ds: typeof before) => ds.filter((d) => d.kind !== 'value').map((d) => d.kind);
        expect(without(after)).toEqual(without(before));
        if (cif1 === cif2) expect(after.some((d) => d.kind === 'value')).toBe(before.some((d) => d.kind === 'value'));
      }),
    );
  });

  it('HS6 compared: a different subheading is an hs discrepancy naming both', () => {
    const [d] = comparePair(row({ hs6: '870323' }), row({ hs6: '870324', declarationId: 'T' }), 'transport-document', DEFAULT_MIRROR_SETTINGS);
    expect(d).toMatchObject({ kind: 'hs', ours: 'D', theirs: 'T', hs6: '870323', theirsHs6: '870324', matchedBy: 'transport-document' });
  });
});
