// Loads every mapping file under mappings/<partner>/*.yaml, both directions, and routes records and pushed documents to the mappings that apply.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { XmlContent } from '../codec/document-tree.js';
import { GatewayError } from '../errors.js';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { CaisRecord } from '../records/record-types.js';
import { ProblemList } from '../setup/problem-list.js';
import { compileInboundMapping } from './compile-inbound-mapping.js';
import { compileMapping } from './compile-mapping.js';
import type { InboundMapping } from './inbound-mapping.js';
import type { Mapping } from './mapping.js';
import { mappingText, readMappingFile, type MappingContext } from './mapping-file.js';

/** All compiled mappings, both directions. */
export interface MappingSet {
  /** Every outbound mapping (CAIS record → partner document), in file order. */
  readonly mappings: readonly Mapping[];
  /** Every inbound mapping (partner document → CAIS record), in file order. */
  readonly inbound: readonly InboundMapping[];
  /**
   * The outbound mappings that apply to a record (possibly several: fan-out to several partners);
   * never a look-up's (see {@link routeLookup}).
   */
  route(record: CaisRecord): Promise<Mapping[]>;
  /** The first mapping, in file order, of this partner to one of its look-up messages that applies to a record; undefined when none does. */
  routeLookup(partner: string, record: CaisRecord): Promise<Mapping | undefined>;
  /** The partners that have a look-up mapping for this record type (to tell a look-up posted as a delivery where to go). */
  lookupPartners(recordType: string): string[];
  /**
   * The first inbound mapping, in file order, of this partner's message that applies to a pushed
   * document (parsed, not renamed); undefined when none does.
   */
  routeInbound(partner: string, message: string, document: XmlContent): Promise<InboundMapping | undefined>;
}

/**
 * The text of every mapping file in `dir`, in {@link listMappingFiles} order: what a running gateway
 * compiles, on its own thread and in its translation threads alike, whatever happens to the files later.
 */
export function readMappingFiles(dir: string): Map<string, string> {
  return new Map(listMappingFiles(dir).map((file) => [file, mappingText(file, readFileSync(file))]));
}

/** Mapping files: `<dir>/<partner>/<name>.yaml`, sorted for a stable order. */
export function listMappingFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const partner of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    for (const name of readdirSync(join(dir, partner)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) files.push(join(dir, partner, name));
  }
  return files;
}

/** A compiled file of either direction, with the partner whose folder it must live in and the field that names it. */
export type Compiled = { kind: 'out'; mapping: Mapping; partner: string; pointer: string } | { kind: 'in'; mapping: InboundMapping; partner: string; pointer: string };

/** Compiles one mapping file of either direction (from `text` when given, else from disk) with the partner whose folder it must live in. */
export function compileMappingFile(file: string, context: MappingContext, text?: string): Compiled {
  const read = readMappingFile(file, context.validateFile, text);
  if (read.direction === 'in') {
    const mapping = compileInboundMapping(read, context);
    return { kind: 'in', mapping, partner: mapping.partner, pointer: '/source/partner' };
  }
  const mapping = compileMapping(read, context);
  return { kind: 'out', mapping, partner: mapping.target.partner, pointer: '/target/partner' };
}

/** What compiling a mapping file needs: the file schema, the record types, the partners' messages and options. */
export function mappingContext(schemasDir: string, partners: PartnerRegistry, recordTypes: readonly string[]): MappingContext {
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  return {
    validateFile: ajv.compile(JSON.parse(readFileSync(join(schemasDir, 'mapping.schema.json'), 'utf8')) as object),
    recordTypes,
    message: (p, m) => partners.message(p, m),
    inboundMessage: (p, m) => partners.inboundMessage(p, m),
    // Never a secret option (a password): a mapping would write it into a logged document.
    options: (p) => {
      const partner = partners.get(p);
      return Object.fromEntries(Object.entries(partner.settings.options).filter(([name]) => partner.definition.options?.[name]?.secret !== true));
    },
  };
}

