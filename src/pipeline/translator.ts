// The translation pipeline: validate a CAIS record, route it, map, check, render and sign every partner document.
import { createHash } from 'node:crypto';
import type { DocumentTree } from '../codec/document-tree.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import type { Mapping } from '../mapping/mapping.js';
import type { MappingSet } from '../mapping/mapping-set.js';
import type { DocumentValidator } from '../partners/document-validator.js';
import type { PartnerRegistry } from '../partners/partner-registry.js';
import type { CaisRecord } from '../records/record-types.js';
import type { RecordValidator } from '../records/record-validator.js';

/** One partner document produced from a record: the exact bytes and everything the log will stamp on them. */
export interface TranslatedDocument {
  /** Target partner id. */
  partner: string;
  /** Target message type. */
  message: string;
  /** Mapping that produced it: id, version and file hash. */
  mapping: { id: string; version: number; sha256: string };
  /** Business keys for the message log. */
  businessKeys: Record<string, string>;
  /** The exact bytes the partner receives. */
  bytes: Buffer;
  /** SHA-256 (hex) of `bytes`. */
  sha256: string;
  /** File extension of the codec (xml, edi, json, csv …). */
  extension: string;
  /** Whether the bytes carry our signature (the message's signing profile is not `none`). */
  signed: boolean;
  /** Names of its business keys no other record's message to the partner may share (the message's `uniqueKeys`). */
  uniqueKeys?: readonly string[];
}

/** A problem with a record, located by JSON pointer (into the record, or into the mapped document). */
export interface TranslationProblem {
  /** Stable error code. */
  code: ErrorCode;
  /** JSON pointer; for document problems it points into the mapped document of `target`. */
  pointer: string;
  /** What is wrong. */
  message: string;
  /** The partner message concerned, for mapping and document problems. */
  target?: string;
}

/** Result of translating one record: all of its documents, or none and every problem found. */
export type Translation =
  | { ok: true; record: CaisRecord; documents: TranslatedDocument[] }
  | { ok: false; recordId?: string; problems: TranslationProblem[] };

/** The parts a translator is built from. */
export interface TranslatorParts {
  records: RecordValidator;
  mappings: MappingSet;
  partners: PartnerRegistry;
  documents: DocumentValidator;
  /** Signs a rendered document for a partner with a signing profile and our key for that partner. */
  sign(partner: string, profile: string, document: Buffer): Buffer;
  /**
   * The document logged for the version before this record's, for partners that supersede earlier
   * versions (see PartnerDefinition.supersede); without it no document is superseded.
   */
  previousPayload?(record: CaisRecord, partner: string, message: string): Promise<Buffer | undefined>;
}

/** Turns CAIS records into partner documents. */
export interface Translator {
  /** Translates one untrusted value; never throws for a bad record, only reports it. */
  translate(value: unknown): Promise<Translation>;
}

