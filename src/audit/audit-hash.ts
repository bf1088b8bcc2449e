// The audit trail's hash chain: how one event's hash is computed from the previous event's hash and its own fields.
import { createHash } from 'node:crypto';

/** The hash the first event of the trail chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** One event of the audit trail as it is stored. */
export interface AuditEvent {
  /** Position in the trail, 1 for the first event; consecutive. */
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  /** Who did it: `gateway` for the gateway's own state changes, else the API client's name. */
  actor: string;
  /** What happened: `record.accepted`, `message.created`, `message.delivered`, `payload.viewed` … */
  action: string;
  /** What it concerns: `message:<id>`, `record:<type>/<id>/<version>`, `partner:<id>`, `gateway`. */
  subject: string;
  /** Free text: the reason, the outcome, the figures. */
  detail: string;
  prevHash: string;
  hash: string;
}

/** An event to append: the trail gives it its position and hashes. */
export type NewAuditEvent = Pick<AuditEvent, 'at' | 'actor' | 'action' | 'subject' | 'detail'>;

function field(value: string): string {
  return `${Buffer.byteLength(value, 'utf8')}:${value}`;
}

/**
 * The text an event's hash is taken over: `prev|seq|at|` then actor, action, subject and detail, each
 * prefixed with its UTF-8 length so no two events share a text. The SQL of both stores computes the
 * same text (`gw_audit_hash` in SQLite is this function; PostgreSQL's is written in SQL).
 */
export function auditHashInput(prevHash: string, seq: number, at: number, actor: string, action: string, subject: string, detail: string): string {
  return `${prevHash}|${seq}|${at}|${field(actor)}|${field(action)}|${field(subject)}|${field(detail)}`;
}

/** SHA-256 (hex) of {@link auditHashInput}. */
export function auditHash(prevHash: string, seq: number, at: number, actor: string, action: string, subject: string, detail: string): string {
  return createHash('sha256').update(auditHashInput(prevHash, seq, at, actor, action, subject, detail), 'utf8').digest('hex');
}
