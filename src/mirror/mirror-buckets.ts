// Spreads rows over bucket files by a hash of their match key, so each bucket's rows (the only ones that can match) fit in memory one at a time.
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MirrorRow, MirrorSide } from './mirror-row.js';

/** Characters a bucket's buffer holds before it is written out. */
const FLUSH_CHARS = 1 << 18;

/** Text fields escaped for a tab-separated line: backslash, tab and line break (rare in declarations). */
function escape(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;
}

function unescape(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c)) : text;
}

/** A row as a bucket file line: its values tab-separated in a fixed order (faster than JSON, and no key repeated a million times). */
function lineOf(r: MirrorRow): string {
  return [
    escape(r.declarationId), r.flow, r.reporter, r.partner, r.date, r.day, r.hsCode, r.valueUsd, r.valuation, r.netMassKg,
    r.supplementaryQty ?? '', escape(r.supplementaryUnit), escape(r.transportDocument), escape(r.vehicle), r.line,
  ].join('\t');
}

/** The row a bucket file line holds. */
function rowOf(line: string): MirrorRow {
  const v = line.split('\t');
  return {
    declarationId: unescape(v[0]!),
    flow: v[1] as MirrorRow['flow'],
    reporter: v[2]!,
    partner: v[3]!,
    date: v[4]!,
    day: Number(v[5]),
    hsCode: v[6]!,
    hs6: v[6]!.slice(0, 6),
    valueUsd: Number(v[7]),
    valuation: v[8] as MirrorRow['valuation'],
    netMassKg: Number(v[9]),
    supplementaryQty: v[10] === '' ? null : Number(v[10]),
    supplementaryUnit: unescape(v[11]!),
    transportDocument: unescape(v[12]!),
    vehicle: unescape(v[13]!),
    line: Number(v[14]),
  };
}

/** FNV-1a over the key's UTF-16 units: cheap, stable between runs and machines. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bucket files of one stage, both sides. */
export class MirrorBuckets {
  private readonly buffers: Map<string, string[]> = new Map();
  private readonly sizes: Map<string, number> = new Map();

  /**
   * @param dir the work folder
   * @param stage the stage's name (part of the file names)
   * @param count how many buckets each side has
   */
  constructor(
    private readonly dir: string,
    private readonly stage: string,
    readonly count: number,
  ) {}

  /** File names by side and bucket, made once. */
  private readonly files: Record<MirrorSide, string[]> = { ours: [], theirs: [] };

  private file(side: MirrorSide, bucket: number): string {
    return (this.files[side][bucket] ??= join(this.dir, `${this.stage}-${side}-${bucket}.tsv`));
  }

  /** Puts a row in the bucket its key hashes to. */
  add(side: MirrorSide, key: string, row: MirrorRow): void {
    const file = this.file(side, hash(key) % this.count);
    const lines = this.buffers.get(file) ?? [];
    if (lines.length === 0) this.buffers.set(file, lines);
    const text = lineOf(row);
    lines.push(text);
    const size = (this.sizes.get(file) ?? 0) + text.length + 1;
    if (size < FLUSH_CHARS) this.sizes.set(file, size);
    else this.write(file);
  }

  private write(file: string): void {
    const lines = this.buffers.get(file);
    if (lines && lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
    this.buffers.set(file, []);
    this.sizes.set(file, 0);
  }

  /** Writes every buffered row out. */
  flush(): void {
    for (const file of this.buffers.keys()) this.write(file);
  }

  /** One bucket's rows of one side (after {@link flush}); the file is removed once read. */
  take(side: MirrorSide, bucket: number): MirrorRow[] {
    const file = this.file(side, bucket);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    rmSync(file);
    const rows: MirrorRow[] = [];
    for (const line of text.split('\n')) if (line) rows.push(rowOf(line));
    return rows;
  }
}
