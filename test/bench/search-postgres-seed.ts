// Seeds a PostgreSQL schema for the search benchmark: millions of one-message records written by the server itself (generate_series), in the shape the store's accept writes.
import type pg from 'pg';

/** What a seeded log holds: `total` records of one message each, created evenly over `days` days ending at `end`. */
export interface SeedShape {
  total: number;
  end: number;
  days: number;
  partners: readonly string[];
}

const DAY_MS = 86_400_000;
const CHUNK = 500_000;

/**
 * The carnet number of the n-th seeded termination (n from 0), as SQL over the column `n`; the same
 * numbers as the SQLite seeding's carnetOf.
 */
const CARNET_SQL = `'DX' || lpad((30000000 + n)::text, 8, '0')`;

/**
 * Writes records, messages and their business keys (carnet number, customs office) for `n` in
 * [first, last], in one transaction (status changes, which search never reads, are left out). The times and partners follow the SQLite
 * seeding: message n is created at end − days + n × step, for partner n mod |partners|.
 */
async function seedChunk(pool: pg.Pool, shape: SeedShape, first: number, last: number): Promise<void> {
  const step = (shape.days * DAY_MS) / shape.total;
  const start = shape.end - shape.days * DAY_MS;
  const at = `(${start} + floor(n * ${step}))::bigint`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO records (id, type, record_id, version, json, received_at)
       SELECT n + 1, 'tir.termination', 'KZ-TT-BENCH-' || n, 1, json_build_object('recordId', 'KZ-TT-BENCH-' || n, 'carnetNumber', ${CARNET_SQL})::text, ${at}
       FROM generate_series($1::bigint, $2::bigint) n`,
      [first, last],
    );
    await client.query(
      `INSERT INTO messages (id, record_row, position, partner, message_type, mapping_id, mapping_version, mapping_sha256, payload, payload_sha256,
         extension, status, attempts, next_attempt_at, job_state, created_at, updated_at)
       SELECT md5('bench-' || n)::uuid::text, n + 1, 0, ($3::text[])[n % array_length($3::text[], 1) + 1], 'safetir-upload', 'bench', 1, repeat('0', 64), p, encode(sha256(p), 'hex'),
         'xml', 'pending', 0, ${at}, 'published', ${at}, ${at}
       FROM generate_series($1::bigint, $2::bigint) n,
         LATERAL (SELECT convert_to('<SafeTIR xmlns="http://www.iru.org/SafeTIRUpload"><Record TNO="' || ${CARNET_SQL} || '" COF="KZ554010"/></SafeTIR>', 'UTF8') AS p) payload`,
      [first, last, shape.partners],
    );
    await client.query(
      `INSERT INTO message_keys (message_id, name, value)
       SELECT md5('bench-' || n)::uuid::text, k.name, CASE k.name WHEN 'carnetNumber' THEN ${CARNET_SQL} ELSE 'KZ554010' END
       FROM generate_series($1::bigint, $2::bigint) n, (VALUES ('carnetNumber'), ('customsOffice')) k(name)`,
      [first, last],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** How many messages the schema's log holds. */
export async function seededCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: number }>('SELECT COUNT(*) AS count FROM messages');
  return rows[0]?.count ?? 0;
}

/** The tables seeding writes (the foreign keys of other tables that point at them are set aside too). */
const SEEDED = ['records', 'messages', 'message_keys'];

/** What the migrations made on the seeded tables, as SQL that makes it again: indexes, then keys, then foreign keys. */
interface Definitions {
  drop: string[];
  create: string[];
}

/**
 * Reads the indexes and constraints of the seeded tables from the catalogue (whatever the migrations
 * made), so seeding can write without them and build each once at the end, which is many times faster.
 */
async function definitionsOf(pool: pg.Pool): Promise<Definitions> {
  const constraints = await pool.query<{ table: string; name: string; def: string; type: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS def, c.contype AS type
     FROM pg_constraint c WHERE (c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u', 'f')) OR (c.contype = 'f' AND c.confrelid = ANY($1::regclass[]))`,
    [SEEDED],
  );
  const indexes = await pool.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
     WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [SEEDED],
  );
  const foreign = constraints.rows.filter((c) => c.type === 'f');
  const keys = constraints.rows.filter((c) => c.type !== 'f');
  const add = (c: { table: string; name: string; def: string }): string => `ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} ${c.def}`;
  const dropConstraint = (c: { table: string; name: string }): string => `ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}`;
  return {
    drop: [...foreign.map(dropConstraint), ...keys.map(dropConstraint), ...indexes.rows.map((i) => `DROP INDEX ${i.name}`)],
    create: [...indexes.rows.map((i) => i.def), ...keys.map(add), ...foreign.map(add)],
  };
}

/**
 * Seeds an empty, migrated schema with `shape.total` messages in chunks of half a million, reporting
 * progress: its indexes and constraints are dropped first and built again at the end; then the
 * records' id sequence moves past the seeded ids and the planner's statistics are refreshed.
 * @returns messages written per second, index builds included
 */
export async function seedPostgresLog(pool: pg.Pool, shape: SeedShape, progress: (done: number | 'indexes') => void): Promise<number> {
  const started = performance.now();
  const definitions = await definitionsOf(pool);
  for (const sql of definitions.drop) await pool.query(sql);
  for (let first = 0; first < shape.total; first += CHUNK) {
    const last = Math.min(shape.total, first + CHUNK) - 1;
    await seedChunk(pool, shape, first, last);
    progress(last + 1);
  }
  progress('indexes');
  const client = await pool.connect();
  try {
    await client.query("SET maintenance_work_mem = '1GB'");
    for (const sql of definitions.create) await client.query(sql);
  } finally {
    client.release(true);
  }
  await pool.query(`SELECT setval(pg_get_serial_sequence('records', 'id'), $1)`, [shape.total]);
  await pool.query('ANALYZE');
  return (shape.total * 1000) / (performance.now() - started);
}
