// The aggregate mirror tables: both sides' FOB value and net mass by trade direction and HS6, by trade direction, and by month.
import { fobValue, relativeGap } from './mirror-pair.js';
import { tradeOf, type MirrorRow, type MirrorSide } from './mirror-row.js';

/** One cell of a mirror table: what each side declared. */
export interface MirrorCell {
  oursRows: number;
  theirsRows: number;
  oursValueFob: number;
  theirsValueFob: number;
  oursNetMassKg: number;
  theirsNetMassKg: number;
}

/** A table row: its key and its cell. */
export interface MirrorTableRow extends MirrorCell {
  key: string;
}

/** The tables, filled row by row as the files stream past (their size is bounded by HS6 codes × directions, not by rows). */
export interface MirrorTables {
  add(side: MirrorSide, row: MirrorRow): void;
  /** By `trade hs6` (exporter>importer and HS6), sorted by key. */
  byHs6(): MirrorTableRow[];
  /** By trade direction (exporter>importer), sorted by key. */
  byTrade(): MirrorTableRow[];
  /** By month (YYYY-MM) of the crossing date, sorted. */
  byMonth(): MirrorTableRow[];
}

function empty(): MirrorCell {
  return { oursRows: 0, theirsRows: 0, oursValueFob: 0, theirsValueFob: 0, oursNetMassKg: 0, theirsNetMassKg: 0 };
}

function sorted(map: Map<string, MirrorCell>): MirrorTableRow[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, cell]) => ({ key, ...cell }));
}

/** Creates empty tables for a comparison with this CIF/FOB factor. */
export function createMirrorTables(cifFobFactor: number): MirrorTables {
  const hs6 = new Map<string, MirrorCell>();
  const trade = new Map<string, MirrorCell>();
  const month = new Map<string, MirrorCell>();
  const addTo = (map: Map<string, MirrorCell>, key: string, side: MirrorSide, value: number, mass: number): void => {
    let cell = map.get(key);
    if (!cell) map.set(key, (cell = empty()));
    if (side === 'ours') {
      cell.oursRows++;
      cell.oursValueFob += value;
      cell.oursNetMassKg += mass;
    } else {
      cell.theirsRows++;
      cell.theirsValueFob += value;
      cell.theirsNetMassKg += mass;
    }
  };
  return {
    add(side, row) {
      const value = fobValue(row, cifFobFactor);
      const direction = tradeOf(row);
      addTo(hs6, `${direction} ${row.hs6}`, side, value, row.netMassKg);
      addTo(trade, direction, side, value, row.netMassKg);
      addTo(month, row.date.slice(0, 7), side, value, row.netMassKg);
    },
    byHs6: () => sorted(hs6),
    byTrade: () => sorted(trade),
    byMonth: () => sorted(month),
  };
}

/** The relative value gap of a cell (0 when both are 0). */
export function cellValueGap(cell: MirrorCell): number {
  return relativeGap(cell.oursValueFob, cell.theirsValueFob);
}

/** The relative net mass gap of a cell. */
export function cellMassGap(cell: MirrorCell): number {
  return relativeGap(cell.oursNetMassKg, cell.theirsNetMassKg);
}
