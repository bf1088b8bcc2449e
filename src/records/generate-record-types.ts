// Development tool: derives src/records/record-types.ts from schemas/cais so the schemas stay the one source of truth.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, type Options } from 'json-schema-to-typescript';

const HEADER = '// Generated from schemas/cais by `npm run gen:types`; do not edit (a test fails when this file drifts from the schemas).\n';
const COMMON = 'common.schema.json';

/** A JSON Schema node, as far as the generator walks it. */
type SchemaNode = { [key: string]: unknown };

/** Record types: every `schemas/cais/<type>.schema.json` except the shared definitions. */
function recordSchemaFiles(caisDir: string): string[] {
  return readdirSync(caisDir).filter((f) => f.endsWith('.schema.json') && f !== COMMON).sort();
}

function readJson(file: string): SchemaNode {
  return JSON.parse(readFileSync(file, 'utf8')) as SchemaNode;
}

/** `party` → `Party`. */
function typeName(definition: string): string {
  return definition.replace(/(^|[-_])([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Replaces every reference to a shared object definition by its declared type name (keeping the
 * property's own description), so the type is declared once rather than once per property: a `$ref`
 * with a sibling description would otherwise become a new interface each time (Party, Party1, …).
 */
function referShared(node: unknown, shared: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => referShared(item, shared));
  if (typeof node !== 'object' || node === null) return node;
  const object = node as SchemaNode;
  const type = typeof object.$ref === 'string' ? shared.get(object.$ref) : undefined;
  if (type) return { ...(object.description === undefined ? {} : { description: object.description }), tsType: type };
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, referShared(value, shared)]));
}

/** A definition lifted out of common.schema.json: its local references point into that file. */
function lifted(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(lifted);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node as SchemaNode).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${COMMON}${value}` : lifted(value)]),
  );
}

/** Generates the TypeScript source of the record types: shared object types once, one interface per record schema, and the `CaisRecord` union. */
export async function generateRecordTypes(schemasDir: string): Promise<string> {
  const caisDir = join(schemasDir, 'cais');
  const options: Partial<Options> = {
    cwd: caisDir,
    bannerComment: '',
    additionalProperties: false,
    strictIndexSignatures: true,
    declareExternallyReferenced: true,
    ignoreMinAndMaxItems: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  };
  const definitions = (readJson(join(caisDir, COMMON)).$defs ?? {}) as Record<string, SchemaNode>;
  const objects = Object.entries(definitions).filter(([, d]) => d.type === 'object');
  const shared = new Map(objects.map(([name]) => [`${COMMON}#/$defs/${name}`, typeName(name)]));
  const parts: string[] = [HEADER];
  for (const [name, definition] of objects) {
    parts.push((await compile({ ...(lifted(definition) as SchemaNode), title: typeName(name) }, typeName(name), options)).trim(), '');
  }
  const titles: string[] = [];
  for (const file of recordSchemaFiles(caisDir)) {
    const schema = readJson(join(caisDir, file));
    parts.push((await compile(referShared(schema, shared) as SchemaNode, String(schema.title), options)).trim(), '');
    titles.push(String(schema.title));
  }
  parts.push('/** Any canonical CAIS record, discriminated by `type`. */');
  parts.push(`export type CaisRecord = ${titles.join(' | ')};`, '');
  return parts.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const schemasDir = join(import.meta.dirname, '..', '..', 'schemas');
  const out = join(import.meta.dirname, 'record-types.ts');
  writeFileSync(out, await generateRecordTypes(schemasDir));
  console.log(`wrote ${out}`);
}
