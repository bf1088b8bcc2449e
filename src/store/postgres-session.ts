// Queries and transactions on the PostgreSQL pool, with a lost or overloaded server reported as GW_ERR_STORE_UNAVAILABLE.
import type pg from 'pg';
import { GatewayError } from '../errors.js';

/** What runs a statement: the pool, or one connection inside a transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * SQLSTATE classes and codes meaning the server cannot serve now: connection exceptions (but 08P01, a
 * protocol violation, is a bug of ours), out of resources, shutting down, a statement over its timeout,
 * a serialization failure or deadlock (to be tried again), a standby after a failover (25006) and an
 * idle transaction ended by the server (25P03).
 */
const UNAVAILABLE_STATES = /^(08(?!P01)|53|57P)|^(57014|40001|40P01|25006|25P03)$/;
/** Node socket errors, and what pg says when a connection ends or the pool cannot hand one out in time. */
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_TEXT = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is/i;

/** Whether `error` says the database cannot be used now (rather than that the statement is wrong). */
export function isUnavailable(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  return typeof message === 'string' && UNAVAILABLE_TEXT.test(message);
}

/** `error` as the gateway reports it: GW_ERR_STORE_UNAVAILABLE when the server cannot be used now, else unchanged. */
export function storeError(error: unknown): unknown {
  if (error instanceof GatewayError || !isUnavailable(error)) return error;
  return new GatewayError('GW_ERR_STORE_UNAVAILABLE', `PostgreSQL cannot be reached: ${(error as Error).message}`, {}, { cause: error });
}

/** SQL written with `?` placeholders (shared with SQLite) as PostgreSQL numbers them: `$1`, `$2`, … in order. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
}

/** How a transaction reads: the default (each statement sees what was committed before it) or one snapshot for all its reads. */
export type TransactionMode = 'read-committed' | 'snapshot';

/** The pool, with queries and transactions that report an unreachable server as GW_ERR_STORE_UNAVAILABLE. */
export class PostgresSession implements Sql {
  constructor(readonly pool: pg.Pool) {}

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw storeError(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws. A connection that failed is discarded, not returned to the pool.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>, mode: TransactionMode = 'read-committed'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query(mode === 'snapshot' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isUnavailable(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw storeError(error);
    } finally {
      client.release(broken);
    }
  }
}
