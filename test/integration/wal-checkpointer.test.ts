// Checkpointing the SQLite log from a worker thread: the server's connection never checkpoints, the log file stays bounded under steady writes, nothing written is lost, and a failed worker hands checkpoints back.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase, SqliteConnection } from '../../src/store/sqlite-connection.js';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const PAGE = 4096;
const ROWS = 3000;

/** The checkpoint sequence number of the log file's header (bytes 12–15, big-endian): SQLite adds one each time a writer starts the log over. */
function restarts(file: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(`${file}-wal`, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

describe('the checkpoint worker', () => {
  it('keeps the log file bounded under steady writes the connection makes without ever checkpointing; every row survives', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-checkpoint-'));
    const file = join(dir, 'log.db');
    const connection = new SqliteConnection(openSqliteDatabase(file), file, { checkpointWorker: { intervalMs: 10, restartFrames: 64 } });
    const { db } = connection;
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    db.exec('CREATE TABLE pages (n INTEGER PRIMARY KEY, body BLOB)');
    const insert = db.prepare('INSERT INTO pages (n, body) VALUES (?, ?)');
    let n = 0;
    // One page of data per commit, a commit per turn of the event loop.
    const write = (): Promise<unknown> => connection.durable(() => insert.run(n, Buffer.alloc(PAGE - 64, n++ % 251)));
    // Until the worker (a thread that takes a moment to start) has started the log over once.
    const first = restarts(file);
    const deadline = Date.now() + 30_000;
    while (restarts(file) === first && Date.now() < deadline) await write();
    expect(restarts(file)).toBeGreaterThan(first);
    const before = { size: statSync(`${file}-wal`).size, restarts: restarts(file) };
    let largest = before.size;
    for (let i = 0; i < ROWS; i += 1) {
      await write();
      largest = Math.max(largest, statSync(`${file}-wal`).size);
    }
    // Without restarts the log would grow by every frame written: ROWS pages and more.
    expect(largest - before.size).toBeLessThan((ROWS / 4) * PAGE);
    expect(restarts(file) - before.restarts).toBeGreaterThanOrEqual(2);
    await connection.close();
    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reopened.prepare('SELECT COUNT(*) AS n, SUM(n) AS total FROM pages').get()).toEqual({ n, total: (n * (n - 1)) / 2 });
    reopened.close();
  });

  it('hands checkpoints back to the connection, with a warning, when the worker fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-checkpoint-'));
    const file = join(dir, 'log.db');
    const db = openSqliteDatabase(file);
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    // The worker cannot open a database in a folder that does not exist.
    const checkpointer = new WalCheckpointer(db, join(dir, 'missing', 'log.db'), { intervalMs: 10, restartFrames: 64 });
    checkpointer.start();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const warning = await warned;
    expect(warning.message).toContain('checkpoint worker');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.close();
    db.close();
  });
});
