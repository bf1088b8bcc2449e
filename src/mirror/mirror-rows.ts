// Mirror-comparison input rows from canonical records: our cargo declarations, and a partner's declarations received in mirror.batch records, one row per goods item.
import { csvField } from '../codec/csv-codec.js';
import type { CargoDeclaration, MirrorBatch } from '../records/record-types.js';
import { tradeFlowOf } from '../stats/trade-cells.js';
import { MIRROR_COLUMNS, type MirrorColumn } from './mirror-row.js';

/** One input row by column, as text. */
export type MirrorRowText = Record<MirrorColumn, string>;

/** What a row is made of, whichever record it comes from. */
interface ItemFacts {
  declarationId: string;
  /** M or X (re-imports and re-exports count as imports and exports). */
  flow: 'M' | 'X';
  reporter: string;
  dispatch: string;
  destination: string;
  /** When the declaration was registered, with offset: its date is the row's. */
  registeredAt: string;
  hsCode: string;
  value: string;
  netMassKg: string;
  quantity?: { quantity: string; unit: string };
  transportDocument?: string;
  vehicle?: string;
}

/** One row: the partner is where imported goods came from or exported goods go; value CIF for imports, FOB for exports. */
function rowOf(f: ItemFacts): MirrorRowText {
  return {
    declarationId: f.declarationId,
    flow: f.flow,
    reporter: f.reporter,
    partner: f.flow === 'M' ? f.dispatch : f.destination,
    date: f.registeredAt.slice(0, 10),
    hsCode: f.hsCode,
    valueUsd: f.value,
    valuation: f.flow === 'M' ? 'CIF' : 'FOB',
    netMassKg: f.netMassKg,
    supplementaryQty: f.quantity?.quantity ?? '',
    supplementaryUnit: f.quantity?.unit ?? '',
    transportDocument: f.transportDocument ?? '',
    vehicle: f.vehicle ?? '',
  };
}

/** Our declaration's rows (reporter `reporter`), one per item, declaration id `<number>#<item>`; transit makes none. */
export function rowsOfDeclaration(record: CargoDeclaration, reporter: string): MirrorRowText[] {
  const flow = tradeFlowOf(record.flow);
  if (!flow) return [];
  return record.items.map((item) =>
    rowOf({
      declarationId: `${record.declarationNumber}#${item.itemNumber}`,
      flow: flow.endsWith('M') ? 'M' : 'X',
      reporter,
      dispatch: record.countryOfDispatch,
      destination: record.countryOfDestination,
      registeredAt: record.declaredAt,
      hsCode: item.commodityCode,
      value: item.statisticalValue,
      netMassKg: item.netMassKg,
      ...(item.supplementaryQuantity ? { quantity: item.supplementaryQuantity } : {}),
      ...(record.transportDocument ? { transportDocument: record.transportDocument } : {}),
      ...(record.borderTransportMeans ? { vehicle: record.borderTransportMeans.registrationNumber } : {}),
    }),
  );
}

/** A partner's batch's rows (its reporter's declarations), one per item, on the same terms. */
export function rowsOfBatch(record: MirrorBatch): MirrorRowText[] {
  return record.declarations.flatMap((d) =>
    d.items.map((item) =>
      rowOf({
        declarationId: `${d.declarationId}#${item.itemNumber}`,
        flow: d.flow.endsWith('M') ? 'M' : 'X',
        reporter: record.reporter,
        dispatch: d.countryOfDispatch,
        destination: d.countryOfDestination,
        registeredAt: d.registeredAt,
        hsCode: item.hsCode,
        value: item.statisticalValueUsd,
        netMassKg: item.netMassKg,
        ...(item.supplementaryQuantity ? { quantity: item.supplementaryQuantity } : {}),
        ...(d.transportDocument ? { transportDocument: d.transportDocument } : {}),
        ...(d.vehicle ? { vehicle: d.vehicle.registrationNumber } : {}),
      }),
    ),
  );
}

/** The rows as a mirror-comparison input file (header first, CRLF). */
export function mirrorCsv(rows: readonly MirrorRowText[]): string {
  return `${[MIRROR_COLUMNS.join(','), ...rows.map((r) => MIRROR_COLUMNS.map((c) => csvField(r[c], ',', c)).join(','))].join('\r\n')}\r\n`;
}
