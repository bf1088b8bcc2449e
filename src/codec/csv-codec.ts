// CSV documents (RFC 4180): a header row and one line per row, quoted where needed, CRLF line ends, UTF-8.
import { GatewayError } from '../errors.js';
import type { CsvTable } from './document-tree.js';

/** How a CSV file is laid out. */
export interface CsvOptions {
  /** Column names in order; default: the table's own `columns`, else the keys of the first row. Every row may only use these. */
  columns?: readonly string[];
  /** Field separator, one character (default `,`). */
  separator?: string;
  /** Largest accepted input when parsing (default 16 MiB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function separatorOf(options: CsvOptions): string {
  const separator = options.separator ?? ',';
  if (separator.length !== 1 || separator === '"' || separator === '\r' || separator === '\n') {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `CSV separator must be one character other than a quote or line break, got ${JSON.stringify(separator)}`);
  }
  return separator;
}

/**
 * One CSV cell: empty for nothing, quoted when it holds the separator, a quote, a line break or edge spaces.
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID for an object or list (`pointer` names where).
 */
export function csvField(value: unknown, separator: string, pointer: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `${pointer}: a CSV cell holds text, a number or a boolean, not ${Array.isArray(value) ? 'a list' : typeof value}`, { pointer });
  }
  const text = String(value);
  return text.includes(separator) || /["\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Renders a table as CSV text bytes: header row first, CRLF after every line.
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID for a value that is not `{ rows: [...] }`, a row with a
 *   column not in `columns`, or a cell that is an object or list.
 */
export function renderCsv(value: unknown, options: CsvOptions = {}): Buffer {
  const rows = value !== null && typeof value === 'object' ? (value as Partial<CsvTable>).rows : undefined;
  if (!Array.isArray(rows)) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'a CSV document is { rows: [ { column: value, … } ] }', { pointer: '/rows' });
  const separator = separatorOf(options);
  const own = (value as Partial<CsvTable>).columns;
  const columns = options.columns ?? own ?? Object.keys((rows[0] as object | undefined) ?? {});
  if (columns.length === 0) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'a CSV document needs columns (codec option or a first row)', { pointer: '/rows' });
  const lines = [columns.map((c) => csvField(c, separator, '/columns')).join(separator)];
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `/rows/${i} must be an object of cells`, { pointer: `/rows/${i}` });
    const extra = Object.keys(row).find((k) => !columns.includes(k));
    if (extra !== undefined) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `/rows/${i}/${extra} is not a column (${columns.join(', ')})`, { pointer: `/rows/${i}/${extra}` });
    lines.push(columns.map((c) => csvField((row as Record<string, unknown>)[c], separator, `/rows/${i}/${c}`)).join(separator));
  });
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

function malformed(line: number, reason: string): GatewayError {
  return new GatewayError('GW_ERR_DOCUMENT_INVALID', `CSV line ${line}: ${reason}`, { line });
}

/** Splits CSV text into records of fields (quotes, doubled quotes, separators and line breaks inside quotes). */
function records(text: string, separator: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endCell = (): void => {
    row.push(cell);
    cell = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== separator && next !== '\r' && next !== '\n') throw malformed(line, 'text after a closing quote');
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"') {
      if (cell !== '') throw malformed(line, 'a quote inside an unquoted field');
      quoted = true;
    } else if (c === separator) endCell();
    else if (c === '\r' || c === '\n') {
      endCell();
      out.push(row);
      row = [];
      line++;
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else cell += c;
    i++;
  }
  if (quoted) throw malformed(line, 'a quoted field is not closed');
  if (cell !== '' || row.length > 0) {
    endCell();
    out.push(row);
  }
  return out;
}

/**
 * Parses CSV bytes with a header row into `{ rows }`, cells as text (`0012` stays `0012`).
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID for oversize or malformed input, a repeated or empty
 *   column name, a row with another number of fields than the header, or missing expected columns.
 */
export function parseCsv(bytes: Buffer, options: CsvOptions = {}): Required<CsvTable> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'CSV input is not valid UTF-8');
  }
  const [header, ...body] = records(text.replace(/^\uFEFF/, ''), separatorOf(options));
  if (!header) throw malformed(1, 'no header row');
  const columns = header.map((c) => c.trim());
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === '' || seen.has(c)) throw malformed(1, c === '' ? 'an empty column name' : `column "${c}" appears twice`);
    if (FORBIDDEN_NAMES.has(c)) throw malformed(1, `"${c}" is not allowed as a column name`);
    seen.add(c);
  }
  const missing = (options.columns ?? []).filter((c) => !seen.has(c));
  if (missing.length > 0) throw malformed(1, `missing columns ${missing.join(', ')}`);
  const rows = body.map((fields, i) => {
    if (fields.length !== columns.length) throw malformed(i + 2, `${fields.length} fields, the header has ${columns.length}`);
    const row: Record<string, string> = {};
    columns.forEach((c, j) => (row[c] = fields[j] as string));
    return row;
  });
  return { columns, rows };
}
