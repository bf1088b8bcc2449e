// The synchronous JSONata subset must agree with JSONata itself: on every expression of every mapping, and on edge cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { normaliseNamespaces } from '../../src/codec/xml-namespaces.js';
import { parseXml } from '../../src/codec/xml-parse.js';
import { listMappingFiles } from '../../src/mapping/mapping-set.js';
import { compileExpression, type Scope } from '../../src/mapping/expression.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const NOW = '2026-11-26T12:00:00.000Z';
/** The target instance's options `$option(name)` reads (an agreement's character set). */
const OPTIONS = { syntax: 'UNOW' };

/** A mapping file as far as this test reads it (either direction). */
interface MappingYaml {
  direction?: 'in' | 'out';
  when?: string;
  businessKeys: Record<string, string>;
  codes?: Record<string, Record<string, string>>;
  namespaces?: Record<string, string>;
  document?: unknown;
  record?: unknown;
}

/** Every string leaf of a template (expressions, including $each, $if and $value). */
function leavesOf(template: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(template);
  return out;
}

/** Inputs an expression may meet: the record or document, and every object or value inside it and its arrays (the `$each` items). */
function inputsOf(record: unknown): unknown[] {
  const out: unknown[] = [record];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((item) => { out.push(item); walk(item); });
    else if (node && typeof node === 'object') Object.values(node).forEach((value) => { out.push(value); walk(value); });
  };
  walk(record);
  return out;
}

/** Expressions of a mapping file with the `$record` values they run against (the records out; documents and the records they give in). */
function expressionGroups(file: string, m: MappingYaml): Array<{ sources: string[]; records: unknown[] }> {
  const keys = Object.values(m.businessKeys);
  if (m.direction !== 'in') return [{ sources: [...(m.when ? [m.when] : []), ...keys, ...leavesOf(m.document)], records }];
  const golden = file.replace(/\.ya?ml$/, '.golden');
  const named = (suffix: string): string[] => readdirSync(golden).filter((f) => f.endsWith(suffix)).map((f) => join(golden, f));
  const documents = [
    ...named('.input.xml').map((f) => normaliseNamespaces(parseXml(readFileSync(f)), m.namespaces ?? {})),
    // A reader's tree of a document that is not XML (a CSV file in CMS), as the golden case gives it.
    ...named('.input.json').map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown),
  ];
  const produced = named('.expected.json').map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown);
  return [
    { sources: [...(m.when ? [m.when] : []), ...leavesOf(m.record)], records: documents },
    { sources: keys, records: produced },
  ];
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
    const scope: Scope = { record, now: NOW, options: OPTIONS };
    const fast = await outcome(() => expr.evaluate(input, scope));
    const reference = await outcome(() => expr.evaluateWithJsonata(input, scope));
    expect({ source, input, result: fast }).toEqual({ source, input, result: reference });
  }
}

const records = readdirSync(RECORD_FIXTURES).map((f) => JSON.parse(readFileSync(join(RECORD_FIXTURES, f), 'utf8')) as unknown);

