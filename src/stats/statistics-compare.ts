// Mirror comparison of trade statistics: our exports against the partner's imports from us and the other way round, per period and commodity code, values brought to FOB.
import { csvField } from '../codec/csv-codec.js';
import { relativeGap, type MirrorSettings } from '../mirror/mirror-pair.js';
import type { Observation } from './sdmx-structure.js';

/** What one compared cell shows. */
export type StatisticsGapKind = 'value' | 'mass' | 'missing-theirs' | 'missing-ours' | 'confidential';

/** One cell of the comparison that is not in agreement, as written to statistics-gaps.json and .csv. */
export interface StatisticsGap {
  kind: StatisticsGapKind;
  /** Exporter > importer. */
  trade: string;
  period: string;
  /** TOTAL, or the HS code of the cell. */
  commodityCode: string;
  /** FOB values (USD) and net masses of each side; null where a side has no figure (missing or confidential). */
  oursValueFob: number | null;
  theirsValueFob: number | null;
  oursMassKg: number | null;
  theirsMassKg: number | null;
  /** The compared quantity's gap, absolute and relative to the larger side (the whole figure and 1 for a missing side; 0 for a confidential cell). */
  gap: number;
  gapRelative: number;
}

/** The comparison's counts. */
export interface StatisticsSummary {
  /** Cells present on either side (a cell: direction of trade, period, commodity code). */
  cells: number;
  /** Cells with figures on both sides within both tolerances. */
  agreeing: number;
  gaps: Record<StatisticsGapKind, number>;
  settings: Pick<MirrorSettings, 'cifFobFactor' | 'valueTolerance' | 'massTolerance'>;
}

/** One side's figures of a cell, summed over the flows that mirror into it (exports and re-exports, imports and re-imports). */
interface Side {
  valueFob: number;
  massKg: number;
  confidential: boolean;
}

/** Columns of statistics-gaps.csv, in order. */
export const STATISTICS_GAP_COLUMNS = ['kind', 'trade', 'period', 'commodityCode', 'oursValueFob', 'theirsValueFob', 'oursMassKg', 'theirsMassKg', 'gap', 'gapRelative'] as const;

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The cell key of an observation: exporter > importer (from the reporter's flow), period, commodity code. */
function cellOf(o: Observation): { trade: string; period: string; code: string } {
  const exported = o.TRADE_FLOW === 'X' || o.TRADE_FLOW === 'RX';
  const trade = exported ? `${o.REF_AREA}>${o.COUNTERPART_AREA}` : `${o.COUNTERPART_AREA}>${o.REF_AREA}`;
  return { trade, period: o.TIME_PERIOD ?? '', code: o.CMD_CODE ?? '' };
}

/** One side's cells: confidential when any row summed into it is (C, D or another status than F). */
function sideCells(observations: readonly Observation[], factor: number): Map<string, Side> {
  const cells = new Map<string, Side>();
  for (const o of observations) {
    const { trade, period, code } = cellOf(o);
    const key = `${trade}|${period}|${code}`;
    const side = cells.get(key) ?? { valueFob: 0, massKg: 0, confidential: false };
    if (o.CONF_STATUS !== 'F') side.confidential = true;
    const value = Number(o.TRADE_VALUE ?? 0);
    side.valueFob += o.VALUATION === 'CIF' ? value / factor : value;
    side.massKg += Number(o.NET_MASS ?? 0);
    cells.set(key, side);
  }
  return cells;
}

/**
 * Compares our statistics with a partner's, cell by cell (direction of trade, period, commodity code):
 * our exports with its imports from us and the other way round. Both sides' values are brought to FOB
 * (CIF divided by the factor); a cell over either tolerance is a `value` or `mass` gap; a cell one side
 * suppressed is `confidential` (not compared); a cell of one side only is missing on the other. Gaps
 * are in a fixed order (trade, period, code, then kind), so the output is deterministic.
 */
export function compareStatistics(ours: readonly Observation[], theirs: readonly Observation[], settings: Pick<MirrorSettings, 'cifFobFactor' | 'valueTolerance' | 'massTolerance'>): { summary: StatisticsSummary; gaps: StatisticsGap[] } {
  const mine = sideCells(ours, settings.cifFobFactor);
  const other = sideCells(theirs, settings.cifFobFactor);
  const keys = [...new Set([...mine.keys(), ...other.keys()])].sort();
  const gaps: StatisticsGap[] = [];
  let agreeing = 0;
  for (const key of keys) {
    const [trade = '', period = '', commodityCode = ''] = key.split('|');
    const a = mine.get(key);
    const b = other.get(key);
    const shown = (s: Side | undefined): { value: number | null; mass: number | null } => (s && !s.confidential ? { value: round(s.valueFob, 2), mass: round(s.massKg, 3) } : { value: null, mass: null });
    const base = { trade, period, commodityCode, oursValueFob: shown(a).value, theirsValueFob: shown(b).value, oursMassKg: shown(a).mass, theirsMassKg: shown(b).mass };
    if (a?.confidential || b?.confidential) {
      gaps.push({ kind: 'confidential', ...base, gap: 0, gapRelative: 0 });
    } else if (!a || !b) {
      const present = (a ?? b)!;
      gaps.push({ kind: a ? 'missing-theirs' : 'missing-ours', ...base, gap: round(present.valueFob, 2), gapRelative: 1 });
    } else {
      const valueGap = relativeGap(a.valueFob, b.valueFob);
      const massGap = relativeGap(a.massKg, b.massKg);
      if (valueGap > settings.valueTolerance) gaps.push({ kind: 'value', ...base, gap: round(Math.abs(a.valueFob - b.valueFob), 2), gapRelative: round(valueGap, 6) });
      if (massGap > settings.massTolerance) gaps.push({ kind: 'mass', ...base, gap: round(Math.abs(a.massKg - b.massKg), 3), gapRelative: round(massGap, 6) });
      if (valueGap <= settings.valueTolerance && massGap <= settings.massTolerance) agreeing++;
    }
  }
  const counts: Record<StatisticsGapKind, number> = { value: 0, mass: 0, 'missing-theirs': 0, 'missing-ours': 0, confidential: 0 };
  for (const g of gaps) counts[g.kind]++;
  return { summary: { cells: keys.length, agreeing, gaps: counts, settings: { cifFobFactor: settings.cifFobFactor, valueTolerance: settings.valueTolerance, massTolerance: settings.massTolerance } }, gaps };
}

/** The gaps as CSV (header first, CRLF, empty cells for nulls). */
export function statisticsGapsCsv(gaps: readonly StatisticsGap[]): string {
  const lines = gaps.map((g) => STATISTICS_GAP_COLUMNS.map((c) => csvField(g[c] === null ? '' : String(g[c]), ',', c)).join(','));
  return `${[STATISTICS_GAP_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
