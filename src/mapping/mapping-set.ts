// Loads every mapping file under mappings/<partner>/*.yaml and routes records to the mappings that apply.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { GatewayError } from '../errors.js';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { CaisRecord } from '../records/record-types.js';
import { ProblemList } from '../setup/problem-list.js';
import { compileMapping } from './compile-mapping.js';
import type { Mapping } from './mapping.js';

/** All compiled mappings. */
export interface MappingSet {
  /** Every mapping, in file order. */
  readonly mappings: readonly Mapping[];
  /** The mappings that apply to a record (possibly several: fan-out to several partners). */
  route(record: CaisRecord): Promise<Mapping[]>;
}

/** Mapping files: `<dir>/<partner>/<message>.yaml`, sorted for a stable order. */
export function listMappingFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const partner of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    for (const name of readdirSync(join(dir, partner)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) files.push(join(dir, partner, name));
  }
  return files;
}

/**
 * Compiles every mapping file once. A mapping file must live in the folder of its target partner.
 * Each broken file is a problem of its own; the others still load.
 * @param problems where problems go; without it, the first problem is thrown
 * @throws SetupFailed (GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the file and field)
 *   when no problem list is given and a file is broken.
 */
export function loadMappingSet(dir: string, schemasDir: string, partners: PartnerRegistry, recordTypes: readonly string[], problems?: ProblemList): MappingSet {
  const collected = problems ?? new ProblemList();
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  const validateFile = ajv.compile(JSON.parse(readFileSync(join(schemasDir, 'mapping.schema.json'), 'utf8')) as object);
  const mappings: Mapping[] = [];
  const ids = new Map<string, string>();
  for (const file of listMappingFiles(dir)) {
    const mapping = collected.capture(() => {
      const compiled = compileMapping(file, { validateFile, recordTypes, message: (p, m) => partners.message(p, m) });
      const folder = relative(dir, file).split(/[\\/]/)[0];
      if (folder !== compiled.target.partner) {
        throw new GatewayError('GW_ERR_MAPPING_INVALID', `${file}: /target/partner is "${compiled.target.partner}" but the file is in mappings/${folder}/`, { file, pointer: '/target/partner' });
      }
      const seen = ids.get(compiled.id);
      if (seen) throw new GatewayError('GW_ERR_MAPPING_INVALID', `${file}: /id "${compiled.id}" is already used by ${seen}`, { file, pointer: '/id' });
      return compiled;
    });
    if (!mapping) continue;
    ids.set(mapping.id, file);
    mappings.push(mapping);
  }
  if (!problems) collected.throwIfAny();
  const byType = new Map<string, Mapping[]>();
  for (const m of mappings) byType.set(m.recordType, [...(byType.get(m.recordType) ?? []), m]);
  return {
    mappings,
    async route(record) {
      const out: Mapping[] = [];
      for (const m of byType.get(record.type) ?? []) if (await m.applies(record)) out.push(m);
      return out;
    },
  };
}
