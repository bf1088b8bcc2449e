// The partner-records role every store passes: adapters' own records by kind and id, found by key, and compare-and-set against other writers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartnerRecordStore } from '../../src/store/partner-record-store.js';

const T0 = 1_767_225_600_000;

/**
 * Runs the suite. `open` gives a store; `second`, when given, opens another connection to the same
 * storage (another gateway instance), so compare-and-set is checked across writers.
 */
export function partnerRecordsConformance(
  name: string,
  open: () => Promise<PartnerRecordStore & { close(): Promise<void> }>,
  second?: () => Promise<PartnerRecordStore & { close(): Promise<void> }>,
  cleanup?: () => Promise<void>,
): void {
  describe(`PartnerRecordStore conformance: ${name}`, () => {
    let store: PartnerRecordStore & { close(): Promise<void> };
    let other: (PartnerRecordStore & { close(): Promise<void> }) | undefined;

    beforeEach(async () => {
      store = await open();
      other = second ? await second() : undefined;
    });
    afterEach(async () => {
      await other?.close();
      await store.close();
      await cleanup?.();
    });

    it('stores, replaces, finds by key and lists newest first, per partner and kind', async () => {
      await store.putPartnerRecord('iru-safetir', 'reconciliation', 'R1', 'DX25123456', { status: 'open' }, T0);
      await store.putPartnerRecord('iru-safetir', 'reconciliation', 'R2', 'XQ25999999', { status: 'open' }, T0 + 1);
      await store.putPartnerRecord('iru-safetir', 'reconciliation', 'R1', 'DX25123456', { status: 'answered' }, T0 + 2);
      await store.putPartnerRecord('eaeu-ru', 'reconciliation', 'R1', 'DX25123456', { other: true }, T0 + 3);
      expect(await store.getPartnerRecord('iru-safetir', 'reconciliation', 'R1')).toEqual({ status: 'answered' });
      expect(await store.getPartnerRecord('iru-safetir', 'other-kind', 'R1')).toBeUndefined();
      expect((await store.listPartnerRecords('iru-safetir', 'reconciliation')).map((r) => [r.id, r.updatedAt])).toEqual([
        ['R1', T0 + 2],
        ['R2', T0 + 1],
      ]);
      expect((await store.listPartnerRecords('iru-safetir', 'reconciliation', 'XQ25999999')).map((r) => r.value)).toEqual([{ status: 'open' }]);
    });

    it('counts revisions from 1, one more per write, and reads value and revision together', async () => {
      expect(await store.readPartnerRecord('iru-safetir', 'k', 'A')).toBeUndefined();
      await store.putPartnerRecord('iru-safetir', 'k', 'A', 'key', { n: 1 }, T0);
      expect(await store.readPartnerRecord('iru-safetir', 'k', 'A')).toEqual({ value: { n: 1 }, revision: 1 });
      await store.putPartnerRecord('iru-safetir', 'k', 'A', 'key', { n: 2 }, T0 + 1);
      expect(await store.readPartnerRecord('iru-safetir', 'k', 'A')).toEqual({ value: { n: 2 }, revision: 2 });
    });

    it('compare-and-set writes only at the expected revision, or creates only what does not exist', async () => {
      expect(await store.swapPartnerRecord('iru-safetir', 'k', 'B', 'key', { v: 'first' }, null, T0)).toBe(true);
      expect(await store.swapPartnerRecord('iru-safetir', 'k', 'B', 'key', { v: 'again' }, null, T0)).toBe(false);
      expect(await store.swapPartnerRecord('iru-safetir', 'k', 'B', 'key', { v: 'stale' }, 7, T0)).toBe(false);
      expect(await store.swapPartnerRecord('iru-safetir', 'k', 'B', 'other-key', { v: 'second' }, 1, T0 + 1)).toBe(true);
      expect(await store.readPartnerRecord('iru-safetir', 'k', 'B')).toEqual({ value: { v: 'second' }, revision: 2 });
      expect((await store.listPartnerRecords('iru-safetir', 'k', 'other-key')).map((r) => r.id)).toEqual(['B']);
      expect(await store.swapPartnerRecord('iru-safetir', 'k', 'missing', 'key', {}, 1, T0)).toBe(false);
      expect(await store.readPartnerRecord('iru-safetir', 'k', 'missing')).toBeUndefined();
    });

    it('between two writers on the same storage, exactly one of two swaps from the same revision wins', async () => {
      if (!other) return;
      await store.putPartnerRecord('iru-safetir', 'k', 'C', 'key', { holder: null }, T0);
      const seen = await other.readPartnerRecord('iru-safetir', 'k', 'C');
      expect(seen?.revision).toBe(1);
      const results = await Promise.all([
        store.swapPartnerRecord('iru-safetir', 'k', 'C', 'key', { holder: 'first' }, 1, T0 + 1),
        other.swapPartnerRecord('iru-safetir', 'k', 'C', 'key', { holder: 'second' }, 1, T0 + 1),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? 'first' : 'second';
      expect(await other.getPartnerRecord('iru-safetir', 'k', 'C')).toEqual({ holder: winner });
    });
  });
}
