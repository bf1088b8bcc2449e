// `gateway stats export` and `gateway stats import`: HS4/HS6 statistics from cargo declaration files to SDMX-CSV and SDMX-ML, and a partner's SDMX-CSV read back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';
import type { MirrorSettings } from '../mirror/mirror-pair.js';
import type { CargoDeclaration, MirrorStatistics } from '../records/record-types.js';
import { fromMillionths } from './fixed-decimal.js';
import { writeSdmxCsv, readSdmxCsv } from './sdmx-csv.js';
import { writeSdmxMl } from './sdmx-ml.js';
import { observationOf, type Observation } from './sdmx-structure.js';
import { compareStatistics, statisticsGapsCsv } from './statistics-compare.js';
import { statisticsRecords } from './statistics-records.js';
import { statisticsRows } from './statistics-table.js';
import { hs6Cells } from './trade-cells.js';

/** The export command's options as commander gives them. */
export interface StatsExportArgs {
  period: string;
  level: string;
  partner: string;
  reporter?: string;
  threshold?: string;
  out: string;
  /** Also write the statistics as trade.statistics records (one per flow), to post to /v1/cais/records. */
  asRecords?: boolean;
}

function refuse(reason: string): never {
  throw new GatewayError('GW_ERR_STATS_INPUT_INVALID', reason);
}

/**
 * Builds the statistics of the cargo declarations (read from files or the log by the caller) and writes
 * `<reporter>-<partner>-<period>-<level>.csv` (SDMX-CSV 2.0) and `.xml` (SDMX-ML 3.0) into the output folder.
 */
export function statsExport(args: StatsExportArgs, declarations: readonly CargoDeclaration[], now = new Date()): number {
  if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(args.period)) refuse(`--period must be YYYY-MM, got "${args.period}"`);
  if (args.level !== 'hs4' && args.level !== 'hs6') refuse(`--level must be hs4 or hs6, got "${args.level}"`);
  const reporter = args.reporter ?? 'KZ';
  for (const [name, code] of [['partner', args.partner], ['reporter', reporter]] as const) if (!/^[A-Z]{2}$/.test(code)) refuse(`--${name} must be an ISO 3166 alpha-2 code, got "${code}"`);
  const threshold = args.threshold === undefined ? 3 : Number(args.threshold);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 100) refuse(`--threshold must be a whole number from 1 to 100, got "${args.threshold}"`);
  const rows = statisticsRows(hs6Cells(declarations, { period: args.period, partner: args.partner }), { level: args.level, threshold });
  const context = { reporter, partner: args.partner, period: args.period };
  const observations = rows.map((r) => observationOf(r, context));
  const name = `${reporter}-${args.partner}-${args.period}-${args.level}`;
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, `${name}.csv`), writeSdmxCsv(observations));
  writeFileSync(join(args.out, `${name}.xml`), writeSdmxMl(observations, { id: `${name.replace(/[^A-Za-z0-9_-]/g, '_')}_${now.getTime()}`, prepared: now, sender: `${reporter}_CUSTOMS` }));
  if (args.asRecords) {
    for (const record of statisticsRecords(rows, context, args.level)) {
      const file = join(args.out, `${record.recordId}.record.json`);
      writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      process.stdout.write(`trade.statistics record ${record.recordId} written to ${file}\n`);
    }
  }
  const hidden = rows.filter((r) => r.status !== 'F').length;
  process.stdout.write(`${name}: ${rows.length} observations (${hidden} confidential, C or D) written to ${join(args.out, `${name}.csv`)} and .xml\n`);
  for (const total of rows.filter((r) => r.level === 'TOTAL')) {
    process.stdout.write(`  ${total.flow} total ${fromMillionths(total.cell.value, 2)} USD, ${fromMillionths(total.cell.netMass)} kg, ${total.cell.declarations.size} declarations${total.status === 'F' ? '' : ' (confidential)'}\n`);
  }
  if (rows.length === 0) process.stderr.write(`warning: no cargo declaration of ${args.period} with partner ${args.partner} in the input: the data set is empty\n`);
  return 0;
}

