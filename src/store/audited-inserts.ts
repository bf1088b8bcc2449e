// The audit trail's tables and which rows of the log are audit events: written once, turned into each store's schema and triggers.
import { GENESIS_HASH } from '../audit/audit-hash.js';

/**
 * One table whose inserted rows the audit trail records. Each field is an SQL expression over `NEW`
 * that SQLite and PostgreSQL read alike, so one list drives both stores' triggers and every state
 * change is recorded whichever code path writes it, in the transaction that writes it.
 */
export interface AuditedInsert {
  table: string;
  /** Who did it (the gateway when unset). */
  actor?: string;
  /** When it happened, epoch ms. */
  at: string;
  action: string;
  subject: string;
  detail: string;
}

const MESSAGE_CREATED_DETAIL =
  "(SELECT m.partner || ' ' || m.message_type || ' by mapping ' || m.mapping_id || ' v' || m.mapping_version || ' sha256 ' || m.mapping_sha256 FROM messages m WHERE m.id = NEW.message_id)";

/** Every audited insert: records accepted, messages created, their attempts and status changes, acknowledgements, inbound messages and refusals. */
export const AUDITED_INSERTS: readonly AuditedInsert[] = [
  {
    table: 'records',
    actor: "COALESCE(NEW.accepted_by, 'gateway')",
    at: 'NEW.received_at',
    action: "'record.accepted'",
    subject: "'record:' || NEW.type || '/' || NEW.record_id || '/' || NEW.version",
    detail: "''",
  },
  {
    table: 'status_changes',
    at: 'NEW.at',
    action: `CASE WHEN NEW.from_status IS NULL THEN 'message.created'
      WHEN NEW.to_status = 'pending' AND NEW.from_status = 'pending' THEN 'message.retry-scheduled'
      WHEN NEW.to_status = 'pending' THEN 'message.resent'
      ELSE 'message.' || NEW.to_status END`,
    subject: "'message:' || NEW.message_id",
    detail: `CASE WHEN NEW.from_status IS NULL THEN COALESCE(${MESSAGE_CREATED_DETAIL}, '') ELSE NEW.reason END`,
  },
  {
    table: 'attempts',
    at: 'NEW.started_at + NEW.duration_ms',
    action: "'message.attempted'",
    subject: "'message:' || NEW.message_id",
    detail: "'attempt ' || NEW.number || ': ' || NEW.outcome || COALESCE(' HTTP ' || NEW.http_status, '') || COALESCE(' code ' || NEW.partner_code, '') || COALESCE(': ' || NEW.error, '')",
  },
  {
    table: 'acknowledgements',
    at: 'NEW.received_at',
    action: "'message.acknowledged'",
    subject: "'message:' || NEW.message_id",
    detail: "NEW.stage || ' ' || NEW.effect || ' (partner message ' || NEW.partner_message_id || ')' || COALESCE(' code ' || NEW.code, '')",
  },
  {
    table: 'inbound_changes',
    at: 'NEW.at',
    action: "'inbound.' || NEW.status",
    subject: "'message:' || NEW.inbound_id",
    detail: 'NEW.reason',
  },
  {
    table: 'inbound_refusals',
    at: 'NEW.received_at',
    action: "'inbound.refused'",
    subject: "'partner:' || NEW.partner",
    detail: "NEW.code || ': ' || NEW.reason",
  },
];

/**
 * The trail's tables in either dialect: events, the head (one row: last position and hash, written by
 * the migration) and signed checkpoints. `bigint` is the dialect's 64-bit integer type; `key` the
 * collation clause of the indexed subject column.
 */
export function auditTablesSql(bigint: string, key: string): string {
  return `
CREATE TABLE audit_events (
  seq       ${bigint} PRIMARY KEY,
  at        ${bigint} NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT ${key} NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  ${bigint} NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
CREATE TABLE audit_checkpoints (
  seq       ${bigint} PRIMARY KEY,
  hash      TEXT NOT NULL,
  at        ${bigint} NOT NULL,
  signature TEXT NOT NULL
);`;
}

/** The columns an AuditEvent is read from. */
export const AUDIT_EVENT_COLUMNS = 'seq, at, actor, action, subject, detail, prev_hash AS "prevHash", hash';
