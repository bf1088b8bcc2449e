// Benchmark: message-log search at scale — by business key and by status and time window — on a SQLite log seeded with a million messages.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageStore, NewMessage, SourceRecord } from '../../src/store/message-store.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';

/** Messages seeded into the SQLite log (issue 17: one million); `--messages=N` changes it. */
const DEFAULT_MESSAGES = 1_000_000;
const BATCH = 1_000;
const DAY_MS = 86_400_000;
/** The log spans this many days; the window searches ask for one day of it. */
const DAYS = 30;
const PARTNERS = ['iru-safetir', 'eaeu-ru', 'eaeu-kg'];
const QUERIES = { key: 2_000, window: 500 };
const PAGE = 50;

function messagesWanted(): number {
  const arg = process.argv.find((a) => a.startsWith('--messages='));
  const n = arg ? Number(arg.slice('--messages='.length)) : DEFAULT_MESSAGES;
  if (!Number.isSafeInteger(n) || n < BATCH) throw new Error(`--messages must be a whole number of at least ${BATCH}`);
  return n;
}

/** The carnet number of the n-th seeded termination: unique, so a key search finds one record's messages. */
const carnetOf = (n: number): string => `DX${String(30_000_000 + n).padStart(8, '0')}`;

function seedItem(n: number): { record: SourceRecord; messages: NewMessage[] } {
  const recordId = `KZ-TT-BENCH-${n}`;
  const payload = Buffer.from(`<SafeTIR xmlns="http://www.iru.org/SafeTIRUpload"><Record TNO="${carnetOf(n)}" COF="KZ554010"/></SafeTIR>`);
  return {
    record: { type: 'tir.termination', recordId, version: 1, json: JSON.stringify({ recordId, carnetNumber: carnetOf(n) }) },
    messages: [
      {
        id: randomUUID(),
        partner: PARTNERS[n % PARTNERS.length] as string,
        messageType: 'safetir-upload',
        mapping: { id: 'bench', version: 1, sha256: '0'.repeat(64) },
        businessKeys: { carnetNumber: carnetOf(n), customsOffice: 'KZ554010' },
        payload,
        payloadSha256: createHash('sha256').update(payload).digest('hex'),
        extension: 'xml',
      },
    ],
  };
}

/** Accepts `total` one-message records, their creation times spread evenly over {@link DAYS} days ending at `end`. */
async function seed(store: MessageStore, total: number, end: number): Promise<number> {
  const started = performance.now();
  const step = (DAYS * DAY_MS) / total;
  for (let first = 0; first < total; first += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, total - first) }, (_, i) => seedItem(first + i));
    await store.acceptBatch(items, Math.round(end - DAYS * DAY_MS + first * step));
  }
  return (total * 1000) / (performance.now() - started);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Latency (ms) of `count` runs of `query`, each with its own argument. */
async function latencies(count: number, query: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await query(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** Seeds the log, then times key searches (random carnets) and one-day status windows (random days, one partner). */
export async function benchSearch(): Promise<boolean> {
  const total = messagesWanted();
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-search-'));
  const store = openSqliteMessageStore(join(dir, 'messages.db'));
  try {
    const end = Date.UTC(2026, 11, 1);
    console.log(`search benchmark — SQLite log of ${total.toLocaleString('en')} messages over ${DAYS} days (PostgreSQL: when its message log exists)`);
    const rate = await seed(store, total, end);
    console.log(`  seeded at ${rate.toFixed(0)} messages/s (acceptBatch of ${BATCH})`);
    const pick = (i: number): number => (i * 7_919 + 13) % total;
    const byKey = await latencies(QUERIES.key, async (i) => {
      const page = await store.search({ key: carnetOf(pick(i)) }, PAGE);
      if (page.items.length !== 1) throw new Error(`key search found ${page.items.length} messages for ${carnetOf(pick(i))}`);
    });
    let found = 0;
    const byWindow = await latencies(QUERIES.window, async (i) => {
      const from = end - DAYS * DAY_MS + (i % (DAYS - 1)) * DAY_MS;
      found += (await store.search({ status: 'pending', partner: PARTNERS[i % PARTNERS.length], from, to: from + DAY_MS }, PAGE)).items.length;
    });
    console.log(`  by business key            p50 ${byKey.p50.toFixed(2)} ms   p99 ${byKey.p99.toFixed(2)} ms   (${QUERIES.key} random carnets, one message each)`);
    console.log(`  by status + partner + day  p50 ${byWindow.p50.toFixed(2)} ms   p99 ${byWindow.p99.toFixed(2)} ms   (${QUERIES.window} windows, first page of ${PAGE}: ${(found / QUERIES.window).toFixed(1)} messages on average)`);
    return true;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
