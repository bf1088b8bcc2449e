// Behaviours every MessageStore must have, as a vitest suite each implementation runs against its own fresh store.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_EARLY_TOLERANCE_MS, type AttemptRecord, type ClaimedMessage, type MessageStatus, type MessageStore, type NewMessage, type SourceRecord, type Transition } from '../../src/store/message-store.js';

/** 2026-01-01T00:00:00Z; every test passes its clock explicitly from here. */
export const T0 = 1_767_225_600_000;
/** The lease every claim in the suites asks for. */
export const LEASE_MS = 30_000;
const PARTNER = 'iru-safetir';
const END_STATES = ['failed', 'dead-lettered', 'needs-human'] as const;

/** A UUID-shaped id whose order is that of `n`. */
export function messageId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}

/** A tir.termination record with this id (the carnet number) and version. */
export function sourceRecord(recordId: string, version = 1): SourceRecord {
  return { type: 'tir.termination', recordId, version, json: JSON.stringify({ recordType: 'tir.termination', carnetNumber: recordId, version }) };
}

/** Outbound message `n` (id {@link messageId}, carnet key `XC<n>`), its sha256 computed from its payload. */
export function newMessage(n: number, overrides: Partial<Omit<NewMessage, 'payloadSha256'>> = {}): NewMessage {
  const base = {
    id: messageId(n),
    partner: PARTNER,
    messageType: 'safetir-upload',
    mapping: { id: 'safetir-termination', version: 3, sha256: 'ab'.repeat(32) },
    businessKeys: { carnet: `XC${n}` },
    payload: Buffer.from(`<Upload n="${n}"/>`, 'utf8'),
    extension: 'xml',
    ...overrides,
  };
  return { ...base, payloadSha256: createHash('sha256').update(base.payload).digest('hex') };
}

function attempt(number: number, outcome: AttemptRecord['outcome'], startedAt: number): AttemptRecord {
  const ok = outcome === 'delivered';
  return { number, startedAt, durationMs: 250 + number, outcome, httpStatus: ok ? 200 : 503, partnerCode: ok ? null : `E${number}`, error: ok ? null : 'HTTP 503' };
}

function retryAt(nextAttemptAt: number, n: number): Transition {
  return { status: 'pending', nextAttemptAt, reason: `retry ${n} scheduled: HTTP 503` };
}

function endIn(status: Exclude<MessageStatus, 'pending'>): Transition {
  return { status, reason: `attempt ended: ${status}` };
}

/** A message of the seeded search set, with what search should know about it. */
export interface Seeded {
  id: string;
  createdAt: number;
  partner: string;
  messageType: string;
}

/** 25 messages in 9 records, 3 per record sharing created_at; ids are not in insertion order so ties test the id order. */
async function seedSearchSet(store: MessageStore): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  for (let group = 0; group * 3 < 25; group += 1) {
    const createdAt = T0 + group * 1000;
    const messages = [0, 1, 2]
      .map((k) => group * 3 + k)
      .filter((i) => i < 25)
      .map((i) =>
        newMessage((i * 7) % 25, {
          partner: i % 2 === 0 ? 'p-even' : 'p-odd',
          messageType: i % 3 === 0 ? 'type-a' : 'type-b',
          businessKeys: { carnet: `XC${i}`, declaration: i < 5 ? 'DECL-1' : `D${i}` },
        }),
      );
    await store.accept(sourceRecord(`R${group}`), messages, createdAt);
    seeded.push(...messages.map(({ id, partner, messageType }) => ({ id, partner, messageType, createdAt })));
  }
  return seeded;
}

/** Ids newest first, ties by id descending: the order search promises. */
export function newestFirst(messages: readonly Seeded[]): string[] {
  return [...messages].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((m) => m.id);
}

