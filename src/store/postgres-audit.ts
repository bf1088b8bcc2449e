// The audit trail in PostgreSQL: its tables, the deferred triggers that chain every audited insert at commit, and the AuditStore over them.
import { GENESIS_HASH, type AuditEvent, type NewAuditEvent } from '../audit/audit-hash.js';
import { AUDIT_EVENT_COLUMNS, AUDITED_INSERTS, auditTablesSql } from './audited-inserts.js';
import type { AuditCheckpoint, AuditStore } from './audit-store.js';
import type { PostgresSession } from './postgres-session.js';

/** `gw_audit_hash` in SQL: the same text as auditHashInput (audit-hash.ts), its SHA-256 in hex. */
const HASH_FUNCTION = `
CREATE FUNCTION gw_audit_field(v TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$ SELECT octet_length(v)::text || ':' || v $$;
CREATE FUNCTION gw_audit_hash(prev TEXT, seq BIGINT, at BIGINT, actor TEXT, action TEXT, subject TEXT, detail TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev || '|' || seq || '|' || at || '|' || gw_audit_field(actor) || '|' || gw_audit_field(action) || '|'
    || gw_audit_field(subject) || '|' || gw_audit_field(detail), 'UTF8')), 'hex') $$;`;

/**
 * Appends one event: the head row's update takes its lock, so concurrent transactions chain one after
 * the other. Audited inserts call it from constraint triggers deferred to commit, so the lock is the
 * last a transaction takes and is held only while it commits.
 */
const APPEND_FUNCTION = `
CREATE FUNCTION gw_audit_append(p_at BIGINT, p_actor TEXT, p_action TEXT, p_subject TEXT, p_detail TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s BIGINT;
  prev TEXT;
  h TEXT;
BEGIN
  UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash INTO s, prev;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the audit trail has no head row (audit_head id 1): nothing can be appended to it';
  END IF;
  h := gw_audit_hash(prev, s, p_at, p_actor, p_action, p_subject, p_detail);
  UPDATE audit_head SET hash = h WHERE id = 1;
  INSERT INTO audit_events (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (s, p_at, p_actor, p_action, p_subject, p_detail, prev, h);
END $$;`;

/** Migration: events, head, checkpoints, the chain's functions and one deferred trigger per audited table. */
export const POSTGRES_AUDIT_SCHEMA = `
ALTER TABLE records ADD COLUMN accepted_by TEXT;
${auditTablesSql('BIGINT', 'COLLATE "C"')}
${HASH_FUNCTION}
${APPEND_FUNCTION}
${AUDITED_INSERTS.map(
  (a) => `CREATE FUNCTION gw_audit_${a.table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gw_audit_append((${a.at})::bigint, ${a.actor ?? "'gateway'"}, ${a.action}, ${a.subject}, ${a.detail});
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER audit_${a.table} AFTER INSERT ON ${a.table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gw_audit_${a.table}();`,
).join('\n')}
`;

/** An event as pg returns it (BIGINT as text). */
type EventRow = Omit<AuditEvent, 'seq' | 'at'> & { seq: string; at: string };

function event(row: EventRow): AuditEvent {
  return { ...row, seq: Number(row.seq), at: Number(row.at) };
}

/** The audit trail of a PostgreSQL log. */
export class PostgresAuditTrail implements AuditStore {
  constructor(private readonly session: PostgresSession) {}

  async appendAudit(events: readonly NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.session.transaction(async (sql) => {
      for (const e of events) await sql.query('SELECT gw_audit_append($1, $2, $3, $4, $5)', [e.at, e.actor, e.action, e.subject, e.detail]);
    });
  }

  async auditTrail(subject: string, limit: number): Promise<AuditEvent[]> {
    const { rows } = await this.session.query<EventRow>(`SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE subject = $1 ORDER BY seq LIMIT $2`, [subject, limit]);
    return rows.map(event);
  }

  async auditEvents(afterSeq: number, limit: number): Promise<AuditEvent[]> {
    const { rows } = await this.session.query<EventRow>(`SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
    return rows.map(event);
  }

  async auditHead(): Promise<{ seq: number; hash: string }> {
    const { rows } = await this.session.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
    const [row] = rows;
    return row === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(row.seq), hash: row.hash };
  }

  async saveAuditCheckpoint(c: AuditCheckpoint): Promise<boolean> {
    const { rowCount } = await this.session.query('INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING', [c.seq, c.hash, c.at, c.signature]);
    return rowCount === 1;
  }

  async auditCheckpoints(): Promise<AuditCheckpoint[]> {
    const { rows } = await this.session.query<{ seq: string; hash: string; at: string; signature: string }>('SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq');
    return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  }
}
