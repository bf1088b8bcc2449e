// A statistics file of the exchange (SDMX-CSV 2.0 of our dataflow): how its receiver checks it, and how the gateway reads one China pushes into the envelope and the tree its inbound mapping reads.
import { createHash } from 'node:crypto';
import { parseCsv, SDMX_CSV_COLUMNS, SDMX_DATAFLOW_ID, type CsvTable, type InboundEnvelope, type XmlContent } from '../../src/partners/kit.js';
import { cnErrors } from './errors.js';

/** Inbound and outbound message type of a statistics file. */
export const TRADE_STATISTICS = 'trade-statistics';

/** The columns every row of one file shares: one data set is one month and flow between two countries. */
const DATA_SET_KEY = ['FREQ', 'REF_AREA', 'COUNTERPART_AREA', 'TRADE_FLOW', 'TIME_PERIOD'] as const;

/** Cents of a decimal text (values have at most two fraction digits). */
function cents(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

/** The rows of a readable file with the dataflow's header, or what is wrong with it. */
function rowsOf(csv: Buffer): Array<Record<string, string>> | string {
  let table: CsvTable;
  try {
    table = parseCsv(csv, {}) as CsvTable;
  } catch (err) {
    return `not CSV: ${(err as Error).message}`;
  }
  const columns = table.columns ?? [];
  if (columns.join(',') !== SDMX_CSV_COLUMNS.join(',')) return `the header is not the dataflow's: ${columns.join(',')}`;
  return table.rows as Array<Record<string, string>>;
}

/** What is wrong with the rows of a file, or undefined. */
function rowsProblem(rows: ReadonlyArray<Record<string, string>>): string | undefined {
  if (rows.some((r) => r.STRUCTURE !== 'dataflow' || r.STRUCTURE_ID !== SDMX_DATAFLOW_ID)) return `a row is not of dataflow ${SDMX_DATAFLOW_ID}`;
  const key = (r: Record<string, string>): string => DATA_SET_KEY.map((c) => r[c] ?? '').join('|');
  if (rows.some((r) => key(r) !== key(rows[0]!))) return `the rows are not all of one data set (${DATA_SET_KEY.join(', ')})`;
  const totals = rows.filter((r) => r.CMD_CODE === 'TOTAL');
  if (totals.length !== 1) return `${totals.length} TOTAL rows, not one`;
  if (rows.some((r) => r.CONF_STATUS !== 'F' && (r.TRADE_VALUE || r.NET_MASS || r.SUPP_QTY))) return 'a confidential row carries figures';
  const visible = rows.filter((r) => r.CMD_CODE !== 'TOTAL' && r.CONF_STATUS === 'F').reduce((sum, r) => sum + cents(r.TRADE_VALUE ?? '0'), 0n);
  if (visible > cents(totals[0]!.TRADE_VALUE ?? '0')) return 'the visible rows add up to more than the total';
  return undefined;
}

/**
 * What is wrong with a statistics file, as its receiver sees it, or undefined: the header must be the
 * dataflow's columns, every row of the dataflow and of one data set, one TOTAL row, a suppressed (C or
 * D) row without figures, and the visible rows may not add up to more than the total.
 */
export function statisticsProblem(csv: Buffer): string | undefined {
  const rows = rowsOf(csv);
  return typeof rows === 'string' ? rows : rowsProblem(rows);
}

/**
 * Reads a statistics file China pushed (the signed content of its CMS): its id is the data set's key
 * and a digest of the file (a revised file is another message, the same file again a repeat), its
 * sender the reporter; the tree for the mapping is `Statistics` (attribute `dataflow`) with one
 * `Observation` per row, each component a child with its text, empty ones left out.
 * @throws GatewayError GW_ERR_CN_STATISTICS_INVALID when the file fails {@link statisticsProblem}, GW_ERR_CN_NOT_FOR_US when its
 *   COUNTERPART_AREA is not `us`
 */
export function readStatisticsFile(content: Buffer, us: string): { envelope: InboundEnvelope; document: XmlContent } {
  const rows = rowsOf(content);
  const problem = typeof rows === 'string' ? rows : rowsProblem(rows);
  if (typeof rows === 'string' || problem) throw cnErrors.error('GW_ERR_CN_STATISTICS_INVALID', `statistics file: ${problem}`, { envelope: { messageType: TRADE_STATISTICS } });
  const first = rows[0]!;
  if (first.COUNTERPART_AREA !== us) throw cnErrors.error('GW_ERR_CN_NOT_FOR_US', `the statistics are of trade with "${first.COUNTERPART_AREA}", we are ${us}`, { envelope: { messageType: TRADE_STATISTICS } });
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const messageId = `${first.REF_AREA}-${first.COUNTERPART_AREA}-${first.TRADE_FLOW}-${first.TIME_PERIOD}-${digest}`;
  const observations = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([column, value]) => value !== '' && value !== undefined && !['STRUCTURE', 'STRUCTURE_ID', 'ACTION'].includes(column))));
  return {
    envelope: { messageType: TRADE_STATISTICS, messageId, sender: first.REF_AREA ?? '', replyContext: { itemCount: String(rows.length) } },
    document: { Statistics: { '@dataflow': first.STRUCTURE_ID ?? '', Observation: observations } },
  };
}
