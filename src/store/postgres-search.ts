// Search over both directions of the PostgreSQL log (each side's newest rows by the filters given, using its indexes, merged newest first, one page at a time) and the business keys of the messages listed.
import type { MessageFilter, MessageSummary, Page } from './message-store.js';
import type { Sql } from './postgres-session.js';
import { groupKeys, pageFrom, type Cursor } from './search-page.js';

/** Filters a search applies to each side of the log (`direction` chooses the sides). */
type RowFilter = Exclude<keyof MessageFilter, 'direction'>;

const ROW_FILTERS: readonly RowFilter[] = ['key', 'partner', 'status', 'type', 'from', 'to'];

/** One direction of the log as search reads it: its rows, and the SQL condition of each filter on a placeholder. */
interface LogSide {
  direction: 'out' | 'in';
  from: string;
  columns: string;
  filters: Readonly<Record<RowFilter, (p: string) => string>>;
  /** Its creation time and id columns, the order of its newest-first indexes. */
  createdAt: string;
  id: string;
}

const LOG_SIDES: readonly LogSide[] = [
  {
    direction: 'out',
    from: 'messages m JOIN records r ON r.id = m.record_row',
    columns: `'out' AS direction, m.id, m.partner, m.message_type AS "messageType", r.type AS "recordType", r.record_id AS "recordId",
      r.version AS "recordVersion", m.status, m.attempts, m.created_at AS "createdAt", m.updated_at AS "updatedAt", m.next_attempt_at AS "nextAttemptAt"`,
    filters: {
      key: (p) => `m.id IN (SELECT k.message_id FROM message_keys k WHERE k.value = ${p})`,
      partner: (p) => `m.partner = ${p}`,
      status: (p) => `m.status = ${p}`,
      type: (p) => `m.message_type = ${p}`,
      from: (p) => `m.created_at >= ${p}`,
      to: (p) => `m.created_at < ${p}`,
    },
    createdAt: 'm.created_at',
    id: 'm.id',
  },
  {
    direction: 'in',
    from: 'inbound_messages i',
    columns: `'in' AS direction, i.id, i.partner, i.message_type AS "messageType", i.record_type AS "recordType", i.record_id AS "recordId",
      i.record_version AS "recordVersion", i.status, i.handover_attempts AS attempts, i.received_at AS "createdAt", i.updated_at AS "updatedAt",
      i.handover_due AS "nextAttemptAt"`,
    filters: {
      key: (p) => `i.id IN (SELECT k.inbound_id FROM inbound_keys k WHERE k.value = ${p})`,
      partner: (p) => `i.partner = ${p}`,
      status: (p) => `i.status = ${p}`,
      type: (p) => `i.message_type = ${p}`,
      from: (p) => `i.received_at >= ${p}`,
      to: (p) => `i.received_at < ${p}`,
    },
    createdAt: 'i.received_at',
    id: 'i.id',
  },
];

/** Each message's business keys, outbound or inbound. */
export async function keysOf(sql: Sql, ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql.query<{ messageId: string; name: string; value: string }>(
    `SELECT * FROM (
       SELECT message_id AS "messageId", name, value FROM message_keys WHERE message_id = ANY($1::text[])
       UNION ALL
       SELECT inbound_id AS "messageId", name, value FROM inbound_keys WHERE inbound_id = ANY($1::text[])
     ) AS k ORDER BY name COLLATE "C"`,
    [ids],
  );
  return groupKeys(rows);
}

type SummaryRow = Omit<MessageSummary, 'businessKeys'>;

/**
 * One page of the log, newest first (by creation time, then id), after `after` when given.
 */
export async function searchPostgresLog(
  sql: Sql,
  filter: MessageFilter,
  size: number,
  after: Cursor | undefined,
): Promise<Page<MessageSummary>> {
  // PostgreSQL text holds no NUL character, so a filter value with one matches nothing (and would be refused by the server).
  if (ROW_FILTERS.some((name) => typeof filter[name] === 'string' && (filter[name] as string).includes('\u0000'))) return { items: [] };
  const values: unknown[] = [];
  const bind = (value: unknown): string => `$${values.push(value)}`;
  const bound = ROW_FILTERS.filter((name) => filter[name] !== undefined).map((name) => [name, bind(filter[name])] as const);
  const cursor = after && { at: bind(after.at), id: bind(after.id) };
  const limit = bind(size + 1);
  const sides = LOG_SIDES.filter((side) => filter.direction === undefined || side.direction === filter.direction).map((side) => {
    const conditions = bound.map(([name, p]) => side.filters[name](p));
    if (cursor) conditions.push(`(${side.createdAt}, ${side.id}) < (${cursor.at}::bigint, ${cursor.id}::text)`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return `(SELECT ${side.columns} FROM ${side.from} ${where} ORDER BY ${side.createdAt} DESC, ${side.id} DESC LIMIT ${limit})`;
  });
  const { rows } = await sql.query<SummaryRow>(`SELECT * FROM (${sides.join(' UNION ALL ')}) AS log ORDER BY "createdAt" DESC, id DESC LIMIT ${limit}`, values);
  const keys = await keysOf(sql, rows.slice(0, size).map((row) => row.id));
  return pageFrom(rows, size, (items) => items.map((row) => ({ ...row, businessKeys: keys.get(row.id) ?? {} }) as MessageSummary));
}
