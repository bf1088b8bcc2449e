// The conformance suite of acknowledgement layers every MessageStore passes: stages awaited after a delivery, repeats, refusals, late ones, and a person's resend starting over.
import { describe, expect, it } from 'vitest';
import type { Acknowledgement, AcknowledgementPlan } from '../../src/partners/partner-definition.js';
import type { AttemptRecord, MessageStore } from '../../src/store/message-store.js';
import { LEASE_MS, messageId, newMessage, sourceRecord, T0 } from './store-fixtures.js';

const PLAN: AcknowledgementPlan = {
  stages: [
    { stage: 'received', withinMs: 1_000, name: 'signal received' },
    { stage: 'accepted', withinMs: 5_000, name: 'signal accepted' },
    { stage: 'answered', withinMs: 60_000, name: 'the answer' },
  ],
  repeats: 1,
};

let serial = 0;

/** Runs the acknowledgement conformance suite against stores made by `open` (each test gets a fresh one). */
export function acknowledgementConformance(name: string, open: () => Promise<MessageStore>): void {
  describe(`acknowledgement layers: ${name}`, () => {
    async function delivered(store: MessageStore, at: number, n = 1, plan: AcknowledgementPlan = PLAN): Promise<string> {
      const id = messageId(n);
      if (!(await store.get(id))) await store.accept(sourceRecord(`ACK-${n}`), [newMessage(n)], T0);
      const claim = await store.claimById(id, at, LEASE_MS, 'w');
      if (claim.state !== 'claimed') throw new Error(`not claimed: ${claim.state}`);
      const attempt: AttemptRecord = { number: claim.message.attempts + 1, startedAt: at, durationMs: 5, outcome: 'delivered', httpStatus: 202, partnerCode: null, error: null };
      expect(await store.completeAttempt(id, 'w', attempt, { status: 'delivered', reason: 'taken', awaiting: plan }, at)).toBe(true);
      return id;
    }
    const ack = (store: MessageStore, id: string, acknowledgement: Acknowledgement, at: number) =>
      store.acknowledge(
        {
          messageId: id,
          partner: 'iru-safetir',
          partnerMessageId: `p-${++serial}`,
          acknowledgement,
          payload: Buffer.from(`ack ${serial}`),
          payloadSha256: `sha-${serial}`,
          clientCertificate: 'c',
          signerCertificate: 's',
          receipt: { status: 202, headers: {}, body: Buffer.alloc(0) },
        },
        at,
      );

    it('awaits each stage in turn and is done after the answer; the same push again gets its receipt, other bytes a conflict', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      expect((await store.get(id))?.awaiting).toMatchObject({ stage: 'received', dueAt: T0 + 1_000, repeats: 0, repeatsAllowed: 1 });
      expect(await ack(store, id, { stage: 'received' }, T0 + 10)).toEqual({ state: 'recorded', effect: 'advanced' });
      expect((await store.get(id))?.awaiting).toMatchObject({ stage: 'accepted', dueAt: T0 + 5_010 });
      expect(await ack(store, id, { stage: 'answered', code: '6' }, T0 + 20)).toEqual({ state: 'recorded', effect: 'advanced' });
      const done = await store.get(id);
      expect(done).toMatchObject({ status: 'delivered', awaiting: null });
      expect(done?.acknowledgements.map((a) => [a.stage, a.effect])).toEqual([['received', 'advanced'], ['answered', 'advanced']]);
      expect(await store.overdueAcknowledgements(T0 + 1_000_000, 10)).toEqual([]);
    });

    it('an acknowledgement pushed again signed anew (other bytes, the same identity digest) gets its first receipt; another identity is a conflict', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      const push = (bytes: string, identitySha256: string, status: number) =>
        store.acknowledge(
          {
            messageId: id,
            partner: 'iru-safetir',
            partnerMessageId: 'contrl-1',
            acknowledgement: { stage: 'received' },
            payload: Buffer.from(bytes),
            payloadSha256: `sha-${bytes}`,
            identitySha256,
            clientCertificate: 'c',
            signerCertificate: 's',
            receipt: { status, headers: {}, body: Buffer.from(bytes) },
          },
          T0 + status,
        );
      expect(await push('first signing', 'doc-1', 200)).toEqual({ state: 'recorded', effect: 'advanced' });
      expect(await push('second signing', 'doc-1', 201)).toEqual({ state: 'duplicate', receipt: { status: 200, headers: {}, body: Buffer.from('first signing') } });
      expect(await push('third signing', 'doc-2', 202)).toEqual({ state: 'conflict' });
      expect((await store.get(id))?.acknowledgements).toHaveLength(1);
    });

    it('a late stage repeats the message as often as allowed, then it needs a person; a resend starts a new cycle with its repeats', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      expect((await store.overdueAcknowledgements(T0 + 1_000, 10)).map((o) => o.messageId)).toEqual([id]);
      expect(await store.repeatOverdue(id, T0 + 1_000)).toBe(true);
      expect((await store.get(id))?.status).toBe('pending');
      await delivered(store, T0 + 2_000);
      expect(await store.repeatOverdue(id, T0 + 3_000)).toBe(true);
      const given = await store.get(id);
      expect(given?.status).toBe('needs-human');
      expect(given?.history.at(-1)?.reason).toMatch(/no signal received within 1 s after 1 repeat\(s\)/);
      expect(await store.resend(id, T0 + 10_000, 'resent by an admin')).toBe(true);
      await delivered(store, T0 + 11_000);
      expect((await store.get(id))?.awaiting).toMatchObject({ stage: 'received', repeats: 0, repeatsAllowed: 1 });
      expect(await store.repeatOverdue(id, T0 + 12_000)).toBe(true);
      expect((await store.get(id))?.status).toBe('pending');
    });

    it('a refusal fails the message; a resend by a person is judged afresh, not by the old refusal', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      expect(await ack(store, id, { stage: 'received', rejected: true, code: 'Common:DataError', text: 'bad' }, T0 + 10)).toEqual({ state: 'recorded', effect: 'failed' });
      expect((await store.get(id))?.status).toBe('failed');
      expect(await store.resend(id, T0 + 1_000, 'resent by an admin')).toBe(true);
      await delivered(store, T0 + 2_000);
      const again = await store.get(id);
      expect(again).toMatchObject({ status: 'delivered', awaiting: { stage: 'received' } });
      expect(await ack(store, id, { stage: 'received' }, T0 + 2_010)).toEqual({ state: 'recorded', effect: 'advanced' });
    });

    it('a partner asking for the message again sends it again as a repeat; the stage it named is awaited anew; with no repeat left a person must look', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      expect(await ack(store, id, { stage: 'received', resend: true, code: 'NOT_DELIVERED RESEND', text: 'busy' }, T0 + 10)).toEqual({ state: 'recorded', effect: 'resent' });
      const again = await store.get(id);
      expect(again?.status).toBe('pending');
      expect(again?.history.at(-1)?.reason).toMatch(/the partner asked for the message again \(NOT_DELIVERED RESEND\): busy; sent again \(repeat 1 of 1\)/);
      // Sent again and taken: the stage the request named is awaited again, and its acknowledgement advances the message.
      await delivered(store, T0 + 100);
      expect((await store.get(id))?.awaiting).toMatchObject({ stage: 'received', repeats: 1, repeatsAllowed: 1 });
      expect(await ack(store, id, { stage: 'received' }, T0 + 110)).toEqual({ state: 'recorded', effect: 'advanced' });
      expect((await store.get(id))?.awaiting).toMatchObject({ stage: 'accepted' });
      // The plan allows one repeat: a second request hands the message to a person.
      expect(await ack(store, id, { stage: 'accepted', resend: true, code: 'AGAIN' }, T0 + 120)).toEqual({ state: 'recorded', effect: 'resent' });
      const given = await store.get(id);
      expect(given).toMatchObject({ status: 'needs-human', awaiting: null });
      expect(given?.history.at(-1)?.reason).toMatch(/asked for the message again \(AGAIN\), after 1 repeat\(s\) of the 1 the transaction allows: a person must look/);
      expect(given?.acknowledgements.map((a) => a.effect)).toEqual(['resent', 'advanced', 'resent']);
    });

    it('a plan whose last stage is not an answer: reaching it settles a queued repeat, and completes the message for later requests and refusals', async () => {
      const store = await open();
      const plan: AcknowledgementPlan = { stages: [{ stage: 'accepted', withinMs: 1_000, name: 'DELIVERED' }], repeats: 1 };
      const id = await delivered(store, T0, 1, plan);
      expect(await store.repeatOverdue(id, T0 + 1_000)).toBe(true);
      expect(await ack(store, id, { stage: 'accepted', code: 'DELIVERED' }, T0 + 1_100)).toEqual({ state: 'recorded', effect: 'advanced' });
      const settled = await store.get(id);
      expect(settled).toMatchObject({ status: 'delivered', awaiting: null });
      expect(settled?.history.at(-1)?.reason).toMatch(/acknowledged \(accepted\) while a repeat was queued \(DELIVERED\); the repeat is dropped/);
      expect((await store.claimById(id, T0 + 1_200, LEASE_MS, 'w')).state).toBe('not-pending');
      expect(await ack(store, id, { stage: 'accepted', resend: true }, T0 + 1_300)).toEqual({ state: 'recorded', effect: 'late' });
      expect(await ack(store, id, { stage: 'accepted', rejected: true }, T0 + 1_400)).toEqual({ state: 'recorded', effect: 'late' });
      expect((await store.get(id))?.status).toBe('delivered');
    });

    it('a request for the message again after it ended is late and changes nothing', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      await ack(store, id, { stage: 'answered', code: '6' }, T0 + 10);
      expect(await ack(store, id, { stage: 'received', resend: true }, T0 + 20)).toEqual({ state: 'recorded', effect: 'late' });
      expect((await store.get(id))?.status).toBe('delivered');
    });

    it('after the answer, a stray refusal or another answer is late and changes nothing', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      await ack(store, id, { stage: 'answered', code: '6' }, T0 + 10);
      expect(await ack(store, id, { stage: 'received', rejected: true, code: 'Common:FatalError' }, T0 + 20)).toEqual({ state: 'recorded', effect: 'late' });
      expect(await ack(store, id, { stage: 'answered', code: '6' }, T0 + 30)).toEqual({ state: 'recorded', effect: 'late' });
      expect((await store.get(id))?.status).toBe('delivered');
    });

    it('an answer while a repeat is queued settles the message and drops the repeat', async () => {
      const store = await open();
      const id = await delivered(store, T0);
      expect(await store.repeatOverdue(id, T0 + 1_000)).toBe(true);
      expect(await ack(store, id, { stage: 'answered', code: '6' }, T0 + 1_100)).toEqual({ state: 'recorded', effect: 'advanced' });
      const settled = await store.get(id);
      expect(settled).toMatchObject({ status: 'delivered', awaiting: null });
      expect(settled?.history.at(-1)?.reason).toMatch(/answered while a repeat was queued/);
      expect((await store.claimById(id, T0 + 1_200, LEASE_MS, 'w')).state).toBe('not-pending');
    });

    it('an acknowledgement for a message in flight is kept and counted when its delivery is recorded', async () => {
      const store = await open();
      await store.accept(sourceRecord('ACK-FLIGHT'), [newMessage(7)], T0);
      const id = messageId(7);
      const claim = await store.claimById(id, T0, LEASE_MS, 'w');
      expect(claim.state).toBe('claimed');
      expect(await ack(store, id, { stage: 'received' }, T0 + 5)).toEqual({ state: 'recorded', effect: 'advanced' });
      expect((await store.get(id))?.status).toBe('pending');
      const attempt: AttemptRecord = { number: 1, startedAt: T0, durationMs: 10, outcome: 'delivered', httpStatus: 202, partnerCode: null, error: null };
      await store.completeAttempt(id, 'w', attempt, { status: 'delivered', reason: 'taken', awaiting: PLAN }, T0 + 10);
      expect((await store.get(id))?.awaiting).toMatchObject({ stage: 'accepted', dueAt: T0 + 5_010 });
    });
  });
}
