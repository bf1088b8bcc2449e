// The audit trail in SQLite: its tables, the triggers that chain every audited insert, and the AuditStore over them.
import type Database from 'better-sqlite3';
import { auditHash, GENESIS_HASH, type AuditEvent, type NewAuditEvent } from '../audit/audit-hash.js';
import { AUDIT_EVENT_COLUMNS, AUDITED_INSERTS, auditTablesSql } from './audited-inserts.js';
import type { AuditCheckpoint, AuditStore } from './audit-store.js';
import type { SqliteConnection } from './sqlite-connection.js';

type Db = Database.Database;

/**
 * Migration: the events, the head (one row: last position and hash), checkpoints, and `audit_append`,
 * a view whose INSTEAD OF trigger chains each event it is given; every audited table inserts into it.
 * The chain's hash is `gw_audit_hash`, registered on every connection by {@link registerAuditHash}.
 */
export const SQLITE_AUDIT_SCHEMA = `
ALTER TABLE records ADD COLUMN accepted_by TEXT;
${auditTablesSql('INTEGER', '')}
CREATE VIEW audit_append AS SELECT at, actor, action, subject, detail FROM audit_events WHERE 0;
CREATE TRIGGER audit_append_chain INSTEAD OF INSERT ON audit_append BEGIN
  SELECT RAISE(ABORT, 'the audit trail has no head row (audit_head id 1): nothing can be appended to it') WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1);
  INSERT INTO audit_events (seq, at, actor, action, subject, detail, prev_hash, hash)
    SELECT h.seq + 1, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail, h.hash,
           gw_audit_hash(h.hash, h.seq + 1, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail)
    FROM audit_head h WHERE h.id = 1;
  UPDATE audit_head SET seq = seq + 1, hash = (SELECT e.hash FROM audit_events e WHERE e.seq = audit_head.seq + 1) WHERE id = 1;
END;
${AUDITED_INSERTS.map(
  (a) => `CREATE TRIGGER audit_${a.table} AFTER INSERT ON ${a.table} BEGIN
  INSERT INTO audit_append (at, actor, action, subject, detail) VALUES (${a.at}, ${a.actor ?? "'gateway'"}, ${a.action}, ${a.subject}, ${a.detail});
END;`,
).join('\n')}
`;

/** Registers `gw_audit_hash` (the chain's hash, {@link auditHash}) on a connection; every connection that writes the log needs it. */
export function registerAuditHash(db: Db): void {
  db.function('gw_audit_hash', { deterministic: true }, (prev: unknown, seq: unknown, at: unknown, actor: unknown, action: unknown, subject: unknown, detail: unknown) =>
    auditHash(String(prev), Number(seq), Number(at), String(actor), String(action), String(subject), String(detail)),
  );
}


/** The audit trail of a SQLite log file. */
export class SqliteAuditTrail implements AuditStore {
  private readonly append;
  private readonly bySubject;
  private readonly after;
  private readonly head;
  private readonly saveCheckpoint;
  private readonly checkpoints;

  constructor(private readonly connection: SqliteConnection) {
    const db = connection.db;
    const insert = db.prepare<[number, string, string, string, string]>('INSERT INTO audit_append (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)');
    this.append = db.transaction((events: readonly NewAuditEvent[]) => {
      for (const e of events) insert.run(e.at, e.actor, e.action, e.subject, e.detail);
    });
    this.bySubject = db.prepare<[string, number], AuditEvent>(`SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE subject = ? ORDER BY seq LIMIT ?`);
    this.after = db.prepare<[number, number], AuditEvent>(`SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.head = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.saveCheckpoint = db.prepare<[number, string, number, string]>('INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES (?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING');
    this.checkpoints = db.prepare<[], AuditCheckpoint>('SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq');
  }

  async appendAudit(events: readonly NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.connection.durable(() => this.append.immediate(events));
  }

  async auditTrail(subject: string, limit: number): Promise<AuditEvent[]> {
    return this.bySubject.all(subject, limit);
  }

  async auditEvents(afterSeq: number, limit: number): Promise<AuditEvent[]> {
    return this.after.all(afterSeq, limit);
  }

  async auditHead(): Promise<{ seq: number; hash: string }> {
    return this.head.get() ?? { seq: 0, hash: GENESIS_HASH };
  }

  async saveAuditCheckpoint(c: AuditCheckpoint): Promise<boolean> {
    return this.saveCheckpoint.run(c.seq, c.hash, c.at, c.signature).changes === 1;
  }

  async auditCheckpoints(): Promise<AuditCheckpoint[]> {
    return this.checkpoints.all();
  }
}
