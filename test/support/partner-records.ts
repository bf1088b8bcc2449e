// An adapter's area of a fresh log of its own (SQLite, or a PostgreSQL schema), for adapter tests that call their functions without a gateway.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partnerRecordsOf } from '../../src/partners/partner-services.js';
import type { PartnerRecords } from '../../src/partners/partner-definition.js';
import { PostgresMessageStore } from '../../src/store/postgres-message-store.js';
import { PostgresSession } from '../../src/store/postgres-session.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { freshSchema, type TestSchema } from './postgres.js';

/** Opens logs on demand and closes them all at once. */
export interface PartnerRecordsFactory {
  /**
   * A fresh partner's area (on a log of its own), or, given the `log` of an earlier area, a second view
   * of that log (another gateway instance on the same log).
   */
  fresh(partner: string, log?: string): Promise<{ records: PartnerRecords; log: string }>;
  close(): Promise<void>;
}

/** A factory of partner-record areas on real SQLite logs: `log` is the file. */
export function partnerRecordsFactory(): PartnerRecordsFactory {
  const opened: MessageStore[] = [];
  return {
    async fresh(partner, log = join(mkdtempSync(join(tmpdir(), 'gw-records-')), 'log.db')) {
      const store = openSqliteMessageStore(log);
      opened.push(store);
      return { records: partnerRecordsOf(store, partner), log };
    },
    async close() {
      for (const store of opened.splice(0)) await store.close();
    },
  };
}

/** A factory of partner-record areas on PostgreSQL: `log` is a schema of its own, each view another pool (another instance). */
export function postgresPartnerRecordsFactory(): PartnerRecordsFactory {
  const schemas = new Map<string, TestSchema>();
  return {
    async fresh(partner, log) {
      const schema = (log === undefined ? undefined : schemas.get(log)) ?? (await freshSchema());
      schemas.set(schema.schema, schema);
      return { records: partnerRecordsOf(new PostgresMessageStore(new PostgresSession(schema.pool())), partner), log: schema.schema };
    },
    async close() {
      for (const schema of schemas.values()) await schema.drop();
      schemas.clear();
    },
  };
}