function recordIdOf(value: unknown): string | undefined {
  const id = typeof value === 'object' && value !== null ? (value as { recordId?: unknown }).recordId : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** A GatewayError of a mapping or a codec as a problem of the record, for the partner message `target`; anything else is rethrown. */
export function problemOf(err: unknown, target: string): TranslationProblem {
  if (err instanceof GatewayError) {
    return { code: err.code, pointer: String(err.detail.pointer ?? ''), message: err.message.replace(/^GW_ERR_\w+: /, ''), target };
  }
  throw err;
}

/**
 * Maps a valid record with one mapping and checks the document against its partner message's schema:
 * the document and its business keys, or the problems (a mapping error, or each schema violation).
 */
export async function mapChecked(record: CaisRecord, mapping: Mapping, documents: DocumentValidator): Promise<{ document: DocumentTree; businessKeys: Record<string, string> } | TranslationProblem[]> {
  const { partner, message } = mapping.target;
  const target = `${partner}/${message}`;
  try {
    const document = await mapping.apply(record);
    const businessKeys = await mapping.businessKeys(record);
    const violations = documents.check(partner, message, document);
    if (violations.length > 0) return violations.map((v) => ({ code: 'GW_ERR_DOCUMENT_INVALID', pointer: v.pointer, message: v.message, target }));
    return { document, businessKeys };
  } catch (err) {
    return [problemOf(err, target)];
  }
}

/** Creates the translator. Everything it uses was compiled at load; it only runs. */
export function createTranslator(parts: TranslatorParts): Translator {
  const { records, mappings, partners, documents } = parts;

  /** The rendered document, rewritten by the partner when it supersedes an earlier version (before signing). */
  async function superseding(record: CaisRecord, partner: string, message: string, rendered: Buffer): Promise<Buffer> {
    const supersede = partners.get(partner).supersede;
    const previous = supersede && parts.previousPayload ? await parts.previousPayload(record, partner, message) : undefined;
    return supersede && previous ? supersede(rendered, previous) : rendered;
  }

  /** The document in the partner's transport envelope, when its adapter has one. */
  function wrapped(partner: string, message: string, document: Buffer, businessKeys: Record<string, string>): Buffer {
    const definition = partners.get(partner);
    if (!definition.envelope) return document;
    const { participants, options } = definition.settings;
    return definition.envelope({ messageType: message, document, businessKeys }, { partner, adapter: definition.adapter, participants, options });
  }

  async function produce(record: CaisRecord, mapping: Mapping): Promise<TranslatedDocument | TranslationProblem[]> {
    const { partner, message } = mapping.target;
    const target = `${partner}/${message}`;
    const mapped = await mapChecked(record, mapping, documents);
    if (Array.isArray(mapped)) return mapped;
    const { document: doc, businessKeys } = mapped;
    const spec = partners.message(partner, message);
    const codec = partners.codecs.get(spec.codec);
    const signing = partners.signingProfiles.get(spec.signing);
    let bytes: Buffer;
    try {
      bytes = codec.render(doc.value, spec.codecOptions);
      // Only a later version of a record can supersede one a partner may hold.
      if (record.version > 1) bytes = await superseding(record, partner, message, bytes);
      bytes = wrapped(partner, message, bytes, businessKeys);
      if (signing.signs) bytes = parts.sign(partner, spec.signing, bytes);
    } catch (err) {
      return [problemOf(err, target)];
    }
    return {
      partner,
      message,
      mapping: { id: mapping.id, version: mapping.version, sha256: mapping.sha256 },
      businessKeys,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      extension: codec.extension,
      signed: signing.signs,
      ...(spec.uniqueKeys ? { uniqueKeys: spec.uniqueKeys } : {}),
    };
  }

  return {
    async translate(value) {
      const checked = records.validate(value);
      if (!checked.ok) return { ok: false, recordId: recordIdOf(value), problems: checked.violations };
      const record = checked.record;
      let routed: Mapping[];
      try {
        routed = await mappings.route(record);
      } catch (err) {
        return { ok: false, recordId: record.recordId, problems: [problemOf(err, 'route')] };
      }
      if (routed.length === 0) {
        const askers = mappings.lookupPartners(record.type);
        const message = askers.length > 0
          ? `a ${record.type} record is a look-up, not a delivery: ask it through the look-up route of partner ${askers.join(' or ')}`
          : `no mapping applies to this ${record.type} record`;
        return { ok: false, recordId: record.recordId, problems: [{ code: 'GW_ERR_NO_ROUTE', pointer: '', message }] };
      }
      const produced: TranslatedDocument[] = [];
      const problems: TranslationProblem[] = [];
      for (const mapping of routed) {
        const result = await produce(record, mapping);
        if (Array.isArray(result)) problems.push(...result);
        else produced.push(result);
      }
      return problems.length > 0 ? { ok: false, recordId: record.recordId, problems } : { ok: true, record, documents: produced };
    },
  };
}
