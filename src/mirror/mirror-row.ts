// One declaration row of a mirror-comparison input file: its columns, how each is checked, and the normalised form the matching uses.
import { GatewayError } from '../errors.js';
import type { CsvRow } from '../codec/csv-stream.js';

/** The input columns, in the documented order (a file may order them otherwise). */
export const MIRROR_COLUMNS = [
  'declarationId',
  'flow',
  'reporter',
  'partner',
  'date',
  'hsCode',
  'valueUsd',
  'valuation',
  'netMassKg',
  'supplementaryQty',
  'supplementaryUnit',
  'transportDocument',
  'vehicle',
] as const;

/** A column name. */
export type MirrorColumn = (typeof MIRROR_COLUMNS)[number];

/** A checked row. */
export interface MirrorRow {
  declarationId: string;
  /** X export, M import, from the reporter's side. */
  flow: 'X' | 'M';
  /** ISO 3166 alpha-2 of the administration that declared it. */
  reporter: string;
  /** ISO 3166 alpha-2 of the other country. */
  partner: string;
  /** Crossing date, YYYY-MM-DD. */
  date: string;
  /** Days since 1970-01-01 of `date`. */
  day: number;
  hsCode: string;
  /** The first six digits of `hsCode`. */
  hs6: string;
  valueUsd: number;
  valuation: 'FOB' | 'CIF';
  netMassKg: number;
  /** Empty when not declared. */
  supplementaryQty: number | null;
  supplementaryUnit: string;
  /** Transport document number, normalised: upper case, letters and digits only; '' when none. */
  transportDocument: string;
  /** Vehicle registration, normalised the same way; '' when none. */
  vehicle: string;
  /** Line of the row in its file. */
  line: number;
}

/** Which side of the comparison a file is. */
export type MirrorSide = 'ours' | 'theirs';

/**
 * The direction of trade a row is about, the same for both mirrors of one shipment: exporter > importer.
 * Our export to China (KZ, X, partner CN) and China's import from us (CN, M, partner KZ) are both `KZ>CN`.
 */
export function tradeOf(row: Pick<MirrorRow, 'flow' | 'reporter' | 'partner'>): string {
  return row.flow === 'X' ? `${row.reporter}>${row.partner}` : `${row.partner}>${row.reporter}`;
}

/** Upper case, letters and digits only (spaces, hyphens, slashes and dots dropped). */
export function normaliseReference(value: string): string {
  return value.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
}

const COUNTRY = /^[A-Z]{2}$/;
const HS = /^[0-9]{6,10}$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const NUMBER = /^[0-9]+(\.[0-9]+)?$/;

/** Days since 1970-01-01 of each calendar date seen (a file has a few hundred dates and a million rows). */
const days = new Map<string, number>();

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date; undefined for anything else. */
function dayOf(date: string): number | undefined {
  const known = days.get(date);
  if (known !== undefined) return known;
  const parts = DATE.exec(date);
  if (!parts) return undefined;
  const day = Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])) / 86_400_000;
  if (new Date(day * 86_400_000).toISOString().slice(0, 10) !== date) return undefined;
  if (days.size < 100_000) days.set(date, day);
  return day;
}

/** Where each column is in a file, from its header row. */
export type MirrorHeader = Record<MirrorColumn, number>;

/**
 * Reads the header row: every documented column once, in any order; other columns are ignored and named.
 * @throws GatewayError GW_ERR_MIRROR_INPUT_INVALID naming a missing or repeated column.
 */
export function readMirrorHeader(file: string, row: CsvRow): { header: MirrorHeader; ignored: string[] } {
  const at = new Map<string, number>();
  const ignored: string[] = [];
  row.fields.forEach((raw, i) => {
    const name = raw.trim();
    if (at.has(name)) throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `${file}:${row.line}:${row.columns[i]}: column ${name} appears twice`, { file, line: row.line, column: row.columns[i] });
    at.set(name, i);
    if (!(MIRROR_COLUMNS as readonly string[]).includes(name)) ignored.push(name);
  });
  const missing = MIRROR_COLUMNS.filter((c) => !at.has(c));
  if (missing.length > 0) {
    throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `${file}:${row.line}:1: the header lacks ${missing.join(', ')} (columns: ${MIRROR_COLUMNS.join(',')})`, { file, line: row.line, column: 1 });
  }
  return { header: Object.fromEntries(MIRROR_COLUMNS.map((c) => [c, at.get(c)!])) as MirrorHeader, ignored };
}

