// Canonical records of given types from the message log (the records CAIS posted, or those made from partners' pushes), each at its highest version, page by page.
import { GatewayError, type ErrorCode } from '../errors.js';
import type { LoggedRecord } from '../store/message-log.js';
import { LatestRecords } from './latest-records.js';
import type { CaisRecord } from './record-types.js';
import type { RecordValidator } from './record-validator.js';

/** A page of logged records of one type after a position (the outbound log's `recordsOfType`, the inbound log's `inboundRecordsOfType`). */
export type LoggedRecordPages = (type: string, after: number, limit: number) => Promise<LoggedRecord[]>;

const PAGE = 500;

/**
 * The records of the wanted types the log holds, the highest version of each (type, recordId).
 * @throws GatewayError `code` naming the log row of a record that is no longer valid against its schema
 */
export async function readLoggedRecords<T extends CaisRecord['type']>(pages: LoggedRecordPages, records: RecordValidator, types: readonly T[], code: ErrorCode): Promise<Array<Extract<CaisRecord, { type: T }>>> {
  const latest = new LatestRecords(types);
  for (const type of types) {
    let after = 0;
    for (;;) {
      const page = await pages(type, after, PAGE);
      for (const row of page) {
        const checked = records.validate(JSON.parse(row.json));
        if (!checked.ok) throw new GatewayError(code, `log row ${row.row} (${type}): ${checked.violations.map((v) => `${v.code} ${v.pointer || '/'} ${v.message}`).join('; ')}`);
        latest.add(checked.record);
      }
      // Until a page comes back empty: a store may return fewer rows than asked for (its own page limit).
      if (page.length === 0) break;
      after = page.at(-1)!.row;
    }
  }
  return latest.values();
}
