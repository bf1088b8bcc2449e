// Worker threads behind the translation and push-reading pools: answers, questions to the server's thread, errors that keep their code, a dead thread replaced, a graceful close.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { createWorkerPool, type WorkerPool } from '../../src/worker-pool.js';
import type { PoolTestRequest } from '../support/pool-test-worker.js';

let pool: WorkerPool<PoolTestRequest, unknown> | undefined;
afterEach(async () => pool?.close());

function open(size = 1): WorkerPool<PoolTestRequest, unknown> {
  pool = createWorkerPool<PoolTestRequest, unknown>({
    url: new URL('../support/pool-test-worker.ts', import.meta.url),
    workerData: {},
    size,
    name: 'test',
    answer: async (question) => {
      if (question === 'unavailable') throw new GatewayError('GW_ERR_STORE_UNAVAILABLE', 'the log is down', { file: 'x.sqlite' });
      return `${String(question)}!`;
    },
  });
  return pool;
}

describe('worker pool', () => {
  it('answers each request with its own result, across threads', async () => {
    const threads = open(2);
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((echo) => threads.run({ echo })));
    expect(answers).toEqual(['a', 'b', 'c', 'd']);
  });

  it("answers a thread's question on the server's thread", async () => {
    expect(await open().run({ ask: 'previous document' })).toBe('answered: previous document!');
  });

  it("fails a thread's question with the GatewayError the server's thread threw, code and detail kept both ways", async () => {
    const error = await open().run({ ask: 'unavailable' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GW_ERR_STORE_UNAVAILABLE', message: 'GW_ERR_STORE_UNAVAILABLE: the log is down', detail: { file: 'x.sqlite' } });
  });

  it('rethrows a GatewayError thrown in a thread with its code and detail', async () => {
    const error = await open().run({ gatewayError: 'field missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GW_ERR_REQUEST_INVALID', message: 'GW_ERR_REQUEST_INVALID: field missing', detail: { pointer: '/x' } });
  });

  it('fails the requests of a thread that dies, and starts a new thread for the next one', async () => {
    const threads = open();
    const waiting = threads.run({ slow: 2_000 });
    const dying = threads.run({ exit: 3 });
    await expect(dying).rejects.toThrow(/test thread stopped \(3\)/);
    await expect(waiting).rejects.toThrow(/test thread stopped \(3\)/);
    expect(await threads.run({ echo: 'again' })).toBe('again');
  });

  it('close() waits for the requests running, then refuses new ones', async () => {
    const threads = open();
    const running = threads.run({ slow: 200 });
    await threads.close();
    expect(await running).toBe('slept 200');
    await expect(threads.run({ echo: 'late' })).rejects.toThrow(/closing/);
  });
});
