// Validates canonical CAIS records against schemas/cais, compiled once; reports every violation with its JSON pointer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { GatewayError } from '../errors.js';
import type { CaisRecord } from './record-types.js';
import { carnetCheckLetterProblem } from './tir-carnet-number.js';

/** The schema format naming the TIR carnet numbering's check-letter rule (schemas/cais/common.schema.json). */
const CARNET_CHECK_LETTERS = 'tir-carnet-check-letters';

/** One schema violation, located by JSON pointer into the record. */
export interface Violation {
  /** Stable error code. */
  code: 'GW_ERR_RECORD_INVALID' | 'GW_ERR_RECORD_CARNET_CHECK_LETTERS' | 'GW_ERR_RECORD_TYPE_UNKNOWN' | 'GW_ERR_RECORD_UNREADABLE';
  /** JSON pointer (RFC 6901) to the offending value; '' is the record itself. */
  pointer: string;
  /** What is wrong, in words. */
  message: string;
}

/** Outcome of validating one record. */
export type ValidationResult = { ok: true; record: CaisRecord } | { ok: false; violations: Violation[] };

/** Validates records by their `type`. */
export interface RecordValidator {
  /** Record types this validator knows. */
  readonly types: readonly string[];
  /** Validates one untrusted value as a CAIS record. */
  validate(value: unknown): ValidationResult;
}

function describe(error: ErrorObject): Violation {
  const params = error.params as Record<string, unknown>;
  let pointer = error.instancePath;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    pointer = `${pointer}/${String(params.missingProperty)}`;
    message = 'is required';
  } else if (error.keyword === 'additionalProperty' || error.keyword === 'additionalProperties') {
    pointer = `${pointer}/${String(params.additionalProperty)}`;
    message = 'is not a field of this record type';
  } else if (error.keyword === 'format' && params.format === CARNET_CHECK_LETTERS) {
    return { code: 'GW_ERR_RECORD_CARNET_CHECK_LETTERS', pointer, message: carnetCheckLetterProblem(String(error.data)) ?? message };
  } else if (error.keyword === 'enum') {
    message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { code: 'GW_ERR_RECORD_INVALID', pointer, message };
}

/** Keeps the most useful errors: drops the generic "must match then schema" wrappers of if/then. */
function violationsOf(errors: ErrorObject[]): Violation[] {
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const v = describe(error);
    const key = `${v.pointer} ${v.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

/**
 * Compiles every `schemas/cais/<type>.schema.json` (strict mode) into a validator.
 * @throws GatewayError GW_ERR_CONFIG_INVALID naming the schema file when one does not compile.
 */
export function createRecordValidator(schemasDir: string): RecordValidator {
  const dir = join(schemasDir, 'cais');
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
  addFormats.default(ajv);
  ajv.addFormat(CARNET_CHECK_LETTERS, { type: 'string', validate: (value: string) => carnetCheckLetterProblem(value) === undefined });
  const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object, file);
  const byType = new Map<string, ValidateFunction>();
  for (const file of files) {
    if (file === 'common.schema.json') continue;
    const type = file.slice(0, -'.schema.json'.length);
    try {
      const fn = ajv.getSchema(file);
      if (!fn) throw new Error('schema did not load');
      byType.set(type, fn);
    } catch (err) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `schemas/cais/${file} does not compile: ${(err as Error).message}`, { file: join(dir, file) }, { cause: err });
    }
  }
  return {
    types: [...byType.keys()],
    validate(value: unknown): ValidationResult {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, violations: [{ code: 'GW_ERR_RECORD_UNREADABLE', pointer: '', message: 'a record must be a JSON object' }] };
      }
      const type = (value as { type?: unknown }).type;
      const fn = typeof type === 'string' ? byType.get(type) : undefined;
      if (!fn) {
        return { ok: false, violations: [{ code: 'GW_ERR_RECORD_TYPE_UNKNOWN', pointer: '/type', message: `must be one of ${[...byType.keys()].join(', ')}` }] };
      }
      if (fn(value)) return { ok: true, record: value as CaisRecord };
      return { ok: false, violations: violationsOf(fn.errors ?? []) };
    },
  };
}
