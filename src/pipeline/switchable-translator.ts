// A translator that can be replaced while records are translated: each record is translated by one translator, old or new, and the old one closes once its last record is done.
import type { Translation, Translator } from './translator.js';

/** A translator, what readies it before it takes records (a worker pool's threads loading), and what closes it. */
export type ClosableTranslator = Translator & { warm?(): Promise<void>; close?(): Promise<void> };

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
  private readonly retiring = new Set<Promise<void>>();

  /** @param onRetireFailure told when a replaced translator fails to close (its records were all translated; the new one is in use) */
  constructor(
    first: ClosableTranslator,
    private readonly onRetireFailure: (error: unknown) => void,
  ) {
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

  /**
   * Routes new records to `next` from now on (it should be warmed first: this cannot fail); the
   * previous translator is closed in the background after its last record, and {@link close} waits for that.
   */
  swap(next: ClosableTranslator): void {
    const previous = this.current;
    this.current = { translator: next, inFlight: 0 };
    const retired = (async () => {
      if (previous.inFlight > 0) await new Promise<void>((resolve) => (previous.drained = resolve));
      await previous.translator.close?.();
    })().catch(this.onRetireFailure);
    this.retiring.add(retired);
    void retired.finally(() => this.retiring.delete(retired));
  }

  /** Waits for replaced translators to finish and close, then closes the current one. */
  async close(): Promise<void> {
    await Promise.all([...this.retiring]);
    await this.current.translator.close?.();
  }
}
