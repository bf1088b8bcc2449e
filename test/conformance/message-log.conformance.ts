// The message-log role of every store: accept, earlier versions, search, stats, connection; run by each implementation on its own fresh store.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type MessageStore } from '../../src/store/message-store.js';
import { allPages, endIn, messageId, newestFirst, newMessage, PARTNER, seedSearchSet, sourceRecord, storeSteps, eachFreshStore, T0, type Seeded } from './store-fixtures.js';

/**
 * The message-log role every store passes: records and their messages accepted idempotently, earlier
 * versions found, search, stats and the connection. `open` returns a fresh, empty store before every
 * test; `cleanup` runs after it, once the store is closed (drop files, truncate tables …).
 */
export function messageLogConformance(name: string, open: () => Promise<MessageStore>, cleanup?: () => Promise<void>): void {
  describe(`messageLog conformance: ${name}`, () => {
    let store!: MessageStore;
    const { acceptOne, claim, attemptOn } = storeSteps(() => store);
    eachFreshStore(open, cleanup, (fresh) => (store = fresh));

    describe('accept', () => {
      it('stores the record and its messages as pending, due at accept time', async () => {
        const record = sourceRecord('XC1');
        const messages = [newMessage(1), newMessage(2, { partner: 'eaeu-ru', messageType: 'p-cp-01-msg-010' })];
        const result = await store.accept(record, messages, T0);
        expect(result).toEqual({
          created: true,
          messages: [
            { id: messageId(1), partner: PARTNER, messageType: 'safetir-upload' },
            { id: messageId(2), partner: 'eaeu-ru', messageType: 'p-cp-01-msg-010' },
          ],
        });
        expect(await store.get(messageId(1))).toEqual({
          direction: 'out',
          id: messageId(1),
          partner: PARTNER,
          messageType: 'safetir-upload',
          recordType: 'tir.termination',
          recordId: 'XC1',
          recordVersion: 1,
          status: 'pending',
          attempts: 0,
          createdAt: T0,
          updatedAt: T0,
          nextAttemptAt: T0,
          businessKeys: { carnet: 'XC1' },
          mapping: { id: 'safetir-termination', version: 3, sha256: 'ab'.repeat(32) },
          payloadSha256: messages[0]?.payloadSha256,
          extension: 'xml',
          record: JSON.parse(record.json) as unknown,
          recordMessages: [
            { id: messageId(1), partner: PARTNER, messageType: 'safetir-upload', status: 'pending' },
            { id: messageId(2), partner: 'eaeu-ru', messageType: 'p-cp-01-msg-010', status: 'pending' },
          ],
          history: [{ at: T0, from: null, to: 'pending', reason: 'accepted' }],
          attemptLog: [],
          acknowledgements: [],
          awaiting: null,
          events: [{ at: T0, kind: 'transformed', partner: PARTNER, messageId: messageId(1), inboundId: null, detail: 'tir.termination XC1 version 1 → safetir-upload (safetir-termination@3)' }],
        });
      });

      it('is idempotent on (type, recordId, version): a repeat stores nothing and returns the first ids', async () => {
        const first = await store.accept(sourceRecord('XC1'), [newMessage(1), newMessage(2)], T0);
        const repeat = await store.accept(sourceRecord('XC1'), [newMessage(3), newMessage(4), newMessage(5)], T0 + 1000);
        expect(repeat).toEqual({ created: false, messages: first.messages });
        expect(await store.get(messageId(3))).toBeUndefined();
        expect((await store.search({}, 50)).items.map((m) => m.id).sort()).toEqual([messageId(1), messageId(2)]);
        expect((await store.get(messageId(1)))?.history).toHaveLength(1);
      });

      it('names the records whose messages to a partner carry a key value, each once, by key name and partner', async () => {
        await store.accept(sourceRecord('XC1', 1), [newMessage(1, { businessKeys: { interchange: 'KZ1', carnet: 'KZ1' } }), newMessage(2, { businessKeys: { interchange: 'KZ1' } })], T0);
        await store.accept(sourceRecord('XC2', 1), [newMessage(3, { businessKeys: { interchange: 'KZ1' } })], T0 + 1);
        await store.accept(sourceRecord('XC3', 1), [newMessage(4, { partner: 'eaeu-ru', businessKeys: { interchange: 'KZ1' } })], T0 + 2);
        const holders = await store.keyHolders(PARTNER, 'interchange', 'KZ1', 10);
        expect(holders.sort((a, b) => a.recordId.localeCompare(b.recordId))).toEqual([
          { recordType: 'tir.termination', recordId: 'XC1', recordVersion: 1 },
          { recordType: 'tir.termination', recordId: 'XC2', recordVersion: 1 },
        ]);
        expect(await store.keyHolders(PARTNER, 'interchange', 'KZ1', 1)).toHaveLength(1);
        expect(await store.keyHolders(PARTNER, 'carnet', 'KZ2', 10)).toEqual([]);
        expect(await store.keyHolders('eaeu-ru', 'interchange', 'KZ1', 10)).toEqual([{ recordType: 'tir.termination', recordId: 'XC3', recordVersion: 1 }]);
      });

      it('treats another version of the same record as a new record', async () => {
        await store.accept(sourceRecord('XC1', 1), [newMessage(1)], T0);
        const second = await store.accept(sourceRecord('XC1', 2), [newMessage(2)], T0 + 1);
        expect(second.created).toBe(true);
        expect((await store.get(messageId(2)))?.recordVersion).toBe(2);
      });

      it('is atomic: a failing message stores neither the record nor its other messages', async () => {
        await acceptOne(1, T0);
        await expect(store.accept(sourceRecord('XC2'), [newMessage(2), newMessage(1)], T0 + 1)).rejects.toThrow();
        expect(await store.get(messageId(2))).toBeUndefined();
        const retried = await store.accept(sourceRecord('XC2'), [newMessage(2), newMessage(3)], T0 + 2);
        expect(retried.created).toBe(true);
      });

      it('accepts a batch in input order, reporting a repeat inside it as not created', async () => {
        await store.accept(sourceRecord('XC1'), [newMessage(1)], T0);
        const results = await store.acceptBatch(
          [
            { record: sourceRecord('XC2'), messages: [newMessage(2)] },
            { record: sourceRecord('XC1'), messages: [newMessage(3)] },
            { record: sourceRecord('XC4'), messages: [newMessage(4), newMessage(5)] },
          ],
          T0 + 1,
        );
        expect(results.map((r) => [r.created, r.messages.map((m) => m.id)])).toEqual([
          [true, [messageId(2)]],
          [false, [messageId(1)]],
          [true, [messageId(4), messageId(5)]],
        ]);
        expect(await store.get(messageId(3))).toBeUndefined();
      });

      it('stores a record twice in one batch once: the first copy in record order is created, the other answered with its messages', async () => {
        const results = await store.acceptBatch(
          [
            { record: sourceRecord('XC9'), messages: [newMessage(1)] },
            { record: sourceRecord('XC5'), messages: [newMessage(2), newMessage(3)] },
            { record: sourceRecord('XC9'), messages: [newMessage(4)] },
          ],
          T0,
        );
        expect(results.map((r) => [r.created, r.messages.map((m) => m.id)])).toEqual([
          [true, [messageId(1)]],
          [true, [messageId(2), messageId(3)]],
          [false, [messageId(1)]],
        ]);
        expect(await store.get(messageId(4))).toBeUndefined();
        expect(await store.get(messageId(3))).toMatchObject({ status: 'pending', recordId: 'XC5', history: [{ to: 'pending', reason: 'accepted' }] });
        expect((await store.search({ key: 'XC3' }, 10)).items.map((m) => m.id)).toEqual([messageId(3)]);
      });

      it('stores nothing of a batch when one of its records fails', async () => {
        await acceptOne(1, T0);
        const batch = [
          { record: sourceRecord('XC2'), messages: [newMessage(2)] },
          { record: sourceRecord('XC3'), messages: [newMessage(1)] },
        ];
        await expect(store.acceptBatch(batch, T0 + 1)).rejects.toThrow();
        expect(await store.get(messageId(2))).toBeUndefined();
        expect((await store.acceptBatch([{ record: sourceRecord('XC2'), messages: [newMessage(2)] }], T0 + 2))[0]?.created).toBe(true);
      });

      it('returns undefined for an unknown message', async () => {
        expect(await store.get(messageId(404))).toBeUndefined();
        expect(await store.payload(messageId(404))).toBeUndefined();
      });

      it('keeps payload bytes exactly, including bytes that are not UTF-8', async () => {
        const bytes = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xed, 0xa0, 0x80]), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
        const message = await acceptOne(1, T0, { payload: bytes });
        expect(Buffer.compare((await store.payload(message.id)) ?? Buffer.alloc(0), bytes)).toBe(0);
        const claimed = await claim(message.id, T0);
        expect(Buffer.compare(claimed.payload, bytes)).toBe(0);
        expect((await store.get(message.id))?.payloadSha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      });
    });

    describe('recordsOfType', () => {
      it('pages through the records of one type, every version, in acceptance order', async () => {
        await store.accept(sourceRecord('XC2'), [newMessage(1)], T0);
        await store.accept({ ...sourceRecord('D-1'), type: 'declaration.cargo' }, [newMessage(2)], T0 + 1);
        await store.accept(sourceRecord('XC1'), [newMessage(3)], T0 + 2);
        await store.accept(sourceRecord('XC2', 2), [newMessage(4)], T0 + 3);
        const first = await store.recordsOfType('tir.termination', 0, 2);
        expect(first.map((r) => JSON.parse(r.json) as unknown)).toEqual([sourceRecord('XC2'), sourceRecord('XC1')].map((r) => JSON.parse(r.json) as unknown));
        const rest = await store.recordsOfType('tir.termination', first.at(-1)!.row, 2);
        expect(rest.map((r) => r.json)).toEqual([sourceRecord('XC2', 2).json]);
        expect(await store.recordsOfType('tir.termination', rest.at(-1)!.row, 2)).toEqual([]);
        expect((await store.recordsOfType('declaration.cargo', 0, 10)).map((r) => r.json)).toEqual([sourceRecord('D-1').json]);
        expect(await store.recordsOfType('mirror.batch', 0, 10)).toEqual([]);
      });

      it('gives the newest records of one type first, as many as asked', async () => {
        await store.accept(sourceRecord('XC2'), [newMessage(1)], T0);
        await store.accept({ ...sourceRecord('D-1'), type: 'declaration.cargo' }, [newMessage(2)], T0 + 1);
        await store.accept(sourceRecord('XC1'), [newMessage(3)], T0 + 2);
        await store.accept(sourceRecord('XC2', 2), [newMessage(4)], T0 + 3);
        expect((await store.latestRecordsOfType('tir.termination', 2)).map((r) => r.json)).toEqual([sourceRecord('XC2', 2).json, sourceRecord('XC1').json]);
        expect(await store.latestRecordsOfType('mirror.batch', 5)).toEqual([]);
      });
    });

    describe('previous versions', () => {
      it('finds the payload of the latest earlier version of a record for one partner message type', async () => {
        const payload = (n: number): Buffer => Buffer.from(`<Upload version="${n}"/>`);
        await store.accept(sourceRecord('XC9', 1), [newMessage(1, { payload: payload(1) }), newMessage(2, { partner: 'eaeu-ru', payload: Buffer.from('other') })], T0);
        await store.accept(sourceRecord('XC9', 2), [newMessage(3, { payload: payload(2) })], T0 + 1);
        await store.accept(sourceRecord('XC9', 4), [newMessage(4, { payload: payload(4) })], T0 + 2);
        expect((await store.previousPayload('tir.termination', 'XC9', 4, PARTNER, 'safetir-upload'))?.toString()).toBe('<Upload version="2"/>');
        expect((await store.previousPayload('tir.termination', 'XC9', 2, PARTNER, 'safetir-upload'))?.toString()).toBe('<Upload version="1"/>');
        expect(await store.previousPayload('tir.termination', 'XC9', 1, PARTNER, 'safetir-upload')).toBeUndefined();
        expect(await store.previousPayload('tir.termination', 'XC9', 4, PARTNER, 'other-type')).toBeUndefined();
      });
    });

    describe('search', () => {
      it('pages newest first across three pages without duplicates or gaps', async () => {
        const seeded = await seedSearchSet(store);
        const pages = await allPages(store, {}, 10);
        expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
        expect(pages.flat()).toEqual(newestFirst(seeded));
      });

      it('pages a filtered search and omits the cursor on the last page', async () => {
        const seeded = await seedSearchSet(store);
        const pages = await allPages(store, { partner: 'p-odd' }, 4);
        expect(pages.flat()).toEqual(newestFirst(seeded.filter((m) => m.partner === 'p-odd')));
        expect(pages.map((p) => p.length)).toEqual([4, 4, 4]);
      });

      it('finds messages by any business key value, exactly', async () => {
        await seedSearchSet(store);
        const byCarnet = await store.search({ key: 'XC7' }, 10);
        expect(byCarnet.items.map((m) => m.businessKeys)).toEqual([{ carnet: 'XC7', declaration: 'D7' }]);
        expect((await store.search({ key: 'DECL-1' }, 10)).items).toHaveLength(5);
        expect(await store.search({ key: 'XC' }, 10)).toEqual({ items: [] });
      });

      it('filters by partner, message type and time range (from inclusive, to exclusive), combined with AND', async () => {
        const seeded = await seedSearchSet(store);
        const ids = async (filter: Parameters<MessageStore['search']>[0]): Promise<string[]> => (await store.search(filter, 100)).items.map((m) => m.id);
        expect(await ids({ partner: 'p-even' })).toEqual(newestFirst(seeded.filter((m) => m.partner === 'p-even')));
        expect(await ids({ type: 'type-a' })).toEqual(newestFirst(seeded.filter((m) => m.messageType === 'type-a')));
        const inRange = (m: Seeded): boolean => m.createdAt >= T0 + 2000 && m.createdAt < T0 + 5000;
        expect(await ids({ from: T0 + 2000, to: T0 + 5000 })).toEqual(newestFirst(seeded.filter(inRange)));
        expect(await ids({ from: T0 + 2000, to: T0 + 5000, partner: 'p-odd', type: 'type-b' })).toEqual(
          newestFirst(seeded.filter((m) => inRange(m) && m.partner === 'p-odd' && m.messageType === 'type-b')),
        );
      });

      it('filters by status and summarises each message', async () => {
        await acceptOne(1, T0, { partner: 'p-status' });
        await acceptOne(2, T0 + 1, { partner: 'p-status' });
        await attemptOn(messageId(1), T0 + 10, endIn('failed'), 'failed');
        expect((await store.search({ status: 'failed' }, 10)).items).toEqual([
          {
            direction: 'out',
            id: messageId(1),
            partner: 'p-status',
            messageType: 'safetir-upload',
            recordType: 'tir.termination',
            recordId: 'R-1',
            recordVersion: 1,
            status: 'failed',
            attempts: 1,
            createdAt: T0,
            updatedAt: T0 + 15,
            nextAttemptAt: null,
            businessKeys: { carnet: 'XC1' },
          },
        ]);
        expect((await store.search({ status: 'pending' }, 10)).items.map((m) => m.id)).toEqual([messageId(2)]);
      });

      it('refuses a cursor it did not issue', async () => {
        await acceptOne(1, T0);
        await expect(store.search({}, 10, 'bm90IGEgY3Vyc29y')).rejects.toThrow();
      });

      it('caps a page at 500 messages', async () => {
        const messages = Array.from({ length: 501 }, (_, i) => newMessage(i + 1));
        await store.accept(sourceRecord('bulk'), messages, T0);
        const first = await store.search({}, 10_000);
        expect(first.items).toHaveLength(500);
        const second = await store.search({}, 10_000, first.nextCursor);
        expect(second.items.map((m) => m.id)).toEqual([messageId(1)]);
        expect(second.nextCursor).toBeUndefined();
      });
    });

    describe('stats', () => {
      it('reports nothing for an empty store', async () => {
        expect(await store.stats(T0)).toEqual({ counts: [], due: 0, oldestPendingCreatedAt: null });
        expect(await store.unpublished(10)).toEqual([]);
        expect(await store.unpublishedCount()).toBe(0);
      });

      it('counts by partner and status, due messages and the oldest pending', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0 + 1000);
        await acceptOne(3, T0 + 2000, { partner: 'eaeu-ru' });
        await acceptOne(4, T0 + 3000);
        await attemptOn(messageId(1), T0 + 100, endIn('delivered'), 'delivered');
        const stats = await store.stats(T0 + 2500);
        const byKey = (a: { partner: string; status: string }, b: { partner: string; status: string }): number =>
          `${a.partner}/${a.status}`.localeCompare(`${b.partner}/${b.status}`);
        expect([...stats.counts].sort(byKey)).toEqual([
          { partner: 'eaeu-ru', status: 'pending', count: 1 },
          { partner: PARTNER, status: 'delivered', count: 1 },
          { partner: PARTNER, status: 'pending', count: 2 },
        ]);
        expect(stats.due).toBe(2);
        expect(stats.oldestPendingCreatedAt).toBe(T0 + 1000);
      });
    });

    describe('connection', () => {
      it('answers ping while open, fails it once closed, and closes idempotently', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