/**
 * Compiles every mapping file once. A mapping file must live in the folder of its partner: the target
 * partner of an outbound file, the source partner of an inbound one. Ids are unique across both.
 * Each broken file is a problem of its own; the others still load.
 * @param problems where problems go; without it, the first problem is thrown
 * @param files the files to compile (path under `dir` → text, in order) instead of reading `dir`
 * @throws SetupFailed (GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the file and field)
 *   when no problem list is given and a file is broken.
 */
export function loadMappingSet(
  dir: string,
  schemasDir: string,
  partners: PartnerRegistry,
  recordTypes: readonly string[],
  problems?: ProblemList,
  files?: ReadonlyMap<string, string>,
): MappingSet {
  const collected = problems ?? new ProblemList();
  const context = mappingContext(schemasDir, partners, recordTypes);
  const mappings: Mapping[] = [];
  const inbound: InboundMapping[] = [];
  const ids = new Map<string, string>();
  for (const file of files ? [...files.keys()] : listMappingFiles(dir)) {
    const compiled = collected.capture(() => {
      const found = compileMappingFile(file, context, files?.get(file));
      const folder = relative(dir, file).split(/[\\/]/)[0];
      if (folder !== found.partner) {
        throw new GatewayError('GW_ERR_MAPPING_INVALID', `${file}: ${found.pointer} is "${found.partner}" but the file is in mappings/${folder}/`, { file, pointer: found.pointer });
      }
      const seen = ids.get(found.mapping.id);
      if (seen) throw new GatewayError('GW_ERR_MAPPING_INVALID', `${file}: /id "${found.mapping.id}" is already used by ${seen}`, { file, pointer: '/id' });
      return found;
    });
    if (!compiled) continue;
    ids.set(compiled.mapping.id, file);
    if (compiled.kind === 'in') inbound.push(compiled.mapping);
    else mappings.push(compiled.mapping);
  }
  if (!problems) collected.throwIfAny();
  return mappingSetOf(mappings, inbound, partners);
}

/**
 * The set of already compiled mappings, routing as {@link loadMappingSet}'s does (file order kept):
 * what an activation builds with one mapping replaced, without reading the other files again.
 */
export function mappingSetOf(mappings: readonly Mapping[], inbound: readonly InboundMapping[], partners: PartnerRegistry): MappingSet {
  // A look-up's mapping is used by its adapter's route when asked, never by ingest.
  const isLookup = (m: Mapping): boolean => partners.message(m.target.partner, m.target.message).lookup === true;
  // A message of another profile than the instance's is not sent (Uzbekistan: WCO XML or EDIFACT, by configuration).
  const ofProfile = (m: Mapping): boolean => {
    const profiles = partners.message(m.target.partner, m.target.message).profiles;
    return profiles === undefined || profiles.includes(partners.get(m.target.partner).profile);
  };
  const byType = new Map<string, Mapping[]>();
  for (const m of mappings.filter((m) => !isLookup(m) && ofProfile(m))) byType.set(m.recordType, [...(byType.get(m.recordType) ?? []), m]);
  const lookups = mappings.filter(isLookup);
  return {
    mappings,
    inbound,
    async route(record) {
      const out: Mapping[] = [];
      for (const m of byType.get(record.type) ?? []) if (await m.applies(record)) out.push(m);
      return out;
    },
    async routeLookup(partner, record) {
      for (const m of lookups) if (m.target.partner === partner && (await m.applies(record))) return m;
      return undefined;
    },
    lookupPartners(recordType) {
      return [...new Set(lookups.filter((m) => m.recordType === recordType).map((m) => m.target.partner))];
    },
    async routeInbound(partner, message, document) {
      for (const m of inbound) if (m.partner === partner && m.message === message && (await m.applies(document))) return m;
      return undefined;
    },
  };
}
