// An adapter's area of a fresh SQLite log of its own, for adapter tests that call their functions without a gateway.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partnerRecordsOf } from '../../src/partners/partner-services.js';
import type { PartnerRecords } from '../../src/partners/partner-definition.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import type { MessageStore } from '../../src/store/message-store.js';

/** Opens logs on demand and closes them all at once. */
export interface PartnerRecordsFactory {
  /** A fresh partner's area (its own log file), or a second view of an existing log's file (another instance on the same log). */
  fresh(partner: string, file?: string): { records: PartnerRecords; file: string };
  close(): Promise<void>;
}

/** A factory of partner-record areas on real SQLite logs. */
export function partnerRecordsFactory(): PartnerRecordsFactory {
  const opened: MessageStore[] = [];
  return {
    fresh(partner, file = join(mkdtempSync(join(tmpdir(), 'gw-records-')), 'log.db')) {
      const store = openSqliteMessageStore(file);
      opened.push(store);
      return { records: partnerRecordsOf(store, partner), file };
    },
    async close() {
      for (const store of opened.splice(0)) await store.close();
    },
  };
}
