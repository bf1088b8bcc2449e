// How the inbound store commits a group of pushes: on its own connection, or in a commit worker thread with a connection of its own.
import { Worker } from 'node:worker_threads';
import { GatewayError } from '../errors.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { asBuffer, type GroupItem, type GroupOutcome, type InboundWrites } from './sqlite-inbound-writes.js';

/** Commits groups durably (synchronous FULL), one at a time; outcomes in input order. */
export interface Committer {
  /** @throws GatewayError GW_ERR_STORE_UNAVAILABLE when the group could not be committed at all. */
  commit(group: GroupItem[]): Promise<GroupOutcome[]>;
  /** Stops the worker, if any; idempotent. */
  close(): Promise<void>;
}

const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * The worker's module; run from TypeScript sources (tests, `tsx`), a small bootstrap registers tsx's
 * loader in the worker first, since a worker does not inherit the loader of the thread that starts it.
 */
function workerSource(): [string | URL, { eval?: boolean }] {
  const entry = new URL(`./inbound-commit-worker${MODULE_EXT}`, import.meta.url);
  if (MODULE_EXT === '.js') return [entry, {}];
  const api = import.meta.resolve('tsx/esm/api');
  return [`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true }];
}

function unavailable(reason: string): GatewayError {
  return new GatewayError('GW_ERR_STORE_UNAVAILABLE', `the inbound log could not commit: ${reason}`);
}

/** Commits on the store's own connection, after the current turn of the event loop, so what arrives meanwhile joins the group. */
export function connectionCommitter(connection: SqliteConnection, writes: InboundWrites): Committer {
  return {
    commit: (group) =>
      new Promise((resolve, reject) =>
        setImmediate(() => {
          try {
            connection.durability('FULL');
            resolve(writes.acceptGroup(group));
          } catch (error) {
            reject(unavailable((error as Error).message));
          }
        }),
      ),
    close: async () => undefined,
  };
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
 */
export function workerCommitter(file: string): Committer {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve(outcomes: GroupOutcome[]): void; reject(error: unknown): void }>();
  const failAll = (reason: string): void => {
    for (const { reject } of waiting.values()) reject(unavailable(reason));
    waiting.clear();
  };
  const start = (): Worker => {
    const [source, kind] = workerSource();
    const started = new Worker(source, { ...kind, workerData: { file } });
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
      worker.postMessage({ id, group });
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
