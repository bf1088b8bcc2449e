// The MessageStore contract: the message log is the system of record for every message, its attempts and its status, and the outbox of the delivery queue.
import type { PartnerRecordStore } from './partner-record-store.js';

import type { Acknowledgement, AcknowledgementPlan, AcknowledgementStage } from '../partners/partner-definition.js';
import type { DiagnosticEvent, DiagnosticFilter } from './diagnostic-events.js';
import type { StoredReceipt } from './inbound-store.js';

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

/** Where an inbound message stands: accepted and logged, then handed over to CAIS. */
export type InboundStatus = 'accepted' | 'handed-over';

/** A status in the log of either direction. */
export type LogStatus = MessageStatus | InboundStatus;

/** What every entry of the log shows in listings, whichever its direction. */
interface LogEntrySummary {
  id: string;
  partner: string;
  messageType: string;
  recordType: string;
  recordId: string;
  recordVersion: number;
  attempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** When the next attempt is due, epoch milliseconds. */
  nextAttemptAt: number | null;
  businessKeys: Record<string, string>;
}

/** A CAIS record's document for a partner, as listings show it. */
export interface OutboundSummary extends LogEntrySummary {
  direction: 'out';
  status: MessageStatus;
}

/** A partner's document and the record it maps to, as listings show it: created when received; its attempts are those of the hand-over to CAIS. */
export interface InboundSummary extends LogEntrySummary {
  direction: 'in';
  status: InboundStatus;
}

/** A message as the log summarises it in listings, outbound or inbound. */
export type MessageSummary = OutboundSummary | InboundSummary;

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
  /** When the message travelled in a batch with others (one upload): the batch's id, sent as its message id. */
  batchId?: string;
  /** The attempt got no whole answer in time (a diagnostic event; not stored with the attempt). */
  timedOut?: boolean;
}

/** One status change, for the history auditors read. */
export interface StatusChange {
  at: number;
  from: MessageStatus | null;
  to: MessageStatus;
  reason: string;
}

/** Everything the log holds about one outbound message. */
export interface MessageDetail extends OutboundSummary {
  mapping: { id: string; version: number; sha256: string };
  payloadSha256: string;
  extension: string;
  /** The source record as accepted. */
  record: unknown;
  /** Every document made from the same record (this one included), in fan-out order. */
  recordMessages: Array<{ id: string; partner: string; messageType: string; status: MessageStatus }>;
  history: StatusChange[];
  attemptLog: AttemptRecord[];
  /** Signals and answers the partner pushed for it, oldest first. */
  acknowledgements: AcknowledgementRecord[];
  /** The acknowledgement it waits for, when it waits for one. */
  awaiting: AwaitedAcknowledgement | null;
  /** Its diagnostic events (transformed, sent, received, delivery timeout …), oldest first. */
  events: DiagnosticEvent[];
}

/** A message handed to a delivery worker, leased to it until `leaseUntil`. */
export interface ClaimedMessage {
  id: string;
  partner: string;
  messageType: string;
  payload: Buffer;
  /** Attempts made before this one. */
  attempts: number;
  /** Attempts made before the last resend (0 if never resent): the retry budget counts from here. */
  retryBase: number;
  leaseUntil: number;
}

/**
 * What {@link MessageStore.claimById} found: `claimed`, the message now leased to the caller; `leased`,
 * someone (the caller included) holds a lease until `leaseUntil`; `not-pending`, the message has ended
 * (its job is stale); `missing`, the log has no such message.
 */
export type ClaimResult =
  | { state: 'claimed'; message: ClaimedMessage }
  | { state: 'leased'; leaseUntil: number }
  /** Its next attempt is later than this job: a stale duplicate (the current job is on its way); drop it. */
  | { state: 'not-due'; nextAttemptAt: number }
  | { state: 'not-pending'; status: MessageStatus }
  | { state: 'missing' };

/** A job may arrive this much before its message's next attempt and still count (delay tiers are not exact). */
export const CLAIM_EARLY_TOLERANCE_MS = 1_000;

