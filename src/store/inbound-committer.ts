// How the inbound store commits a group of pushes: on its own connection, or in a commit worker thread with a connection of its own.
import type { Worker } from 'node:worker_threads';
import { GatewayError } from '../errors.js';
import { asBuffer, MODULE_EXT, ownBytes, startModuleWorker } from '../worker-module.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { GroupItem, GroupOutcome, InboundWrites } from './sqlite-inbound-writes.js';

/** Commits groups durably (synchronous FULL), one at a time; outcomes in input order. */
export interface Committer {
  /** @throws GatewayError GW_ERR_STORE_UNAVAILABLE when the group could not be committed at all. */
  commit(group: GroupItem[]): Promise<GroupOutcome[]>;
  /** Stops the worker, if any; idempotent. */
  close(): Promise<void>;
}

function unavailable(reason: string): GatewayError {
  return new GatewayError('GW_ERR_STORE_UNAVAILABLE', `the inbound log could not commit: ${reason}`);
}

/** Commits on the store's own connection, after the current turn of the event loop, so what arrives meanwhile joins the group. */
export function connectionCommitter(connection: SqliteConnection, writes: InboundWrites): Committer {
  return {
    commit: (group) =>
      new Promise((resolve) => setImmediate(resolve)).then(
        () => connection.durable(() => writes.acceptGroup(group)),
      ).catch((error: unknown) => {
        throw unavailable((error as Error).message);
      }),
    close: async () => undefined,
  };
}

/** The push with its bytes in arrays of their own (see {@link ownBytes}). */
function own(item: GroupItem): GroupItem {
  const { message } = item;
  return { ...item, message: { ...message, payload: ownBytes(message.payload), receipt: { ...message.receipt, body: ownBytes(message.receipt.body) } } };
}

/** Duplicate receipts come back as Uint8Array views: make them Buffers. */
function withBuffers(outcomes: GroupOutcome[]): GroupOutcome[] {
  for (const outcome of outcomes) if ('result' in outcome && outcome.result.state === 'duplicate') outcome.result.receipt.body = asBuffer(outcome.result.receipt.body);
  return outcomes;
}

/**
 * Commits in a worker thread on its own connection to `file` (WAL lets the store's connection read
 * meanwhile). The worker starts with the first commit and again after it died; a group in flight when
 * it dies fails as unavailable, and nothing of it may be assumed committed or not, which the pushes'
 * deduplication makes safe to repeat.
 * @param options.autocheckpoint false when a checkpoint worker checkpoints the file (the store's connection says)
 */
export function workerCommitter(file: string, options: { autocheckpoint: boolean } = { autocheckpoint: true }): Committer {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve(outcomes: GroupOutcome[]): void; reject(error: unknown): void }>();
  const failAll = (reason: string): void => {
    for (const { reject } of waiting.values()) reject(unavailable(reason));
    waiting.clear();
  };
  const start = (): Worker => {
    const started = startModuleWorker(new URL(`./inbound-commit-worker${MODULE_EXT}`, import.meta.url), { workerData: { file, autocheckpoint: options.autocheckpoint } });
    started.on('message', (reply: { id: number; outcomes?: GroupOutcome[]; failure?: string }) => {
      const pending = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.outcomes) pending?.resolve(withBuffers(reply.outcomes));
      else pending?.reject(unavailable(reply.failure ?? 'no answer'));
    });
    started.on('error', (error) => failAll(error.message));
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      failAll(`the commit worker stopped (${code})`);
    });
    started.unref();
    return started;
  };
  return {
    commit(group) {
      worker ??= start();
      const id = next++;
      const promise = new Promise<GroupOutcome[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.ref();
      worker.postMessage({ id, group: group.map(own) });
      return promise.finally(() => {
        if (waiting.size === 0) worker?.unref();
      });
    },
    async close() {
      const running = worker;
      worker = undefined;
      await running?.terminate();
    },
  };
}
