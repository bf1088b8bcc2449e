// China's side of the statistics exchange: how the receiver checks an SDMX-CSV statistics file of our dataflow before it takes it.
import { parseCsv, SDMX_CSV_COLUMNS, SDMX_DATAFLOW_ID, type CsvTable } from '../../../src/partners/kit.js';

/** Cents of a decimal text (values have at most two fraction digits). */
function cents(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

/**
 * What is wrong with a statistics file, as its receiver sees it, or undefined: the header must be the
 * dataflow's columns, every row of the dataflow, one TOTAL row, a suppressed (C or D) row without
 * figures, and the visible rows may not add up to more than the total.
 */
export function statisticsProblem(csv: Buffer): string | undefined {
  let table: CsvTable;
  try {
    table = parseCsv(csv, {}) as CsvTable;
  } catch (err) {
    return `not CSV: ${(err as Error).message}`;
  }
  const columns = table.columns ?? [];
  if (columns.join(',') !== SDMX_CSV_COLUMNS.join(',')) return `the header is not the dataflow's: ${columns.join(',')}`;
  const rows = table.rows as Array<Record<string, string>>;
  if (rows.some((r) => r.STRUCTURE !== 'dataflow' || r.STRUCTURE_ID !== SDMX_DATAFLOW_ID)) return `a row is not of dataflow ${SDMX_DATAFLOW_ID}`;
  const totals = rows.filter((r) => r.CMD_CODE === 'TOTAL');
  if (totals.length !== 1) return `${totals.length} TOTAL rows, not one`;
  if (rows.some((r) => r.CONF_STATUS !== 'F' && (r.TRADE_VALUE || r.NET_MASS || r.SUPP_QTY))) return 'a confidential row carries figures';
  const visible = rows.filter((r) => r.CMD_CODE !== 'TOTAL' && r.CONF_STATUS === 'F').reduce((sum, r) => sum + cents(r.TRADE_VALUE ?? '0'), 0n);
  if (visible > cents(totals[0]!.TRADE_VALUE ?? '0')) return 'the visible rows add up to more than the total';
  return undefined;
}