/** A pending message whose queue job is still to be published (the outbox). */
export interface UnpublishedMessage {
  id: string;
  partner: string;
  /** When its attempt is due, epoch ms: the job's delay is the time until then. */
  nextAttemptAt: number;
}

/** How an attempt ends the message's current state. */
export type Transition =
  | { status: 'pending'; nextAttemptAt: number; reason: string }
  | { status: 'delivered'; reason: string; awaiting?: AcknowledgementPlan }
  | { status: 'failed' | 'dead-lettered' | 'needs-human'; reason: string };

/** An acknowledgement a partner pushed for one of our messages, as the log records it. */
export interface AcknowledgementRecord {
  partnerMessageId: string;
  stage: AcknowledgementStage;
  rejected: boolean;
  code: string | null;
  text: string | null;
  /** What it did: `advanced` the message to its stage, came `late` (its stage was already reached), or `failed` the message. */
  effect: 'advanced' | 'late' | 'failed';
  receivedAt: number;
}

/** The acknowledgement a delivered message waits for, while it waits. */
export interface AwaitedAcknowledgement {
  stage: AcknowledgementStage;
  /** Its name in the partner's protocol. */
  name: string;
  dueAt: number;
  /** Times the message was sent again because one was late, and how often it may be. */
  repeats: number;
  repeatsAllowed: number;
}

/** A pushed acknowledgement to record, with what the gateway answers it (kept for a repeated push). */
export interface IncomingAcknowledgement {
  /** Our message it acknowledges. */
  messageId: string;
  partner: string;
  partnerMessageId: string;
  acknowledgement: Acknowledgement;
  payload: Buffer;
  payloadSha256: string;
  clientCertificate: string;
  signerCertificate: string;
  receipt: StoredReceipt;
}

/** How recording an acknowledgement ended: recorded (with its effect), or an earlier push of the same id answered again or in conflict. */
export type AcknowledgeResult =
  | { state: 'recorded'; effect: AcknowledgementRecord['effect'] }
  | { state: 'duplicate'; receipt: StoredReceipt }
  | { state: 'conflict' };

/** A delivered message whose awaited acknowledgement is overdue. */
export interface OverdueAcknowledgement {
  messageId: string;
  partner: string;
  awaited: AwaitedAcknowledgement;
}

