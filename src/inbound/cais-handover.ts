// The hand-over worker: takes accepted inbound records from the log's outbox and passes them to CAIS, retrying until it holds them.
import type { Logger } from 'pino';
import type { InboundStore } from '../store/inbound-store.js';
import type { HandoverTarget } from './handover-target.js';

/** How the worker paces itself. */
export interface HandoverOptions {
  /** Worker name on its leases (host, pid and a random part). */
  owner: string;
  /** How long a claimed record is ours before another worker (or we, after a crash) may take it again. */
  leaseMs: number;
  /** Records in hand at once, at most (claimed and not yet answered by the target). */
  batchSize: number;
  /** Look for due records at least this often, even without a wake-up. */
  pollMs: number;
  /** Waits before each retry of a record (the last repeats), before the scale. */
  retryDelaysMs: readonly number[];
  /** Multiplies the retry waits (tests shorten them). */
  retryDelayScale: number;
}

/** A running worker. */
export interface HandoverWorker {
  /** There may be new work: look now. */
  wake(): void;
  /** Claims no more and stops once the records in hand are answered; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the worker. Each record is leased, delivered, then marked handed over; a crash between
 * delivery and the mark delivers it once more when the lease ends (CAIS drops the repeat by its id),
 * and a record is never marked before its target confirmed it, so none is lost. Records are claimed
 * whenever there is room, not once the previous claims are all answered, so one slow answer from CAIS
 * holds up its own record only; a record whose lease ran out while its delivery is still under way here
 * is not delivered a second time alongside it.
 */
export function startHandoverWorker(store: InboundStore, target: HandoverTarget, options: HandoverOptions, logger: Logger): HandoverWorker {
  let closing = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const delayFor = (attempts: number): number => {
    const delays = options.retryDelaysMs;
    return (delays[Math.min(attempts, delays.length - 1)] ?? 1000) * options.retryDelayScale;
  };

  async function handOver(id: string, attempts: number, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      await store.completeHandover(id, options.owner, { handed: true, via: target.via }, Date.now());
    } catch (err) {
      const error = (err as Error).message;
      logger.warn({ inboundId: id, attempts: attempts + 1, err: error }, `hand-over to CAIS (${target.via}) failed; will retry`);
      await store.completeHandover(id, options.owner, { handed: false, retryAt: Date.now() + delayFor(attempts), error }, Date.now()).catch(() => undefined);
    }
  }

  /** Deliveries under way, by inbound id; each removes itself when done. */
  const inHand = new Map<string, Promise<void>>();
  /** A round stopped for want of room: the next delivery to finish looks for more work. */
  let full = false;

  async function round(): Promise<void> {
    for (;;) {
      again = false;
      const room = options.batchSize - inHand.size;
      full = room <= 0;
      if (closing || full) return;
      const claimed = await store.claimHandovers(Date.now(), room, options.leaseMs, options.owner);
      for (const h of claimed) {
        // Its lease ran out while the delivery is still under way here: the store leased it to us again; let that delivery finish.
        if (inHand.has(h.id)) continue;
        const done = handOver(h.id, h.attempts, () => target.deliver(h)).finally(() => {
          inHand.delete(h.id);
          if (full) wake();
        });
        inHand.set(h.id, done);
      }
      if (!again && claimed.length < room) return;
    }
  }

  function wake(): void {
    if (closing) return;
    if (running) {
      again = true;
      return;
    }
    running = round()
      .catch((err: unknown) => logger.error({ err }, 'hand-over round failed'))
      .finally(() => {
        running = undefined;
        if (again) wake();
      });
  }

  const tick = (): void => {
    wake();
    timer = setTimeout(tick, options.pollMs);
    timer.unref();
  };
  tick();

  let closed: Promise<void> | undefined;
  return {
    wake,
    close() {
      closed ??= (async () => {
        closing = true;
        if (timer) clearTimeout(timer);
        await running;
        await Promise.all(inHand.values());
        await target.close();
      })();
      return closed;
    },
  };
}
