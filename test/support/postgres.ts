// PostgreSQL for tests: whether a suite runs (skip with a reason locally, fail in CI), and a schema of its own per test, dropped afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migratePostgres, openPostgresPool } from '../../src/store/postgres-connection.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';

/** The server the tests use: GATEWAY_TEST_DATABASE_URL, or the local one with trust authentication. */
export const postgresUrl = process.env.GATEWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL without its credentials, for messages. */
function shown(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname}`;
  } catch {
    return '(unparseable GATEWAY_TEST_DATABASE_URL)';
  }
}

/**
 * Returns true when `suite` must be skipped because PostgreSQL does not answer at {@link postgresUrl}
 * within 2 s, and says so. In CI (`CI=true`) nothing may be skipped: an unreachable server throws.
 */
export async function skipWithoutPostgres(suite: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return false;
  } catch (err) {
    const reason = `${suite}: PostgreSQL not reachable at ${shown(postgresUrl)} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI must run every test; .ci/run starts PostgreSQL)`);
    console.warn(`SKIPPED ${reason}`);
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema of its own on the test server, migrated; `pool()` opens another pool on it (another gateway instance), `drop()` removes it all. */
export interface TestSchema {
  schema: string;
  pool(): pg.Pool;
  drop(): Promise<void>;
}

/** Creates and migrates a fresh schema. */
export async function freshSchema(): Promise<TestSchema> {
  const schema = `gwtest_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const pools: pg.Pool[] = [];
  const pool = (): pg.Pool => {
    const opened = openPostgresPool(postgresUrl, { schema, maxConnections: 4 });
    pools.push(opened);
    return opened;
  };
  await migratePostgres(pool(), POSTGRES_MIGRATIONS);
  return {
    schema,
    pool,
    async drop() {
      for (const p of pools.splice(0)) if (!p.ended) await p.end();
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
