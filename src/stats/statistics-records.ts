// Statistics rows as trade.statistics records (one per flow), so they reach the partners configured for statistics through the gateway's own routing.
import type { TradeStatistics } from '../records/record-types.js';
import { fromMillionths } from './fixed-decimal.js';
import type { DataSetContext } from './sdmx-structure.js';
import type { StatisticsRow } from './statistics-table.js';
import { cellQuantity } from './trade-cells.js';

/**
 * One `trade.statistics` record per import and export flow: the detail rows (hidden ones marked
 * confidential, C and D alike) and the flow's whole totals. Re-imports and re-exports have no record
 * (the record carries M and X only); a supplementary quantity goes with its unit only when the unit is a
 * numeric code of the EAEU classifier the record takes.
 */
export function statisticsRecords(rows: readonly StatisticsRow[], context: DataSetContext, level: 'hs4' | 'hs6'): TradeStatistics[] {
  const detail = level === 'hs6' ? 'HS6' : 'HS4';
  const out: TradeStatistics[] = [];
  for (const flow of ['M', 'X'] as const) {
    const total = rows.find((r) => r.flow === flow && r.level === 'TOTAL');
    if (!total) continue;
    out.push({
      type: 'trade.statistics',
      recordId: `STAT-${context.period}-${context.partner}-${flow}-${detail}`,
      version: 1,
      period: context.period,
      level,
      reporter: context.reporter,
      partner: context.partner,
      flow,
      currency: 'USD',
      rows: rows
        .filter((r) => r.flow === flow && r.level === detail)
        .map((r) => {
          const quantity = cellQuantity(r.cell);
          return {
            commodityCode: r.code,
            statisticalValue: fromMillionths(r.cell.value, 2),
            netMassKg: fromMillionths(r.cell.netMass),
            ...(quantity && /^[0-9]{3}$/.test(quantity.unit) ? { supplementaryQuantity: fromMillionths(quantity.amount), supplementaryUnit: quantity.unit } : {}),
            declarations: r.cell.declarations.size,
            confidential: r.status !== 'F',
          };
        }),
      totals: { statisticalValue: fromMillionths(total.cell.value, 2), netMassKg: fromMillionths(total.cell.netMass) },
    });
  }
  return out;
}
