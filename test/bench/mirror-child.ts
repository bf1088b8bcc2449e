// One timed run in its own process for the mirror benchmark: the comparison itself, or the baseline that only reads both files' lines; prints its figures as JSON.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { compareMirror } from '../../src/mirror/mirror-compare.js';
import { DEFAULT_MIRROR_SETTINGS } from '../../src/mirror/mirror-pair.js';

const [mode, ours, theirs, out] = process.argv.slice(2) as [string, string, string, string];

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1024 * 1024 }), crlfDelay: Infinity })) if (line) lines++;
  return lines;
}

const started = performance.now();
let discrepancies = 0;
if (mode === 'compare') discrepancies = (await compareMirror({ ours, theirs, out, settings: DEFAULT_MIRROR_SETTINGS })).summary.discrepancies.total;
else await Promise.all([countLines(ours), countLines(theirs)]);
const ms = performance.now() - started;
// maxRSS is in kilobytes.
console.log(JSON.stringify({ ms, peakRssMb: process.resourceUsage().maxRSS / 1024, discrepancies }));
