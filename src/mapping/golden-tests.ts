// Runs the golden tests that sit beside each mapping file: input records and the exact documents they must produce.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Codec, CodecOptions } from '../codec/codec.js';
import { GatewayError } from '../errors.js';
import type { DocumentValidator } from '../partners/document-validator.js';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { RecordValidator } from '../records/record-validator.js';
import type { Mapping } from './mapping.js';

/** The clock every golden test runs at, so `$now()` gives the same document every time. */
export const GOLDEN_NOW = new Date('2026-11-26T12:00:00.000Z');

/** One golden case: `<mapping>.golden/<name>.input.json` (input) and `<name>.expected.<ext>` (expected document). */
export interface GoldenCase {
  mapping: Mapping;
  name: string;
  inputFile: string;
  expectedFile: string;
  /** The codec of the target message, and its options. */
  codec: Codec;
  codecOptions?: CodecOptions;
}

/** Outcome of one golden case (of an outbound mapping, or another kind of case). */
export interface GoldenResult<C = GoldenCase> {
  case: C;
  ok: boolean;
  /** Why it failed: the first difference, or the error met. */
  reason?: string;
}

/** The folder of a mapping file's golden cases: `name.golden/` beside `name.yaml`. */
export function goldenFolder(mappingFile: string): string {
  return mappingFile.replace(/\.ya?ml$/, '.golden');
}

/** Lists the golden cases of every outbound mapping. */
export function listGoldenCases(mappings: readonly Mapping[], partners: PartnerRegistry): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const mapping of mappings) {
    const dir = goldenFolder(mapping.source);
    if (!existsSync(dir)) continue;
    const spec = partners.message(mapping.target.partner, mapping.target.message);
    const codec = partners.codecs.get(spec.codec);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.input.json')).sort()) {
      const name = basename(file, '.input.json');
      cases.push({ mapping, name, inputFile: join(dir, file), expectedFile: join(dir, `${name}.expected.${codec.extension}`), codec, ...(spec.codecOptions ? { codecOptions: spec.codecOptions } : {}) });
    }
  }
  return cases;
}

/** Where two texts first differ, with some context on either side. */
export function firstDifference(actual: string, expected: string): string {
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const around = (s: string): string => JSON.stringify(s.slice(Math.max(0, i - 60), i + 60));
  return `first difference at character ${i}:\n  expected …${around(expected)}…\n  actual   …${around(actual)}…`;
}

function matches(actual: Buffer, expected: string, codec: Codec): string | undefined {
  const a = codec.normalise(actual.toString(codec.fileEncoding));
  const e = codec.normalise(expected);
  return a === e ? undefined : firstDifference(a, e);
}

/**
 * Runs one golden case: the input must be a valid record, the mapping must apply, and the rendered
 * (unsigned) document must equal the expected file. With `update`, writes the expected file instead.
 */
export async function runGoldenCase(c: GoldenCase, records: RecordValidator, documents: DocumentValidator, update = false): Promise<GoldenResult> {
  try {
    const checked = records.validate(JSON.parse(readFileSync(c.inputFile, 'utf8')));
    if (!checked.ok) return { case: c, ok: false, reason: `input is not a valid record: ${checked.violations.map((v) => `${v.pointer} ${v.message}`).join('; ')}` };
    if (!(await c.mapping.applies(checked.record))) return { case: c, ok: false, reason: 'the mapping does not apply to this input' };
    const doc = await c.mapping.apply(checked.record, GOLDEN_NOW);
    const violations = documents.check(c.mapping.target.partner, c.mapping.target.message, doc);
    if (violations.length > 0) return { case: c, ok: false, reason: `document invalid: ${violations.map((v) => `${v.pointer} ${v.message}`).join('; ')}` };
    const bytes = c.codec.render(doc.value, c.codecOptions);
    if (update) {
      writeFileSync(c.expectedFile, c.codec.pretty(bytes), c.codec.fileEncoding);
      return { case: c, ok: true };
    }
    if (!existsSync(c.expectedFile)) return { case: c, ok: false, reason: `missing ${c.expectedFile} (run: npx gateway mappings test --update)` };
    const reason = matches(bytes, readFileSync(c.expectedFile, c.codec.fileEncoding), c.codec);
    return reason === undefined ? { case: c, ok: true } : { case: c, ok: false, reason };
  } catch (err) {
    if (err instanceof GatewayError) return { case: c, ok: false, reason: err.message };
    throw err;
  }
}
