// Leases and attempt records of one turn of the event loop share one commit in the SQLite log, counted from the log file itself (its commit frames), not from our code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageStore } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { attempt, endIn, newMessage, PARTNER, sourceRecord, T0 } from '../conformance/store-fixtures.js';
import { walFrames } from '../support/wal-frames.js';

/** The commits in the log file. */
function commitsIn(wal: string): number {
  return walFrames(wal).commits;
}

describe('the SQLite log, one turn of leases and attempt records', () => {
  let dir: string | undefined;
  let store: MessageStore | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('commits the lease of a take and the record of an attempt made in the same turn together', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-lease-turn-'));
    const file = join(dir, 'log.db');
    store = openSqliteMessageStore(file);
    await store.acceptBatch([1, 2].map((n) => ({ record: sourceRecord(`TURN-${n}`), messages: [newMessage(n)] })), T0);
    const [first] = await store.claimDue(PARTNER, 1, T0, 60_000, 'me');
    const before = commitsIn(`${file}-wal`);
    // A worker records its attempt while the taker leases the next message: one turn.
    const [recorded, next] = await Promise.all([
      store.completeAttempt(first!.id, 'me', attempt(1, 'delivered', T0 + 1), endIn('delivered'), T0 + 2),
      store.claimDue(PARTNER, 1, T0 + 2, 60_000, 'me'),
    ]);
    expect(recorded).toBe(true);
    expect(next.map((m) => m.id)).toEqual([newMessage(2).id]);
    expect(commitsIn(`${file}-wal`) - before).toBe(1);
    // And each is what it would be on its own.
    expect((await store.get(first!.id))?.status).toBe('delivered');
    expect(await store.claimDue(PARTNER, 1, T0 + 3, 60_000, 'other')).toEqual([]);
  });
});
