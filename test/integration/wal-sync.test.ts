// Syncing the SQLite log off the event loop: what a caller is told when the log file cannot be synced, and that a database without a log file still commits durably.
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase, SqliteConnection } from '../../src/store/sqlite-connection.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(file: string): SqliteConnection {
  const connection = new SqliteConnection(openSqliteDatabase(file), file);
  connection.db.exec('CREATE TABLE IF NOT EXISTS notes (n INTEGER)');
  return connection;
}

describe('SqliteConnection.durable', () => {
  it('resolves with what the write returned once the log is synced', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-wal-sync-'));
    const connection = open(join(dir, 'log.db'));
    const written = await connection.durable(() => connection.db.prepare('INSERT INTO notes VALUES (1)').run().changes);
    expect(written).toBe(1);
    expect(connection.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: the sync is the connection's own
    await connection.close();
  });

  it('refuses with GW_ERR_STORE_UNAVAILABLE naming the file when the log cannot be synced, and every later write too; the write stays visible', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-wal-sync-'));
    const file = join(dir, 'log.db');
    const connection = open(file);
    connection.db.prepare('INSERT INTO notes VALUES (0)').run();
    unlinkSync(`${file}-wal`); // the log's name is gone: nothing can be synced under it
    await expect(connection.durable(() => connection.db.prepare('INSERT INTO notes VALUES (2)').run())).rejects.toMatchObject({
      code: 'GW_ERR_STORE_UNAVAILABLE',
      message: expect.stringContaining(file),
    });
    expect(connection.db.prepare('SELECT COUNT(*) AS n FROM notes WHERE n = 2').get()).toEqual({ n: 1 });
    // A sync that could succeed again does not vouch for what the failed one left: it fails too, until restart.
    writeFileSync(`${file}-wal`, '');
    await expect(connection.durable(() => connection.db.prepare('INSERT INTO notes VALUES (4)').run())).rejects.toMatchObject({ code: 'GW_ERR_STORE_UNAVAILABLE' });
    expect(connection.isSynced(1)).toBe(false);
    await connection.close();
  });

  it('commits at FULL where there is no log file (in memory)', async () => {
    const connection = open(':memory:');
    await connection.durable(() => connection.db.prepare('INSERT INTO notes VALUES (3)').run());
    expect(connection.db.pragma('synchronous', { simple: true })).toBe(2);
    await connection.close();
  });
});
