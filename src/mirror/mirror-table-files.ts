// Writes an aggregate mirror table as CSV: its key columns, each side's rows, FOB value and net mass, and the gaps.
import { writeFileSync } from 'node:fs';
import { csvField } from '../codec/csv-codec.js';
import { cellMassGap, cellValueGap, type MirrorTableRow } from './mirror-tables.js';

const round = (value: number, digits: number): string => value.toFixed(digits);

/**
 * Writes `rows` to `file`; `keyColumns` name the parts of each row's key (a key `KZ>CN 870323` is two
 * columns `trade,hs6`).
 */
export function writeMirrorTable(file: string, keyColumns: readonly string[], rows: readonly MirrorTableRow[]): void {
  const header = [...keyColumns, 'oursRows', 'theirsRows', 'oursValueFob', 'theirsValueFob', 'valueGap', 'valueGapRelative', 'oursNetMassKg', 'theirsNetMassKg', 'massGapRelative'];
  const lines = [header.join(',')];
  for (const r of rows) {
    const cells = [
      ...r.key.split(' '),
      r.oursRows,
      r.theirsRows,
      round(r.oursValueFob, 2),
      round(r.theirsValueFob, 2),
      round(r.oursValueFob - r.theirsValueFob, 2),
      round(cellValueGap(r), 6),
      round(r.oursNetMassKg, 3),
      round(r.theirsNetMassKg, 3),
      round(cellMassGap(r), 6),
    ];
    lines.push(cells.map((c, i) => csvField(c, ',', header[i] ?? '')).join(','));
  }
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
}
