// Compares one matched pair of mirror rows: HS6, value brought to FOB, net mass; each gap beyond its tolerance is a discrepancy.
import { tradeOf, type MirrorRow } from './mirror-row.js';

/** The comparison's settings. */
export interface MirrorSettings {
  /** CIF values are divided by this to compare them as FOB (the IMF DOTS convention: 1.06). */
  cifFobFactor: number;
  /** Largest accepted value difference, relative to the larger of the two FOB values (0.05 = 5 %). */
  valueTolerance: number;
  /** Largest accepted net mass difference, relative to the larger of the two (0.02 = 2 %). */
  massTolerance: number;
  /** Days either side of a crossing date within which rows of one vehicle and HS6 match. */
  windowDays: number;
}

/** The defaults of the documented comparison. */
export const DEFAULT_MIRROR_SETTINGS: Readonly<MirrorSettings> = { cifFobFactor: 1.06, valueTolerance: 0.05, massTolerance: 0.02, windowDays: 3 };

/** How a pair was found. */
export type MatchedBy = 'transport-document' | 'vehicle';

/** What a discrepancy is about. */
export type DiscrepancyKind = 'missing-theirs' | 'missing-ours' | 'value' | 'mass' | 'hs';

/** One discrepancy, as written to discrepancies.json and .csv. */
export interface Discrepancy {
  kind: DiscrepancyKind;
  /** Our declaration id, or null when only theirs exists. */
  ours: string | null;
  /** Their declaration id, or null when only ours exists. */
  theirs: string | null;
  /** HS6 of ours (of theirs when ours is missing). */
  hs6: string;
  /** Exporter > importer. */
  trade: string;
  /** Crossing date of ours (of theirs when ours is missing). */
  date: string;
  matchedBy: MatchedBy | null;
  /** FOB values (USD) of each side, null for a missing side. */
  oursValueFob: number | null;
  theirsValueFob: number | null;
  oursMassKg: number | null;
  theirsMassKg: number | null;
  /** For `hs`: their HS6. */
  theirsHs6?: string;
  /** The compared quantity's gap: absolute (USD or kg; the whole value or mass of a missing row) and relative to the larger side (1 for a missing row). */
  gap: number;
  gapRelative: number;
}

/** A value as FOB: CIF divided by the factor, FOB as it is. */
export function fobValue(row: Pick<MirrorRow, 'valueUsd' | 'valuation'>, factor: number): number {
  return row.valuation === 'CIF' ? row.valueUsd / factor : row.valueUsd;
}

/** The difference of two non-negative amounts relative to the larger; 0 when both are 0. */
export function relativeGap(a: number, b: number): number {
  const larger = Math.max(a, b);
  return larger === 0 ? 0 : Math.abs(a - b) / larger;
}

/** Rounds to cents (values) or grams (masses) for output, so reports do not carry float noise. */
function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The discrepancy of a row without its mirror. */
export function missing(row: MirrorRow, side: 'ours' | 'theirs', settings: MirrorSettings): Discrepancy {
  const value = round(fobValue(row, settings.cifFobFactor), 2);
  return {
    kind: side === 'ours' ? 'missing-theirs' : 'missing-ours',
    ours: side === 'ours' ? row.declarationId : null,
    theirs: side === 'theirs' ? row.declarationId : null,
    hs6: row.hs6,
    trade: tradeOf(row),
    date: row.date,
    matchedBy: null,
    oursValueFob: side === 'ours' ? value : null,
    theirsValueFob: side === 'theirs' ? value : null,
    oursMassKg: side === 'ours' ? row.netMassKg : null,
    theirsMassKg: side === 'theirs' ? row.netMassKg : null,
    gap: value,
    gapRelative: 1,
  };
}

/**
 * The discrepancies of a matched pair, in the order hs, value, mass: none when HS6 agrees and both gaps
 * are within their tolerances (a gap equal to the tolerance is within it).
 */
export function comparePair(ours: MirrorRow, theirs: MirrorRow, matchedBy: MatchedBy, settings: MirrorSettings): Discrepancy[] {
  const oursValue = fobValue(ours, settings.cifFobFactor);
  const theirsValue = fobValue(theirs, settings.cifFobFactor);
  const base = {
    ours: ours.declarationId,
    theirs: theirs.declarationId,
    hs6: ours.hs6,
    trade: tradeOf(ours),
    date: ours.date,
    matchedBy,
    oursValueFob: round(oursValue, 2),
    theirsValueFob: round(theirsValue, 2),
    oursMassKg: ours.netMassKg,
    theirsMassKg: theirs.netMassKg,
  };
  const out: Discrepancy[] = [];
  const valueGap = relativeGap(oursValue, theirsValue);
  if (ours.hs6 !== theirs.hs6) out.push({ kind: 'hs', ...base, theirsHs6: theirs.hs6, gap: round(Math.abs(oursValue - theirsValue), 2), gapRelative: round(valueGap, 6) });
  if (valueGap > settings.valueTolerance) out.push({ kind: 'value', ...base, gap: round(Math.abs(oursValue - theirsValue), 2), gapRelative: round(valueGap, 6) });
  const massGap = relativeGap(ours.netMassKg, theirs.netMassKg);
  if (massGap > settings.massTolerance) out.push({ kind: 'mass', ...base, gap: round(Math.abs(ours.netMassKg - theirs.netMassKg), 3), gapRelative: round(massGap, 6) });
  return out;
}
