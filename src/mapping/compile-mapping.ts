// Reads, checks and compiles one mapping file; a broken file fails here with its path, field and reason.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import type { DocumentTree } from '../codec/document-tree.js';
import { GatewayError } from '../errors.js';
import type { MessageSpec } from '../partners/partner-definition.js';
import type { CaisRecord } from '../records/record-types.js';
import { compileExpression, type CodeLists, type Scope } from './expression.js';
import type { Mapping } from './mapping.js';
import { compileNode } from './template.js';

/** The mapping file as written (after schema validation). */
interface MappingFile {
  id: string;
  version: number;
  description?: string;
  source: string;
  when?: string;
  target: { partner: string; message: string };
  businessKeys: Record<string, string>;
  codes?: Record<string, Record<string, string>>;
  document: Record<string, unknown>;
}

/** What compiling a mapping needs to know about the rest of the gateway. */
export interface MappingContext {
  /** Validator of schemas/mapping.schema.json. */
  validateFile: ValidateFunction;
  /** Known CAIS record types. */
  recordTypes: readonly string[];
  /** Looks up the target message. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  message(partner: string, message: string): MessageSpec;
}

function invalid(file: string, pointer: string, reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_MAPPING_INVALID', `${file}: ${pointer || '/'} ${reason}`, { file, pointer }, { cause });
}

function readYaml(file: string, bytes: Buffer): unknown {
  const doc = parseDocument(bytes.toString('utf8'), { uniqueKeys: true, strict: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw invalid(file, '', `is not valid YAML: ${first.message}`);
  return doc.toJS({ maxAliasCount: 0 });
}

function scopeOf(record: CaisRecord, now: Date = new Date()): Scope {
  return { record, now: now.toISOString() };
}

function withFile<T>(file: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof GatewayError && (err.code === 'GW_ERR_MAPPING_EXPRESSION' || err.code === 'GW_ERR_MAPPING_INVALID')) {
      throw new GatewayError(err.code, `${file}: ${err.message.replace(/^GW_ERR_\w+: /, '')}`, { ...err.detail, file }, { cause: err });
    }
    throw err;
  }
}

/**
 * Compiles a mapping file: YAML → schema check → target and source check → every expression compiled.
 * @throws GatewayError GW_ERR_MAPPING_INVALID or GW_ERR_MAPPING_EXPRESSION naming the file and the field.
 */
export function compileMapping(file: string, context: MappingContext): Mapping {
  const bytes = readFileSync(file);
  const raw = readYaml(file, bytes);
  if (!context.validateFile(raw)) {
    const e = context.validateFile.errors?.[0];
    throw invalid(file, e?.instancePath ?? '', `${e?.message ?? 'is invalid'}${e?.params ? ` (${JSON.stringify(e.params)})` : ''}`);
  }
  const m = raw as MappingFile;
  if (!context.recordTypes.includes(m.source)) throw invalid(file, '/source', `"${m.source}" is not a CAIS record type (known: ${context.recordTypes.join(', ')})`);
  let spec: MessageSpec;
  try {
    spec = context.message(m.target.partner, m.target.message);
  } catch (err) {
    throw invalid(file, '/target', (err as Error).message.replace(/^GW_ERR_\w+: /, ''), err);
  }
  const lists: CodeLists = m.codes ?? {};
  return withFile(file, () => {
    const when = m.when === undefined ? undefined : compileExpression(m.when, '/when', lists);
    const document = compileNode(m.document, '/document', lists);
    const keys = Object.entries(m.businessKeys).map(([name, source]) => [name, compileExpression(source, `/businessKeys/${name}`, lists)] as const);
    const mapping: Mapping = {
      id: m.id,
      version: m.version,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      source: file,
      recordType: m.source,
      target: { partner: m.target.partner, message: m.target.message },
      async applies(record: CaisRecord) {
        if (record.type !== m.source) return false;
        return when === undefined ? true : (await when.evaluate(record, scopeOf(record))) === true;
      },
      async apply(record: CaisRecord, now?: Date) {
        const tree: DocumentTree = { codec: spec.codec, value: await document(record, scopeOf(record, now)) };
        return tree;
      },
      async businessKeys(record: CaisRecord) {
        const out: Record<string, string> = {};
        for (const [name, expr] of keys) {
          const value = await expr.evaluate(record, scopeOf(record));
          if (value !== undefined && value !== null) out[name] = String(value);
        }
        return out;
      },
    };
    return mapping;
  });
}
