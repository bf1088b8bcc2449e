// A translator that can be replaced while records are translated: each record is translated by one translator, old or new, and the old one closes once its last record is done.
import type { Translation, Translator } from './translator.js';

/** A translator and what closes it (a worker pool's threads). */
export type ClosableTranslator = Translator & { close?(): Promise<void> };

interface Current {
  translator: ClosableTranslator;
  inFlight: number;
  /** Resolves when the last translation in flight ends (set while draining). */
  drained?: () => void;
}

/**
 * Delegates to the current translator. {@link swap} makes new records go to the next one at once; a
 * record already being translated finishes with the one it started with (so a message carries the
 * mapping version that made it), and the old translator is closed after its last record.
 */
export class SwitchableTranslator implements Translator {
  private current: Current;

  constructor(first: ClosableTranslator) {
    this.current = { translator: first, inFlight: 0 };
  }

  async translate(value: unknown): Promise<Translation> {
    const used = this.current;
    used.inFlight += 1;
    try {
      return await used.translator.translate(value);
    } finally {
      used.inFlight -= 1;
      if (used.inFlight === 0) used.drained?.();
    }
  }

  /** Routes new records to `next`; resolves once the previous translator finished its records and closed. */
  async swap(next: ClosableTranslator): Promise<void> {
    const previous = this.current;
    this.current = { translator: next, inFlight: 0 };
    if (previous.inFlight > 0) await new Promise<void>((resolve) => (previous.drained = resolve));
    await previous.translator.close?.();
  }

  /** Closes the current translator. */
  async close(): Promise<void> {
    await this.current.translator.close?.();
  }
}
