// Behaviours every InboundStore must have, with the MessageStore it shares one log with, as a vitest suite each implementation runs against fresh stores.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handover, InboundAcceptResult, InboundRefusal, InboundStore, NewInboundMessage, PullItem, StoredReceipt } from '../../src/store/inbound-store.js';
import type { MessageFilter, MessageStore } from '../../src/store/message-store.js';
import { allPages, LEASE_MS, messageId, newestFirst, newMessage, sourceRecord, T0, type Seeded } from './store-fixtures.js';

/** The stores one test works with: both directions of one log, closed together. */
export interface InboundStores {
  inbound: InboundStore;
  messages: MessageStore;
  /** Closes both stores and drops whatever the test left behind. */
  close(): Promise<void>;
}

const RU = 'eaeu-ru';
const KZ = 'kz-customs';
const QUEUE: { handed: true; via: string } = { handed: true, via: 'queue' };

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Our id of inbound message `n`: UUID-shaped, ordered by `n`, and after every outbound {@link messageId} in id order. */
function inboundId(n: number): string {
  return `00000000-0000-4000-9000-${n.toString().padStart(12, '0')}`;
}

/** The receipt of push `n`, with bytes that are not UTF-8 so only an exact copy compares equal. */
function receiptOf(n: number): StoredReceipt {
  const body = Buffer.concat([Buffer.from(`<Receipt n="${n}">`), Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, n % 256]), Buffer.from('</Receipt>')]);
  return { status: 200, headers: { 'content-type': 'application/xml', 'x-receipt-id': `RC-${n}`, 'x-payload-sha256': sha256(body) }, body };
}

/** Push `n` of Russia: partner message id `RU-<n>`, a transit.notice record `TN-<n>`, keys carnet `XC<n>` and notice `TN-<n>`. */
export function inboundMessage(n: number, overrides: Partial<Omit<NewInboundMessage, 'payloadSha256'>> = {}): NewInboundMessage {
  const base = {
    id: inboundId(n),
    partner: RU,
    partnerMessageId: `RU-${n}`,
    messageType: 'p-cp-01-msg-010',
    payload: Buffer.from(`<Notification n="${n}"/>`, 'utf8'),
    mapping: { id: 'transit-notice-from-p-cp-01', version: 2, sha256: 'cd'.repeat(32) },
    record: { type: 'transit.notice', recordId: `TN-${n}`, version: 1, json: JSON.stringify({ recordType: 'transit.notice', noticeNumber: `TN-${n}`, carnetNumber: `XC${n}` }) },
    businessKeys: { carnet: `XC${n}`, notice: `TN-${n}` },
    clientCertificate: 'c1'.repeat(32),
    signerCertificate: '5e'.repeat(32),
    receipt: receiptOf(n),
    ...overrides,
  };
  return { ...base, payloadSha256: sha256(base.payload) };
}

/** The same push again, as the pipeline makes it: same partner message and bytes, a new id (`n`) and a new receipt. */
function repeatOf(message: NewInboundMessage, n: number): NewInboundMessage {
  return { ...message, id: inboundId(n), receipt: receiptOf(n) };
}

/** Push `n` under `message`'s partner and partner message id, with other bytes. */
function conflictOf(message: NewInboundMessage, n: number): NewInboundMessage {
  return inboundMessage(n, { partner: message.partner, partnerMessageId: message.partnerMessageId });
}

/** What claimHandovers hands out for `message` after `attempts` earlier attempts. */
function handoverOf(message: NewInboundMessage, attempts: number): Handover {
  return { id: message.id, partner: message.partner, messageType: message.messageType, recordType: message.record.type, recordJson: message.record.json, attempts };
}

/** What pullAfter lists for `message` accepted at `receivedAt` (any seq). */
function pullItemOf(message: NewInboundMessage, receivedAt: number): PullItem {
  const { id, partner, messageType, record } = message;
  return { seq: expect.any(Number) as number, id, partner, messageType, recordType: record.type, recordJson: record.json, receivedAt };
}

/** Refused push `n`: evidence only, a client certificate on odd `n`. */
function refusalOf(n: number, partner: string, receivedAt: number): InboundRefusal {
  const clientCertificate = n % 2 === 1 ? 'c1'.repeat(32) : null;
  return { partner, code: 'GW_ERR_SIGNATURE_INVALID', reason: `signature of push ${n} does not verify`, payloadSha256: sha256(`push ${n}`), size: 1000 + n, clientCertificate, receivedAt };
}

function ids(items: ReadonlyArray<{ id: string }>): string[] {
  return items.map((item) => item.id);
}

/** An entry of the mixed log seeded for search, with its direction. */
type SeededEntry = Seeded & { direction: 'in' | 'out' };

