// Swapping translators: new records go to the new one at once, a record in flight finishes with the old one, which closes only after it; close() waits for that.
import { describe, expect, it } from 'vitest';
import { SwitchableTranslator, type ClosableTranslator } from '../../src/pipeline/switchable-translator.js';
import type { Translation } from '../../src/pipeline/translator.js';

/** A translator whose translations wait for `release`, recording what it translated and when it closed. */
function held(name: string, log: string[]) {
  const waiting: Array<() => void> = [];
  const translator: ClosableTranslator = {
    async translate(value) {
      log.push(`${name} starts ${String(value)}`);
      await new Promise<void>((r) => waiting.push(r));
      log.push(`${name} ends ${String(value)}`);
      return { ok: false, problems: [{ code: 'GW_ERR_RECORD_INVALID', pointer: '', message: name }] } as Translation;
    },
    async close() {
      log.push(`${name} closed`);
    },
  };
  return { translator, release: () => waiting.splice(0).forEach((r) => r()) };
}

describe('switchable translator', () => {
  it('sends new records to the next translator at once and closes the previous one after its last record', async () => {
    const log: string[] = [];
    const old = held('old', log);
    const next = held('new', log);
    const switchable = new SwitchableTranslator(old.translator, () => undefined);
    const first = switchable.translate('r1');
    switchable.swap(next.translator);
    const second = switchable.translate('r2');
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['old starts r1', 'new starts r2']);
    next.release();
    await second;
    expect(log).not.toContain('old closed');
    const closed = switchable.close();
    await new Promise((r) => setImmediate(r));
    expect(log).not.toContain('new closed');
    old.release();
    await Promise.all([first, closed]);
    expect(log).toEqual(['old starts r1', 'new starts r2', 'new ends r2', 'old ends r1', 'old closed', 'new closed']);
    expect(((await first) as { problems: Array<{ message: string }> }).problems[0]?.message).toBe('old');
  });

  it('closes an idle previous translator at once', async () => {
    const log: string[] = [];
    const switchable = new SwitchableTranslator(held('old', log).translator, () => undefined);
    switchable.swap(held('new', log).translator);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['old closed']);
  });

  it('reports a previous translator that fails to close, and keeps translating with the new one', async () => {
    const log: string[] = [];
    const failures: unknown[] = [];
    const broken: ClosableTranslator = { ...held('old', log).translator, close: () => Promise.reject(new Error('thread stuck')) };
    const next = held('new', log);
    const switchable = new SwitchableTranslator(broken, (error) => failures.push(error));
    switchable.swap(next.translator);
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual([new Error('thread stuck')]);
    const translated = switchable.translate('r3');
    next.release();
    expect(((await translated) as { problems: Array<{ message: string }> }).problems[0]?.message).toBe('new');
  });
});
