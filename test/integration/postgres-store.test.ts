// The PostgreSQL store, on the real server: migrations under an advisory lock, and the role conformance suites built so far (partner records, inbound store).
import { afterAll, describe, expect, it } from 'vitest';
import { migratePostgres, openPostgresPool } from '../../src/store/postgres-connection.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { PostgresInboundStore } from '../../src/store/postgres-inbound-store.js';
import { PostgresMessageStore } from '../../src/store/postgres-message-store.js';
import { PostgresPartnerRecords } from '../../src/store/postgres-partner-records.js';
import { PostgresSession } from '../../src/store/postgres-session.js';
import { inboundStoreConformance, type InboundStores } from '../conformance/inbound-store.conformance.js';
import { partnerRecordsConformance } from '../conformance/partner-records.conformance.js';
import { freshSchema, postgresUrl, skipWithoutPostgres, type TestSchema } from '../support/postgres.js';

const skip = await skipWithoutPostgres('PostgreSQL store');

describe.skipIf(skip)('PostgreSQL migrations', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('several instances starting together: one applies each migration, once, the others wait and find nothing to do', async () => {
    const schema = await freshSchema();
    schemas.push(schema);
    // freshSchema migrated already; drop the schema (every table and the record of them), then let three instances race.
    const setup = schema.pool();
    await setup.query(`DROP SCHEMA ${schema.schema} CASCADE`);
    const applied = await Promise.all([1, 2, 3].map(() => migratePostgres(schema.pool(), POSTGRES_MIGRATIONS)));
    expect(applied.flat()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    const { rows } = await setup.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => openPostgresPool(postgresUrl, { schema: 'x; DROP TABLE y' })).toThrow(expect.objectContaining({ code: 'GW_ERR_CONFIG_INVALID' }));
  });
});

if (!skip) {
  let current: TestSchema | undefined;
  const open = async () => {
    current ??= await freshSchema();
    const pool = current.pool();
    return Object.assign(new PostgresPartnerRecords(pool), { close: () => pool.end() });
  };
  partnerRecordsConformance('PostgreSQL (two pools on one schema)', open, open, async () => {
    await current?.drop();
    current = undefined;
  });

  inboundStoreConformance('PostgreSQL', async (): Promise<InboundStores> => {
    const schema = await freshSchema();
    const session = new PostgresSession(schema.pool());
    const inbound = new PostgresInboundStore(session);
    const messages = new PostgresMessageStore(session);
    return {
      inbound,
      messages,
      async close() {
        await inbound.close();
        // The message store ends the pool; drop() ends any other left open, then removes the schema.
        await messages.close();
        await schema.drop();
      },
    };
  });
}
