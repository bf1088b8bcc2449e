// Mirror comparison of two declaration files, streamed: partition by transport document, match, then by vehicle and HS6 in a date window; discrepancies, tables and the report.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvRows } from '../codec/csv-stream.js';
import { GatewayError } from '../errors.js';
import { MirrorBuckets } from './mirror-buckets.js';
import { matchByDocument, matchByVehicle, type GroupMatch } from './mirror-match.js';
import { DiscrepancyOutput, type KindCounts } from './mirror-output.js';
import { comparePair, missing, type MatchedBy, type MirrorSettings } from './mirror-pair.js';
import { writeMirrorReport } from './mirror-report.js';
import { headerWidth, readMirrorHeader, readMirrorRow, tradeOf, type MirrorRow, type MirrorSide } from './mirror-row.js';
import { createMirrorTables, type MirrorTableRow } from './mirror-tables.js';
import { writeMirrorTable } from './mirror-table-files.js';

/** Input bytes per bucket: a bucket's rows of both sides are in memory at once. */
const BUCKET_BYTES = 4 * 1024 * 1024;

/** What to compare, where to write, and how. */
export interface MirrorCompareOptions {
  ours: string;
  theirs: string;
  /** Output folder (created). */
  out: string;
  settings: MirrorSettings;
  /** Buckets per stage; default from the input size (one per 4 MiB of the larger file). */
  buckets?: number;
  /** Told how far the reading is: bytes read of both files, and their total size. */
  progress?(read: number, total: number): void;
}

/** What a comparison found, as the summary of discrepancies.json. */
export interface MirrorSummary {
  ours: { file: string; rows: number; ignoredColumns: string[] };
  theirs: { file: string; rows: number; ignoredColumns: string[] };
  settings: MirrorSettings;
  /** Pairs found, by how. */
  matched: Record<MatchedBy, number>;
  /** Pairs with no discrepancy at all. */
  agreeing: number;
  discrepancies: KindCounts & { total: number };
  /** Total FOB value (USD) of each side. */
  valueFob: { ours: number; theirs: number };
}

/** Everything the report is drawn from. */
export interface MirrorResult {
  summary: MirrorSummary;
  byHs6: MirrorTableRow[];
  byTrade: MirrorTableRow[];
  byMonth: MirrorTableRow[];
}

/**
 * Compares our declarations with the partner's and writes, into `out`: discrepancies.json,
 * discrepancies.csv, mirror-hs6.csv, mirror-trade.csv and report.html. Memory is bounded by a bucket
 * (rows are spread over work files under `out` by the hash of what can match them), not by the inputs.
 * @throws GatewayError GW_ERR_MIRROR_INPUT_INVALID (file, line, column) for an unreadable file or row;
 *   nothing but the work folder is left then.
 */
