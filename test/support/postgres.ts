// PostgreSQL for tests: whether a suite runs (skip with a reason locally, fail in CI), and a schema of its own per test, dropped afterwards.
import { GENESIS_HASH } from '../../src/audit/audit-hash.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { migratePostgres, openPostgresPool, shownPostgresUrl } from '../../src/store/postgres-connection.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';

/** The server the tests use: GATEWAY_TEST_DATABASE_URL, or the local one with trust authentication. */
export const postgresUrl = process.env.GATEWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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
    const reason = `${suite}: PostgreSQL not reachable at ${shownPostgresUrl(postgresUrl)} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI must run every test; .ci/run starts PostgreSQL)`);
    console.warn(`SKIPPED ${reason}`);
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A schema of its own on the test server, migrated; `pool()` opens another pool on it (another gateway
 * instance), `reset()` ends the pools opened so far and empties every table (faster than a new schema),
 * `drop()` removes it all.
 */
export interface TestSchema {
  schema: string;
  pool(): pg.Pool;
  reset(): Promise<void>;
  drop(): Promise<void>;
}

async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
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
  const endPools = async (): Promise<void> => {
    for (const p of pools.splice(0)) if (!p.ended) await p.end();
  };
  return {
    schema,
    pool,
    async reset() {
      await endPools();
      await asAdmin(
        `DO $$ BEGIN EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('%I.%I', schemaname, tablename), ', ') || ' RESTART IDENTITY CASCADE'
           FROM pg_tables WHERE schemaname = '${schema}' AND tablename <> 'schema_migrations'); END $$`,
      );
      // The audit trail's head is one row the migration writes: a truncated trail starts again from it.
      await asAdmin(`INSERT INTO ${schema}.audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`);
    },
    async drop() {
      await endPools();
      await asAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/** The local cluster's version folder (/etc/postgresql/<version>), as .ci/run starts it. */
function clusterVersion(): string {
  const [version] = readdirSync('/etc/postgresql');
  if (version === undefined) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  return version;
}

/** Stops the local PostgreSQL server (fast: open connections are cut, as in a crash of the database host). */
export function stopPostgres(): void {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', 'stop', '-m', 'fast'], { stdio: 'ignore', timeout: 60_000 });
}

/** Starts the local PostgreSQL server again and waits until it answers. */
export function startPostgres(): void {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', 'start'], { stdio: 'ignore', timeout: 60_000 });
  execFileSync('sh', ['-c', 'for i in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && exit 0; sleep 0.5; done; exit 1'], { stdio: 'ignore', timeout: 60_000 });
}
