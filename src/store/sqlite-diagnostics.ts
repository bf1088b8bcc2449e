// Writes and reads the diagnostic events on one SQLite connection, inside the caller's transaction.
import type Database from 'better-sqlite3';
import type { DiagnosticEvent, DiagnosticFilter } from './diagnostic-events.js';

type Db = Database.Database;

const COLUMNS = 'at, kind, partner, message_id AS messageId, inbound_id AS inboundId, detail';

/** The diagnostic events table on one connection. */
export class DiagnosticLog {
  private readonly insert;
  private readonly ofMessage;
  private readonly ofInbound;
  private readonly newest;

  constructor(db: Db) {
    this.insert = db.prepare<[number, string, string, string | null, string | null, string]>(
      'INSERT INTO diagnostic_events (at, kind, partner, message_id, inbound_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.ofMessage = db.prepare<[string], DiagnosticEvent>(`SELECT ${COLUMNS} FROM diagnostic_events WHERE message_id = ? ORDER BY at, id`);
    this.ofInbound = db.prepare<[string], DiagnosticEvent>(`SELECT ${COLUMNS} FROM diagnostic_events WHERE inbound_id = ? ORDER BY at, id`);
    this.newest = db.prepare<[Record<string, string | number | null>], DiagnosticEvent>(
      `SELECT ${COLUMNS} FROM diagnostic_events
       WHERE (@partner IS NULL OR partner = @partner) AND (@kind IS NULL OR kind = @kind) AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to)
       ORDER BY at DESC, id DESC LIMIT @limit`,
    );
  }

  /** Records one event. */
  record(event: DiagnosticEvent): void {
    this.insert.run(event.at, event.kind, event.partner, event.messageId, event.inboundId, event.detail);
  }

  /** The events of an outbound message, oldest first. */
  forMessage(id: string): DiagnosticEvent[] {
    return this.ofMessage.all(id);
  }

  /** The events of an inbound message, oldest first. */
  forInbound(id: string): DiagnosticEvent[] {
    return this.ofInbound.all(id);
  }

  /** The newest events matching the filter. */
  list(filter: DiagnosticFilter, limit: number): DiagnosticEvent[] {
    return this.newest.all({ partner: filter.partner ?? null, kind: filter.kind ?? null, from: filter.from ?? null, to: filter.to ?? null, limit });
  }
}
