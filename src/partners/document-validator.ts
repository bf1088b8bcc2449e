// Checks mapped documents against their partner's JSON Schema (schemas/partners/<partner>/) before rendering.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { DocumentTree } from '../codec/document-tree.js';
import { GatewayError } from '../errors.js';
import type { PartnerRegistry } from './partner-registry.js';

/** A document-level violation: pointer into the mapped document, and what is wrong. */
export interface DocumentViolation {
  /** JSON pointer into the document's object form. */
  pointer: string;
  /** What is wrong. */
  message: string;
}

/** Validates mapped documents of every partner message that declares a schema. */
export interface DocumentValidator {
  /** Violations of the message's schema; empty when valid or when the message has no schema. */
  check(partner: string, message: string, doc: DocumentTree): DocumentViolation[];
}

function valueOf(doc: DocumentTree): unknown {
  return doc.kind === 'xml' ? doc.root : doc.kind === 'edifact' ? doc.interchange : doc.value;
}

/**
 * Compiles every message schema once.
 * @throws GatewayError GW_ERR_CONFIG_INVALID naming the schema file that is missing or does not compile.
 */
export function createDocumentValidator(schemasDir: string, partners: PartnerRegistry): DocumentValidator {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const compiled = new Map<string, ValidateFunction>();
  for (const partner of partners.partners) {
    for (const [name, spec] of Object.entries(partner.messages)) {
      if (!spec.schema) continue;
      const file = join(schemasDir, 'partners', partner.id, spec.schema);
      try {
        compiled.set(`${partner.id}/${name}`, ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object));
      } catch (err) {
        throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: ${(err as Error).message}`, { file }, { cause: err });
      }
    }
  }
  return {
    check(partner, message, doc) {
      const validate = compiled.get(`${partner}/${message}`);
      if (!validate || validate(valueOf(doc))) return [];
      return (validate.errors ?? []).map((e) => ({
        pointer: e.keyword === 'required' ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}` : e.instancePath,
        message: e.keyword === 'required' ? 'is required' : e.message ?? 'is invalid',
      }));
    },
  };
}
