// Writes and reads the diagnostic events on PostgreSQL, inside the caller's transaction or on the pool.
import type { DiagnosticEvent, DiagnosticFilter } from './diagnostic-events.js';
import type { Sql } from './postgres-session.js';

const COLUMNS = 'at, kind, partner, message_id AS "messageId", inbound_id AS "inboundId", detail';

/** Records one event. */
export async function recordDiagnostic(sql: Sql, event: DiagnosticEvent): Promise<void> {
  await sql.query('INSERT INTO diagnostic_events (at, kind, partner, message_id, inbound_id, detail) VALUES ($1, $2, $3, $4, $5, $6)', [
    event.at,
    event.kind,
    event.partner,
    event.messageId,
    event.inboundId,
    event.detail,
  ]);
}

/** The events of one outbound (`message_id`) or inbound (`inbound_id`) message, oldest first. */
export async function diagnosticsOf(sql: Sql, column: 'message_id' | 'inbound_id', id: string): Promise<DiagnosticEvent[]> {
  const { rows } = await sql.query<DiagnosticEvent>(`SELECT ${COLUMNS} FROM diagnostic_events WHERE ${column} = $1 ORDER BY at, id`, [id]);
  return rows;
}

/** The newest events matching the filter, at most `limit`. */
export async function listDiagnostics(sql: Sql, filter: DiagnosticFilter, limit: number): Promise<DiagnosticEvent[]> {
  const { rows } = await sql.query<DiagnosticEvent>(
    `SELECT ${COLUMNS} FROM diagnostic_events
     WHERE ($1::text IS NULL OR partner = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::bigint IS NULL OR at >= $3) AND ($4::bigint IS NULL OR at < $4)
     ORDER BY at DESC, id DESC LIMIT $5`,
    [filter.partner ?? null, filter.kind ?? null, filter.from ?? null, filter.to ?? null, limit],
  );
  return rows;
}