/**
 * Defines the InboundStore conformance suite, which also checks the MessageStore's search over both directions.
 * @param name implementation name shown in the test report
 * @param open returns fresh, empty stores on one log; called before every test, closed after it
 */
export function inboundStoreConformance(name: string, open: () => Promise<InboundStores>): void {
  describe(`InboundStore conformance: ${name}`, () => {
    let stores: InboundStores;
    let inbound: InboundStore;
    let messages: MessageStore;

    beforeEach(async () => {
      stores = await open();
      ({ inbound, messages } = stores);
    });

    afterEach(async () => {
      await stores.close();
    });

    /** Accepts push `n` at `now`; it must be accepted. */
    async function acceptPush(n: number, now: number, overrides: Partial<Omit<NewInboundMessage, 'payloadSha256'>> = {}): Promise<NewInboundMessage> {
      const message = inboundMessage(n, overrides);
      expect(await inbound.acceptInbound(message, now)).toEqual({ state: 'accepted', id: message.id });
      return message;
    }

    /** Ids of the records claimHandovers leases to `owner`. */
    async function claimIds(now: number, limit: number, owner: string): Promise<string[]> {
      return ids(await inbound.claimHandovers(now, limit, LEASE_MS, owner));
    }

    /** Ids of everything pullAfter lists from the start. */
    async function pullIds(): Promise<string[]> {
      return ids(await inbound.pullAfter(0, 1000));
    }

    describe('acceptInbound', () => {
      it('logs an accepted push with its record, evidence, receipt digest and one history entry, due for hand-over', async () => {
        await messages.accept(sourceRecord('XC7'), [newMessage(7, { partner: RU })], T0 - 60_000);
        const payload = Buffer.concat([Buffer.from('<Notification>'), Buffer.from([0x00, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('</Notification>')]);
        const message = await acceptPush(1, T0, { payload, answers: messageId(7) });
        expect(await inbound.getInbound(message.id)).toEqual({
          id: inboundId(1),
          direction: 'in',
          partner: RU,
          partnerMessageId: 'RU-1',
          messageType: 'p-cp-01-msg-010',
          status: 'accepted',
          receivedAt: T0,
          updatedAt: T0,
          payloadSha256: sha256(payload),
          mapping: { id: 'transit-notice-from-p-cp-01', version: 2, sha256: 'cd'.repeat(32) },
          record: { type: 'transit.notice', recordId: 'TN-1', version: 1, value: { recordType: 'transit.notice', noticeNumber: 'TN-1', carnetNumber: 'XC1' } },
          businessKeys: { carnet: 'XC1', notice: 'TN-1' },
          answers: messageId(7),
          clientCertificate: 'c1'.repeat(32),
          signerCertificate: '5e'.repeat(32),
          receiptSha256: sha256(message.receipt.body),
          handover: { via: null, attempts: 0, nextAttemptAt: T0, lastError: null, handedOverAt: null },
          history: [{ at: T0, status: 'accepted', reason: expect.stringMatching(/\S/) as string }],
          events: [expect.objectContaining({ at: T0, kind: 'received', inboundId: expect.any(String) as string, messageId: null })],
        });
        expect(Buffer.compare((await inbound.inboundPayload(message.id)) ?? Buffer.alloc(0), payload)).toBe(0);
      });

      it('answers null when the push answers nothing, and undefined for an unknown id', async () => {
        const message = await acceptPush(1, T0);
        expect((await inbound.getInbound(message.id))?.answers).toBeNull();
        expect(await inbound.getInbound(inboundId(404))).toBeUndefined();
        expect(await inbound.inboundPayload(inboundId(404))).toBeUndefined();
      });

      it('answers a repeat with the first receipt, byte for byte, and stores nothing new, even after the hand-over', async () => {
        const first = await acceptPush(1, T0);
        const before = await inbound.getInbound(first.id);
        const repeat = repeatOf(first, 2);
        const result = await inbound.acceptInbound(repeat, T0 + 1000);
        expect(result).toEqual({ state: 'duplicate', id: first.id, receipt: first.receipt });
        const receipt = result.state === 'duplicate' ? result.receipt : receiptOf(0);
        expect([receipt.status, receipt.headers, Buffer.compare(receipt.body, first.receipt.body)]).toEqual([200, first.receipt.headers, 0]);
        expect(await inbound.getInbound(repeat.id)).toBeUndefined();
        expect(await inbound.inboundPayload(repeat.id)).toBeUndefined();
        expect(await inbound.getInbound(first.id)).toEqual(before);
        expect(await pullIds()).toEqual([first.id]);
        expect(await inbound.pendingHandovers()).toBe(1);
        expect(await inbound.acknowledge([first.id], T0 + 2000)).toBe(1);
        expect(await inbound.acceptInbound(repeatOf(first, 3), T0 + 3000)).toEqual({ state: 'duplicate', id: first.id, receipt: first.receipt });
        expect((await messages.search({ direction: 'in' }, 10)).items.map((m) => m.id)).toEqual([first.id]);
      });

      it('refuses the same partner message id with other bytes as a conflict, storing nothing', async () => {
        const first = await acceptPush(1, T0);
        const before = await inbound.getInbound(first.id);
        const other = conflictOf(first, 2);
        expect(await inbound.acceptInbound(other, T0 + 1000)).toEqual({ state: 'conflict', id: first.id });
        expect(await inbound.getInbound(other.id)).toBeUndefined();
        expect(await inbound.inboundPayload(other.id)).toBeUndefined();
        expect(await inbound.getInbound(first.id)).toEqual(before);
        expect(await pullIds()).toEqual([first.id]);
        expect(await inbound.pendingHandovers()).toBe(1);
      });

      it('identifies a push by its identity digest when it has one: other bytes with the same identity are a repeat, another identity a conflict', async () => {
        const identitySha256 = sha256('the signed document');
        const first = await acceptPush(1, T0, { identitySha256 });
        // The same document signed anew: other bytes, the same identity.
        const resigned = { ...inboundMessage(2, { partnerMessageId: first.partnerMessageId, identitySha256 }) };
        expect(resigned.payloadSha256).not.toBe(first.payloadSha256);
        expect(await inbound.acceptInbound(resigned, T0 + 1)).toEqual({ state: 'duplicate', id: first.id, receipt: first.receipt });
        expect(await inbound.priorPush(RU, first.partnerMessageId, identitySha256)).toEqual({ state: 'duplicate', id: first.id, receipt: first.receipt });
        // The bytes of the first push no longer identify it.
        expect(await inbound.priorPush(RU, first.partnerMessageId, first.payloadSha256)).toEqual({ state: 'conflict', id: first.id });
        expect(await inbound.acceptInbound(inboundMessage(3, { partnerMessageId: first.partnerMessageId, identitySha256: sha256('another document') }), T0 + 2)).toEqual({ state: 'conflict', id: first.id });
        // The stored digest is still the one of the bytes received.
        expect((await inbound.getInbound(first.id))?.payloadSha256).toBe(first.payloadSha256);
      });

      it('deduplicates per partner: another partner may push the same message id', async () => {
        const ru = await acceptPush(1, T0);
        const kz = await acceptPush(2, T0 + 1, { partner: KZ, partnerMessageId: ru.partnerMessageId, payload: ru.payload });
        expect((await inbound.getInbound(kz.id))?.partner).toBe(KZ);
        expect(await pullIds()).toEqual([ru.id, kz.id]);
        expect(await inbound.acceptInbound(repeatOf(kz, 3), T0 + 2)).toEqual({ state: 'duplicate', id: kz.id, receipt: kz.receipt });
      });

      it('gives each of 300 concurrent pushes, repeats and conflicts among them, its answer and keeps one row per partner message', async () => {
        const originals = Array.from({ length: 200 }, (_, i) => inboundMessage(i + 1, { partner: i % 2 === 0 ? RU : KZ, partnerMessageId: `M-${Math.floor(i / 2)}` }));
        const at = (i: number): NewInboundMessage => originals[i % originals.length] as NewInboundMessage;
        const repeats = Array.from({ length: 70 }, (_, j) => repeatOf(at(j * 3), 1000 + j));
        const conflicts = Array.from({ length: 30 }, (_, j) => conflictOf(at(j * 7 + 1), 2000 + j));
        const pushes = [...originals, ...repeats, ...conflicts];
        // A fixed shuffle (131 is prime to 300): repeats land before, among and after their originals.
        const burst = pushes.map((_, i) => pushes[(i * 131) % pushes.length] as NewInboundMessage);
        const results = await Promise.all(burst.map((message) => inbound.acceptInbound(message, T0)));

        const byKey = new Map<string, Array<{ message: NewInboundMessage; result: InboundAcceptResult }>>();
        burst.forEach((message, i) => {
          const key = `${message.partner}/${message.partnerMessageId}`;
          byKey.set(key, [...(byKey.get(key) ?? []), { message, result: results[i] as InboundAcceptResult }]);
        });
        expect(byKey.size).toBe(200);
        const winners: string[] = [];
        for (const pushesOfKey of byKey.values()) {
          const accepted = pushesOfKey.filter(({ result }) => result.state === 'accepted');
          expect(accepted).toHaveLength(1);
          const winner = (accepted[0] as { message: NewInboundMessage }).message;
          winners.push(winner.id);
          for (const { message, result } of pushesOfKey) {
            if (message === winner) expect(result).toEqual({ state: 'accepted', id: winner.id });
            else if (message.payloadSha256 === winner.payloadSha256) expect(result).toEqual({ state: 'duplicate', id: winner.id, receipt: winner.receipt });
            else expect(result).toEqual({ state: 'conflict', id: winner.id });
          }
        }
        expect((await pullIds()).sort()).toEqual(winners.sort());
        expect(await inbound.pendingHandovers()).toBe(200);
        expect((await messages.search({ direction: 'in' }, 500)).items).toHaveLength(200);
        const losers = burst.filter((message) => !winners.includes(message.id));
        expect(await Promise.all(losers.map((message) => inbound.getInbound(message.id)))).toEqual(losers.map(() => undefined));
      });
    });

    describe('priorPush', () => {
      it('tells a repeat (with its receipt) from a conflict, per partner, as acceptInbound would', async () => {
        expect(await inbound.priorPush(RU, 'RU-1', sha256('anything'))).toBeUndefined();
        const first = await acceptPush(1, T0);
        const duplicate = { state: 'duplicate', id: first.id, receipt: first.receipt };
        expect(await inbound.priorPush(RU, 'RU-1', first.payloadSha256)).toEqual(duplicate);
        expect(await inbound.priorPush(RU, 'RU-1', sha256('other bytes'))).toEqual({ state: 'conflict', id: first.id });
        expect(await inbound.priorPush(KZ, 'RU-1', first.payloadSha256)).toBeUndefined();
        expect(await inbound.priorPush(RU, 'RU-2', first.payloadSha256)).toBeUndefined();
        expect(await inbound.acceptInbound(repeatOf(first, 2), T0 + 1)).toEqual(duplicate);
        expect(await inbound.acceptInbound(conflictOf(first, 3), T0 + 2)).toEqual(await inbound.priorPush(RU, 'RU-1', sha256('other bytes')));
      });
    });

    describe('claimHandovers and completeHandover', () => {
      it('leases due records oldest first, by due time then arrival, up to the limit, each to one owner', async () => {
        const five = await acceptPush(5, T0 + 2000);
        const nine = await acceptPush(9, T0 + 1000);
        const three = await acceptPush(3, T0 + 1000);
        await acceptPush(4, T0 + 9000);
        expect(await inbound.claimHandovers(T0 + 3000, 2, LEASE_MS, 'worker-1')).toEqual([handoverOf(nine, 0), handoverOf(three, 0)]);
        expect(await inbound.claimHandovers(T0 + 3000, 10, LEASE_MS, 'worker-2')).toEqual([handoverOf(five, 0)]);
        expect(await claimIds(T0 + 3000, 10, 'worker-3')).toEqual([]);
        expect(await claimIds(T0 + 9000, 0, 'worker-3')).toEqual([]);
        expect(await claimIds(T0 + 9000, 10, 'worker-3')).toEqual([inboundId(4)]);
      });

      it('orders a record whose hand-over failed by its new due time', async () => {
        const one = await acceptPush(1, T0);
        expect(await claimIds(T0, 10, 'worker-1')).toEqual([one.id]);
        expect(await inbound.completeHandover(one.id, 'worker-1', { handed: false, retryAt: T0 + 10_000, error: 'HTTP 503' }, T0 + 5)).toBe(true);
        const two = await acceptPush(2, T0 + 5000);
        expect(await inbound.claimHandovers(T0 + 20_000, 10, LEASE_MS, 'worker-2')).toEqual([handoverOf(two, 0), handoverOf(one, 1)]);
      });

      it('does not lease a leased record again until its lease ends, then does (a crashed worker)', async () => {
        const one = await acceptPush(1, T0);
        expect(await claimIds(T0, 10, 'worker-1')).toEqual([one.id]);
        expect(await claimIds(T0 + 1, 10, 'worker-1')).toEqual([]);
        expect(await claimIds(T0 + LEASE_MS - 1, 10, 'worker-2')).toEqual([]);
        expect(await inbound.claimHandovers(T0 + LEASE_MS, 10, LEASE_MS, 'worker-2')).toEqual([handoverOf(one, 0)]);
        expect(await inbound.completeHandover(one.id, 'worker-1', QUEUE, T0 + LEASE_MS + 1)).toBe(false);
        expect(await inbound.completeHandover(one.id, 'worker-2', QUEUE, T0 + LEASE_MS + 2)).toBe(true);
        expect((await inbound.getInbound(one.id))?.handover.attempts).toBe(1);
      });

      it('ends a handed-over record: via, time, attempt and history recorded; never claimed, pulled or completed again', async () => {
        const one = await acceptPush(1, T0);
        const two = await acceptPush(2, T0 + 1);
        expect(await claimIds(T0 + 10, 1, 'worker-1')).toEqual([one.id]);
        expect(await inbound.completeHandover(one.id, 'worker-1', QUEUE, T0 + 20)).toBe(true);
        const detail = await inbound.getInbound(one.id);
        expect(detail).toMatchObject({ status: 'handed-over', updatedAt: T0 + 20, handover: { via: 'queue', attempts: 1, nextAttemptAt: null, handedOverAt: T0 + 20 } });
        expect(detail?.history.map((change) => [change.at, change.status])).toEqual([
          [T0, 'accepted'],
          [T0 + 20, 'handed-over'],
        ]);
        expect(await claimIds(T0 + 10 * LEASE_MS, 10, 'worker-2')).toEqual([two.id]);
        expect(await pullIds()).toEqual([two.id]);
        expect(await inbound.pendingHandovers()).toBe(1);
        expect(await inbound.completeHandover(one.id, 'worker-1', QUEUE, T0 + 30)).toBe(false);
        expect(await inbound.getInbound(one.id)).toEqual(detail);
      });

      it('makes a failed hand-over due again at retryAt, with the error and the attempt recorded and the lease released', async () => {
        const one = await acceptPush(1, T0);
        expect(await claimIds(T0, 10, 'worker-1')).toEqual([one.id]);
        expect(await inbound.completeHandover(one.id, 'worker-1', { handed: false, retryAt: T0 + 10_000, error: 'CAIS queue refused: HTTP 503' }, T0 + 5)).toBe(true);
        expect(await inbound.getInbound(one.id)).toMatchObject({
          status: 'accepted',
          updatedAt: T0 + 5,
          handover: { via: null, attempts: 1, nextAttemptAt: T0 + 10_000, lastError: 'CAIS queue refused: HTTP 503', handedOverAt: null },
        });
        expect(await claimIds(T0 + 9_999, 10, 'worker-2')).toEqual([]);
        expect(await inbound.pendingHandovers()).toBe(1);
        expect(await pullIds()).toEqual([one.id]);
        expect(await inbound.claimHandovers(T0 + 10_000, 10, LEASE_MS, 'worker-2')).toEqual([handoverOf(one, 1)]);
        expect(await inbound.completeHandover(one.id, 'worker-2', { handed: true, via: 'webhook' }, T0 + 10_010)).toBe(true);
        expect(await inbound.getInbound(one.id)).toMatchObject({ status: 'handed-over', handover: { via: 'webhook', attempts: 2, nextAttemptAt: null, handedOverAt: T0 + 10_010 } });
      });

      it('refuses a completion by an owner without the lease and changes nothing', async () => {
        const one = await acceptPush(1, T0);
        expect(await claimIds(T0, 10, 'worker-1')).toEqual([one.id]);
        const two = await acceptPush(2, T0 + 1);
        const before = await inbound.getInbound(one.id);
        expect(await inbound.completeHandover(one.id, 'worker-2', QUEUE, T0 + 10)).toBe(false);
        expect(await inbound.completeHandover(one.id, 'worker-2', { handed: false, retryAt: T0 + 11, error: 'x' }, T0 + 10)).toBe(false);
        expect(await inbound.completeHandover(two.id, 'worker-1', QUEUE, T0 + 10)).toBe(false);
        expect(await inbound.completeHandover(inboundId(404), 'worker-1', QUEUE, T0 + 10)).toBe(false);
        expect(await inbound.getInbound(one.id)).toEqual(before);
        expect((await inbound.getInbound(two.id))?.handover.attempts).toBe(0);
        expect(await claimIds(T0 + 10, 10, 'worker-2')).toEqual([two.id]);
        expect(await inbound.pendingHandovers()).toBe(2);
      });

      it('counts accepted records not handed over yet, leased and retried ones included', async () => {
        expect(await inbound.pendingHandovers()).toBe(0);
        for (let n = 1; n <= 4; n += 1) await acceptPush(n, T0 + n);
        expect(await claimIds(T0 + 10, 2, 'worker-1')).toEqual([inboundId(1), inboundId(2)]);
        expect(await inbound.pendingHandovers()).toBe(4);
        await inbound.completeHandover(inboundId(1), 'worker-1', QUEUE, T0 + 20);
        await inbound.completeHandover(inboundId(2), 'worker-1', { handed: false, retryAt: T0 + 60_000, error: 'HTTP 503' }, T0 + 20);
        await inbound.acknowledge([inboundId(3)], T0 + 30);
        expect(await inbound.pendingHandovers()).toBe(2);
      });
    });

    describe('pullAfter and acknowledge', () => {
      it('lists accepted records after a cursor in the order they were accepted, up to the limit', async () => {
        const pushed = [await acceptPush(4, T0 + 3000), await acceptPush(2, T0 + 1000), await acceptPush(7, T0 + 2000, { partner: KZ, messageType: 'kz-notice' })];
        const all = await inbound.pullAfter(0, 10);
        expect(all).toEqual([pullItemOf(pushed[0] as NewInboundMessage, T0 + 3000), pullItemOf(pushed[1] as NewInboundMessage, T0 + 1000), pullItemOf(pushed[2] as NewInboundMessage, T0 + 2000)]);
        const seqs = all.map((item) => item.seq);
        expect(seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] as number))).toBe(true);
        expect(ids(await inbound.pullAfter(seqs[0] as number, 10))).toEqual([inboundId(2), inboundId(7)]);
        expect(ids(await inbound.pullAfter(0, 2))).toEqual([inboundId(4), inboundId(2)]);
        expect(await inbound.pullAfter(seqs[2] as number, 10)).toEqual([]);
        // Accepted later with an earlier clock: still after the cursor, so a puller never misses it.
        const late = await acceptPush(1, T0);
        expect(await inbound.pullAfter(seqs[2] as number, 10)).toEqual([pullItemOf(late, T0)]);
      });

      it('acknowledge hands records over via pull, counting only those it changed', async () => {
        for (let n = 1; n <= 4; n += 1) await acceptPush(n, T0 + n);
        const [, second] = await inbound.pullAfter(0, 10);
        expect(await inbound.acknowledge([inboundId(1), inboundId(3), inboundId(404)], T0 + 100)).toBe(2);
        expect(await inbound.acknowledge([inboundId(1)], T0 + 200)).toBe(0);
        expect(await inbound.acknowledge([], T0 + 200)).toBe(0);
        expect(await pullIds()).toEqual([inboundId(2), inboundId(4)]);
        expect((await inbound.pullAfter(0, 1))[0]).toEqual(second);
        const detail = await inbound.getInbound(inboundId(1));
        expect(detail).toMatchObject({ status: 'handed-over', updatedAt: T0 + 100, handover: { via: 'pull', nextAttemptAt: null, handedOverAt: T0 + 100 } });
        expect(detail?.history.map((change) => [change.at, change.status])).toEqual([
          [T0 + 1, 'accepted'],
          [T0 + 100, 'handed-over'],
        ]);
        expect(await claimIds(T0 + 1000, 10, 'worker-1')).toEqual([inboundId(2), inboundId(4)]);
        expect(await inbound.completeHandover(inboundId(2), 'worker-1', QUEUE, T0 + 1001)).toBe(true);
        expect(await inbound.acknowledge([inboundId(2), inboundId(4)], T0 + 1002)).toBe(1);
        expect((await inbound.getInbound(inboundId(2)))?.handover.via).toBe('queue');
        // The worker still holding the lease on a record CAIS acknowledged meanwhile cannot complete it.
        expect(await inbound.completeHandover(inboundId(4), 'worker-1', QUEUE, T0 + 1003)).toBe(false);
        expect((await inbound.getInbound(inboundId(4)))?.handover).toMatchObject({ via: 'pull', handedOverAt: T0 + 1002 });
        expect(await inbound.pendingHandovers()).toBe(0);
      });
    });

    describe('findOutbound and answersTo', () => {
      it('finds our newest outbound message to a partner by a business key name and value', async () => {
        await messages.accept(sourceRecord('XA1'), [newMessage(3, { partner: RU, businessKeys: { carnet: 'XA1', declaration: 'D-1' } }), newMessage(2, { businessKeys: { carnet: 'XA1' } })], T0);
        await messages.accept(sourceRecord('XA1', 2), [newMessage(1, { partner: RU, businessKeys: { carnet: 'XA1' } })], T0 + 1000);
        await acceptPush(9, T0 + 2000, { businessKeys: { carnet: 'XA9' } });
        expect(await inbound.findOutbound(RU, 'carnet', 'XA1')).toBe(messageId(1));
        expect(await inbound.findOutbound('iru-safetir', 'carnet', 'XA1')).toBe(messageId(2));
        expect(await inbound.findOutbound(RU, 'declaration', 'D-1')).toBe(messageId(3));
        expect(await inbound.findOutbound(KZ, 'carnet', 'XA1')).toBeUndefined();
        expect(await inbound.findOutbound(RU, 'declaration', 'XA1')).toBeUndefined();
        expect(await inbound.findOutbound(RU, 'carnet', 'XA')).toBeUndefined();
        expect(await inbound.findOutbound(RU, 'carnet', 'XA9')).toBeUndefined();
      });

      it('lists the inbound messages answering an outbound message, oldest first', async () => {
        await messages.accept(sourceRecord('XA1'), [newMessage(1, { partner: RU }), newMessage(2, { partner: KZ })], T0);
        // The older answer has the higher id and arrives second: oldest means received first.
        await acceptPush(5, T0 + 3000, { answers: messageId(1) });
        await acceptPush(6, T0 + 1000, { answers: messageId(1), partner: KZ, messageType: 'kz-notice' });
        await acceptPush(7, T0 + 2000);
        await acceptPush(8, T0 + 2000, { answers: messageId(2), partner: KZ });
        expect(await inbound.answersTo(messageId(1))).toEqual([
          { id: inboundId(6), partner: KZ, messageType: 'kz-notice', receivedAt: T0 + 1000 },
          { id: inboundId(5), partner: RU, messageType: 'p-cp-01-msg-010', receivedAt: T0 + 3000 },
        ]);
        expect(ids(await inbound.answersTo(messageId(2)))).toEqual([inboundId(8)]);
        expect(await inbound.answersTo(messageId(404))).toEqual([]);
      });
    });

    describe('inboundRecordsOfType', () => {
      it('pages through the records made from accepted pushes, of one record type, in acceptance order', async () => {
        const one = await acceptPush(1, T0);
        await acceptPush(2, T0 + 1000, { record: { type: 'mirror.batch', recordId: 'B-2', version: 1, json: '{"type":"mirror.batch"}' } });
        const three = await acceptPush(3, T0 + 2000);
        const first = await inbound.inboundRecordsOfType('transit.notice', 0, 1);
        expect(first.map((r) => r.json)).toEqual([one.record.json]);
        const rest = await inbound.inboundRecordsOfType('transit.notice', first[0]!.row, 10);
        expect(rest.map((r) => r.json)).toEqual([three.record.json]);
        expect((await inbound.inboundRecordsOfType('mirror.batch', 0, 10)).map((r) => r.json)).toEqual(['{"type":"mirror.batch"}']);
        expect(await inbound.inboundRecordsOfType('declaration.cargo', 0, 10)).toEqual([]);
      });
    });

    describe('heldInbound', () => {
      it('names the listed partner message ids of one type the log holds from a partner, and no other', async () => {
        await acceptPush(1, T0);
        await acceptPush(2, T0 + 1000);
        await acceptPush(3, T0 + 2000, { messageType: 'p-cp-01-msg-020' });
        await acceptPush(4, T0 + 3000, { partner: KZ });
        const held = await inbound.heldInbound(RU, 'p-cp-01-msg-010', ['RU-1', 'RU-2', 'RU-3', 'RU-4', 'RU-5', "RU-1' OR '1'='1"]);
        expect(held.sort()).toEqual(['RU-1', 'RU-2']);
        expect(await inbound.heldInbound(RU, 'p-cp-01-msg-020', ['RU-3'])).toEqual(['RU-3']);
        expect(await inbound.heldInbound(KZ, 'p-cp-01-msg-010', ['RU-1', 'RU-4'])).toEqual(['RU-4']);
        expect(await inbound.heldInbound(RU, 'p-cp-01-msg-010', [])).toEqual([]);
      });
    });

    describe('refusals', () => {
      it('lists refused pushes newest first, the later of a tie first, optionally of one partner, and none counts as accepted', async () => {
        const logged = [refusalOf(1, RU, T0), refusalOf(2, KZ, T0 + 1000), refusalOf(3, '?', T0 + 2000), refusalOf(4, RU, T0 + 3000), refusalOf(5, RU, T0 + 3000)];
        for (const refusal of logged) await inbound.logRefusal(refusal);
        const [one, two, three, four, five] = logged;
        expect(await inbound.refusals(10)).toEqual([five, four, three, two, one]);
        expect(await inbound.refusals(10, RU)).toEqual([five, four, one]);
        expect(await inbound.refusals(2)).toEqual([five, four]);
        expect(await inbound.refusals(1, KZ)).toEqual([two]);
        expect(await inbound.refusals(10, 'nobody')).toEqual([]);
        expect(await inbound.pendingHandovers()).toBe(0);
        expect(await messages.search({}, 10)).toEqual({ items: [] });
      });

      it('takes the limit between 1 and 500', async () => {
        for (let n = 1; n <= 501; n += 1) await inbound.logRefusal(refusalOf(n, RU, T0 + n));
        const capped = await inbound.refusals(10_000);
        expect(capped).toHaveLength(500);
        expect(capped[0]).toEqual(refusalOf(501, RU, T0 + 501));
        expect(await inbound.refusals(0, RU)).toEqual([refusalOf(501, RU, T0 + 501)]);
      });
    });

    describe('one log for both directions', () => {
      const KEY = 'XA7';

      /**
       * Seven entries carrying carnet XA7, four pushed and three sent, around entries with another key. Three share
       * T0 + 3000 (two inbound, one outbound) and straddle the end of the first page of three.
       */
      async function seedBothDirections(): Promise<SeededEntry[]> {
        const seeded: SeededEntry[] = [];
        const sent = async (n: number, partner: string, createdAt: number, key = KEY): Promise<void> => {
          const message = newMessage(n, { partner, businessKeys: { carnet: key } });
          await messages.accept(sourceRecord(`R-${n}`), [message], createdAt);
          if (key === KEY) seeded.push({ id: message.id, createdAt, partner, messageType: message.messageType, direction: 'out' });
        };
        const pushed = async (n: number, partner: string, createdAt: number, key = KEY): Promise<void> => {
          const message = await acceptPush(n, createdAt, { partner, businessKeys: { carnet: key } });
          if (key === KEY) seeded.push({ id: message.id, createdAt, partner, messageType: message.messageType, direction: 'in' });
        };
        await sent(1, 'iru-safetir', T0 + 1000);
        await pushed(11, RU, T0 + 2000);
        await sent(2, RU, T0 + 3000);
        await pushed(12, KZ, T0 + 3000);
        await pushed(13, RU, T0 + 3000);
        await sent(3, RU, T0 + 5000);
        await sent(4, RU, T0 + 5000, 'XB8');
        await pushed(14, RU, T0 + 6000);
        await pushed(15, RU, T0 + 6000, 'XB8');
        return seeded;
      }

      const only = (seeded: readonly SeededEntry[], keep: (entry: SeededEntry) => boolean): string[] => newestFirst(seeded.filter(keep));

      it('search finds both directions by a business key, newest first across both, each with its direction', async () => {
        const seeded = await seedBothDirections();
        const { items, nextCursor } = await messages.search({ key: KEY }, 50);
        expect(nextCursor).toBeUndefined();
        expect(ids(items)).toEqual(newestFirst(seeded));
        expect(items.map((m) => m.direction)).toEqual(newestFirst(seeded).map((id) => seeded.find((entry) => entry.id === id)?.direction));
        expect(items[0]).toEqual({
          direction: 'in',
          id: inboundId(14),
          partner: RU,
          messageType: 'p-cp-01-msg-010',
          recordType: 'transit.notice',
          recordId: 'TN-14',
          recordVersion: 1,
          status: 'accepted',
          attempts: 0,
          createdAt: T0 + 6000,
          updatedAt: T0 + 6000,
          nextAttemptAt: T0 + 6000,
          businessKeys: { carnet: KEY },
        });
      });

      it('filters by direction, status and partner across both directions', async () => {
        const seeded = await seedBothDirections();
        const search = async (filter: MessageFilter): Promise<string[]> => ids((await messages.search({ key: KEY, ...filter }, 50)).items);
        expect(await search({ direction: 'in' })).toEqual(only(seeded, (e) => e.direction === 'in'));
        expect(await search({ direction: 'out' })).toEqual(only(seeded, (e) => e.direction === 'out'));
        expect(await search({ partner: RU })).toEqual(only(seeded, (e) => e.partner === RU));
        expect(await inbound.acknowledge([inboundId(11)], T0 + 7000)).toBe(1);
        expect(await search({ status: 'accepted' })).toEqual(only(seeded, (e) => e.direction === 'in' && e.id !== inboundId(11)));
        expect(await search({ status: 'handed-over' })).toEqual([inboundId(11)]);
        expect(await search({ status: 'pending' })).toEqual(only(seeded, (e) => e.direction === 'out'));
        expect(await search({ status: 'accepted', direction: 'out' })).toEqual([]);
      });

      it('pages the union with a cursor, every entry exactly once, ties across directions included', async () => {
        const seeded = await seedBothDirections();
        const pages = await allPages(messages, { key: KEY }, 3);
        expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
        expect(pages.flat()).toEqual(newestFirst(seeded));
        expect((await allPages(messages, { key: KEY, direction: 'in' }, 2)).flat()).toEqual(only(seeded, (e) => e.direction === 'in'));
        expect((await allPages(messages, {}, 2)).flat()).toHaveLength(9);
      });
    });
  });
}
