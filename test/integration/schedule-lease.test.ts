// Schedules under a lease in the log: of two gateway instances on one SQLite file only one runs a schedule, and the other takes over when it stops or its lease lapses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { PartnerRegistry } from '../../src/partners/partner-registry.js';
import type { PartnerRuntime } from '../../src/partners/partner-runtime.js';
import { collectPartnerServices } from '../../src/partners/partner-services.js';
import { holdScheduleLease, releaseScheduleLease } from '../../src/partners/schedule-lease.js';
import type { LookupTranslator } from '../../src/pipeline/lookup-translator.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-schedule-lease-'));
const opened: MessageStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});
function instanceOn(file: string): MessageStore {
  const store = openSqliteMessageStore(join(dir, file));
  opened.push(store);
  return store;
}

describe('schedule leases', () => {
  it('one holder at a time; it renews; a lapsed or released lease passes to another', async () => {
    const [a, b] = [instanceOn('lease.db'), instanceOn('lease.db')];
    const T = 1_767_225_600_000;
    expect(await holdScheduleLease(a, 'iru-safetir', 'pull', 'A', T, 1000)).toBe(true);
    expect(await holdScheduleLease(b, 'iru-safetir', 'pull', 'B', T + 10, 1000)).toBe(false);
    expect(await holdScheduleLease(a, 'iru-safetir', 'pull', 'A', T + 900, 1000)).toBe(true);
    expect(await holdScheduleLease(b, 'iru-safetir', 'pull', 'B', T + 1500, 1000)).toBe(false);
    expect(await holdScheduleLease(b, 'iru-safetir', 'pull', 'B', T + 1901, 1000)).toBe(true);
    expect(await holdScheduleLease(a, 'iru-safetir', 'pull', 'A', T + 1950, 1000)).toBe(false);
    await releaseScheduleLease(a, 'iru-safetir', 'pull', 'A', T + 1960);
    expect(await holdScheduleLease(a, 'iru-safetir', 'pull', 'A', T + 1970, 1000)).toBe(false);
    await releaseScheduleLease(b, 'iru-safetir', 'pull', 'B', T + 1980);
    expect(await holdScheduleLease(a, 'iru-safetir', 'pull', 'A', T + 1990, 1000)).toBe(true);
    // Another partner's schedule of the same name is a lease of its own.
    expect(await holdScheduleLease(b, 'eaeu-ru', 'pull', 'B', T + 1990, 1000)).toBe(true);
  });

  it('two instances on one log: only one runs the schedule; when it stops, the other takes over', { timeout: 20_000 }, async () => {
    const runs = { first: 0, second: 0 };
    const servicesOn = (store: MessageStore, name: keyof typeof runs) => {
      // A registry of one partner with one schedule: all the services need of it.
      const partners = { partners: [{ id: 'demo', adapter: 'demo', schedules: [{ name: 'tick', everyMs: 40, run: async () => void runs[name]++ }] }] } as unknown as PartnerRegistry;
      return collectPartnerServices({ partners, runtime: {} as PartnerRuntime, store, lookups: {} as LookupTranslator, logger: createLogger('silent') });
    };
    const stops = { first: servicesOn(instanceOn('two.db'), 'first').startSchedules(), second: servicesOn(instanceOn('two.db'), 'second').startSchedules() };
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      const [holder, other] = runs.first > 0 ? (['first', 'second'] as const) : (['second', 'first'] as const);
      expect(runs[holder]).toBeGreaterThan(5);
      expect(runs[other]).toBe(0);
      await stops[holder]();
      const before = runs[other];
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(runs[other] - before).toBeGreaterThan(3);
    } finally {
      await Promise.all([stops.first(), stops.second()]);
    }
  });
});
