// A PostgreSQL connection cut under the gateway (network, proxy, failover) without a word from the server: the query fails as GW_ERR_STORE_UNAVAILABLE, nothing crashes, the next query works.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresPool } from '../../src/store/postgres-connection.js';
import { isUnavailable, PostgresSession } from '../../src/store/postgres-session.js';
import { postgresUrl, skipWithoutPostgres } from '../support/postgres.js';

const skip = await skipWithoutPostgres('PostgreSQL connection loss');

/** A TCP relay to the test server whose connections can be cut at once, as a network fault would. */
async function cuttableRelay(): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const target = new URL(postgresUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(postgresUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(skip)('a PostgreSQL connection cut without a word from the server', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('fails the transaction in flight as GW_ERR_STORE_UNAVAILABLE, raises nothing uncaught, and the pool serves the next query', async () => {
    const relay = await cuttableRelay();
    const pool = openPostgresPool(relay.url, { maxConnections: 2 });
    closers.push(() => pool.end(), () => relay.close());
    const session = new PostgresSession(pool);
    const uncaught: unknown[] = [];
    const record = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const inFlight = session.transaction((sql) => sql.query('SELECT pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 300));
      relay.cut();
      await expect(inFlight).rejects.toMatchObject({ code: 'GW_ERR_STORE_UNAVAILABLE' });
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      expect((await session.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});

describe('which PostgreSQL failures mean "the store cannot serve now"', () => {
  it.each([
    ['08006', true],
    ['08001', true],
    ['57P01', true],
    ['53300', true],
    ['57014', true],
    ['40001', true],
    ['25006', true],
    ['08P01', false],
    ['23505', false],
    ['42P01', false],
    ['22003', false],
  ])('SQLSTATE %s → %s', (code, unavailable) => {
    expect(isUnavailable({ code, message: 'x' })).toBe(unavailable);
  });

  it('socket errors and pg\'s own words for a lost connection count; a plain error does not', () => {
    expect(isUnavailable({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toBe(true);
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnavailable(new Error('bind message supplies 2 parameters, but prepared statement requires 1'))).toBe(false);
  });
});
