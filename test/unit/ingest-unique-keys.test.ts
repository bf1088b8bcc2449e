// Ingest keeps a message type's unique business keys unique: a record whose document would reuse a reference another record's message holds is refused; the same record again is a repeat.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngest } from '../../src/pipeline/ingest.js';
import type { Translation, Translator } from '../../src/pipeline/translator.js';
import type { CaisRecord } from '../../src/records/record-types.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';

/** A translator giving each record one document whose `interchange` key is the record's `ref`, unique for the partner. */
const translator: Translator = {
  async translate(value) {
    const record = value as CaisRecord & { ref: string };
    const bytes = Buffer.from(`UNB+${record.ref}+${record.recordId}+${record.version}`);
    const translation: Translation = {
      ok: true,
      record,
      documents: [
        { partner: 'uz-customs', message: 'cusdec', mapping: { id: 'm', version: 1, sha256: '' }, businessKeys: { interchange: record.ref, other: 'shared' }, bytes, sha256: '0', extension: 'edi', signed: false, uniqueKeys: ['interchange'] },
      ],
    };
    return translation;
  },
};

describe('ingest: unique business keys', () => {
  let store: MessageStore;
  beforeEach(async () => {
    store = await openSqliteMessageStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('refuses a record whose document reuses another record\'s reference, takes the same record again as a repeat, and leaves other keys free', async () => {
    const ingest = createIngest({ translator, store, accepted: () => undefined });
    const record = (recordId: string, ref: string, version = 1) => ({ type: 'declaration.cargo', recordId, version, ref });
    expect((await ingest.accept([record('A', 'KZ000000000001')]))[0]).toMatchObject({ status: 'accepted' });
    expect((await ingest.accept([record('A', 'KZ000000000001')]))[0]).toMatchObject({ status: 'duplicate' });
    // Another record with the same reference: refused, naming the holder; with another reference (same `other` key): taken.
    const [clash] = await ingest.accept([record('B', 'KZ000000000001')]);
    expect(clash).toMatchObject({ status: 'rejected', violations: [{ code: 'GW_ERR_KEY_NOT_UNIQUE', pointer: '/businessKeys/interchange', target: 'uz-customs/cusdec' }] });
    expect(clash!.status === 'rejected' && clash!.violations[0]!.message).toContain('declaration.cargo A version 1');
    expect((await ingest.accept([record('B', 'KZ000000000002')]))[0]).toMatchObject({ status: 'accepted' });
    // A later version of A is another record version: it needs its own reference.
    expect((await ingest.accept([record('A', 'KZ000000000001', 2)]))[0]).toMatchObject({ status: 'rejected' });
    expect((await store.search({ partner: 'uz-customs' }, 10)).items).toHaveLength(2);
    // Two records of one request with one reference: the first is taken, the second refused.
    const [c, d] = await ingest.accept([record('C', 'KZ000000000003'), record('D', 'KZ000000000003')]);
    expect([c!.status, d!.status]).toEqual(['accepted', 'rejected']);
    expect(d!.status === 'rejected' && d!.violations[0]!.message).toContain('declaration.cargo C version 1');
  });
});
