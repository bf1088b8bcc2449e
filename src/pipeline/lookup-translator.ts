// Maps a CAIS record for a partner's look-up (a question asked and answered at once): validate, pick the partner's look-up mapping, map, check.
import type { MappingSet } from '../mapping/mapping-set.js';
import type { DocumentValidator } from '../partners/document-validator.js';
import type { LookupTranslation } from '../partners/partner-definition.js';
import type { RecordValidator } from '../records/record-validator.js';
import { mapChecked, problemOf } from './translator.js';

/** Turns CAIS records into look-up documents of one partner at a time. */
export interface LookupTranslator {
  /** Maps one untrusted value for `partner`; never throws for a bad record, only reports it. */
  translate(partner: string, value: unknown): Promise<LookupTranslation>;
}

/** Creates the look-up translator over the loaded record schemas, mappings and document schemas. */
export function createLookupTranslator(parts: { records: RecordValidator; mappings: MappingSet; documents: DocumentValidator }): LookupTranslator {
  const { records, mappings, documents } = parts;
  return {
    async translate(partner, value) {
      const checked = records.validate(value);
      if (!checked.ok) return { ok: false, problems: checked.violations };
      const record = checked.record;
      let mapping;
      try {
        mapping = await mappings.routeLookup(partner, record);
      } catch (err) {
        return { ok: false, problems: [problemOf(err, 'route')] };
      }
      if (!mapping) return { ok: false, problems: [{ code: 'GW_ERR_NO_ROUTE', pointer: '', message: `partner ${partner} has no look-up mapping that applies to this ${record.type} record` }] };
      const mapped = await mapChecked(record, mapping, documents);
      if (Array.isArray(mapped)) return { ok: false, problems: mapped };
      return { ok: true, record, ...mapped, mapping: { id: mapping.id, version: mapping.version, sha256: mapping.sha256 } };
    },
  };
}
