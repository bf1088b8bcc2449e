// Reads a large RFC 4180 CSV file row by row in bounded memory, keeping each field's line and column for error messages.
import { createReadStream } from 'node:fs';
import { GatewayError, type ErrorCode } from '../errors.js';

/** One row of a CSV file. */
export interface CsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  /** The fields, unquoted. */
  fields: string[];
  /** 1-based column (character) where each field starts, on the row's first line. */
  columns: number[];
}

/** How a streamed CSV file is read. */
export interface CsvStreamOptions {
  /** The error code of an unreadable file or row. */
  code: ErrorCode;
  /** Largest row in characters (a quoted field that never closes must not eat the memory); default 1 MiB. */
  maxRowChars?: number;
  /** Field separator (default `,`), or a function that picks it from the first line's text. */
  separator?: string | ((firstLine: string) => string);
  /** Called with the bytes read so far, for a progress display. */
  progress?(bytes: number): void;
}

const DEFAULT_MAX_ROW_CHARS = 1024 * 1024;

/** Splits one row's text (a line, or several when a quoted field holds line breaks) into fields. */
function splitRow(text: string, sep: string, line: number, fail: (line: number, column: number, reason: string) => never): Pick<CsvRow, 'fields' | 'columns'> {
  if (!text.includes('"')) {
    const fields = text.split(sep);
    const columns: number[] = [];
    let at = 1;
    for (const f of fields) {
      columns.push(at);
      at += f.length + 1;
    }
    return { fields, columns };
  }
  const fields: string[] = [];
  const columns: number[] = [];
  let i = 0;
  while (i <= text.length) {
    columns.push(i + 1);
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const close = text.indexOf('"', j);
        if (close < 0) fail(line, i + 1, 'a quoted field is not closed');
        value += text.slice(j, close);
        if (text[close + 1] === '"') {
          value += '"';
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      if (i < text.length && text[i] !== sep) fail(line, i + 1, 'a quoted field must end at a separator or the end of the row');
      fields.push(value);
    } else {
      const next = text.indexOf(sep, i);
      const end = next < 0 ? text.length : next;
      const value = text.slice(i, end);
      if (value.includes('"')) fail(line, i + 1 + value.indexOf('"'), 'a quote inside an unquoted field');
      fields.push(value);
      i = end;
    }
    i++;
  }
  return { fields, columns };
}

/** Whether a row's text so far leaves a quoted field open (a field that starts with a quote and has not closed). */
function openQuote(text: string, sep: string): boolean {
  if (!text.includes('"')) return false;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let j = i + 1;
      for (;;) {
        const close = text.indexOf('"', j);
        if (close < 0) return true;
        if (text[close + 1] !== '"') {
          i = close + 1;
          break;
        }
        j = close + 2;
      }
    }
    const next = text.indexOf(sep, i);
    if (next < 0) return false;
    i = next + 1;
  }
  return false;
}

function separatorFor(options: CsvStreamOptions, firstLine: string): string {
  return typeof options.separator === 'function' ? options.separator(firstLine) : (options.separator ?? ',');
}

/**
 * Streams the rows of a UTF-8 CSV file (header included, as its first row): CRLF or LF line ends, a
 * byte order mark skipped, quoted fields with commas, doubled quotes and line breaks; blank lines skipped.
 * @throws GatewayError `options.code` naming the file, line and column of a malformed row or an unreadable file.
 */
export async function* readCsvRows(file: string, options: CsvStreamOptions): AsyncGenerator<CsvRow> {
  const maxRowChars = options.maxRowChars ?? DEFAULT_MAX_ROW_CHARS;
  const fail = (line: number, column: number, reason: string): never => {
    throw new GatewayError(options.code, `${file}:${line}:${column}: ${reason}`, { file, line, column });
  };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  let rest = '';
  let line = 0;
  /** A row whose quoted field spans lines: its text so far and where it started. */
  let pending: { text: string; line: number } | undefined;
  let bytes = 0;
  let first = true;
  let sep = typeof options.separator === 'string' ? options.separator : undefined;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      bytes += Buffer.byteLength(chunk);
      let text = rest + chunk;
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        line++;
        const piece = text.slice(start, nl > start && text[nl - 1] === '\r' ? nl - 1 : nl);
        start = nl + 1;
        const row: { text: string; line: number } = pending ? { text: `${pending.text}\n${piece}`, line: pending.line } : { text: piece, line };
        sep ??= separatorFor(options, row.text);
        if (openQuote(row.text, sep)) {
          if (row.text.length > maxRowChars) fail(row.line, 1, `the row is longer than ${maxRowChars} characters (a quoted field that never closes?)`);
          pending = row;
          continue;
        }
        pending = undefined;
        if (row.text.length === 0) continue;
        yield { line: row.line, ...splitRow(row.text, sep, row.line, fail) };
      }
      rest = text.slice(start);
      if (rest.length > maxRowChars) fail(line + 1, 1, `the row is longer than ${maxRowChars} characters`);
      options.progress?.(bytes);
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError(options.code, `${file}: cannot read: ${(err as Error).message}`, { file }, { cause: err });
  } finally {
    stream.destroy();
  }
  const last = pending ? { text: rest ? `${pending.text}\n${rest}` : pending.text, line: pending.line } : { text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, line: line + 1 };
  sep ??= separatorFor(options, last.text);
  if (openQuote(last.text, sep)) fail(last.line, 1, 'a quoted field is not closed at the end of the file');
  if (last.text.length > 0) yield { line: last.line, ...splitRow(last.text, sep, last.line, fail) };
}
