// Schema of the PostgreSQL store as an ordered list of migrations (migratePostgres applies them under an advisory lock).
import type { Migration } from './migration.js';

/** Adapters' own records: JSON by partner, kind and id, found by key, with a revision for compare-and-set. */
const PARTNER_RECORDS = `
CREATE TABLE partner_records (
  partner    TEXT   NOT NULL,
  kind       TEXT   NOT NULL,
  id         TEXT   NOT NULL,
  key        TEXT   NOT NULL,
  value      JSONB  NOT NULL,
  updated_at BIGINT NOT NULL,
  revision   BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (partner, kind, id)
);
CREATE INDEX partner_records_key ON partner_records (partner, kind, key, updated_at DESC);
`;

/** The PostgreSQL store's migrations, oldest first. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'partner records with a revision for compare-and-set', sql: PARTNER_RECORDS }];
