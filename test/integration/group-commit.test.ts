// Group commit of accepts on a real SQLite log: concurrent calls share one transaction, each gets its own results, and one call's failure stays its own.
import { afterEach, describe, expect, it } from 'vitest';
import { AcceptGroup } from '../../src/store/group-commit.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { newMessage, sourceRecord, T0 } from '../conformance/store-fixtures.js';

describe('group commit of accepts', () => {
  let store: MessageStore | undefined;
  afterEach(async () => store?.close());

  /** The store, counting its acceptBatch transactions; `refuse` makes a transaction holding that record id fail. */
  function counted(refuse?: string) {
    store = openSqliteMessageStore(':memory:');
    const log = store;
    const calls: number[] = [];
    return {
      calls,
      log: {
        acceptBatch: (items: Parameters<MessageStore['acceptBatch']>[0], now: number) => {
          calls.push(items.length);
          if (refuse !== undefined && items.some((i) => i.record.recordId === refuse)) return Promise.reject(new Error(`refused ${refuse}`));
          return log.acceptBatch(items, now);
        },
      },
    };
  }

  it('commits the calls of one turn in one transaction and answers each with its own records', async () => {
    const { calls, log } = counted();
    const group = new AcceptGroup(log);
    const results = await Promise.all([1, 2, 3].map((n) => group.acceptBatch([{ record: sourceRecord(`G-${n}`), messages: [newMessage(n)] }], T0 + n)));
    expect(calls).toEqual([3]);
    expect(results.map((r) => r.map((x) => x.messages[0]!.id))).toEqual([[newMessage(1).id], [newMessage(2).id], [newMessage(3).id]]);
    expect(results.flat().every((r) => r.created)).toBe(true);
    // Stored at the group's time: its latest call's.
    expect((await store!.get(newMessage(1).id))?.createdAt).toBe(T0 + 3);
  });

  it('the same record twice in one group is stored once; the second call is told it is a duplicate with the first one\'s messages', async () => {
    const { log } = counted();
    const group = new AcceptGroup(log);
    const [first, second] = await Promise.all([1, 2].map((n) => group.acceptBatch([{ record: sourceRecord('SAME'), messages: [newMessage(n)] }], T0)));
    expect(first![0]!.created).toBe(true);
    expect(second![0]).toEqual({ created: false, messages: first![0]!.messages });
  });

  it('when the joint transaction fails, each call is committed on its own: only the failing one fails', async () => {
    const { calls, log } = counted('BAD');
    const group = new AcceptGroup(log);
    const outcomes = await Promise.allSettled(['OK-1', 'BAD', 'OK-2'].map((id, n) => group.acceptBatch([{ record: sourceRecord(id), messages: [newMessage(n + 1)] }], T0)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([3, 1, 1, 1]);
    expect((await store!.search({}, 10)).items).toHaveLength(2);
  });

  it('calls of later turns form groups of their own', async () => {
    const { calls, log } = counted();
    const group = new AcceptGroup(log);
    await group.acceptBatch([{ record: sourceRecord('T-1'), messages: [newMessage(1)] }], T0);
    await group.acceptBatch([{ record: sourceRecord('T-2'), messages: [newMessage(2)] }], T0);
    expect(calls).toEqual([1, 1]);
  });
});