export async function compareMirror(options: MirrorCompareOptions): Promise<MirrorResult> {
  const { settings } = options;
  const sizes = { ours: fileSize(options.ours), theirs: fileSize(options.theirs) };
  const count = options.buckets ?? Math.max(1, Math.ceil(Math.max(sizes.ours, sizes.theirs) / BUCKET_BYTES));
  mkdirSync(options.out, { recursive: true });
  const work = join(options.out, '.mirror-work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  try {
    const byDocument = new MirrorBuckets(work, 'document', count);
    const byVehicle = new MirrorBuckets(work, 'vehicle', count);
    const vehicleKey = (row: MirrorRow): string => `${tradeOf(row)}|${row.vehicle}|${row.hs6}`;
    const tables = createMirrorTables(settings.cifFobFactor);
    const read = { ours: 0, theirs: 0 };
    const sides = {} as Record<MirrorSide, { rows: number; ignoredColumns: string[] }>;
    for (const side of ['ours', 'theirs'] as const) {
      sides[side] = await partition(options[side], (row) => {
        tables.add(side, row);
        if (row.transportDocument) byDocument.add(side, `${tradeOf(row)}|${row.transportDocument}`, row);
        else byVehicle.add(side, vehicleKey(row), row);
      }, (bytes) => {
        read[side] = bytes;
        options.progress?.(read.ours + read.theirs, sizes.ours + sizes.theirs);
      });
    }
    byDocument.flush();

    const output = new DiscrepancyOutput(options.out);
    const matched: Record<MatchedBy, number> = { 'transport-document': 0, vehicle: 0 };
    let agreeing = 0;
    const settle = (match: GroupMatch, by: MatchedBy): void => {
      for (const [ours, theirs] of match.pairs) {
        matched[by]++;
        const found = comparePair(ours, theirs, by, settings);
        if (found.length === 0) agreeing++;
        for (const d of found) output.add(d);
      }
    };
    for (let bucket = 0; bucket < count; bucket++) {
      for (const [ours, theirs] of groups(byDocument.take('ours', bucket), byDocument.take('theirs', bucket), (row) => `${tradeOf(row)}|${row.transportDocument}`)) {
        const match = matchByDocument(ours, theirs);
        settle(match, 'transport-document');
        for (const row of match.oursLeft) byVehicle.add('ours', vehicleKey(row), row);
        for (const row of match.theirsLeft) byVehicle.add('theirs', vehicleKey(row), row);
      }
    }
    byVehicle.flush();
    for (let bucket = 0; bucket < count; bucket++) {
      for (const [ours, theirs] of groups(byVehicle.take('ours', bucket), byVehicle.take('theirs', bucket), vehicleKey)) {
        // A row without a vehicle has nothing left to be matched by.
        const vehicle = (ours[0] ?? theirs[0])?.vehicle;
        const match = vehicle ? matchByVehicle(ours, theirs, settings.windowDays) : { pairs: [], oursLeft: ours, theirsLeft: theirs };
        settle(match, 'vehicle');
        for (const row of match.oursLeft) output.add(missing(row, 'ours', settings));
        for (const row of match.theirsLeft) output.add(missing(row, 'theirs', settings));
      }
    }

    const byTrade = tables.byTrade();
    const total = (key: 'oursValueFob' | 'theirsValueFob'): number => Math.round(byTrade.reduce((sum, r) => sum + r[key], 0) * 100) / 100;
    const summary: MirrorSummary = {
      ours: { file: options.ours, ...sides.ours },
      theirs: { file: options.theirs, ...sides.theirs },
      settings,
      matched,
      agreeing,
      discrepancies: { ...output.counts, total: Object.values(output.counts).reduce((a, b) => a + b, 0) },
      valueFob: { ours: total('oursValueFob'), theirs: total('theirsValueFob') },
    };
    await output.finish(summary);
    const result: MirrorResult = { summary, byHs6: tables.byHs6(), byTrade, byMonth: tables.byMonth() };
    writeMirrorTable(join(options.out, 'mirror-hs6.csv'), ['trade', 'hs6'], result.byHs6);
    writeMirrorTable(join(options.out, 'mirror-trade.csv'), ['trade'], byTrade);
    writeFileSync(join(options.out, 'report.html'), writeMirrorReport(result, output.largest));
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `${file}: cannot read: ${(err as Error).message}`, { file }, { cause: err });
  }
}

/** Reads one file's rows (header first) and hands each checked row on. */
async function partition(file: string, take: (row: MirrorRow) => void, progress: (bytes: number) => void): Promise<{ rows: number; ignoredColumns: string[] }> {
  let header: ReturnType<typeof readMirrorHeader> | undefined;
  let width = 0;
  let rows = 0;
  for await (const csv of readCsvRows(file, { code: 'GW_ERR_MIRROR_INPUT_INVALID', progress })) {
    if (!header) {
      header = readMirrorHeader(file, csv);
      width = headerWidth(header.header);
      continue;
    }
    take(readMirrorRow(file, header.header, width, csv));
    rows++;
  }
  if (!header) throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `${file}:1:1: the file is empty (a header row is needed)`, { file, line: 1, column: 1 });
  return { rows, ignoredColumns: header.ignored };
}

/** The rows of both sides grouped by key, in key order; groups with rows on either side. */
function groups(ours: MirrorRow[], theirs: MirrorRow[], keyOf: (row: MirrorRow) => string): Array<[MirrorRow[], MirrorRow[]]> {
  const map = new Map<string, [MirrorRow[], MirrorRow[]]>();
  const put = (row: MirrorRow, at: 0 | 1): void => {
    const key = keyOf(row);
    let group = map.get(key);
    if (!group) map.set(key, (group = [[], []]));
    group[at].push(row);
  };
  for (const row of ours) put(row, 0);
  for (const row of theirs) put(row, 1);
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}
