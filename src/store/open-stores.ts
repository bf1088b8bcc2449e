// Opens the log the configuration names: the embedded SQLite file under the data folder, or the PostgreSQL database several instances share.
import { join } from 'node:path';
import type { DatabaseConfig } from '../config.js';
import type { InboundStore } from './inbound-store.js';
import type { MessageStore } from './message-store.js';
import { migratePostgres, openPostgresPool, shownPostgresUrl } from './postgres-connection.js';
import { PostgresInboundStore } from './postgres-inbound-store.js';
import { PostgresMessageStore } from './postgres-message-store.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresSession } from './postgres-session.js';
import { openSqliteDatabase, SqliteConnection } from './sqlite-connection.js';
import { sqliteInboundStore } from './sqlite-inbound-store.js';
import { sqliteMessageStore } from './sqlite-message-store.js';

/** The embedded log's file in a data folder. */
export function sqliteLogFile(dataDir: string): string {
  return join(dataDir, 'gateway.sqlite');
}

/** Both directions of the log on one database; close the inbound store first (the message store closes the connection). */
export interface Stores {
  store: MessageStore;
  inbound: InboundStore;
  /** Where the log is, for operators (no credentials). */
  where: string;
}

/**
 * Opens and migrates the log: PostgreSQL when `database` is set (migrations under an advisory lock, so
 * instances starting together take turns), else `<dataDir>/gateway.sqlite`.
 * @throws GatewayError GW_ERR_STORE_UNAVAILABLE when PostgreSQL cannot be reached, GW_ERR_CONFIG_INVALID when a migration fails
 */
export async function openStores(dataDir: string, database: DatabaseConfig | undefined): Promise<Stores> {
  if (database === undefined) {
    const file = sqliteLogFile(dataDir);
    const connection = new SqliteConnection(openSqliteDatabase(file), file, { checkpointWorker: true });
    return { store: sqliteMessageStore(connection), inbound: sqliteInboundStore(connection, { commitWorker: true }), where: file };
  }
  const pool = openPostgresPool(database.url, {
    schema: database.schema,
    maxConnections: database.poolMax,
    statementTimeoutMs: database.statementTimeoutMs,
    connectTimeoutMs: database.connectTimeoutMs,
  });
  const session = new PostgresSession(pool);
  try {
    await migratePostgres(pool, POSTGRES_MIGRATIONS);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { store: new PostgresMessageStore(session), inbound: new PostgresInboundStore(session), where: `${shownPostgresUrl(database.url)} (schema ${database.schema})` };
}