/** Follows nextCursor to the end, returning the ids of every page. */
export async function allPages(store: MessageStore, filter: Parameters<MessageStore['search']>[0], limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search(filter, limit, cursor);
    pages.push(page.items.map((m) => m.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

/**
 * Defines the MessageStore conformance suite.
 * @param name implementation name shown in the test report
 * @param open returns a fresh, empty store; called before every test
 * @param cleanup called after every test, once the store is closed (drop files, truncate tables …)
 */
export function messageStoreConformance(name: string, open: () => Promise<MessageStore>, cleanup?: () => Promise<void>): void {
  describe(`MessageStore conformance: ${name}`, () => {
    let store: MessageStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    /** Accepts one message in its own record at `now`. */
    async function acceptOne(n: number, now: number, overrides: Partial<Omit<NewMessage, 'payloadSha256'>> = {}): Promise<NewMessage> {
      const message = newMessage(n, overrides);
      await store.accept(sourceRecord(`R-${n}`), [message], now);
      return message;
    }

    /** Claims a message that must be claimable, for `owner`. */
    async function claim(id: string, now: number, owner = 'worker-1'): Promise<ClaimedMessage> {
      const result = await store.claimById(id, now, LEASE_MS, owner);
      if (result.state !== 'claimed') throw new Error(`${id} not claimed at ${now}: ${JSON.stringify(result)}`);
      return result.message;
    }

    /** Claims a message for worker-1 and ends its attempt with `transition` 5 ms later. */
    async function attemptOn(id: string, now: number, transition: Transition, outcome: AttemptRecord['outcome']): Promise<void> {
      const claimed = await claim(id, now);
      const done = await store.completeAttempt(id, 'worker-1', attempt(claimed.attempts + 1, outcome, now), transition, now + 5);
      expect(done).toBe(true);
    }

    /** Ids of the unpublished messages, as the relay takes them (which hands them out). */
    async function unpublishedIds(limit = 100): Promise<string[]> {
      return (await store.unpublished(limit)).map((m) => m.id);
    }

    /** Hands every unpublished message out and marks it published, as the relay does after the queue confirmed. */
    async function publishAll(): Promise<void> {
      await store.markPublished(await unpublishedIds());
    }

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

    describe('outbox', () => {
      it('republishes a published pending message whose attempt is long overdue and unleased, and only such', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0 + 50_000);
        await acceptOne(3, T0);
        await publishAll();
        const claimed = await store.claimById(messageId(3), T0 + 59_000, LEASE_MS, 'worker-a');
        expect(claimed.state).toBe('claimed');
        expect(await store.republishOverdue(T0 + 60_000, 30_000)).toBe(1);
        expect(await unpublishedIds()).toEqual([messageId(1)]);
        expect(await store.republishOverdue(T0 + 60_000, 30_000)).toBe(0);
      });

      it('lists new messages as unpublished with their partner and due time, longest waiting first, ties by id', async () => {
        await acceptOne(3, T0 + 2000, { partner: 'eaeu-ru' });
        await store.accept(sourceRecord('XC1'), [newMessage(2), newMessage(1)], T0 + 1000);
        expect(await store.unpublished(10)).toEqual([
          { id: messageId(1), partner: PARTNER, nextAttemptAt: T0 + 1000 },
          { id: messageId(2), partner: PARTNER, nextAttemptAt: T0 + 1000 },
          { id: messageId(3), partner: 'eaeu-ru', nextAttemptAt: T0 + 2000 },
        ]);
        expect(await store.unpublishedCount()).toBe(3);
      });

      it('respects the limit and lists a handed-out message again until it is marked published', async () => {
        for (let n = 1; n <= 4; n += 1) await acceptOne(n, T0 + n);
        expect(await unpublishedIds(0)).toEqual([]);
        expect(await unpublishedIds(2)).toEqual([messageId(1), messageId(2)]);
        expect(await unpublishedIds(2)).toEqual([messageId(1), messageId(2)]);
        await store.markPublished([messageId(2)]);
        expect(await unpublishedIds(2)).toEqual([messageId(1), messageId(3)]);
        expect(await store.unpublishedCount()).toBe(3);
      });

      it('markPublished takes handed-out messages off the list and the count, ignoring unknown ids', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0 + 1);
        await acceptOne(3, T0 + 2);
        expect(await unpublishedIds()).toEqual([messageId(1), messageId(2), messageId(3)]);
        await store.markPublished([messageId(1), messageId(3), messageId(404)]);
        expect(await unpublishedIds()).toEqual([messageId(2)]);
        expect(await store.unpublishedCount()).toBe(1);
        await store.markPublished([]);
        expect(await store.unpublishedCount()).toBe(1);
      });

      it('markPublished leaves a message unpublished when unpublished() did not hand it out', async () => {
        await acceptOne(1, T0);
        await store.markPublished([messageId(1)]);
        expect(await unpublishedIds()).toEqual([messageId(1)]);
      });

      it('puts a message back after a retry is scheduled, behind messages waiting longer, with the retry time', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0 + 1000);
        await publishAll();
        await acceptOne(3, T0 + 2000);
        await attemptOn(messageId(1), T0 + 3000, retryAt(T0 + 60_000, 1), 'retry');
        expect(await store.unpublished(10)).toEqual([
          { id: messageId(3), partner: PARTNER, nextAttemptAt: T0 + 2000 },
          { id: messageId(1), partner: PARTNER, nextAttemptAt: T0 + 60_000 },
        ]);
        expect(await store.unpublishedCount()).toBe(2);
      });

      it.each(['delivered', ...END_STATES] as const)('does not put a message back when its attempt ends it as %s', async (status) => {
        await acceptOne(1, T0);
        await publishAll();
        await attemptOn(messageId(1), T0, endIn(status), status === 'dead-lettered' ? 'retry' : status);
        expect(await unpublishedIds()).toEqual([]);
        expect(await store.unpublishedCount()).toBe(0);
      });

      it('puts a resent message back, due at the resend time', async () => {
        await acceptOne(1, T0);
        await publishAll();
        await attemptOn(messageId(1), T0, endIn('failed'), 'failed');
        await store.resend(messageId(1), T0 + 9000, 'resent by operator alice');
        expect(await store.unpublished(10)).toEqual([{ id: messageId(1), partner: PARTNER, nextAttemptAt: T0 + 9000 }]);
      });

      it('gives a resent message a fresh retry budget: its claim counts attempts from the resend', async () => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, retryAt(T0 + 1000, 1), 'retry');
        await attemptOn(messageId(1), T0 + 1000, endIn('dead-lettered'), 'retry');
        await store.resend(messageId(1), T0 + 9000, 'resent by an admin');
        const claimed = await store.claimById(messageId(1), T0 + 9000, LEASE_MS, 'worker-1');
        expect(claimed.state === 'claimed' && [claimed.message.attempts, claimed.message.retryBase]).toEqual([2, 2]);
      });

      it('markPublished changes nothing on a message that ended after it was handed out', async () => {
        await acceptOne(1, T0);
        expect(await unpublishedIds()).toEqual([messageId(1)]);
        await attemptOn(messageId(1), T0, endIn('delivered'), 'delivered');
        const before = await store.get(messageId(1));
        await store.markPublished([messageId(1)]);
        expect(await store.get(messageId(1))).toEqual(before);
        expect(await store.unpublishedCount()).toBe(0);
      });

      it('markPublished leaves a message whose job was consumed and its retry scheduled after it was handed out', async () => {
        await acceptOne(1, T0);
        expect(await unpublishedIds()).toEqual([messageId(1)]);
        // The queue confirmed and a consumer already made the attempt before the relay marks the first job.
        await attemptOn(messageId(1), T0 + 10, retryAt(T0 + 5000, 1), 'retry');
        await store.markPublished([messageId(1)]);
        expect(await store.unpublished(10)).toEqual([{ id: messageId(1), partner: PARTNER, nextAttemptAt: T0 + 5000 }]);
        await store.markPublished([messageId(1)]);
        expect(await store.unpublishedCount()).toBe(0);
      });
    });

    describe('claimById', () => {
      it('reports a job more than the tolerance ahead of the next attempt as not-due (a stale duplicate)', async () => {
        const message = await acceptOne(1, T0 + 10_000);
        expect(await store.claimById(message.id, T0, LEASE_MS, 'worker-1')).toEqual({ state: 'not-due', nextAttemptAt: T0 + 10_000 });
        expect((await store.claimById(message.id, T0 + 10_000 - CLAIM_EARLY_TOLERANCE_MS, LEASE_MS, 'worker-1')).state).toBe('claimed');
      });

      it('hands a leased message back to the outbox, due when the lease ends', async () => {
        const message = await acceptOne(1, T0);
        await publishAll();
        expect((await store.claimById(message.id, T0, LEASE_MS, 'worker-1')).state).toBe('claimed');
        await store.deferUntil(message.id, T0 + LEASE_MS);
        expect(await store.unpublished(10)).toEqual([{ id: message.id, partner: PARTNER, nextAttemptAt: T0 + LEASE_MS }]);
      });

      it('leases a pending message to the owner until now + leaseMs, even a little before its next attempt time', async () => {
        const message = await acceptOne(1, T0 + 500);
        expect(await store.claimById(message.id, T0, LEASE_MS, 'worker-1')).toEqual({
          state: 'claimed',
          message: { id: message.id, partner: PARTNER, messageType: 'safetir-upload', payload: message.payload, attempts: 0, retryBase: 0, leaseUntil: T0 + LEASE_MS },
        });
      });

      it('claims a message whose job is not yet marked published', async () => {
        await acceptOne(1, T0);
        expect(await unpublishedIds()).toEqual([messageId(1)]);
        expect((await store.claimById(messageId(1), T0, LEASE_MS, 'worker-1')).state).toBe('claimed');
      });

      it('reports a leased message with its lease end until the lease ends, then claims it (crash recovery)', async () => {
        await acceptOne(1, T0);
        await claim(messageId(1), T0, 'worker-1');
        expect(await store.claimById(messageId(1), T0 + LEASE_MS - 1, LEASE_MS, 'worker-2')).toEqual({ state: 'leased', leaseUntil: T0 + LEASE_MS });
        const recovered = await claim(messageId(1), T0 + LEASE_MS, 'worker-2');
        expect(recovered.leaseUntil).toBe(T0 + 2 * LEASE_MS);
        expect(await store.completeAttempt(messageId(1), 'worker-1', attempt(1, 'delivered', T0), endIn('delivered'), T0 + LEASE_MS + 1)).toBe(false);
        expect(await store.completeAttempt(messageId(1), 'worker-2', attempt(1, 'delivered', T0 + LEASE_MS), endIn('delivered'), T0 + LEASE_MS + 2)).toBe(true);
      });

      it('reports a message leased to the same owner as leased (a duplicate job is not attempted twice)', async () => {
        await acceptOne(1, T0);
        await claim(messageId(1), T0, 'worker-1');
        expect(await store.claimById(messageId(1), T0 + 1, LEASE_MS, 'worker-1')).toEqual({ state: 'leased', leaseUntil: T0 + LEASE_MS });
      });

      it('gives exactly one of two owners claiming the same message at once the claim', async () => {
        await acceptOne(1, T0);
        const results = await Promise.all(['worker-a', 'worker-b'].map((owner) => store.claimById(messageId(1), T0, LEASE_MS, owner)));
        expect(results.map((r) => r.state).sort()).toEqual(['claimed', 'leased']);
      });

      it.each(['delivered', ...END_STATES] as const)('reports a %s message as not pending, with its status', async (status) => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, endIn(status), status === 'dead-lettered' ? 'retry' : status);
        expect(await store.claimById(messageId(1), T0 + 10 * LEASE_MS, LEASE_MS, 'worker-2')).toEqual({ state: 'not-pending', status });
      });

      it('reports an unknown message as missing', async () => {
        expect(await store.claimById(messageId(404), T0, LEASE_MS, 'worker-1')).toEqual({ state: 'missing' });
      });

      it('hands out a retried message with the attempts made so far', async () => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, retryAt(T0 + 1000, 1), 'retry');
        expect((await claim(messageId(1), T0 + 1000, 'worker-2')).attempts).toBe(1);
      });
    });

    describe('completeAttempt', () => {
      it('returns false and changes nothing when the owner does not hold the lease', async () => {
        await acceptOne(1, T0);
        await claim(messageId(1), T0);
        const before = await store.get(messageId(1));
        expect(await store.completeAttempt(messageId(1), 'worker-2', attempt(1, 'delivered', T0), endIn('delivered'), T0 + 10)).toBe(false);
        expect(await store.get(messageId(1))).toEqual(before);
        expect(await store.claimById(messageId(1), T0 + 10, LEASE_MS, 'worker-2')).toEqual({ state: 'leased', leaseUntil: T0 + LEASE_MS });
      });

      it('returns false for a message never claimed or unknown', async () => {
        await acceptOne(1, T0);
        expect(await store.completeAttempt(messageId(1), 'worker-1', attempt(1, 'delivered', T0), endIn('delivered'), T0)).toBe(false);
        expect(await store.completeAttempt(messageId(404), 'worker-1', attempt(1, 'delivered', T0), endIn('delivered'), T0)).toBe(false);
        expect((await store.get(messageId(1)))?.attemptLog).toEqual([]);
      });

      it('still records a late completion when nobody else claimed the message meanwhile', async () => {
        await acceptOne(1, T0);
        await claim(messageId(1), T0);
        expect(await store.completeAttempt(messageId(1), 'worker-1', attempt(1, 'delivered', T0), endIn('delivered'), T0 + LEASE_MS + 1)).toBe(true);
      });

      it('keeps a retried message pending, releases its lease and makes it due at its next attempt time', async () => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, retryAt(T0 + 60_000, 1), 'retry');
        expect(await store.get(messageId(1))).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 60_000, updatedAt: T0 + 5 });
        expect((await store.stats(T0 + 59_999)).due).toBe(0);
        expect((await store.stats(T0 + 60_000)).due).toBe(1);
        expect((await store.claimById(messageId(1), T0 + 10, LEASE_MS, 'worker-2')).state).toBe('not-due');
        expect((await claim(messageId(1), T0 + 60_000, 'worker-2')).attempts).toBe(1);
      });

      it.each(['delivered', ...END_STATES] as const)('ends a message as %s: no next attempt, no lease, never claimed again', async (status) => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, endIn(status), status === 'dead-lettered' ? 'retry' : status);
        expect(await store.get(messageId(1))).toMatchObject({ status, attempts: 1, nextAttemptAt: null, updatedAt: T0 + 5 });
        expect((await store.claimById(messageId(1), T0 + 10 * LEASE_MS, LEASE_MS, 'worker-2')).state).toBe('not-pending');
      });

      it('keeps the batch an attempt travelled in', async () => {
        await acceptOne(1, T0);
        const claim = await store.claimById(messageId(1), T0, LEASE_MS, 'worker-1');
        expect(claim.state).toBe('claimed');
        const batched = { ...attempt(1, 'delivered', T0), batchId: 'upload-7' };
        expect(await store.completeAttempt(messageId(1), 'worker-1', batched, endIn('delivered'), T0 + 5)).toBe(true);
        expect((await store.get(messageId(1)))?.attemptLog).toEqual([batched]);
      });

      it('logs every attempt in order and every status change in time order', async () => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, retryAt(T0 + 1000, 1), 'retry');
        await attemptOn(messageId(1), T0 + 1000, retryAt(T0 + 3000, 2), 'retry');
        await attemptOn(messageId(1), T0 + 3000, endIn('delivered'), 'delivered');
        const detail = await store.get(messageId(1));
        expect(detail?.attemptLog).toEqual([attempt(1, 'retry', T0), attempt(2, 'retry', T0 + 1000), attempt(3, 'delivered', T0 + 3000)]);
        expect(detail?.history).toEqual([
          { at: T0, from: null, to: 'pending', reason: 'accepted' },
          { at: T0 + 5, from: 'pending', to: 'pending', reason: 'retry 1 scheduled: HTTP 503' },
          { at: T0 + 1005, from: 'pending', to: 'pending', reason: 'retry 2 scheduled: HTTP 503' },
          { at: T0 + 3005, from: 'pending', to: 'delivered', reason: 'attempt ended: delivered' },
        ]);
        expect(detail).toMatchObject({ status: 'delivered', attempts: 3, nextAttemptAt: null });
      });
    });

    describe('resend', () => {
      it.each(END_STATES)('makes a %s message pending and due now, keeping its attempt count and log', async (status) => {
        await acceptOne(1, T0);
        await attemptOn(messageId(1), T0, endIn(status), 'failed');
        expect(await store.resend(messageId(1), T0 + 9000, 'resent by operator alice')).toBe(true);
        const detail = await store.get(messageId(1));
        expect(detail).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 9000, updatedAt: T0 + 9000 });
        expect(detail?.history.at(-1)).toEqual({ at: T0 + 9000, from: status, to: 'pending', reason: 'resent by operator alice' });
        expect((await claim(messageId(1), T0 + 9000, 'worker-2')).attempts).toBe(1);
        await store.completeAttempt(messageId(1), 'worker-2', attempt(2, 'delivered', T0 + 9000), endIn('delivered'), T0 + 9001);
        expect((await store.get(messageId(1)))?.attemptLog.map((a) => a.number)).toEqual([1, 2]);
      });

      it('refuses pending, leased, delivered and unknown messages and changes nothing', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0 + 1);
        await acceptOne(3, T0 + 2, { partner: 'eaeu-ru' });
        await attemptOn(messageId(1), T0 + 10, endIn('delivered'), 'delivered');
        await claim(messageId(2), T0 + 20);
        const before = await Promise.all([1, 2, 3].map((n) => store.get(messageId(n))));
        for (const n of [1, 2, 3, 404]) expect(await store.resend(messageId(n), T0 + 30, 'resend')).toBe(false);
        expect(await Promise.all([1, 2, 3].map((n) => store.get(messageId(n))))).toEqual(before);
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
