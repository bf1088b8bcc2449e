// Benchmark: message-log search at scale — by business key and by status and time window — on a SQLite log of a million messages and a PostgreSQL log of ten million.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageStore, NewMessage, SourceRecord } from '../../src/store/message-store.js';
import { migratePostgres, openPostgresPool, shownPostgresUrl } from '../../src/store/postgres-connection.js';
import { PostgresMessageStore } from '../../src/store/postgres-message-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { PostgresSession } from '../../src/store/postgres-session.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { seededCount, seedPostgresLog } from './search-postgres-seed.js';

/** Messages seeded into the SQLite log (issue 17: one million); `--messages=N` changes it. */
const DEFAULT_MESSAGES = 1_000_000;
/** Messages seeded into the PostgreSQL log (issue 17: ten million); `--pg-messages=N` changes it, 0 leaves PostgreSQL out. */
const DEFAULT_PG_MESSAGES = 10_000_000;
/** The target: search by business key, p99 at most this on PostgreSQL. */
const PG_KEY_P99_MS = 20;
/** PostgreSQL for the benchmark (`GATEWAY_BENCH_DATABASE_URL`, or the local server). */
const PG_URL = process.env.GATEWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 1_000;
const DAY_MS = 86_400_000;
/** The log spans this many days; the window searches ask for one day of it. */
const DAYS = 30;
const PARTNERS = ['iru-safetir', 'eaeu-ru', 'eaeu-kg'];
const QUERIES = { key: 2_000, window: 500 };
const PAGE = 50;

function countOption(name: string, fallback: number, allowZero: boolean): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isSafeInteger(n) || (n < BATCH && !(allowZero && n === 0))) throw new Error(`--${name} must be a whole number of at least ${BATCH}${allowZero ? ' (or 0)' : ''}`);
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

/** What the searches measured on one log. */
interface SearchFigures {
  byKey: { p50: number; p99: number };
  byWindow: { p50: number; p99: number };
  /** Messages on a window's first page, on average. */
  perWindow: number;
}

/** Times key searches (random carnets of the `total` seeded) and one-day status windows (random days, one partner) on a seeded log ending at `end`. */
async function measure(store: MessageStore, total: number, end: number): Promise<SearchFigures> {
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
  return { byKey, byWindow, perWindow: found / QUERIES.window };
}

function report(figures: SearchFigures): void {
  const { byKey, byWindow, perWindow } = figures;
  console.log(`  by business key            p50 ${byKey.p50.toFixed(2)} ms   p99 ${byKey.p99.toFixed(2)} ms   (${QUERIES.key} random carnets, one message each)`);
  console.log(`  by status + partner + day  p50 ${byWindow.p50.toFixed(2)} ms   p99 ${byWindow.p99.toFixed(2)} ms   (${QUERIES.window} windows, first page of ${PAGE}: ${perWindow.toFixed(1)} messages on average)`);
}

/** The SQLite log: seeded through the store's own acceptBatch, on a temporary file. */
async function sqliteFigures(total: number, end: number): Promise<SearchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-search-'));
  const store = openSqliteMessageStore(join(dir, 'messages.db'));
  try {
    console.log(`SQLite log of ${total.toLocaleString('en')} messages over ${DAYS} days`);
    const rate = await seed(store, total, end);
    console.log(`  seeded at ${rate.toFixed(0)} messages/s (acceptBatch of ${BATCH})`);
    const figures = await measure(store, total, end);
    report(figures);
    return figures;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The PostgreSQL log in schema `bench_search_<total>`: seeded by the server (search-postgres-seed.ts)
 * unless a complete earlier seeding of the same size is there (`--fresh` seeds anew), a thousand records
 * of it through the store's acceptBatch; searched through the store with its production pool settings.
 */
async function postgresFigures(total: number, end: number): Promise<SearchFigures | undefined> {
  const schema = `bench_search_${total}`;
  const admin = openPostgresPool(PG_URL, { schema, statementTimeoutMs: 0 });
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    console.log(`PostgreSQL: not reachable at ${shownPostgresUrl(PG_URL)} (${(error as Error).message}); left out`);
    await admin.end();
    return undefined;
  }
  const session = new PostgresSession(openPostgresPool(PG_URL, { schema }));
  try {
    console.log(`PostgreSQL log of ${total.toLocaleString('en')} messages over ${DAYS} days (schema ${schema})`);
    const reusable = !process.argv.includes('--fresh') && (await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1 && (await seededCount(admin).catch(() => 0)) === total;
    if (reusable) console.log('  reusing the seeding of an earlier run (--fresh seeds anew)');
    else {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await migratePostgres(admin, POSTGRES_MIGRATIONS);
      const bulk = total - BATCH;
      const rate = await seedPostgresLog(admin, { total: bulk, end, days: DAYS, partners: PARTNERS }, (done) =>
        console.log(`  ${done === 'indexes' ? 'building indexes and keys' : `${done.toLocaleString('en')} written`}`),
      );
      const store = new PostgresMessageStore(session);
      const items = Array.from({ length: BATCH }, (_, i) => seedItem(bulk + i));
      await store.acceptBatch(items, Math.round(end - DAY_MS / 2));
      await admin.query('ANALYZE');
      console.log(`  seeded at ${rate.toFixed(0)} messages/s by the server (indexes built after), the last ${BATCH} through acceptBatch`);
    }
    const figures = await measure(new PostgresMessageStore(session), total, end);
    report(figures);
    return figures;
  } finally {
    await session.pool.end();
    await admin.end();
  }
}

/** Seeds both logs, times the same searches on each, and checks the PostgreSQL target. */
export async function benchSearch(): Promise<boolean> {
  const end = Date.UTC(2026, 11, 1);
  console.log('search benchmark — the message log searched by business key and by status, partner and day');
  const sqlite = await sqliteFigures(countOption('messages', DEFAULT_MESSAGES, false), end);
  const pgTotal = countOption('pg-messages', DEFAULT_PG_MESSAGES, true);
  const postgres = pgTotal === 0 ? undefined : await postgresFigures(pgTotal, end);
  if (postgres === undefined) return true;
  console.log(`  PostgreSQL / SQLite p99: key ${(postgres.byKey.p99 / sqlite.byKey.p99).toFixed(2)}, window ${(postgres.byWindow.p99 / sqlite.byWindow.p99).toFixed(2)}`);
  const ok = postgres.byKey.p99 <= PG_KEY_P99_MS;
  console.log(`  target: PostgreSQL key search p99 ≤ ${PG_KEY_P99_MS} ms — ${ok ? 'met' : 'MISSED'}`);
  return ok;
}
