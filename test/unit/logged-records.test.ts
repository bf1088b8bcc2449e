// Records read from the log page by page: every page until an empty one (whatever page size the store keeps to), the highest version of each record, and an invalid row refused by its position.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { readLoggedRecords } from '../../src/records/logged-records.js';
import { createRecordValidator } from '../../src/records/record-validator.js';
import type { LoggedRecord } from '../../src/store/message-log.js';
import { RECORD_FIXTURES, ROOT } from '../support/project.js';

const records = createRecordValidator(join(ROOT, 'schemas'));
const FIXTURE = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as { recordId: string; version: number };

/** A log of `count` rows of declaration.cargo (every third one a second version of the one before) served at most `pageLimit` rows a page. */
function log(count: number, pageLimit: number, rows: LoggedRecord[] = []): (type: string, after: number, limit: number) => Promise<LoggedRecord[]> {
  for (let i = 1; i <= count; i++) {
    const n = i % 3 === 0 ? i - 1 : i;
    rows.push({ row: i * 10, json: JSON.stringify({ ...FIXTURE, recordId: `KZ-CD-${n}`, version: i % 3 === 0 ? 2 : 1 }) });
  }
  return async (type, after, limit) => (type === 'declaration.cargo' ? rows.filter((r) => r.row > after).slice(0, Math.min(limit, pageLimit)) : []);
}

describe('readLoggedRecords', () => {
  it('reads every page, also when the store gives fewer rows than asked for, keeping the highest version of each record', async () => {
    const found = await readLoggedRecords(log(1300, 120), records, ['declaration.cargo'], 'GW_ERR_STATS_INPUT_INVALID');
    // 1300 rows: 433 second versions (every third row) of records whose first version came the row before.
    expect(found).toHaveLength(1300 - 433);
    expect(found.find((r) => r.recordId === 'KZ-CD-1298')?.version).toBe(2);
    expect(found.find((r) => r.recordId === 'KZ-CD-1300')?.version).toBe(1);
    expect(found.some((r) => r.recordId === 'KZ-CD-1299')).toBe(false);
  });

  it('refuses a row that is no longer a valid record, naming its position in the log', async () => {
    const rows: LoggedRecord[] = [];
    const pages = log(3, 500, rows);
    rows.push({ row: 99, json: JSON.stringify({ ...FIXTURE, items: [] }) });
    const refused = await readLoggedRecords(pages, records, ['declaration.cargo'], 'GW_ERR_STATS_INPUT_INVALID').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe('GW_ERR_STATS_INPUT_INVALID');
    expect((refused as GatewayError).message).toContain('log row 99 (declaration.cargo)');
  });
});
