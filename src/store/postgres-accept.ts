// Accepting records on PostgreSQL in a fixed number of statements whatever their count: records, messages, keys, status changes and events, each one INSERT over arrays.
import type { AcceptResult, NewMessage, SourceRecord } from './message-store.js';
import { transformedEvent } from './message-events.js';
import type { Sql } from './postgres-session.js';

type Items = ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>;
type Summary = AcceptResult['messages'][number];

/** Orders records by type, id and version (code units, as the C collation does). */
function compareRecords(a: SourceRecord, b: SourceRecord): number {
  return a.type < b.type ? -1 : a.type > b.type ? 1 : a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : a.version - b.version;
}

/** The unique key of a record, as one string. */
function keyOf(record: Pick<SourceRecord, 'type' | 'recordId' | 'version'>): string {
  return `${record.type}\u0000${record.recordId}\u0000${record.version}`;
}

function summary({ id, partner, messageType }: NewMessage): Summary {
  return { id, partner, messageType };
}

/** A new message with the row of its record and its position there. */
interface Placed {
  record: SourceRecord;
  row: number;
  position: number;
  message: NewMessage;
}

/** Inserts the records that are new; returns the row of each one inserted, by key. */
async function insertRecords(sql: Sql, records: readonly SourceRecord[], now: number): Promise<Map<string, number>> {
  // Rows go in in the order given (sorted), so instances accepting overlapping batches wait on each other's keys without deadlock.
  const { rows } = await sql.query<{ row: number; type: string; recordId: string; version: number }>(
    `INSERT INTO records (type, record_id, version, json, received_at, accepted_by)
     SELECT t, r, v, j, $5, a FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $6::text[]) WITH ORDINALITY AS u(t, r, v, j, a, n) ORDER BY n
     ON CONFLICT (type, record_id, version) DO NOTHING
     RETURNING id AS row, type, record_id AS "recordId", version`,
    [records.map((r) => r.type), records.map((r) => r.recordId), records.map((r) => r.version), records.map((r) => r.json), now, records.map((r) => r.acceptedBy ?? null)],
  );
  return new Map(rows.map((r) => [keyOf(r), r.row]));
}

/** Inserts new messages with their keys, their first status change and their `transformed` event, in four statements. */
async function insertMessages(sql: Sql, placed: readonly Placed[], now: number): Promise<void> {
  const column = <T>(pick: (p: Placed) => T): T[] => placed.map(pick);
  await sql.query(
    `INSERT INTO messages (id, record_row, position, partner, message_type, mapping_id, mapping_version, mapping_sha256,
       payload, payload_sha256, extension, status, attempts, next_attempt_at, job_state, created_at, updated_at)
     SELECT id, row, pos, partner, type, mid, mversion, msha, payload, psha, ext, 'pending', 0, due, 'unpublished', $12, $12
     FROM unnest($1::text[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bytea[], $10::text[], $11::text[], $13::bigint[])
       AS u(id, row, pos, partner, type, mid, mversion, msha, payload, psha, ext, due)`,
    [
      column((p) => p.message.id),
      column((p) => p.row),
      column((p) => p.position),
      column((p) => p.message.partner),
      column((p) => p.message.messageType),
      column((p) => p.message.mapping.id),
      column((p) => p.message.mapping.version),
      column((p) => p.message.mapping.sha256),
      column((p) => p.message.payload),
      column((p) => p.message.payloadSha256),
      column((p) => p.message.extension),
      now,
      column((p) => now + (p.message.delayMs ?? 0)),
    ],
  );
  const keys = placed.flatMap((p) => Object.entries(p.message.businessKeys).map(([name, value]) => [p.message.id, name, value] as const));
  if (keys.length > 0) {
    await sql.query('INSERT INTO message_keys (message_id, name, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])', [
      keys.map((k) => k[0]),
      keys.map((k) => k[1]),
      keys.map((k) => k[2]),
    ]);
  }
  await sql.query(`INSERT INTO status_changes (message_id, at, from_status, to_status, reason) SELECT id, $2, NULL, 'pending', 'accepted' FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`, [
    column((p) => p.message.id),
    now,
  ]);
  const events = placed.map((p) => transformedEvent(p.record, p.message, now));
  await sql.query(
    `INSERT INTO diagnostic_events (at, kind, partner, message_id, inbound_id, detail)
     SELECT $1, 'transformed', partner, id, NULL, detail FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(partner, id, detail, n) ORDER BY n`,
    [now, events.map((e) => e.partner), events.map((e) => e.messageId), events.map((e) => e.detail)],
  );
}

/** The messages of records accepted before (by this batch's first copy, or earlier), by record key. */
async function storedMessages(sql: Sql, records: readonly SourceRecord[]): Promise<Map<string, Summary[]>> {
  const found = new Map<string, Summary[]>();
  if (records.length === 0) return found;
  const { rows } = await sql.query<Summary & { type: string; recordId: string; version: number }>(
    `SELECT r.type, r.record_id AS "recordId", r.version, m.id, m.partner, m.message_type AS "messageType"
     FROM records r JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS u(t, i, v) ON r.type = u.t AND r.record_id = u.i AND r.version = u.v
     JOIN messages m ON m.record_row = r.id ORDER BY r.id, m.position`,
    [records.map((r) => r.type), records.map((r) => r.recordId), records.map((r) => r.version)],
  );
  for (const { type, recordId, version, ...message } of rows) {
    const key = keyOf({ type, recordId, version });
    found.set(key, [...(found.get(key) ?? []), message]);
  }
  return found;
}

/**
 * Accepts `items` in the caller's transaction, each record at most once: a record new to the log is
 * stored with its messages (`created`), one already there, or earlier in the same batch, is answered
 * with the messages stored the first time. The first copy in (type, id, version) order wins; results
 * are in the order of `items`. At most six statements, whatever the batch's size.
 */
export async function acceptRecords(sql: Sql, items: Items, now: number): Promise<AcceptResult[]> {
  const order = items.map((_, i) => i).sort((a, b) => compareRecords(items[a]!.record, items[b]!.record));
  const firsts = new Map<string, number>();
  for (const i of order) if (!firsts.has(keyOf(items[i]!.record))) firsts.set(keyOf(items[i]!.record), i);
  const candidates = [...firsts.values()];
  const created = await insertRecords(sql, candidates.map((i) => items[i]!.record), now);
  const placed = candidates.flatMap((i) => {
    const { record, messages } = items[i]!;
    const row = created.get(keyOf(record));
    return row === undefined ? [] : messages.map((message, position) => ({ record, row, position, message }));
  });
  if (placed.length > 0) await insertMessages(sql, placed, now);
  const stored = await storedMessages(sql, candidates.filter((i) => !created.has(keyOf(items[i]!.record))).map((i) => items[i]!.record));
  return items.map(({ record, messages }, i) => {
    const key = keyOf(record);
    if (firsts.get(key) === i && created.has(key)) return { created: true, messages: messages.map(summary) };
    const first = items[firsts.get(key)!]!;
    return { created: false, messages: created.has(key) ? first.messages.map(summary) : (stored.get(key) ?? []) };
  });
}