/** Stops at a bad field of a row: file, line and the column where the field starts. @throws GatewayError GW_ERR_MIRROR_INPUT_INVALID */
function refuse(file: string, header: MirrorHeader, row: CsvRow, column: MirrorColumn | undefined, reason: string): never {
  const col = column === undefined ? 1 : (row.columns[header[column]] ?? 1);
  throw new GatewayError('GW_ERR_MIRROR_INPUT_INVALID', `${file}:${row.line}:${col}: ${column ? `${column} ` : ''}${reason}`, { file, line: row.line, column: col, ...(column ? { field: column } : {}) });
}

/** A field's text, trimmed. */
function field(header: MirrorHeader, row: CsvRow, column: MirrorColumn): string {
  return (row.fields[header[column]] ?? '').trim();
}

/** A non-negative decimal field. */
function amount(file: string, header: MirrorHeader, row: CsvRow, column: MirrorColumn): number {
  const v = field(header, row, column);
  if (!NUMBER.test(v)) refuse(file, header, row, column, `"${v}" is not a non-negative decimal number`);
  return Number(v);
}

/** The number of fields a data row needs: up to the header's last documented column. */
export function headerWidth(header: MirrorHeader): number {
  return Math.max(...Object.values(header)) + 1;
}

/**
 * Checks one data row against the header (`width` from {@link headerWidth}).
 * @throws GatewayError GW_ERR_MIRROR_INPUT_INVALID naming the file, line, column and what is wrong.
 */
export function readMirrorRow(file: string, header: MirrorHeader, width: number, row: CsvRow): MirrorRow {
  if (row.fields.length < width) refuse(file, header, row, undefined, `the row has ${row.fields.length} fields; the header needs at least ${width}`);
  const declarationId = field(header, row, 'declarationId');
  if (!declarationId) refuse(file, header, row, 'declarationId', 'is empty');
  const flow = field(header, row, 'flow');
  if (flow !== 'X' && flow !== 'M') refuse(file, header, row, 'flow', `"${flow}" is not X (export) or M (import)`);
  const reporter = field(header, row, 'reporter');
  if (!COUNTRY.test(reporter)) refuse(file, header, row, 'reporter', `"${reporter}" is not an ISO 3166 alpha-2 code`);
  const partner = field(header, row, 'partner');
  if (!COUNTRY.test(partner)) refuse(file, header, row, 'partner', `"${partner}" is not an ISO 3166 alpha-2 code`);
  if (partner === reporter) refuse(file, header, row, 'partner', 'is the reporter itself');
  const date = field(header, row, 'date');
  const day = dayOf(date);
  if (day === undefined) refuse(file, header, row, 'date', `"${date}" is not a calendar date YYYY-MM-DD`);
  const hsCode = field(header, row, 'hsCode');
  if (!HS.test(hsCode)) refuse(file, header, row, 'hsCode', `"${hsCode}" is not 6 to 10 digits`);
  const valuation = field(header, row, 'valuation');
  if (valuation !== 'FOB' && valuation !== 'CIF') refuse(file, header, row, 'valuation', `"${valuation}" is not FOB or CIF`);
  const quantity = field(header, row, 'supplementaryQty');
  return {
    declarationId,
    flow: flow as MirrorRow['flow'],
    reporter,
    partner,
    date,
    day: day!,
    hsCode,
    hs6: hsCode.slice(0, 6),
    valueUsd: amount(file, header, row, 'valueUsd'),
    valuation: valuation as MirrorRow['valuation'],
    netMassKg: amount(file, header, row, 'netMassKg'),
    supplementaryQty: quantity === '' ? null : amount(file, header, row, 'supplementaryQty'),
    supplementaryUnit: field(header, row, 'supplementaryUnit'),
    transportDocument: normaliseReference(field(header, row, 'transportDocument')),
    vehicle: normaliseReference(field(header, row, 'vehicle')),
    line: row.line,
  };
}