describe('synchronous JSONata subset', () => {
  const files = listMappingFiles(join(ROOT, 'mappings'));
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f] as const))('agrees with JSONata on every expression of %s', async (_name, file) => {
    const m = parse(readFileSync(file, 'utf8')) as MappingYaml;
    const groups = expressionGroups(file, m);
    expect(groups.flatMap((g) => g.sources).length).toBeGreaterThan(5);
    for (const { sources, records: inputs } of groups) {
      expect(inputs.length).toBeGreaterThan(0);
      for (const record of inputs) for (const source of sources) await expectAgreement(source, inputsOf(record), record, m.codes ?? {});
    }
  });

  const edge = { s: 'Ünïcødé 𝄞 clef', n: 42, f: 1.5, z: 0, t: true, e: '', a: ['x', 'y'], empty: [], o: { k: 'v' }, nul: null, nested: [['p']] };
  it.each([
    's', 'n', 'f', 'z', 't', 'e', 'a', 'o', 'nul', 'missing', 'o.k', 'o.missing.deeper', 'a.b', 'nested',
    "s & '-' & n", 'f & "x"', 't & e', 'missing & s', 'a & s',
    "s = 'x'", 'n = 42', "n = '42'", 'missing = missing', 'a = a', "n != 42", 'o = o',
    's ? 1 : 2', 'e ? 1 : 2', 'z ? 1 : 2', 'f ? 1 : 2', 'a ? 1 : 2', 'o ? 1 : 2', 'missing ? 1', 'nul ? 1 : 2',
    "n in [42, 43]", "s in ['a']", 'missing in [1]', 'a in [1]',
    't and s', 'e or z', 'missing and t', 'o and t',
    '$exists(missing)', '$exists(nul)', '$exists(e)', '$not(e)', '$not(o)', '$not(missing)', '$not(missing) ? s',
    '$string(n)', '$string(f)', '$string(t)', '$string(missing)', '$string(o)',
    '$substring(s, 0, 3)', '$substring(s, -4)', '$substring(s, 8, 1)', '$substring(s, -100, 2)', '$substring(s, 2, 0)', '$substring(missing, 0, 1)', '$substring(n, 0, 1)',
    '$uppercase(s)', '$lowercase(s)', '$uppercase(missing)', '$uppercase(n)',
    '$uuid(s)', '$uuid(s & n)', '$now()', '$', '$record.o.k', '(s)',
    '$number(n)', '$number(f)', '$number(t)', '$number(missing)', "$number('0042')", "$number('-7')", "$number('1.5')", "$number('1e3')", "$number('0x1F')",
    "$number('12345678901234567890')", "$number('')", "$number('x')", '$number(s)', '$number(o)', '$number(a)',
    "'x' in a", "'z' in a", 'n in a', 's in s', "'v' in o", 'o in a', 'missing in a', "'x' in missing", "'x' in nul", "'p' in nested", "'x' in empty", "'x' in a.b",
    '$count(a)', '$count(empty)', '$count(missing)', '$count(o)', '$count(s)', '$count(nul)', '$count(nested)', '$count(o.k)',
    "$split(s, ' ')[0]", "$split(s, ' ')[-1]", "$split(s, ' ')[2]", "$split(s, ' ')[3]", "$split(s, ' ')[-4]", "$split(s, 'é')[1]", "$split(s, '/')[0]",
    "$split(e, '/')[0]", "$split(missing, '/')[0]", "$split(n, '/')[0]", "$split(s, ' ')[1.5]", "$split(s, ' ')[0][0]", "$split(s, ' ')", '$uuid(s)[0]', '$uuid(s)[1]',
    '(a)[0]', '(a)[1]', '$[n = 42]', '$[n = 1]', "'abc'[1]", "'abc'[0]", 'a[0]', 'a[]', 'o{"k": 1}', '$count(a[0])', "'x' in a[]", '(s)[0]',
  ])('agrees with JSONata on %s', async (source) => {
    await expectAgreement(source, [edge], edge);
  });

  it('evaluates in, $count of a path and an item of $split without JSONata', () => {
    const scope: Scope = { record: edge, now: NOW, options: OPTIONS };
    for (const source of ["'x' in a", "'RU' in missing or n = 42", '$string($count(a))', "$split(s, ' ')[-1]", "$substring($split(s, ' ')[1], 0, 2)"]) {
      expect(compileExpression(source, '/test', {}).evaluate(edge, scope), source).not.toBeInstanceOf(Promise);
    }
    // A predicate on any other call is JSONata's to evaluate.
    expect(compileExpression('$uuid(s)[1]', '/test', {}).evaluate(edge, scope)).toBeInstanceOf(Promise);
  });

  it("agrees on $option, and gives the instance's option or nothing", async () => {
    for (const source of ["$option('syntax')", "$option('missing')", "$option('constructor')", "$option('syntax') = 'UNOC' ? '3' : '4'"]) await expectAgreement(source, [edge], edge);
    expect(await compileExpression("$option('constructor')", '/test', {}).evaluate(edge, { record: edge, now: NOW, options: OPTIONS })).toBeUndefined();
    const expr = compileExpression("$option('syntax') = 'UNOC' ? '3' : '4'", '/test', {});
    expect(await expr.evaluate(edge, { record: edge, now: NOW, options: { syntax: 'UNOC' } })).toBe('3');
    expect(await expr.evaluate(edge, { record: edge, now: NOW, options: OPTIONS })).toBe('4');
  });

  it('agrees on $code, including the unknown-code error', async () => {
    const lists = { colours: { red: 'R', green: 'G' } };
    await expectAgreement("$code('colours', c)", [{ c: 'red' }, { c: 'blue' }, {}, { c: 1 }], {}, lists);
  });
});
