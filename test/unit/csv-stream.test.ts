// The streamed CSV reader: RFC 4180 quoting across chunk and line boundaries, and errors that name the line and column.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvRows, type CsvRow } from '../../src/codec/csv-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-csv-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function rows(text: string | Buffer, maxRowChars?: number): Promise<CsvRow[]> {
  const file = join(dir, `f${++files}.csv`);
  writeFileSync(file, text);
  const out: CsvRow[] = [];
  for await (const row of readCsvRows(file, { code: 'GW_ERR_MIRROR_INPUT_INVALID', ...(maxRowChars ? { maxRowChars } : {}) })) out.push(row);
  return out;
}

describe('readCsvRows', () => {
  it('reads plain and quoted fields, CRLF and LF, a byte order mark, blank lines and a last line without a break', async () => {
    const read = await rows('\ufeffa,b,c\r\n1,"x, ""y""",3\n\n"multi\nline",,""\r\nlast,row,end');
    expect(read.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', '3'],
      ['multi\nline', '', ''],
      ['last', 'row', 'end'],
    ]);
    expect(read.map((r) => r.line)).toEqual([1, 2, 4, 6]);
    expect(read[1]!.columns).toEqual([1, 3, 14]);
  });

  it('a row that crosses a read chunk (1 MiB) is read whole', async () => {
    const first = 'a'.repeat(700_000);
    const second = 'b'.repeat(400_000);
    const read = await rows(`h1,h2\n${first},1\n${second},"quoted\nacross"\nend,1\n`);
    expect(read.map((r) => r.fields.map((f) => f.length))).toEqual([[2, 2], [first.length, 1], [second.length, 13], [3, 1]]);
    expect(read.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it.each([
    ['a,b\n1,"open\n2,3\n', /f\d+\.csv:2:1: a quoted field is not closed at the end of the file/],
    ['a,b\n1,x"y\n', /f\d+\.csv:2:4: a quote inside an unquoted field/],
    ['a,b\n1,"x"y\n', /f\d+\.csv:2:6: a quoted field must end at a separator or the end of the row/],
  ])('refuses %j with its line and column', async (text, message) => {
    await expect(rows(text)).rejects.toMatchObject({ code: 'GW_ERR_MIRROR_INPUT_INVALID', message: expect.stringMatching(message) });
  });

  it('a quoted field that never closes stops at the row limit instead of eating the memory', async () => {
    await expect(rows(`a\n"${'y\n'.repeat(2000)}`, 1000)).rejects.toMatchObject({ message: expect.stringMatching(/:2:1: the row is longer than 1000 characters/) });
  });

  it('a file that cannot be read is the same error with its name', async () => {
    await expect(rows(Buffer.alloc(0)).then(async () => {
      for await (const _ of readCsvRows(join(dir, 'absent.csv'), { code: 'GW_ERR_MIRROR_INPUT_INVALID' })) void _;
    })).rejects.toMatchObject({ code: 'GW_ERR_MIRROR_INPUT_INVALID', message: expect.stringContaining('absent.csv: cannot read') });
  });
});