/** Search filters of the message log; all optional and combined with AND. */
export interface MessageFilter {
  /** Any business key value (e.g. a carnet number). */
  key?: string;
  partner?: string;
  status?: LogStatus;
  /** Only one direction of the log; both when left out. */
  direction?: 'in' | 'out';
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

/**
 * The message log, and the outbox of the delivery queue: every pending message needs exactly one
 * queue job for its next attempt. A message is unpublished when it becomes pending (accepted, a
 * retry scheduled, resent); {@link MessageStore.unpublished} hands it to the relay, which marks it
 * published once the queue confirmed its job. Consumers take a job and {@link MessageStore.claimById}
 * its message. Every implementation passes test/conformance/message-store.conformance.ts.
 */
export interface MessageStore extends PartnerRecordStore {
  /**
   * Stores a record and its messages atomically (status pending, due at `now`, unpublished). Idempotent on
   * (type, recordId, version): a repeat stores nothing and returns the first time's message ids.
   */
  accept(record: SourceRecord, messages: NewMessage[], now: number): Promise<AcceptResult>;
  /**
   * {@link accept} for several records in one transaction (one durable commit for a whole API
   * batch): all are stored, or, on any error, none. Results are in input order.
   */
  acceptBatch(items: ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>, now: number): Promise<AcceptResult[]>;
  /**
   * Up to `limit` pending messages whose job is not published, longest waiting first (by the time
   * they became pending, then id), handed to the caller for publishing: {@link markPublished} marks
   * only messages handed out this way and unchanged since. Messages handed out but never marked
   * (the relay crashed, the queue refused) are listed again.
   */
  unpublished(limit: number): Promise<UnpublishedMessage[]>;
  /**
   * Marks the jobs of these messages published, in one transaction, after the queue confirmed them.
   * Touches only messages still pending with their job as {@link unpublished} handed it out: one that
   * changed meanwhile (ended, or its job consumed and a retry scheduled or a resend made since) stays
   * unpublished, so its new job is not lost. Unknown ids are ignored.
   */
  markPublished(ids: readonly string[]): Promise<void>;
  /** How many pending messages wait for their job to be published (for backpressure); cheap. */
  unpublishedCount(): Promise<number>;
  /**
   * Safety net for a lost job (a completion lost to a power cut after the queue acked, a queue
   * purged by hand): pending messages whose job was published, that nobody holds a lease on, and
   * whose next attempt is more than `graceMs` overdue become unpublished again, so the relay
   * publishes a new job; the next attempt moves to `now`, so a message gets at most one extra job
   * per grace period. A duplicate job is harmless (the consumer claims by id). Returns how many.
   */
  republishOverdue(now: number, graceMs: number): Promise<number>;
  /**
   * A job found the message leased by someone else: hand the job back to the outbox, due when the
   * lease ends, so the relay publishes it when the queue can take it (nothing is lost if the holder
   * crashed, and nothing is retried in a tight loop). Only for a pending message.
   */
  deferUntil(id: string, at: number): Promise<void>;
  /**
   * Leases one message to `owner` until `now + leaseMs` when it is pending and not leased (or its
   * lease has ended, so a crashed consumer's message comes back by itself). A job arriving more than
   * {@link CLAIM_EARLY_TOLERANCE_MS} before the message's next attempt is a stale duplicate (a job
   * redelivered after its attempt scheduled a retry, or a second relay's copy): `not-due`, so it
   * cannot cause an extra attempt or a second retry chain.
   */
  claimById(id: string, now: number, leaseMs: number, owner: string): Promise<ClaimResult>;
  /**
   * Records an attempt and the resulting transition in one transaction, releasing the lease. A
   * `pending` transition (a retry) makes the message unpublished, so the relay publishes its next job.
   * Returns false (and changes nothing) when the message is no longer leased to `owner`.
   */
  completeAttempt(id: string, owner: string, attempt: AttemptRecord, transition: Transition, now: number): Promise<boolean>;
  /**
   * Makes a delivered-not-required message (failed, dead-lettered, needs-human) pending again, due
   * now and unpublished. False when not in such a state.
   */
  /**
   * Records an acknowledgement a partner pushed for one of our messages and moves the message on: to
   * the next awaited stage, to done, or to failed when the partner refused it. A push of a partner
   * message id seen before gets that push's receipt again (same bytes) or a conflict.
   */
  acknowledge(incoming: IncomingAcknowledgement, now: number): Promise<AcknowledgeResult>;
  /** Delivered messages whose awaited acknowledgement is due before `now`, oldest first. */
  overdueAcknowledgements(now: number, limit: number): Promise<OverdueAcknowledgement[]>;
  /**
   * Acts on an overdue acknowledgement: sends the message again while repeats remain, else hands it
   * to a person (needs-human), each with the reason in its history. False when it was no longer overdue
   * (the acknowledgement came meanwhile).
   */
  repeatOverdue(messageId: string, now: number): Promise<boolean>;
  /** The newest diagnostic events matching the filter, at most `limit`. */
  diagnostics(filter: DiagnosticFilter, limit: number): Promise<DiagnosticEvent[]>;
  resend(id: string, now: number, reason: string): Promise<boolean>;
  /** Full detail of one message, or undefined. */
  get(id: string): Promise<MessageDetail | undefined>;
  /** The exact payload bytes, or undefined. */
  payload(id: string): Promise<Buffer | undefined>;
  /** Newest first; `cursor` continues a previous page. */
  search(filter: MessageFilter, limit: number, cursor?: string): Promise<Page<MessageSummary>>;
  /** Counts for metrics; cheap enough to call on every scrape. */
  stats(now: number): Promise<StoreStats>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  /**
   * The payload logged for the latest earlier version of a record towards one partner message type
   * (the highest version below `version`), or undefined when none was logged.
   */
  previousPayload(recordType: string, recordId: string, version: number, partner: string, messageType: string): Promise<Buffer | undefined>;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}
