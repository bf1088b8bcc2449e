// The mapping-history role of every store: changes appended at the position they name, read back in order, and of two appends at one position exactly one kept.
import { describe, expect, it } from 'vitest';
import type { MappingChange } from '../../src/store/mapping-change-store.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { eachFreshStore, T0 } from './store-fixtures.js';

function change(id: string, version: number, overrides: Partial<MappingChange> = {}): MappingChange {
  return { id, version, sha256: `${version}`.repeat(64).slice(0, 64), path: `p/${id}.yaml`, text: `id: ${id}\nversion: ${version}\n# ünïcode ✓\n`, by: 'anna', at: T0 + version, kind: 'activated', ...overrides };
}

/**
 * The history of mapping versions every store keeps. `open` returns a fresh store before each test;
 * `second`, when given, opens another store on the same database (another gateway instance).
 */
export function mappingChangesConformance(name: string, open: () => Promise<MessageStore>, cleanup?: () => Promise<void>, second?: () => Promise<MessageStore>): void {
  describe(`mapping history conformance: ${name}`, () => {
    let store!: MessageStore;
    eachFreshStore(open, cleanup, (fresh) => (store = fresh));

    it('reads back each mapping\'s changes in the order of their positions, exactly as appended', async () => {
      expect(await store.mappingChanges.mappingChanges()).toEqual([]);
      expect(await store.mappingChanges.mappingChangeCount()).toBe(0);
      const pending = change('m.b', 3, { kind: 'pending', intent: 'rolled-back' });
      expect(await store.mappingChanges.appendMappingChange(change('m.b', 2, { kind: 'found', by: 'file' }), 1)).toBe(true);
      expect(await store.mappingChanges.appendMappingChange(change('m.a', 7), 1)).toBe(true);
      expect(await store.mappingChanges.appendMappingChange(pending, 2)).toBe(true);
      expect(await store.mappingChanges.mappingChanges()).toEqual([change('m.a', 7), change('m.b', 2, { kind: 'found', by: 'file' }), pending]);
      expect(await store.mappingChanges.mappingChangeCount()).toBe(3);
    });

    it('keeps the first change appended at a position and refuses another there, storing nothing', async () => {
      expect(await store.mappingChanges.appendMappingChange(change('m.a', 3), 1)).toBe(true);
      expect(await store.mappingChanges.appendMappingChange(change('m.a', 4), 1)).toBe(false);
      expect((await store.mappingChanges.mappingChanges()).map((c) => c.version)).toEqual([3]);
    });

    it.skipIf(!second)('of two instances appending at the same position at once, exactly one succeeds', async () => {
      const other = await second!();
      try {
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).mappingChanges.appendMappingChange(change('m.race', 10 + i), 1)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const kept = await other.mappingChanges.mappingChanges();
        expect(kept).toHaveLength(1);
        expect(kept[0]!.version).toBe(10 + results.indexOf(true));
      } finally {
        await other.close();
      }
    });
  });
}
