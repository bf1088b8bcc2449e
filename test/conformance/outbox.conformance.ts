// The outbox role of every store: unpublished jobs, claims by id under a lease, completed attempts and resends; run by each implementation on its own fresh store.
import { describe, expect, it } from 'vitest';
import { CLAIM_EARLY_TOLERANCE_MS, type MessageStore } from '../../src/store/message-store.js';
import { attempt, END_STATES, endIn, LEASE_MS, messageId, newMessage, PARTNER, retryAt, sourceRecord, storeSteps, eachFreshStore, T0 } from './store-fixtures.js';

/**
 * The outbox role every store passes: jobs handed to the relay and marked published, claims by id
 * under a lease, attempts completed, resends. `open` and `cleanup` as for the message-log suite.
 */
export function outboxConformance(name: string, open: () => Promise<MessageStore>, cleanup?: () => Promise<void>): void {
  describe(`outbox conformance: ${name}`, () => {
    let store!: MessageStore;
    const { acceptOne, claim, attemptOn, unpublishedIds, publishAll } = storeSteps(() => store);
    eachFreshStore(open, cleanup, (fresh) => (store = fresh));

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

      it('lists a message accepted with a delay as due after it, and reports its job as not-due before then', async () => {
        await store.accept(sourceRecord('XC-DELAY'), [newMessage(1), newMessage(2, { delayMs: 5_000 })], T0);
        expect(await store.unpublished(10)).toEqual([
          { id: messageId(1), partner: PARTNER, nextAttemptAt: T0 },
          { id: messageId(2), partner: PARTNER, nextAttemptAt: T0 + 5_000 },
        ]);
        expect((await store.claimById(messageId(2), T0 + 1_000, LEASE_MS, 'worker-a')).state).toBe('not-due');
        expect((await store.claimById(messageId(2), T0 + 5_000, LEASE_MS, 'worker-a')).state).toBe('claimed');
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

    describe('business keys from the answer', () => {
      it("stores the keys an attempt's answer gave with its record, replacing keys of the same name; searchable; none from a refused completion", async () => {
        await acceptOne(1, T0);
        const first = await claim(messageId(1), T0);
        const keyed = { ...attempt(first.attempts + 1, 'retry', T0), businessKeys: { partnerMessageId: '{P-1}' } };
        expect(await store.completeAttempt(messageId(1), 'worker-1', keyed, retryAt(T0 + 1000, 1), T0 + 5)).toBe(true);
        expect((await store.get(messageId(1)))?.businessKeys).toEqual({ carnet: 'XC1', partnerMessageId: '{P-1}' });
        const second = await claim(messageId(1), T0 + 1000, 'worker-2');
        const delivered = { ...attempt(second.attempts + 1, 'delivered', T0 + 1000), businessKeys: { partnerMessageId: '{P-2}', chain: 'C-9' } };
        expect(await store.completeAttempt(messageId(1), 'worker-1', delivered, { status: 'delivered', reason: 'taken' }, T0 + 1005)).toBe(false);
        expect(await store.search({ key: 'C-9' }, 10)).toEqual({ items: [] });
        expect(await store.completeAttempt(messageId(1), 'worker-2', delivered, { status: 'delivered', reason: 'taken' }, T0 + 1005)).toBe(true);
        expect((await store.get(messageId(1)))?.businessKeys).toEqual({ carnet: 'XC1', partnerMessageId: '{P-2}', chain: 'C-9' });
        expect((await store.search({ key: '{P-1}' }, 10)).items).toEqual([]);
        expect((await store.search({ key: '{P-2}' }, 10)).items.map((m) => m.id)).toEqual([messageId(1)]);
      });
    });

    describe('claimDue', () => {
      const ids = (claimed: ReadonlyArray<{ id: string }>) => claimed.map((m) => m.id);

      it("leases the partner's due messages, earliest due first, up to the limit, published or not", async () => {
        await acceptOne(3, T0 + 20);
        await acceptOne(1, T0 + 10);
        await publishAll();
        await acceptOne(2, T0 + 10);
        await acceptOne(4, T0 + 10, { partner: 'eaeu-ru' });
        await acceptOne(5, T0 + 1_000);
        const claimed = await store.claimDue(PARTNER, 2, T0 + 100, LEASE_MS, 'worker-1');
        expect(claimed).toEqual([1, 2].map((n) => ({ id: messageId(n), partner: PARTNER, messageType: 'safetir-upload', payload: newMessage(n).payload, attempts: 0, retryBase: 0, leaseUntil: T0 + 100 + LEASE_MS })));
        expect(ids(await store.claimDue(PARTNER, 10, T0 + 100, LEASE_MS, 'worker-1'))).toEqual([messageId(3)]);
        expect(await store.claimDue(PARTNER, 10, T0 + 100, LEASE_MS, 'worker-1')).toEqual([]);
        expect(ids(await store.claimDue('eaeu-ru', 10, T0 + 100, LEASE_MS, 'worker-1'))).toEqual([messageId(4)]);
        expect(await store.claimDue(PARTNER, 0, T0 + 2_000, LEASE_MS, 'worker-1')).toEqual([]);
      });

      it('takes a message back once its lease ended (crash recovery), and a completion by the old owner is refused', async () => {
        await acceptOne(1, T0);
        expect(ids(await store.claimDue(PARTNER, 5, T0, LEASE_MS, 'worker-1'))).toEqual([messageId(1)]);
        expect(await store.claimDue(PARTNER, 5, T0 + LEASE_MS - 1, LEASE_MS, 'worker-2')).toEqual([]);
        expect(await store.claimById(messageId(1), T0 + 1, LEASE_MS, 'worker-2')).toEqual({ state: 'leased', leaseUntil: T0 + LEASE_MS });
        expect(ids(await store.claimDue(PARTNER, 5, T0 + LEASE_MS, LEASE_MS, 'worker-2'))).toEqual([messageId(1)]);
        expect(await store.completeAttempt(messageId(1), 'worker-1', attempt(1, 'delivered', T0), endIn('delivered'), T0 + LEASE_MS + 1)).toBe(false);
        expect(await store.completeAttempt(messageId(1), 'worker-2', attempt(1, 'delivered', T0 + LEASE_MS), endIn('delivered'), T0 + LEASE_MS + 2)).toBe(true);
      });

      it('takes a retried message again only at its next attempt time, with the attempts made so far; never an ended one', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0);
        await attemptOn(messageId(1), T0, retryAt(T0 + 60_000, 1), 'retry');
        await attemptOn(messageId(2), T0, endIn('failed'), 'failed');
        expect(await store.claimDue(PARTNER, 5, T0 + 59_999, LEASE_MS, 'worker-2')).toEqual([]);
        const [again] = await store.claimDue(PARTNER, 5, T0 + 60_000 + 10 * LEASE_MS, LEASE_MS, 'worker-2');
        expect(again).toMatchObject({ id: messageId(1), attempts: 1 });
        // Long after, only the retried message's ended lease brings it back; the failed one never.
        expect(ids(await store.claimDue(PARTNER, 5, T0 + 100 * LEASE_MS, LEASE_MS, 'worker-3'))).toEqual([messageId(1)]);
      });

      it('shares due messages between owners taking at once: each message to exactly one', async () => {
        for (let n = 1; n <= 6; n += 1) await acceptOne(n, T0);
        const taken = await Promise.all(['worker-a', 'worker-b', 'worker-c'].map((owner) => store.claimDue(PARTNER, 4, T0, LEASE_MS, owner)));
        expect(ids(taken.flat()).sort()).toEqual([1, 2, 3, 4, 5, 6].map(messageId).sort());
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

      it('sends a delivered message again when asked to (the partner does not hold it), but still no pending or leased one', async () => {
        await acceptOne(1, T0);
        await acceptOne(2, T0 + 1);
        await attemptOn(messageId(1), T0 + 10, endIn('delivered'), 'delivered');
        await claim(messageId(2), T0 + 20);
        expect(await store.resend(messageId(2), T0 + 30, 'again', { delivered: true })).toBe(false);
        expect(await store.resend(messageId(1), T0 + 30, 'the partner holds no such batch', { delivered: true })).toBe(true);
        const detail = await store.get(messageId(1));
        expect(detail).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 30 });
        expect(detail?.history.at(-1)).toEqual({ at: T0 + 30, from: 'delivered', to: 'pending', reason: 'the partner holds no such batch' });
        expect(await store.resend(messageId(1), T0 + 40, 'again', { delivered: true })).toBe(false);
      });
    });
  });
}
