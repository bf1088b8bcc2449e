// Reads pushes in worker threads, so verification and mapping run beside the server's thread: a pool started on first use.
import type { GatewayConfig } from '../config.js';
import { MODULE_EXT, ownBytes } from '../worker-module.js';
import { createWorkerPool } from '../worker-pool.js';
import type { PushReader, PushReading, PushToRead } from './push-reader.js';

/** What a reader thread is given: the gateway's configuration and the mapping texts the server's thread compiled. */
export interface ReaderWorkerData {
  config: GatewayConfig;
  mappingFiles: ReadonlyMap<string, string>;
}

/** What a dead or failing worker's reads are answered with: an internal refusal the partner may retry. */
function lost(reason: string): PushReading {
  return { ok: false, code: 'GW_ERR_INTERNAL', reason: 'the push could not be processed', stage: 'document', internal: reason };
}

/**
 * A reader over `size` worker threads, each loading the setup of `config` itself (adapters, schemas and
 * keys: what the server's thread loaded, read again from the same files) with the mapping texts of
 * `mappingFiles`, those the server's thread compiled. A read
 * goes to the worker with the fewest reads waiting. A worker that dies answers its waiting reads as
 * internal refusals and is replaced on the next read.
 */
export function createReaderPool(config: GatewayConfig, mappingFiles: ReadonlyMap<string, string>, size: number): PushReader {
  const workerData: ReaderWorkerData = { config, mappingFiles };
  const pool = createWorkerPool<PushToRead, PushReading>({ url: new URL(`./reader-worker${MODULE_EXT}`, import.meta.url), workerData, size, name: 'push reader' });
  return {
    read: (push) => pool.run({ ...push, body: ownBytes(push.body) }).catch((error: Error) => lost(error.message)),
    close: () => pool.close(),
  };
}
