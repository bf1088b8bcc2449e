// Benchmark mirror: rows per second and peak memory of `mirror compare` on a synthetic pair, 100,000 and 1,000,000 rows a side, beside a baseline that only reads the same files' lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorDataset } from '../support/mirror-data.js';
import { ROOT } from '../support/project.js';

interface Run {
  ms: number;
  peakRssMb: number;
  discrepancies: number;
}

/** The old-space cap (MB) of the run that shows the memory is bounded: a million rows a side must complete within it. */
const HEAP_CAP_MB = 96;

function run(mode: 'compare' | 'read', ours: string, theirs: string, out: string, nodeArgs: string[] = []): Run {
  const child = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'test', 'bench', 'mirror-child.ts'), mode, ours, theirs, out], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`mirror ${mode} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Run;
}

/** Runs both sizes; true when every injected anomaly (and nothing else) was found. */
export async function benchMirror(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-mirror-'));
  let ok = true;
  console.log('mirror benchmark — gateway mirror compare (stream, bucket by transport document and vehicle, match, write JSON/CSV/HTML) vs reading the same lines');
  try {
    for (const shipments of [100_000, 1_000_000]) {
      const data = mirrorDataset(shipments);
      const ours = join(dir, 'ours.csv');
      const theirs = join(dir, 'theirs.csv');
      writeFileSync(ours, data.ours);
      writeFileSync(theirs, data.theirs);
      const rows = data.ours.split('\n').length + data.theirs.split('\n').length - 4;
      const size = (Buffer.byteLength(data.ours) + Buffer.byteLength(data.theirs)) / 1e6;
      const baseline = run('read', ours, theirs, join(dir, 'out'));
      const compared = run('compare', ours, theirs, join(dir, 'out'));
      const rate = (r: Run): number => rows / (r.ms / 1000);
      console.log(
        `  ${shipments.toLocaleString('en-US').padStart(9)} rows a side (${size.toFixed(0)} MB)  compare ${rate(compared).toFixed(0).padStart(7)} rows/s, peak RSS ${compared.peakRssMb.toFixed(0)} MB` +
          `  | read only ${rate(baseline).toFixed(0).padStart(8)} rows/s, peak RSS ${baseline.peakRssMb.toFixed(0)} MB  | compare/read ${(rate(compared) / rate(baseline)).toFixed(2)}` +
          `  | discrepancies ${compared.discrepancies} (injected ${data.anomalies.length})`,
      );
      if (compared.discrepancies !== data.anomalies.length) ok = false;
      if (shipments === 1_000_000) {
        // Bounded memory: the same run with V8's old space capped completes (it would die out of memory if rows piled up).
        const capped = run('compare', ours, theirs, join(dir, 'out-capped'), [`--max-old-space-size=${HEAP_CAP_MB}`]);
        console.log(`  ${' '.repeat(36)}compare ${rate(capped).toFixed(0).padStart(7)} rows/s, peak RSS ${capped.peakRssMb.toFixed(0)} MB with the V8 heap capped at ${HEAP_CAP_MB} MB (bounded memory)`);
        if (capped.discrepancies !== data.anomalies.length) ok = false;
        rmSync(join(dir, 'out-capped'), { recursive: true, force: true });
      }
      rmSync(join(dir, 'out'), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return ok;
}