/** Reads a partner's SDMX-CSV file, prints what it holds, and writes its observations as JSON when asked. */
export async function statsImport(file: string, options: { json?: string }): Promise<number> {
  const observations: Observation[] = await readSdmxCsv(file);
  const byFlow = new Map<string, Observation[]>();
  for (const o of observations) {
    const key = `${o.REF_AREA}→${o.COUNTERPART_AREA} ${o.TRADE_FLOW} ${o.TIME_PERIOD}`;
    byFlow.set(key, [...(byFlow.get(key) ?? []), o]);
  }
  process.stdout.write(`${file}: ${observations.length} observations, ${observations.filter((o) => o.CONF_STATUS !== 'F').length} confidential\n`);
  for (const [key, flow] of byFlow) {
    const total = flow.find((o) => o.CMD_CODE === 'TOTAL');
    process.stdout.write(`  ${key}: ${flow.length} observations${total?.TRADE_VALUE ? `, total ${total.TRADE_VALUE} ${total.CURRENCY}` : ''}\n`);
  }
  if (options.json) writeFileSync(options.json, `${JSON.stringify(observations, null, 2)}\n`);
  return 0;
}

/** The compare command's options as commander gives them. */
export interface StatsCompareArgs {
  ours: string;
  theirs?: string[];
  out: string;
  factor?: string;
  valueTolerance?: string;
  massTolerance?: string;
}

/** The detail level of a statistics file: the finest of its observations. */
function detailLevel(r: MirrorStatistics): string {
  return r.observations.some((o) => o.level === 'HS6') ? 'HS6' : r.observations.some((o) => o.level === 'HS4') ? 'HS4' : 'HS2';
}

/**
 * A partner's statistics received through the gateway (mirror.statistics records) as observations; of
 * several files of one data set and detail level, the last received counts.
 */
export function observationsOfRecords(records: readonly MirrorStatistics[]): Observation[] {
  const latest = new Map<string, MirrorStatistics>();
  for (const r of records) latest.set(`${r.reporter}|${r.partner}|${r.flow}|${r.period}|${detailLevel(r)}`, r);
  return [...latest.values()].flatMap((r) =>
    r.observations.map((o) => ({
      FREQ: 'M',
      REF_AREA: r.reporter,
      COUNTERPART_AREA: r.partner,
      TRADE_FLOW: r.flow,
      CMD_CODE: o.commodityCode,
      TIME_PERIOD: r.period,
      ...(o.value !== undefined ? { TRADE_VALUE: o.value } : {}),
      ...(o.netMassKg !== undefined ? { NET_MASS: o.netMassKg } : {}),
      ...(o.supplementaryQuantity !== undefined ? { SUPP_QTY: o.supplementaryQuantity } : {}),
      CURRENCY: o.currency,
      VALUATION: o.valuation,
      CMD_LEVEL: o.level,
      ...(o.supplementaryUnit !== undefined ? { SUPP_UNIT: o.supplementaryUnit } : {}),
      CONF_STATUS: o.confidentiality,
    })),
  );
}

/**
 * Compares our SDMX-CSV statistics with the partner's (an SDMX-CSV file, or what it sent through the
 * gateway) and writes statistics-gaps.json (summary and gaps) and statistics-gaps.csv into the folder.
 */
export async function statsCompare(args: StatsCompareArgs, partnerSide: readonly Observation[], settings: Pick<MirrorSettings, 'cifFobFactor' | 'valueTolerance' | 'massTolerance'>): Promise<number> {
  const ours = await readSdmxCsv(args.ours);
  // Only the months and commodity levels our file covers: the partner's other months are not gaps.
  const periods = new Set(ours.map((o) => o.TIME_PERIOD));
  const levels = new Set(ours.map((o) => o.CMD_LEVEL));
  const theirs = partnerSide.filter((o) => periods.has(o.TIME_PERIOD) && levels.has(o.CMD_LEVEL));
  const { summary, gaps } = compareStatistics(ours, theirs, settings);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'statistics-gaps.json'), `${JSON.stringify({ summary, gaps }, null, 2)}\n`);
  writeFileSync(join(args.out, 'statistics-gaps.csv'), statisticsGapsCsv(gaps));
  const g = summary.gaps;
  process.stdout.write(
    `${summary.cells} cells, ${summary.agreeing} agreeing; value ${g.value}, mass ${g.mass}, missing-theirs ${g['missing-theirs']}, missing-ours ${g['missing-ours']}, confidential ${g.confidential}\n` +
      `written to ${args.out}: statistics-gaps.json, statistics-gaps.csv\n`,
  );
  if (theirs.length === 0) process.stderr.write(`warning: the partner side holds no observation of ${[...periods].join(', ')} at ${[...levels].join(', ')}\n`);
  return 0;
}
