// The partner-records role on PostgreSQL: adapters' JSON records, with compare-and-set by revision that holds across gateway instances.
import type { Sql } from './postgres-session.js';
import type { PartnerRecordRow, PartnerRecordStore, RevisedPartnerRecord } from './partner-record-store.js';

/** Partner records in the `partner_records` table of the pool's schema (postgres-migrations.ts), read and written through a session (postgres-session.ts). */
export class PostgresPartnerRecords implements PartnerRecordStore {
  constructor(private readonly sql: Sql) {}

  async putPartnerRecord(partner: string, kind: string, id: string, key: string, value: unknown, now: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO partner_records (partner, kind, id, key, value, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (partner, kind, id) DO UPDATE SET key = EXCLUDED.key, value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, revision = partner_records.revision + 1`,
      [partner, kind, id, key, JSON.stringify(value), now],
    );
  }

  async getPartnerRecord(partner: string, kind: string, id: string): Promise<unknown | undefined> {
    return (await this.readPartnerRecord(partner, kind, id))?.value;
  }

  async readPartnerRecord(partner: string, kind: string, id: string): Promise<RevisedPartnerRecord | undefined> {
    const { rows } = await this.sql.query<{ value: unknown; revision: string }>('SELECT value, revision FROM partner_records WHERE partner = $1 AND kind = $2 AND id = $3', [partner, kind, id]);
    const [row] = rows;
    return row === undefined ? undefined : { value: row.value, revision: Number(row.revision) };
  }

  async swapPartnerRecord(partner: string, kind: string, id: string, key: string, value: unknown, expectedRevision: number | null, now: number): Promise<boolean> {
    const json = JSON.stringify(value);
    // One statement each: the row lock (or the primary key, for a new row) decides between concurrent writers.
    const result =
      expectedRevision === null
        ? await this.sql.query(
            'INSERT INTO partner_records (partner, kind, id, key, value, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (partner, kind, id) DO NOTHING',
            [partner, kind, id, key, json, now],
          )
        : await this.sql.query(
            'UPDATE partner_records SET key = $4, value = $5, updated_at = $6, revision = revision + 1 WHERE partner = $1 AND kind = $2 AND id = $3 AND revision = $7',
            [partner, kind, id, key, json, now, expectedRevision],
          );
    return result.rowCount === 1;
  }

  async listPartnerRecords(partner: string, kind: string, key?: string): Promise<PartnerRecordRow[]> {
    const { rows } = await this.sql.query<{ id: string; key: string; value: unknown; updated_at: string }>(
      `SELECT id, key, value, updated_at FROM partner_records WHERE partner = $1 AND kind = $2 ${key === undefined ? '' : 'AND key = $3'} ORDER BY updated_at DESC, id COLLATE "C"`,
      key === undefined ? [partner, kind] : [partner, kind, key],
    );
    return rows.map((r) => ({ id: r.id, key: r.key, value: r.value, updatedAt: Number(r.updated_at) }));
  }
}
