// Development tool: derives src/records/record-types.ts from schemas/cais so the schemas stay the one source of truth.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFromFile } from 'json-schema-to-typescript';

const HEADER = '// Generated from schemas/cais by `npm run gen:types`; do not edit (a test fails when this file drifts from the schemas).\n';

/** Record types: every `schemas/cais/<type>.schema.json` except the shared definitions. */
function recordSchemaFiles(caisDir: string): string[] {
  return readdirSync(caisDir).filter((f) => f.endsWith('.schema.json') && f !== 'common.schema.json').sort();
}

/** Generates the TypeScript source of the record types: one interface per schema and the `CaisRecord` union. */
export async function generateRecordTypes(schemasDir: string): Promise<string> {
  const caisDir = join(schemasDir, 'cais');
  const parts: string[] = [HEADER];
  const titles: string[] = [];
  for (const file of recordSchemaFiles(caisDir)) {
    const ts = await compileFromFile(join(caisDir, file), {
      cwd: caisDir,
      bannerComment: '',
      additionalProperties: false,
      strictIndexSignatures: true,
      declareExternallyReferenced: true,
      ignoreMinAndMaxItems: true,
      format: true,
      style: { singleQuote: true, printWidth: 120 },
    });
    parts.push(ts.trim(), '');
    titles.push((JSON.parse(readFileSync(join(caisDir, file), 'utf8')) as { title: string }).title);
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
