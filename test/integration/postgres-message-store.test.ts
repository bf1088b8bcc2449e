// The PostgreSQL message store on the real server: the message log, outbox and acknowledgement conformance suites, and what two instances on one schema do at once.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresMessageStore } from '../../src/store/postgres-message-store.js';
import { PostgresSession } from '../../src/store/postgres-session.js';
import { acknowledgementConformance } from '../conformance/acknowledgement.conformance.js';
import { auditConformance } from '../conformance/audit.conformance.js';
import { mappingChangesConformance } from '../conformance/mapping-changes.conformance.js';
import { messageLogConformance } from '../conformance/message-log.conformance.js';
import { outboxConformance } from '../conformance/outbox.conformance.js';
import { LEASE_MS, messageId, newMessage, PARTNER, sourceRecord, T0 } from '../conformance/store-fixtures.js';
import { freshSchema, skipWithoutPostgres, type TestSchema } from '../support/postgres.js';

const skip = await skipWithoutPostgres('PostgreSQL message store');

if (!skip) {
  let schema: TestSchema | undefined;
  const open = async (): Promise<PostgresMessageStore> => {
    schema ??= await freshSchema();
    return new PostgresMessageStore(new PostgresSession(schema.pool()));
  };
  // One schema for the file, emptied after each test (the acknowledgement suite leaves its stores open: reset ends their pools).
  afterEach(async () => schema?.reset());
  afterAll(async () => schema?.drop());
  messageLogConformance('PostgreSQL', open);
  outboxConformance('PostgreSQL', open);
  acknowledgementConformance('PostgreSQL', open);
  auditConformance('PostgreSQL', open, async (sql) => {
    await schema!.pool().query(sql);
  });
  mappingChangesConformance('PostgreSQL', open, undefined, open);
}

/** Two gateway instances on one schema: what only several connections at once can show. */
describe.skipIf(skip)('PostgreSQL message store: two instances on one schema', () => {
  let schema: TestSchema | undefined;
  afterEach(async () => {
    await schema?.drop();
    schema = undefined;
  });
  async function twoInstances(): Promise<[PostgresMessageStore, PostgresMessageStore]> {
    schema = await freshSchema();
    return [new PostgresMessageStore(new PostgresSession(schema.pool())), new PostgresMessageStore(new PostgresSession(schema.pool()))];
  }

  it('accepting the same record at once stores it once; both answer with the same message ids', async () => {
    const [a, b] = await twoInstances();
    const results = await Promise.all([a.accept(sourceRecord('SAME'), [newMessage(1)], T0), b.accept(sourceRecord('SAME'), [newMessage(2)], T0)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0].messages).toEqual(results[1].messages);
    expect((await a.search({}, 10)).items).toHaveLength(1);
  });

  it('overlapping batches in opposite orders both commit (records are taken in one order, so no deadlock)', async () => {
    const [a, b] = await twoInstances();
    const items = Array.from({ length: 40 }, (_, i) => ({ record: sourceRecord(`OVER-${i}`), messages: [newMessage(100 + i)] }));
    const reversed = items.map(({ record }, i) => ({ record, messages: [newMessage(200 + i)] })).reverse();
    const [first, second] = await Promise.all([a.acceptBatch(items, T0), b.acceptBatch(reversed, T0)]);
    expect(first.filter((r) => r.created).length + second.filter((r) => r.created).length).toBe(40);
    expect(first.map((r) => r.messages)).toEqual([...second].reverse().map((r) => r.messages));
  });

  it('of two instances claiming one message at once exactly one gets it', async () => {
    const [a, b] = await twoInstances();
    await a.accept(sourceRecord('RACE'), [newMessage(1)], T0);
    const claims = await Promise.all([a.claimById(messageId(1), T0, LEASE_MS, 'a'), b.claimById(messageId(1), T0, LEASE_MS, 'b')]);
    expect(claims.map((c) => c.state).sort()).toEqual(['claimed', 'leased']);
  });

  it("an instance's late mark of a job another instance handed out since changes nothing", async () => {
    const [a, b] = await twoInstances();
    await a.accept(sourceRecord('MARK'), [newMessage(1)], T0);
    expect((await b.unpublished(10)).map((m) => m.id)).toEqual([messageId(1)]);
    // b's relay is slow to confirm; a hands the same job out meanwhile (as after a retry was scheduled).
    expect((await a.unpublished(10)).map((m) => m.id)).toEqual([messageId(1)]);
    await b.markPublished([messageId(1)]);
    expect(await a.unpublishedCount()).toBe(1);
    await a.markPublished([messageId(1)]);
    expect(await a.unpublishedCount()).toBe(0);
  });

  it('one partner message id pushed at once for two of our messages: one is recorded, the other is its conflict', async () => {
    const [a, b] = await twoInstances();
    await a.accept(sourceRecord('ACK'), [newMessage(1), newMessage(2)], T0);
    const push = (store: PostgresMessageStore, n: number) =>
      store.acknowledge(
        {
          messageId: messageId(n),
          partner: PARTNER,
          partnerMessageId: 'P-SAME',
          acknowledgement: { stage: 'received' },
          payload: Buffer.from(`ack for ${n}`),
          payloadSha256: `sha-${n}`,
          clientCertificate: 'c',
          signerCertificate: 's',
          receipt: { status: 202, headers: {}, body: Buffer.alloc(0) },
        },
        T0,
      );
    const results = await Promise.all([push(a, 1), push(b, 2)]);
    expect(results.map((r) => r.state).sort()).toEqual(['conflict', 'recorded']);
  });

  it('keeps record versions beyond 32 bits, as SQLite does', async () => {
    const [a] = await twoInstances();
    await a.accept(sourceRecord('BIG', 3_000_000_000), [newMessage(1)], T0);
    expect((await a.get(messageId(1)))?.recordVersion).toBe(3_000_000_000);
  });
});
