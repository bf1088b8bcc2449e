// Reads pushes in worker threads, so verification and mapping run beside the server's thread: a pool started on first use.
import type { Worker } from 'node:worker_threads';
import type { GatewayConfig } from '../config.js';
import { MODULE_EXT, ownBytes, startModuleWorker } from '../worker-module.js';
import type { PushReader, PushReading, PushToRead } from './push-reader.js';

/** One worker and the reads it has not answered yet. */
interface PoolWorker {
  worker: Worker;
  waiting: Map<number, (reading: PushReading) => void>;
}

/** What a dead or failing worker's reads are answered with: an internal refusal the partner may retry. */
function lost(reason: string): PushReading {
  return { ok: false, code: 'GW_ERR_INTERNAL', reason: 'the push could not be processed', stage: 'document', internal: reason };
}

/**
 * A reader over `size` worker threads, each loading the setup of `config` itself (adapters, mapping
 * files, schemas and keys: what the server's thread loaded, read again from the same files). A read
 * goes to the worker with the fewest reads waiting. A worker that dies answers its waiting reads as
 * internal refusals and is replaced on the next read.
 */
export function createReaderPool(config: GatewayConfig, size: number): PushReader {
  const slots: Array<PoolWorker | undefined> = Array.from({ length: size }, () => undefined);
  let next = 0;
  let closing = false;

  const start = (slot: number): PoolWorker => {
    const worker = startModuleWorker(new URL(`./reader-worker${MODULE_EXT}`, import.meta.url), { workerData: { config } });
    const entry: PoolWorker = { worker, waiting: new Map() };
    const fail = (reason: string): void => {
      if (slots[slot] === entry) slots[slot] = undefined;
      for (const answer of entry.waiting.values()) answer(lost(reason));
      entry.waiting.clear();
    };
    worker.on('message', ({ id, reading }: { id: number; reading: PushReading }) => {
      const answer = entry.waiting.get(id);
      entry.waiting.delete(id);
      if (entry.waiting.size === 0) worker.unref();
      answer?.(reading);
    });
    worker.on('error', (error) => fail(`push reader thread failed: ${error.message}`));
    worker.on('exit', (code) => fail(`push reader thread stopped (${code})`));
    worker.unref();
    slots[slot] = entry;
    return entry;
  };

  const least = (): PoolWorker => {
    let best = -1;
    for (let slot = 0; slot < size; slot++) {
      const entry = slots[slot];
      if (!entry) return start(slot);
      if (best < 0 || entry.waiting.size < (slots[best]?.waiting.size ?? Infinity)) best = slot;
    }
    return slots[best] as PoolWorker;
  };

  return {
    read(push: PushToRead) {
      if (closing) return Promise.resolve(lost('the gateway is closing'));
      const entry = least();
      const id = next++;
      return new Promise((resolve) => {
        entry.waiting.set(id, resolve);
        entry.worker.ref();
        entry.worker.postMessage({ id, push: { ...push, body: ownBytes(push.body) } });
      });
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((entry) => entry?.worker.terminate()));
    },
  };
}
