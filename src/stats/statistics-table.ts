// HS4/HS6 statistics of a month and partner with totals, confidential cells suppressed (SDMX status C, secondary D) and every total still whole.
import { addCell, emptyCell, type TradeCell, type TradeFlow } from './trade-cells.js';

/** Commodity level of a row. */
export type CommodityLevel = 'HS6' | 'HS4' | 'HS2' | 'TOTAL';

/** SDMX confidentiality status: F free, C confidential (primary), D secondary confidentiality set by the sender. */
export type ConfidentialityStatus = 'F' | 'C' | 'D';

/** One row of the exchanged statistics. */
export interface StatisticsRow {
  flow: TradeFlow;
  /** HS code (6, 4 or 2 digits) or TOTAL. */
  code: string;
  level: CommodityLevel;
  status: ConfidentialityStatus;
  /** The sums; a suppressed row (C or D) carries them only for the sender's own checks, never on the wire. */
  cell: TradeCell;
}

/** How the statistics are built. */
export interface StatisticsOptions {
  /** Commodity level of the detail rows. */
  level: 'hs4' | 'hs6';
  /** A cell built from fewer declarations than this is confidential (default 3). */
  threshold: number;
}

const FLOWS: readonly TradeFlow[] = ['M', 'X', 'RM', 'RX'];
const LEVELS: Record<number, CommodityLevel> = { 6: 'HS6', 4: 'HS4', 2: 'HS2' };

/** Cells rolled up to codes of `digits` digits. */
function rollUp(cells: Iterable<TradeCell>, digits: number): Map<string, TradeCell> {
  const out = new Map<string, TradeCell>();
  for (const cell of cells) {
    const code = digits === 0 ? 'TOTAL' : cell.code.slice(0, digits);
    let into = out.get(code);
    if (!into) out.set(code, (into = emptyCell(cell.flow, code)));
    addCell(into, cell);
  }
  return out;
}

/**
 * Secondary confidentiality (status D), one rule per total: a total with exactly one hidden part would
 * give it away by subtraction, so the smallest other visible part is hidden too; the parts of a hidden
 * total are all hidden (they would add up to it).
 */
function protect(parts: StatisticsRow[], totalHidden: boolean): void {
  const visible = parts.filter((r) => r.status === 'F');
  if (totalHidden) {
    for (const part of visible) part.status = 'D';
    return;
  }
  if (parts.length - visible.length !== 1 || visible.length === 0) return;
  visible.sort((a, b) => (a.cell.value < b.cell.value ? -1 : a.cell.value > b.cell.value ? 1 : a.code < b.code ? -1 : 1))[0]!.status = 'D';
}

/**
 * The rows of each flow present: TOTAL, then each parent (HS4 for hs6 detail, HS2 for hs4 detail)
 * followed by its detail rows, codes ascending. A detail cell is confidential (C) when fewer than
 * `threshold` declarations make it or a declarant asked for it; a parent or total only for the count.
 * Hidden cells are still summed into their parent and the total (no under-coverage).
 */
export function statisticsRows(hs6: readonly TradeCell[], options: StatisticsOptions): StatisticsRow[] {
  const detailDigits = options.level === 'hs6' ? 6 : 4;
  const rows: StatisticsRow[] = [];
  for (const flow of FLOWS) {
    const cells = hs6.filter((c) => c.flow === flow);
    if (cells.length === 0) continue;
    const details = detailDigits === 6 ? new Map(cells.map((c) => [c.code, c])) : rollUp(cells, 4);
    const parents = rollUp(details.values(), detailDigits - 2);
    const total = rollUp(parents.values(), 0).get('TOTAL')!;
    const status = (cell: TradeCell, detail: boolean): ConfidentialityStatus => (cell.declarations.size < options.threshold || (detail && cell.flagged) ? 'C' : 'F');
    const totalRow: StatisticsRow = { flow, code: 'TOTAL', level: 'TOTAL', status: status(total, false), cell: total };
    const parentRows = [...parents.values()].sort((a, b) => (a.code < b.code ? -1 : 1)).map((cell): StatisticsRow => ({ flow, code: cell.code, level: LEVELS[detailDigits - 2]!, status: status(cell, false), cell }));
    const detailRows = new Map<string, StatisticsRow[]>();
    for (const cell of [...details.values()].sort((a, b) => (a.code < b.code ? -1 : 1))) {
      const parent = cell.code.slice(0, detailDigits - 2);
      detailRows.set(parent, [...(detailRows.get(parent) ?? []), { flow, code: cell.code, level: LEVELS[detailDigits]!, status: status(cell, true), cell }]);
    }
    protect(parentRows, totalRow.status !== 'F');
    rows.push(totalRow);
    for (const parent of parentRows) {
      const children = detailRows.get(parent.code) ?? [];
      protect(children, parent.status !== 'F');
      rows.push(parent, ...children);
    }
  }
  return rows;
}
