// Trade statistics cells from cargo declarations: one cell per flow and HS6 for a month and a partner, with exact sums and the declarations behind each.
import type { CargoDeclaration } from '../records/record-types.js';
import { toMillionths } from './fixed-decimal.js';

/** Trade flow codes (Comtrade): imports, exports, re-imports, re-exports. */
export type TradeFlow = 'M' | 'X' | 'RM' | 'RX';

/** The flow of a declaration, or undefined for goods in transit (not trade of the reporter). */
export function tradeFlowOf(flow: CargoDeclaration['flow']): TradeFlow | undefined {
  return ({ import: 'M', export: 'X', 're-import': 'RM', 're-export': 'RX', transit: undefined } as const)[flow];
}

/** One cell before confidentiality: exact sums in millionths. */
export interface TradeCell {
  flow: TradeFlow;
  /** HS code of the cell (2, 4 or 6 digits), or TOTAL. */
  code: string;
  value: bigint;
  netMass: bigint;
  /** Sum of the supplementary quantities, meaningful only in the one unit of {@link units}. */
  quantity: bigint;
  /** Supplementary units declared in the cell. */
  units: Set<string>;
  /** Some item of the cell declared no supplementary quantity. */
  withoutQuantity: boolean;
  /** Declarations that contributed (their registration numbers). */
  declarations: Set<string>;
  /** A contributing declarant asked for confidentiality. */
  flagged: boolean;
}

/** Which declarations make the statistics. */
export interface CellSelection {
  /** YYYY-MM of the registration date (as CAIS wrote it, in the office's time zone). */
  period: string;
  /** ISO alpha-2 partner: country of origin of an imported item, country of destination of an export. */
  partner: string;
}

/** The partner of an item, as IMTS 2010 attributes it: origin for imports, destination for exports. */
function partnerOf(record: CargoDeclaration, item: CargoDeclaration['items'][number], flow: TradeFlow): string {
  return flow === 'M' || flow === 'RM' ? item.originCountry : record.countryOfDestination;
}

/** Adds one item to a cell. */
function addItem(cell: TradeCell, record: CargoDeclaration, item: CargoDeclaration['items'][number], where: string): void {
  cell.value += toMillionths(item.statisticalValue, 'GW_ERR_RECORD_INVALID', `${where}/statisticalValue`);
  cell.netMass += toMillionths(item.netMassKg, 'GW_ERR_RECORD_INVALID', `${where}/netMassKg`);
  const q = item.supplementaryQuantity;
  if (q) {
    cell.quantity += toMillionths(q.quantity, 'GW_ERR_RECORD_INVALID', `${where}/supplementaryQuantity/quantity`);
    cell.units.add(q.unit);
  } else cell.withoutQuantity = true;
  cell.declarations.add(record.declarationNumber);
  cell.flagged ||= record.confidentialStatistics === true;
}

/** A new empty cell. */
export function emptyCell(flow: TradeFlow, code: string): TradeCell {
  return { flow, code, value: 0n, netMass: 0n, quantity: 0n, units: new Set(), withoutQuantity: false, declarations: new Set(), flagged: false };
}

/** Adds a cell's sums, units and declarations to another (a roll-up to a higher level). */
export function addCell(into: TradeCell, cell: TradeCell): void {
  into.value += cell.value;
  into.netMass += cell.netMass;
  into.quantity += cell.quantity;
  for (const unit of cell.units) into.units.add(unit);
  into.withoutQuantity ||= cell.withoutQuantity;
  for (const d of cell.declarations) into.declarations.add(d);
  into.flagged ||= cell.flagged;
}

/** The supplementary quantity and unit of a cell, when every item declared one in the same unit. */
export function cellQuantity(cell: TradeCell): { amount: bigint; unit: string } | undefined {
  return cell.units.size === 1 && !cell.withoutQuantity ? { amount: cell.quantity, unit: [...cell.units][0]! } : undefined;
}

/**
 * HS6 cells of the selected month and partner, by flow, from valid cargo declarations (the latest version
 * of each record only: pass them deduplicated). Transit declarations make no trade statistics.
 */
export function hs6Cells(records: Iterable<CargoDeclaration>, selection: CellSelection): TradeCell[] {
  const cells = new Map<string, TradeCell>();
  for (const record of records) {
    const flow = tradeFlowOf(record.flow);
    if (!flow || record.declaredAt.slice(0, 7) !== selection.period) continue;
    record.items.forEach((item, i) => {
      if (partnerOf(record, item, flow) !== selection.partner) return;
      const code = item.commodityCode.slice(0, 6);
      const key = `${flow} ${code}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = emptyCell(flow, code)));
      addItem(cell, record, item, `${record.recordId}/items/${i}`);
    });
  }
  return [...cells.values()];
}
