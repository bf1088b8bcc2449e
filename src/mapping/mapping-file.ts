// Reads one mapping file of either direction (YAML, schema check, content hash) and words its problems with file and field.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { GatewayError } from '../errors.js';
import type { InboundMessageSpec, MessageSpec } from '../partners/partner-definition.js';

/** What compiling a mapping needs to know about the rest of the gateway. */
export interface MappingContext {
  /** Validator of schemas/mapping.schema.json. */
  validateFile: ValidateFunction;
  /** Known CAIS record types. */
  recordTypes: readonly string[];
  /** Looks up a message the partner receives (outbound target). @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  message(partner: string, message: string): MessageSpec;
  /** Looks up a message the partner pushes (inbound source). @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  inboundMessage(partner: string, message: string): InboundMessageSpec;
  /** The options of a partner instance (partners file `options`, secret ones left out), for `$option(name)` in its outbound mappings. @throws GatewayError GW_ERR_PARTNER_UNKNOWN */
  options?(partner: string): Readonly<Record<string, string>>;
}

/** A mapping file read and checked against the schema, before its expressions are compiled. */
export interface MappingFile {
  /** Path of the file. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** `out` (CAIS record → partner document, the default) or `in` (partner document → CAIS record). */
  direction: 'in' | 'out';
  /** The file's content, valid against schemas/mapping.schema.json. */
  content: unknown;
}

/** GW_ERR_MAPPING_INVALID naming the file, the JSON pointer of the field and the reason. */
export function mappingInvalid(file: string, pointer: string, reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_MAPPING_INVALID', `${file}: ${pointer || '/'} ${reason}`, { file, pointer }, { cause });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A mapping file's bytes as text, exactly (a byte-order mark kept): its SHA-256 is that of the file.
 * @throws GatewayError GW_ERR_MAPPING_INVALID when the bytes are not UTF-8
 */
export function mappingText(file: string, bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw mappingInvalid(file, '', 'is not UTF-8 text (mapping files are UTF-8)');
  }
}

function readYaml(file: string, bytes: Buffer): unknown {
  const doc = parseDocument(mappingText(file, bytes), { uniqueKeys: true, strict: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw mappingInvalid(file, '', `is not valid YAML: ${first.message}`);
  return doc.toJS({ maxAliasCount: 0 });
}

/**
 * Reads a mapping file (or takes its `text`, already read) and checks it against schemas/mapping.schema.json.
 * @throws GatewayError GW_ERR_MAPPING_INVALID naming the file and the field.
 */
export function readMappingFile(file: string, validateFile: ValidateFunction, text?: string): MappingFile {
  const bytes = text === undefined ? readFileSync(file) : Buffer.from(text, 'utf8');
  const content = readYaml(file, bytes);
  if (!validateFile(content)) {
    const e = validateFile.errors?.[0];
    if (e?.keyword === 'false schema') throw mappingInvalid(file, e.instancePath, 'is not a field of a mapping of this direction');
    throw mappingInvalid(file, e?.instancePath ?? '', `${e?.message ?? 'is invalid'}${e?.params ? ` (${JSON.stringify(e.params)})` : ''}`);
  }
  return {
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    direction: (content as { direction?: 'in' | 'out' }).direction ?? 'out',
    content,
  };
}

/**
 * Checks a field that names a CAIS record type.
 * @throws GatewayError GW_ERR_MAPPING_INVALID at `pointer` when the type is unknown.
 */
export function checkRecordType(file: string, pointer: string, type: string, recordTypes: readonly string[]): void {
  if (!recordTypes.includes(type)) throw mappingInvalid(file, pointer, `"${type}" is not a CAIS record type (known: ${recordTypes.join(', ')})`);
}

/**
 * Looks up a partner's message for the field at `pointer`.
 * @throws GatewayError GW_ERR_MAPPING_INVALID at `pointer` when the partner or message is unknown.
 */
export function lookUpAt<T>(file: string, pointer: string, lookup: () => T): T {
  try {
    return lookup();
  } catch (err) {
    throw mappingInvalid(file, pointer, (err as Error).message.replace(/^GW_ERR_\w+: /, ''), err);
  }
}

/** Runs `build`, adding the file to the mapping errors it throws (their pointer is already in them). */
export function withFile<T>(file: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof GatewayError && (err.code === 'GW_ERR_MAPPING_EXPRESSION' || err.code === 'GW_ERR_MAPPING_INVALID')) {
      throw new GatewayError(err.code, `${file}: ${err.message.replace(/^GW_ERR_\w+: /, '')}`, { ...err.detail, file }, { cause: err });
    }
    throw err;
  }
}
