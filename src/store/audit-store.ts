// The audit trail's role in the store: append events, read them by subject or in order, and keep signed checkpoints of its head.
import type { AuditEvent, NewAuditEvent } from '../audit/audit-hash.js';

/** A signed statement of the trail's head: how many events it had and the last one's hash, at a time. */
export interface AuditCheckpoint {
  /** The last event's position (the trail's size). */
  seq: number;
  /** The last event's hash. */
  hash: string;
  /** Epoch milliseconds when it was signed. */
  at: number;
  /** The gateway's signature (base64) over {@link checkpointText}. */
  signature: string;
}

/**
 * The append-only, hash-chained audit trail. State changes of the log are appended by the store's own
 * triggers in the transaction that makes them; the gateway appends what happens outside the log
 * (payload viewed, export made, login, configuration loaded, resend requested).
 */
export interface AuditStore {
  /** Appends events in order, durably, before it resolves. */
  appendAudit(events: readonly NewAuditEvent[]): Promise<void>;
  /** The events concerning one subject (`message:<id>` …), oldest first, at most `limit`. */
  auditTrail(subject: string, limit: number): Promise<AuditEvent[]>;
  /** Events after position `afterSeq`, in order, at most `limit` (for verification). */
  auditEvents(afterSeq: number, limit: number): Promise<AuditEvent[]>;
  /** The head the store believes in: the last position it gave and its hash. */
  auditHead(): Promise<{ seq: number; hash: string }>;
  /** Stores a signed checkpoint; one per position: resolves false, storing nothing, when the position has one already. */
  saveAuditCheckpoint(checkpoint: AuditCheckpoint): Promise<boolean>;
  /** Every checkpoint, oldest first. */
  auditCheckpoints(): Promise<AuditCheckpoint[]>;
}
