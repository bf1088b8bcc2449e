// Load for the e2e benchmark: records posted one per request, closed loop (N clients, each waiting for its answer) or open loop (a fixed rate), timed to ingest and to the partner stand-in.
import { Agent, request } from 'undici';

/** Where to post and how to learn what reached the partner. */
export interface LoadTarget {
  /** Posts one record; resolves when answered, throws unless it was accepted (202). */
  post(record: unknown, client: number): Promise<void>;
  /** How many messages the partner stand-in has taken so far. */
  taken(): Promise<number>;
}

/** What one load run measured. */
export interface LoadFigures {
  records: number;
  /** Records delivered per second: all of them over the time from the first post until the stand-in had the last. */
  deliveredPerSecond: number;
  ingestP50Ms: number;
  ingestP99Ms: number;
  /** Open loop: messages not yet delivered when the last record was posted, and how long they took to drain. */
  backlogAtEnd?: number;
  drainMs?: number;
  /** CPU time the system under test spent (all its processes and threads) per record, when measured. */
  cpuMsPerRecord?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Waits until the stand-in has taken `count` more than `base`; resolves with the time it got there. */
async function deliveredAll(target: LoadTarget, base: number, count: number, timeoutMs = 600_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await target.taken()) - base >= count) return performance.now();
    if (performance.now() > deadline) throw new Error(`the partner stand-in took ${(await target.taken()) - base} of ${count} messages`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `clients` clients post `records` one per request, each waiting for its answer before the next. */
export async function closedLoop(target: LoadTarget, records: readonly unknown[], clients: number): Promise<LoadFigures> {
  const base = await target.taken();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (next < records.length) {
        const record = records[next++];
        const t = performance.now();
        await target.post(record, client);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const done = await deliveredAll(target, base, records.length);
  latencies.sort((a, b) => a - b);
  return { records: records.length, deliveredPerSecond: (records.length * 1000) / (done - started), ingestP50Ms: percentile(latencies, 0.5), ingestP99Ms: percentile(latencies, 0.99) };
}

/** Posts `records` at `perSecond`, whatever the answers take (each post on its own), then waits for delivery. */
export async function openLoop(target: LoadTarget, records: readonly unknown[], perSecond: number): Promise<LoadFigures> {
  const base = await target.taken();
  const latencies: number[] = [];
  const started = performance.now();
  const posts: Array<Promise<void>> = [];
  for (let i = 0; i < records.length; i += 1) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    posts.push(target.post(records[i], i).then(() => void latencies.push(performance.now() - t)));
  }
  const offeredUntil = performance.now();
  const backlogAtEnd = records.length - ((await target.taken()) - base);
  await Promise.all(posts);
  const done = await deliveredAll(target, base, records.length);
  latencies.sort((a, b) => a - b);
  return {
    records: records.length,
    deliveredPerSecond: (records.length * 1000) / (done - started),
    ingestP50Ms: percentile(latencies, 0.5),
    ingestP99Ms: percentile(latencies, 0.99),
    backlogAtEnd,
    drainMs: done - offeredUntil,
  };
}

/** A target posting JSON to `urls[client % urls.length] + path` (with `headers`), counting at the stand-in's `/taken`. */
export function httpTarget(urls: readonly string[], path: string, headers: Record<string, string>, standIn: string, connections: number): LoadTarget & { close(): Promise<void> } {
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 60_000 });
  return {
    async post(record, client) {
      const res = await request(`${urls[client % urls.length]}${path}`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(record) });
      const body = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}: ${body.slice(0, 300)}`);
    },
    async taken() {
      const res = await request(`${standIn}/taken`, { dispatcher: agent });
      return ((await res.body.json()) as { taken: number }).taken;
    },
    close: () => agent.close(),
  };
}
