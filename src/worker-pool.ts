// A pool of worker threads running one of the gateway's modules: requests to the least busy thread, questions from the threads answered here, dead threads replaced.
import { parentPort, type Worker } from 'node:worker_threads';
import { GatewayError, type ErrorCode, type ErrorDetail } from './errors.js';
import { startModuleWorker } from './worker-module.js';

/** Why a request failed in a thread: a GatewayError keeps its code and detail across. */
interface Failure {
  message: string;
  code?: ErrorCode;
  detail?: ErrorDetail;
}

/** Thread → server's thread: ready for requests, the answer to request `id`, or a question the work needs answered. */
type FromWorker<R> = { ready: true } | { id: number; result: R } | { id: number; failure: Failure } | { ask: number; question: unknown };

/** Server's thread → thread: a request, or the answer to a question. */
type ToWorker<Q> = { id: number; request: Q } | { ask: number; answer: unknown } | { ask: number; failure: Failure };

/** What {@link createWorkerPool} needs. */
export interface WorkerPoolOptions {
  /** The module each thread runs; it calls {@link serveRequests}. */
  url: URL;
  workerData: unknown;
  /** Threads at most; each starts with the first request it is given. */
  size: number;
  /** Answers the questions threads ask (such as a look-up in the message log only this thread may make). */
  answer?: (question: unknown) => Promise<unknown>;
  /** What the threads are for, in error messages ("push reader"). */
  name: string;
}

/** Requests run in worker threads. */
export interface WorkerPool<Q, R> {
  /**
   * Runs `request` on the thread with the fewest requests waiting.
   * @throws GatewayError as the thread threw it (same code and detail)
   * @throws Error when the thread failed or stopped before answering, or threw anything else
   */
  run(request: Q): Promise<R>;
  /**
   * Starts every thread not running yet and resolves once all are ready for requests (their module
   * loaded whatever it loads first).
   * @throws Error when a thread failed or stopped while starting
   */
  warm(): Promise<void>;
  /** Takes no more requests, waits for those running, then stops the threads. Idempotent. */
  close(): Promise<void>;
}

interface PoolThread<R> {
  worker: Worker;
  waiting: Map<number, { resolve(result: R): void; reject(error: Error): void }>;
  /** Resolves when the thread serves requests; rejects when it fails or stops before. */
  ready: Promise<void>;
}

/** The error a thread threw, on this side. */
function rebuilt({ message, code, detail }: Failure, name: string): Error {
  if (code === undefined) return new Error(`${name} thread failed on a request: ${message}`);
  return new GatewayError(code, message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message, detail ?? {});
}

