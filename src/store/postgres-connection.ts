// PostgreSQL connections for the store: a pool from GATEWAY_DATABASE_URL with the gateway's timeouts, and migrations applied under an advisory lock.
import pg from 'pg';
import { GatewayError } from '../errors.js';
import type { Migration } from './migration.js';
import { isUnavailable, storeError } from './postgres-session.js';

/** Pool settings. */
export interface PostgresOptions {
  /** Connections at most (default 10). */
  maxConnections?: number;
  /** A statement running longer is cancelled by the server (default 30 s). */
  statementTimeoutMs?: number;
  /** Waiting longer for a connection fails (default 5 s). */
  connectTimeoutMs?: number;
  /** Schema the store's tables live in (default `public`); tests give each run its own. */
  schema?: string;
}


const INT8 = 20;

/**
 * BIGINT columns (epoch milliseconds, counts, serials) as numbers: every value the store keeps stays
 * below 2^53. Other types as pg reads them.
 */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8 && format !== 'binary') return Number;
  return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
}

/** The advisory lock every gateway instance takes to migrate, so one at a time does it. */
const MIGRATION_LOCK = 7_310_516_001;
const SAFE_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** The name, when it is a plain identifier that may go into SQL unquoted. @throws GatewayError GW_ERR_CONFIG_INVALID otherwise. */
function plainSchema(name: string): string {
  if (!SAFE_SCHEMA.test(name)) throw new GatewayError('GW_ERR_CONFIG_INVALID', `"${name}" is not a plain PostgreSQL schema name`);
  return name;
}

/** `url` as operators may see it: without credentials or parameters. */
export function shownPostgresUrl(url: string): string {
  try {
    const { protocol, host, pathname } = new URL(url);
    return `${protocol}//${host}${pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/**
 * Opens a pool to `url` (postgres://…). Nothing connects until first use.
 * @throws GatewayError GW_ERR_CONFIG_INVALID for a schema name that is not a plain identifier.
 */
export function openPostgresPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const schema = plainSchema(options.schema ?? 'public');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: 'customs-gateway',
    // Read committed whatever the server's default: row locks order writers, and the audit trail's head row chains them (postgres-audit.ts).
    options: `-c search_path=${schema} -c default_transaction_isolation=read\\ committed`,
    types: { getTypeParser: typeParser },
  });
  // A connection the server or the network dropped reports it as an 'error' event, on the pool while idle and on the
  // connection itself while checked out; unhandled, either would end the process. The query in flight fails on its own.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** The schema the pool's connections write to: the first entry of their search_path. */
async function schemaOf(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ search_path: string }>('SHOW search_path');
  const first = (rows[0]?.search_path ?? 'public').split(',').map((p) => p.trim().replace(/^"|"$/g, '')).find((p) => p !== '$user') ?? 'public';
  return plainSchema(first);
}

/**
 * Applies the migrations the database lacks, each in its own transaction, holding an advisory lock
 * so that of several instances starting together one migrates and the others wait (without a statement
 * timeout), then find nothing left to do. Creates the pool's schema (openPostgresPool's `schema`) only
 * when it is missing, so a role without CREATE on the database runs against an existing one, and the
 * `schema_migrations` table when missing.
 * @returns the versions applied now
 * @throws GatewayError GW_ERR_STORE_UNAVAILABLE when no connection can be made, GW_ERR_CONFIG_INVALID when a migration fails
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[]): Promise<number[]> {
  const client = await pool.connect().catch((error: unknown) => {
    throw storeError(error);
  });
  const applied: number[] = [];
  try {
    const schema = await schemaOf(client);
    // Waiting for another instance's migration, and a migration itself, may take longer than any query.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (isUnavailable(err)) throw storeError(err);
          throw new GatewayError('GW_ERR_CONFIG_INVALID', `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`, {}, { cause: err });
        }
        applied.push(migration.version);
      }
    } finally {
      // On a lost connection the server released the lock with the session.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } catch (error) {
    throw storeError(error);
  } finally {
    // The session's settings (statement_timeout) must not stay with a pooled connection.
    client.release(true);
  }
  return applied;
}
