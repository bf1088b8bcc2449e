// The MessageStore contract: the message log is the system of record for every message, its attempts and its status.

/** Where a message stands. `pending` covers the first try and every scheduled retry. */
export type MessageStatus = 'pending' | 'delivered' | 'failed' | 'dead-lettered' | 'needs-human';

/** The CAIS record a batch of messages came from, stored once and idempotent on (type, recordId, version). */
export interface SourceRecord {
  type: string;
  recordId: string;
  version: number;
  /** The record exactly as accepted (canonical JSON text). */
  json: string;
}

/** One document to log and deliver. */
export interface NewMessage {
  /** Our message id (UUID); travels with every delivery attempt so partners can deduplicate. */
  id: string;
  partner: string;
  messageType: string;
  mapping: { id: string; version: number; sha256: string };
  /** Values indexed for search (carnet number, declaration number …). */
  businessKeys: Record<string, string>;
  /** The exact document bytes. */
  payload: Buffer;
  /** SHA-256 (hex) of `payload`. */
  payloadSha256: string;
  /** File extension of the codec: xml, edi, json. */
  extension: string;
}

/** A message as the log summarises it in listings. */
export interface MessageSummary {
  id: string;
  partner: string;
  messageType: string;
  recordType: string;
  recordId: string;
  recordVersion: number;
  status: MessageStatus;
  attempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** When the next attempt is due (pending only), epoch milliseconds. */
  nextAttemptAt: number | null;
  businessKeys: Record<string, string>;
}

/** What happened in one delivery attempt. */
export interface AttemptRecord {
  /** 1 for the first attempt. */
  number: number;
  startedAt: number;
  durationMs: number;
  /** The partner definition's verdict. */
  outcome: 'delivered' | 'retry' | 'failed' | 'needs-human';
  httpStatus: number | null;
  /** The partner's own return or error code, when it gave one. */
  partnerCode: string | null;
  /** What went wrong, in words (null when delivered). */
  error: string | null;
}

/** One status change, for the history auditors read. */
export interface StatusChange {
  at: number;
  from: MessageStatus | null;
  to: MessageStatus;
  reason: string;
}

/** Everything the log holds about one message. */
export interface MessageDetail extends MessageSummary {
  mapping: { id: string; version: number; sha256: string };
  payloadSha256: string;
  extension: string;
  /** The source record as accepted. */
  record: unknown;
  history: StatusChange[];
  attemptLog: AttemptRecord[];
}

/** A message handed to a delivery worker, leased to it until `leaseUntil`. */
export interface ClaimedMessage {
  id: string;
  partner: string;
  messageType: string;
  payload: Buffer;
  /** Attempts made before this one. */
  attempts: number;
  leaseUntil: number;
}

/** How an attempt ends the message's current state. */
export type Transition =
  | { status: 'pending'; nextAttemptAt: number; reason: string }
  | { status: 'delivered' | 'failed' | 'dead-lettered' | 'needs-human'; reason: string };

/** Search filters of the message log; all optional and combined with AND. */
export interface MessageFilter {
  /** Any business key value (e.g. a carnet number). */
  key?: string;
  partner?: string;
  status?: MessageStatus;
  /** Partner message type. */
  type?: string;
  /** Created at or after, epoch ms. */
  from?: number;
  /** Created before, epoch ms. */
  to?: number;
}

/** A page of results; `nextCursor` is opaque and absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Result of accepting a record with its messages. */
export interface AcceptResult {
  /** False when this (type, recordId, version) had been accepted before: nothing new was stored. */
  created: boolean;
  /** The record's messages: the new ones, or those stored the first time. */
  messages: Array<{ id: string; partner: string; messageType: string }>;
}

/** Figures for /metrics and /readyz. */
export interface StoreStats {
  /** Message counts by partner and status. */
  counts: Array<{ partner: string; status: MessageStatus; count: number }>;
  /** Pending messages whose next attempt is due now or earlier. */
  due: number;
  /** Creation time of the oldest pending message, epoch ms, or null when none is pending. */
  oldestPendingCreatedAt: number | null;
}

/** The message log. Every implementation passes test/conformance/message-store.conformance.ts. */
export interface MessageStore {
  /**
   * Stores a record and its messages atomically (status pending, due at `now`). Idempotent on
   * (type, recordId, version): a repeat stores nothing and returns the first time's message ids.
   */
  accept(record: SourceRecord, messages: NewMessage[], now: number): Promise<AcceptResult>;
  /**
   * {@link accept} for several records in one transaction (one durable commit for a whole API
   * batch): all are stored, or, on any error, none. Results are in input order.
   */
  acceptBatch(items: ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>, now: number): Promise<AcceptResult[]>;
  /**
   * Leases up to `limit` due pending messages of one partner (oldest due first) to `owner` until
   * `now + leaseMs`. A message leased to someone else is not handed out again before its lease ends,
   * so a crashed worker's messages come back by themselves.
   */
  claimDue(partner: string, now: number, limit: number, leaseMs: number, owner: string): Promise<ClaimedMessage[]>;
  /**
   * Records an attempt and the resulting transition in one transaction, releasing the lease.
   * Returns false (and changes nothing) when the message is no longer leased to `owner`.
   */
  completeAttempt(id: string, owner: string, attempt: AttemptRecord, transition: Transition, now: number): Promise<boolean>;
  /** Makes a delivered-not-required message (failed, dead-lettered, needs-human) pending again, due now. False when not in such a state. */
  resend(id: string, now: number, reason: string): Promise<boolean>;
  /** Full detail of one message, or undefined. */
  get(id: string): Promise<MessageDetail | undefined>;
  /** The exact payload bytes, or undefined. */
  payload(id: string): Promise<Buffer | undefined>;
  /** Newest first; `cursor` continues a previous page. */
  search(filter: MessageFilter, limit: number, cursor?: string): Promise<Page<MessageSummary>>;
  /** Counts for metrics; cheap enough to call on every scrape. */
  stats(now: number): Promise<StoreStats>;
  /** Partners that have pending messages due at `now` (for the workers' loop). */
  partnersWithDue(now: number): Promise<string[]>;
  /** Earliest next attempt among pending messages not leased, or null (lets workers sleep until then). */
  nextDueAt(): Promise<number | null>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}
