// Writes the discrepancies as they are found: discrepancies.csv directly, discrepancies.json around a summary known only at the end, and the largest kept for the report.
import { closeSync, createReadStream, createWriteStream, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { csvField } from '../codec/csv-codec.js';
import type { Discrepancy, DiscrepancyKind } from './mirror-pair.js';

/** Columns of discrepancies.csv, in order. */
const DISCREPANCY_COLUMNS = ['kind', 'ours', 'theirs', 'trade', 'hs6', 'theirsHs6', 'date', 'matchedBy', 'oursValueFob', 'theirsValueFob', 'oursMassKg', 'theirsMassKg', 'gap', 'gapRelative'] as const;

/** How many of the largest value discrepancies the report lists. */
const LARGEST = 20;

/** Counts by kind. */
export type KindCounts = Record<DiscrepancyKind, number>;

/** Collects discrepancies into the output folder. */
export class DiscrepancyOutput {
  readonly counts: KindCounts = { 'missing-theirs': 0, 'missing-ours': 0, value: 0, mass: 0, hs: 0 };
  /** The largest gaps in USD (every kind but mass), largest first. */
  readonly largest: Discrepancy[] = [];
  private readonly csv: number;
  private readonly items: number;
  private readonly itemsFile: string;
  private written = 0;
  private pending: string[] = [];
  private pendingCsv: string[] = [];

  constructor(private readonly dir: string) {
    this.itemsFile = join(dir, '.discrepancies.items');
    this.csv = openSync(join(dir, 'discrepancies.csv'), 'w');
    this.items = openSync(this.itemsFile, 'w');
    writeSync(this.csv, `${DISCREPANCY_COLUMNS.join(',')}\r\n`);
  }

  /** Adds one discrepancy. */
  add(d: Discrepancy): void {
    this.counts[d.kind]++;
    this.pending.push(JSON.stringify(d));
    this.pendingCsv.push(DISCREPANCY_COLUMNS.map((c) => csvField(d[c], ',', c)).join(','));
    if (this.pending.length >= 4096) this.flush();
    if (d.kind !== 'mass') this.keepIfLarge(d);
  }

  private keepIfLarge(d: Discrepancy): void {
    if (this.largest.length === LARGEST && d.gap <= this.largest[LARGEST - 1]!.gap) return;
    const at = this.largest.findIndex((x) => d.gap > x.gap);
    this.largest.splice(at < 0 ? this.largest.length : at, 0, d);
    if (this.largest.length > LARGEST) this.largest.pop();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.items, `${this.written > 0 ? ',' : ''}\n${this.pending.join(',\n')}`);
    writeSync(this.csv, `${this.pendingCsv.join('\r\n')}\r\n`);
    this.written += this.pending.length;
    this.pending = [];
    this.pendingCsv = [];
  }

  /** Writes discrepancies.json (`{"summary":…,"discrepancies":[…]}`) and closes the files. */
  async finish(summary: unknown): Promise<void> {
    this.flush();
    closeSync(this.csv);
    closeSync(this.items);
    const out = createWriteStream(join(this.dir, 'discrepancies.json'));
    out.write(`{"summary":${JSON.stringify(summary, null, 2)},\n"discrepancies":[`);
    for await (const chunk of createReadStream(this.itemsFile)) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end('\n]}\n');
    await finished(out);
    rmSync(this.itemsFile);
  }
}
