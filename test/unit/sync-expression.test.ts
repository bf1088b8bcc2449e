// The synchronous JSONata subset must agree with JSONata itself: on every expression of every mapping, and on edge cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listMappingFiles } from '../../src/mapping/mapping-set.js';
import { compileExpression, type Scope } from '../../src/mapping/expression.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const NOW = '2026-11-26T12:00:00.000Z';

/** Every expression in a mapping file: string leaves of document, when, businessKeys. */
function expressionsOf(file: string): string[] {
  const m = parse(readFileSync(file, 'utf8')) as { when?: string; businessKeys: Record<string, string>; document: unknown };
  const out: string[] = [...(m.when ? [m.when] : []), ...Object.values(m.businessKeys)];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(m.document);
  return out;
}

/** Inputs an expression may meet: each record, and every object or value inside its arrays (the `$each` items). */
function inputsOf(record: unknown): unknown[] {
  const out: unknown[] = [record];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((item) => { out.push(item); walk(item); });
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(record);
  return out;
}

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return { value: await run() };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

async function expectAgreement(source: string, inputs: unknown[], record: unknown, lists = {}): Promise<void> {
  const expr = compileExpression(source, '/test', lists);
  for (const input of inputs) {
    const scope: Scope = { record, now: NOW };
    const fast = await outcome(() => expr.evaluate(input, scope));
    const reference = await outcome(() => expr.evaluateWithJsonata(input, scope));
    expect({ source, input, result: fast }).toEqual({ source, input, result: reference });
  }
}

const records = readdirSync(RECORD_FIXTURES).map((f) => JSON.parse(readFileSync(join(RECORD_FIXTURES, f), 'utf8')) as unknown);

describe('synchronous JSONata subset', () => {
  const files = listMappingFiles(join(ROOT, 'mappings'));
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f] as const))('agrees with JSONata on every expression of %s', async (_name, file) => {
    const codes = (parse(readFileSync(file, 'utf8')) as { codes?: Record<string, Record<string, string>> }).codes ?? {};
    const sources = expressionsOf(file);
    expect(sources.length).toBeGreaterThan(5);
    for (const record of records) for (const source of sources) await expectAgreement(source, inputsOf(record), record, codes);
  });

  const edge = { s: 'Ünïcødé 𝄞 clef', n: 42, f: 1.5, z: 0, t: true, e: '', a: ['x', 'y'], o: { k: 'v' }, nul: null, nested: [['p']] };
  it.each([
    's', 'n', 'f', 'z', 't', 'e', 'a', 'o', 'nul', 'missing', 'o.k', 'o.missing.deeper', 'a.b', 'nested',
    "s & '-' & n", 'f & "x"', 't & e', 'missing & s', 'a & s',
    "s = 'x'", 'n = 42', "n = '42'", 'missing = missing', 'a = a', "n != 42", 'o = o',
    's ? 1 : 2', 'e ? 1 : 2', 'z ? 1 : 2', 'f ? 1 : 2', 'a ? 1 : 2', 'o ? 1 : 2', 'missing ? 1', 'nul ? 1 : 2',
    "n in [42, 43]", "s in ['a']", 'missing in [1]', 'a in [1]',
    't and s', 'e or z', 'missing and t', 'o and t',
    '$exists(missing)', '$exists(nul)', '$exists(e)', '$not(e)', '$not(o)',
    '$string(n)', '$string(f)', '$string(t)', '$string(missing)', '$string(o)',
    '$substring(s, 0, 3)', '$substring(s, -4)', '$substring(s, 8, 1)', '$substring(s, -100, 2)', '$substring(s, 2, 0)', '$substring(missing, 0, 1)', '$substring(n, 0, 1)',
    '$uppercase(s)', '$lowercase(s)', '$uppercase(missing)', '$uppercase(n)',
    '$uuid(s)', '$uuid(s & n)', '$now()', '$', '$record.o.k', '(s)',
  ])('agrees with JSONata on %s', async (source) => {
    await expectAgreement(source, [edge], edge);
  });

  it('agrees on $code, including the unknown-code error', async () => {
    const lists = { colours: { red: 'R', green: 'G' } };
    await expectAgreement("$code('colours', c)", [{ c: 'red' }, { c: 'blue' }, {}, { c: 1 }], {}, lists);
  });
});
