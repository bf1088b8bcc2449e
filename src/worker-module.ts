// Starts a worker thread on one of the gateway's modules, whether the gateway runs compiled (dist) or from its TypeScript sources (tsx).
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker running the module at `url` (`.js` when compiled, `.ts` under tsx). A worker does not
 * inherit the loader of the thread that starts it, so from TypeScript sources a small bootstrap
 * registers tsx's loader in the worker before importing the module.
 */
export function startModuleWorker(url: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** A Buffer over the same bytes, for values that crossed a thread as Uint8Array. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The bytes in an array of their own, to post to a thread: a small Buffer is a view of a shared
 * 8 KiB pool, and posting a view copies its whole backing store.
 */
export function ownBytes(bytes: Buffer): Buffer {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(new Uint8Array(bytes).buffer);
}

/** The extension of this build's modules: `.ts` under tsx, `.js` compiled. */
export const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