/** What a thread posts for an error its work threw. */
function failureOf(error: unknown): Failure {
  if (error instanceof GatewayError) return { message: error.message, code: error.code, detail: error.detail };
  return { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Starts threads lazily: a request goes to the first free slot's new thread or to the thread with the
 * fewest requests waiting. A thread that dies fails its waiting requests and is replaced on the next
 * request. Idle threads do not keep the process alive.
 */
export function createWorkerPool<Q, R>(options: WorkerPoolOptions): WorkerPool<Q, R> {
  const slots: Array<PoolThread<R> | undefined> = Array.from({ length: options.size }, () => undefined);
  let next = 0;
  let closing = false;
  const running = new Set<Promise<unknown>>();

  const start = (slot: number): PoolThread<R> => {
    const worker = startModuleWorker(options.url, { workerData: options.workerData });
    let isReady!: () => void;
    let notReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((isReady = resolve), (notReady = reject)));
    // Only warm() waits for it: an unawaited failure is the requests' to report.
    ready.catch(() => undefined);
    const thread: PoolThread<R> = { worker, waiting: new Map(), ready };
    const fail = (reason: string): void => {
      notReady(new Error(`${options.name} thread ${reason}`));
      if (slots[slot] === thread) slots[slot] = undefined;
      for (const { reject } of thread.waiting.values()) reject(new Error(`${options.name} thread ${reason}`));
      thread.waiting.clear();
    };
    worker.on('message', (message: FromWorker<R>) => {
      if ('ready' in message) return isReady();
      if ('ask' in message) return void answer(worker, message.ask, message.question);
      const waiting = thread.waiting.get(message.id);
      thread.waiting.delete(message.id);
      if (thread.waiting.size === 0) worker.unref();
      if ('result' in message) waiting?.resolve(message.result);
      else waiting?.reject(rebuilt(message.failure, options.name));
    });
    worker.on('error', (error) => fail(`failed: ${error.message}`));
    // A message that cannot be read belongs to no known request: fail them all and replace the thread.
    worker.on('messageerror', (error) => {
      fail(`sent a message that could not be read: ${error.message}`);
      void worker.terminate();
    });
    worker.on('exit', (code) => fail(`stopped (${code})`));
    worker.unref();
    slots[slot] = thread;
    return thread;
  };

  const answer = async (worker: Worker, ask: number, question: unknown): Promise<void> => {
    let reply: ToWorker<never>;
    try {
      if (!options.answer) throw new Error('this pool answers no questions');
      reply = { ask, answer: await options.answer(question) };
    } catch (error) {
      reply = { ask, failure: failureOf(error) };
    }
    try {
      worker.postMessage(reply);
    } catch (error) {
      // An answer that cannot cross threads: the question fails instead.
      worker.postMessage({ ask, failure: { message: `the answer could not be sent: ${(error as Error).message}` } } satisfies ToWorker<never>);
    }
  };

  const least = (): PoolThread<R> => {
    let best: PoolThread<R> | undefined;
    for (let slot = 0; slot < options.size; slot++) {
      const thread = slots[slot];
      if (!thread) return start(slot);
      if (!best || thread.waiting.size < best.waiting.size) best = thread;
    }
    return best as PoolThread<R>;
  };

  return {
    run(request) {
      if (closing) return Promise.reject(new Error(`${options.name} threads are closing`));
      const thread = least();
      const id = next++;
      const result = new Promise<R>((resolve, reject) => {
        thread.waiting.set(id, { resolve, reject });
        thread.worker.ref();
        thread.worker.postMessage({ id, request } satisfies ToWorker<Q>);
      });
      running.add(result);
      void result.then(
        () => running.delete(result),
        () => running.delete(result),
      );
      return result;
    },
    async warm() {
      if (closing) throw new Error(`${options.name} threads are closing`);
      await Promise.all(slots.map((thread, slot) => (thread ?? start(slot)).ready));
    },
    async close() {
      closing = true;
      await Promise.allSettled([...running]);
      await Promise.all(slots.map((thread) => thread?.worker.terminate()));
    },
  };
}

/**
 * The thread's side: handles every request the pool posts with `handle`, which may `ask` the
 * server's thread a question (answered by the pool's `answer`). A throw answers the request with a failure.
 */
export function serveRequests<Q, R>(handle: (request: Q, ask: (question: unknown) => Promise<unknown>) => Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests runs in a worker thread');
  const asked = new Map<number, { resolve(answer: unknown): void; reject(error: Error): void }>();
  let nextAsk = 0;
  const ask = (question: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextAsk++;
      asked.set(id, { resolve, reject });
      port.postMessage({ ask: id, question } satisfies FromWorker<never>);
    });
  port.on('message', (message: ToWorker<Q>) => {
    if ('ask' in message) {
      const waiting = asked.get(message.ask);
      asked.delete(message.ask);
      if ('answer' in message) waiting?.resolve(message.answer);
      else waiting?.reject(rebuilt(message.failure, 'server'));
      return;
    }
    void handle(message.request, ask).then(
      (result) => port.postMessage({ id: message.id, result } satisfies FromWorker<R>),
      (error: unknown) => {
        try {
          port.postMessage({ id: message.id, failure: failureOf(error) } satisfies FromWorker<R>);
        } catch {
          // A detail that cannot cross threads: the message alone.
          port.postMessage({ id: message.id, failure: { message: (error as Error).message } } satisfies FromWorker<R>);
        }
      },
    );
  });
  port.postMessage({ ready: true } satisfies FromWorker<never>);
}
