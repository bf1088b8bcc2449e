// `npm run bench -- [name …]`: runs the named benchmarks (all by default); exits 1 when a target is missed.
import { benchTranslate } from './translate.bench.js';

const BENCHMARKS: Record<string, () => Promise<boolean>> = { translate: benchTranslate };

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
let ok = true;
for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) ok = (await BENCHMARKS[name]?.()) !== false && ok;
process.exitCode = ok ? 0 : 1;
