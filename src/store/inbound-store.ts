// The InboundStore contract: what partners pushed, logged before it is answered, deduplicated, and handed over to CAIS with nothing lost.
import type { LoggedRecord } from './message-log.js';
import type { DiagnosticEvent } from './diagnostic-events.js';
import type { InboundStatus } from './message-store.js';

/** The answer sent to a push, stored so a repeat of the same push gets the very same bytes. */
export interface StoredReceipt {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One accepted partner document with the canonical record it maps to. */
export interface NewInboundMessage {
  /** Our id of the inbound message (UUID). */
  id: string;
  partner: string;
  /** The partner's own message id: the deduplication key with `partner`. */
  partnerMessageId: string;
  messageType: string;
  /** The exact bytes received. */
  payload: Buffer;
  /** SHA-256 (hex) of `payload`. */
  payloadSha256: string;
  /**
   * SHA-256 (hex) that identifies the push for repeats when its bytes do not (an AS2 push: the document it
   * signed, as AS2 software signs a resend anew); default `payloadSha256`.
   */
  identitySha256?: string;
  /** The inbound mapping that made the record. */
  mapping: { id: string; version: number; sha256: string };
  /** The canonical CAIS record (validated), as JSON text, with its type, id and version. */
  record: { type: string; recordId: string; version: number; json: string };
  businessKeys: Record<string, string>;
  /** Our outbound message this one answers, when the partner's document says so and the log knows it. */
  answers?: string;
  /** SHA-256 fingerprints of the TLS client certificate and of the signing certificate: the identity evidence. */
  clientCertificate: string;
  signerCertificate: string;
  /** The signed receipt, exactly as it will be sent. */
  receipt: StoredReceipt;
}

/** What accepting a push did. */
export type InboundAcceptResult =
  /** Logged now; send `receipt`. */
  | { state: 'accepted'; id: string }
  /** The same partner message with the same bytes was accepted before: send its receipt again, byte for byte. */
  | { state: 'duplicate'; id: string; receipt: StoredReceipt }
  /** The same partner message id with other bytes: refuse, nothing stored. */
  | { state: 'conflict'; id: string };

/** An inbound record due to be handed over to CAIS, leased to one worker. */
export interface Handover {
  id: string;
  partner: string;
  messageType: string;
  recordType: string;
  /** The canonical record, JSON text. */
  recordJson: string;
  /** Attempts made before this one. */
  attempts: number;
}

/** How a hand-over attempt ended: handed over (`via` says how: queue, webhook, pull), or to be tried again at `retryAt`. */
export type HandoverOutcome = { handed: true; via: string } | { handed: false; retryAt: number; error: string };

/** An accepted record waiting for CAIS to pull it. */
export interface PullItem {
  /** Position in the log: the cursor of the pull API. Grows with each acceptance (whatever the clock said), so a record accepted later is never behind a cursor already handed out. */
  seq: number;
  id: string;
  partner: string;
  messageType: string;
  recordType: string;
  recordJson: string;
  receivedAt: number;
}

/** A push refused before acceptance: the evidence of the attempt, never its content. */
export interface InboundRefusal {
  /** Partner the push was addressed to (the path), or `?` when that is unknown. */
  partner: string;
  code: string;
  reason: string;
  payloadSha256: string;
  size: number;
  /** SHA-256 fingerprint of the TLS client certificate, when one was presented. */
  clientCertificate: string | null;
  receivedAt: number;
  /** The refusal is a fault of the push's header block (kept as a `header-error` diagnostic event too). */
  headerError?: boolean;
}

/** Everything the log holds about one inbound message. */
export interface InboundDetail {
  id: string;
  direction: 'in';
  partner: string;
  partnerMessageId: string;
  messageType: string;
  status: InboundStatus;
  receivedAt: number;
  updatedAt: number;
  payloadSha256: string;
  mapping: { id: string; version: number; sha256: string };
  record: { type: string; recordId: string; version: number; value: unknown };
  businessKeys: Record<string, string>;
  answers: string | null;
  clientCertificate: string;
  signerCertificate: string;
  receiptSha256: string;
  handover: { via: string | null; attempts: number; nextAttemptAt: number | null; lastError: string | null; handedOverAt: number | null };
  history: Array<{ at: number; status: InboundStatus; reason: string }>;
  /** Its diagnostic events (received …), oldest first. */
  events: DiagnosticEvent[];
}

/**
 * Inbound messages: a push is logged (with its record, the hand-over to do and the receipt) durably
 * before it is answered; the hand-over to CAIS is an outbox worked at least once. Every implementation
 * passes test/conformance/inbound-store.conformance.ts.
 */
export interface InboundStore {
  /** Logs an accepted push, idempotent on (partner, partnerMessageId); see {@link InboundAcceptResult}. */
  acceptInbound(message: NewInboundMessage, now: number): Promise<InboundAcceptResult>;
  /**
   * What an earlier push of this partner message id says about a new one with this identity digest (its
   * bytes' SHA-256, or the identity digest it would be accepted with): a `duplicate` (the same: its
   * receipt), a `conflict` (another), or undefined when there was none. Checked before mapping, so a
   * repeat gets its receipt even after the mapping changed.
   */
  priorPush(partner: string, partnerMessageId: string, identitySha256: string): Promise<Exclude<InboundAcceptResult, { state: 'accepted' }> | undefined>;
  /**
   * Leases up to `limit` accepted records whose hand-over is due to `owner` until `now + leaseMs`
   * (a crashed worker's lease ends by itself), oldest first: by due time, then order of acceptance.
   */
  claimHandovers(now: number, limit: number, leaseMs: number, owner: string): Promise<Handover[]>;
  /**
   * Records a hand-over attempt of a leased record: `handed` ends it (`via` says how: queue, webhook,
   * pull); otherwise it is due again at `retryAt`. False when the lease is no longer `owner`'s.
   */
  completeHandover(id: string, owner: string, outcome: HandoverOutcome, now: number): Promise<boolean>;
  /** Accepted records not yet acknowledged by CAIS, after `cursor`, oldest first (the pull API). */
  pullAfter(cursor: number, limit: number): Promise<PullItem[]>;
  /** CAIS acknowledges pulled records: each becomes handed over (via pull). Returns how many changed. */
  acknowledge(ids: readonly string[], now: number): Promise<number>;
  /** One inbound message, or undefined. */
  getInbound(id: string): Promise<InboundDetail | undefined>;
  /** The exact bytes received, or undefined. */
  inboundPayload(id: string): Promise<Buffer | undefined>;
  /** The inbound messages that answer one of our outbound messages, oldest first (by the time they were received). */
  answersTo(outboundId: string): Promise<Array<{ id: string; partner: string; messageType: string; receivedAt: number }>>;
  /** Accepted records not handed over yet (metrics, readiness). */
  pendingHandovers(): Promise<number>;
  /** Records made from accepted pushes, of one record type, in acceptance order after `afterSeq` (0 from the start): pages for exports such as mirror comparisons. */
  inboundRecordsOfType(recordType: string, afterSeq: number, limit: number): Promise<LoggedRecord[]>;
  /** Which of these partner message ids of one type the log holds from `partner` (a period manifest's check), in no particular order. */
  heldInbound(partner: string, messageType: string, partnerMessageIds: readonly string[]): Promise<string[]>;
  /**
   * Our outbound message to `partner` that carries the business key `name` = `value` (the newest when
   * several do), for linking an inbound answer to what it answers.
   */
  findOutbound(partner: string, name: string, value: string): Promise<string | undefined>;
  /** Logs a refused push. */
  logRefusal(refusal: InboundRefusal): Promise<void>;
  /** Refused pushes, newest first (the later logged of a tie first), optionally of one partner; `limit` is taken between 1 and 500. */
  refusals(limit: number, partner?: string): Promise<InboundRefusal[]>;
  /** Stops what the store runs besides its connection (a commit worker); idempotent. */
  close(): Promise<void>;
}
