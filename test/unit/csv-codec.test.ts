// The CSV codec: RFC 4180 quoting both ways, the header from options or the first row, and refusals that name the line or cell.
import { describe, expect, it } from 'vitest';
import { csvCodec } from '../../src/codec/builtin-codecs.js';
import { parseCsv, renderCsv } from '../../src/codec/csv-codec.js';
import { GatewayError } from '../../src/errors.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (err) {
    return err instanceof GatewayError ? err.code : String(err);
  }
  return undefined;
}

describe('CSV codec', () => {
  it('writes a header and CRLF lines, quoting separators, quotes, line breaks and edge spaces', () => {
    const out = renderCsv({ rows: [{ id: 'A-1', name: 'Smith, "Jr"', note: 'two\nlines', pad: ' x', n: 7, ok: true, none: null }] });
    expect(out.toString('utf8')).toBe('id,name,note,pad,n,ok,none\r\nA-1,"Smith, ""Jr""","two\nlines"," x",7,true,\r\n');
  });

  it('takes the columns from the options, leaves absent cells empty, refuses a cell outside them', () => {
    expect(renderCsv({ rows: [{ b: '2' }] }, { columns: ['a', 'b'], separator: ';' }).toString()).toBe('a;b\r\n;2\r\n');
    expect(renderCsv({ rows: [] }, { columns: ['a'] }).toString()).toBe('a\r\n');
    expect(codeOf(() => renderCsv({ rows: [{ c: '3' }] }, { columns: ['a'] }))).toBe('GW_ERR_DOCUMENT_INVALID');
    expect(codeOf(() => renderCsv({ rows: [{ a: { deep: 1 } }] }))).toBe('GW_ERR_DOCUMENT_INVALID');
    expect(codeOf(() => renderCsv({ rows: [] }))).toBe('GW_ERR_DOCUMENT_INVALID');
    expect(codeOf(() => renderCsv('a,b'))).toBe('GW_ERR_DOCUMENT_INVALID');
  });

  it('parses what it writes back to text cells (0012 stays 0012)', () => {
    const rows = [
      { hsCode: '0012', description: 'nuts, "roasted"\r\nsalted', valueUsd: '1.50' },
      { hsCode: '850440', description: '', valueUsd: '2' },
    ];
    const bytes = csvCodec.render({ rows });
    expect(csvCodec.parse(bytes)).toEqual({ columns: ['hsCode', 'description', 'valueUsd'], rows });
    expect(csvCodec.render(csvCodec.parse(bytes)).equals(bytes)).toBe(true);
  });

  it('reads LF files, a BOM, a last line without a break, and checks expected columns', () => {
    expect(parseCsv(Buffer.from('\uFEFFa,b\n1,2'), { columns: ['b'] }).rows).toEqual([{ a: '1', b: '2' }]);
    expect(codeOf(() => parseCsv(Buffer.from('a,b\n1,2\n'), { columns: ['c'] }))).toBe('GW_ERR_DOCUMENT_INVALID');
  });

  it.each([
    ['a row with another number of fields', 'a,b\r\n1\r\n'],
    ['an unclosed quote', 'a,b\r\n"1,2\r\n'],
    ['text after a closing quote', 'a,b\r\n"1"x,2\r\n'],
    ['a quote inside an unquoted field', 'a,b\r\n1"2,3\r\n'],
    ['a repeated column', 'a,a\r\n1,2\r\n'],
    ['a forbidden column name', '__proto__,b\r\n1,2\r\n'],
    ['no header', ''],
  ])('refuses %s', (_what, text) => {
    expect(codeOf(() => parseCsv(Buffer.from(text)))).toBe('GW_ERR_DOCUMENT_INVALID');
  });

  it('refuses invalid UTF-8 and oversize input', () => {
    expect(codeOf(() => parseCsv(Buffer.from([0x61, 0x0d, 0x0a, 0xff])))).toBe('GW_ERR_DOCUMENT_INVALID');
    expect(codeOf(() => parseCsv(Buffer.from('a\r\n1\r\n'), { maxBytes: 3 }))).toBe('GW_ERR_DOCUMENT_INVALID');
  });
});

describe('CSV codec, an empty table', () => {
  it('keeps its header through a round trip', () => {
    const bytes = Buffer.from('a,b\r\n');
    expect(csvCodec.render(csvCodec.parse(bytes)).equals(bytes)).toBe(true);
  });
});
