// The MessageStore contract, the store by role (message log, outbox, acknowledgements, audit trail, partner records), and the types its roles share.
import type { Acknowledgement, AcknowledgementPlan, AcknowledgementStage } from '../partners/partner-definition.js';
import type { AcknowledgementStore } from './acknowledgement-store.js';
import type { AuditStore } from './audit-store.js';
import type { MappingChangeStore } from './mapping-change-store.js';
import type { DiagnosticEvent, DiagnosticsLog } from './diagnostic-events.js';
import type { StoredReceipt } from './inbound-store.js';
import type { MessageLog } from './message-log.js';
import type { Outbox } from './outbox.js';
import type { PartnerRecordStore } from './partner-record-store.js';

/** Where a message stands. `pending` covers the first try and every scheduled retry. */
export type MessageStatus = 'pending' | 'delivered' | 'failed' | 'dead-lettered' | 'needs-human';

/** The CAIS record a batch of messages came from, stored once and idempotent on (type, recordId, version). */
export interface SourceRecord {
  type: string;
  recordId: string;
  version: number;
  /** The record exactly as accepted (canonical JSON text). */
  json: string;
  /** Who posted it: the API client's name, or the queue it came from (the audit trail's actor); the gateway when unset. */
  acceptedBy?: string;
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
  /** Its first attempt is due this long after it is accepted (default at once). */
  delayMs?: number;
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
  /**
   * Business keys the partner's answer gave the message (its own id of it …): stored with the attempt,
   * in the same transaction, each replacing a key of the same name (not listed with the attempt).
   */
  businessKeys?: Readonly<Record<string, string>>;
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
  /** What it did: `advanced` the message to its stage, came `late` (its stage was already reached), `failed` the message, or had it `resent` (the partner asked for it again). */
  effect: 'advanced' | 'late' | 'failed' | 'resent';
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
  /** SHA-256 (hex) that identifies the push for repeats when its bytes do not (an AS2 push: its signed document); default `payloadSha256`. */
  identitySha256?: string;
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
 * The store, by role: the message log, the outbox of the delivery queue, acknowledgements, the
 * diagnostics audit trail and adapters' partner records; each role has its own conformance suite
 * under test/conformance that every implementation passes.
 */
export interface MessageStore extends MessageLog, Outbox, AcknowledgementStore, DiagnosticsLog, PartnerRecordStore {
  /** The hash-chained audit trail on the same database. */
  readonly audit: AuditStore;
  /** The versions each mapping file ran, shared by the gateway instances on the database. */
  readonly mappingChanges: MappingChangeStore;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}
