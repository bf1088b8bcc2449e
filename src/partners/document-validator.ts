// Checks mapped documents against their adapter's JSON Schema (schemas/partners/<adapter>/) before rendering.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { DocumentTree } from '../codec/document-tree.js';
import { ProblemList } from '../setup/problem-list.js';
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

/**
 * Compiles every message schema of every adapter in use once.
 * @param problems where a missing or broken schema goes (GW_ERR_CONFIG_INVALID naming the file); without it, it is thrown
 */
export function createDocumentValidator(schemasDir: string, partners: PartnerRegistry, problems?: ProblemList): DocumentValidator {
  const collected = problems ?? new ProblemList();
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const compiled = new Map<string, ValidateFunction>();
  const adapters = new Set(partners.partners.map((p) => p.adapter));
  for (const adapter of adapters) {
    for (const [name, spec] of Object.entries(partners.adapters.get(adapter)?.messages ?? {})) {
      if (!spec.schema) continue;
      const file = join(schemasDir, 'partners', adapter, spec.schema);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        collected.add({ code: 'GW_ERR_CONFIG_INVALID', file, message: `the schema of ${adapter} message ${name} is missing (MessageSpec.schema "${spec.schema}")` });
        continue;
      }
      try {
        compiled.set(`${adapter}/${name}`, ajv.compile(JSON.parse(text) as object));
      } catch (err) {
        collected.add({ code: 'GW_ERR_CONFIG_INVALID', file, message: `does not compile: ${(err as Error).message}` });
      }
    }
  }
  if (!problems) collected.throwIfAny();
  return {
    check(partner, message, doc) {
      const validate = compiled.get(`${partners.get(partner).adapter}/${message}`);
      if (!validate || validate(doc.value)) return [];
      return (validate.errors ?? []).map((e) => ({
        pointer: e.keyword === 'required' ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}` : e.instancePath,
        message: e.keyword === 'required' ? 'is required' : e.message ?? 'is invalid',
      }));
    },
  };
}
