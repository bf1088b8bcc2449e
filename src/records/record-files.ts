// Canonical records of given types from JSON files (one record or an array each), each record at its highest version, every invalid one refused by file and index.
import { readFileSync } from 'node:fs';
import { parseJson } from '../codec/json-codec.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import { LatestRecords } from './latest-records.js';
import type { CaisRecord } from './record-types.js';
import type { RecordValidator } from './record-validator.js';

/**
 * The records of the wanted types in the files, the highest version of each (type, recordId); records of
 * other types are skipped.
 * @throws GatewayError `code` naming the file (and index) of an unreadable file or an invalid record
 */
export function readRecordFiles<T extends CaisRecord['type']>(files: readonly string[], records: RecordValidator, types: readonly T[], code: ErrorCode): Array<Extract<CaisRecord, { type: T }>> {
  const latest = new LatestRecords(types);
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = parseJson(readFileSync(file));
    } catch (err) {
      throw new GatewayError(code, `${file}: cannot read a JSON record or array of records: ${(err as Error).message}`, { file });
    }
    (Array.isArray(parsed) ? parsed : [parsed]).forEach((value, i) => {
      const checked = records.validate(value);
      if (!checked.ok) throw new GatewayError(code, `${file}#${i}: ${checked.violations.map((v) => `${v.code} ${v.pointer || '/'} ${v.message}`).join('; ')}`, { file });
      latest.add(checked.record);
    });
  }
  return latest.values();
}
