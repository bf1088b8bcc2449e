// Accepting pushes into the inbound tables: the duplicate check and the group transaction, run on the store's connection or in its commit worker.
import type Database from 'better-sqlite3';
import type { InboundAcceptResult, NewInboundMessage, StoredReceipt } from './inbound-store.js';
import type { InboundStatus } from './message-store.js';
import { asBuffer } from '../worker-module.js';
import { DiagnosticLog } from './sqlite-diagnostics.js';

type Db = Database.Database;

/** What an earlier push of the same partner message id says: its receipt again, or a conflict. */
export type PriorPush = Exclude<InboundAcceptResult, { state: 'accepted' }>;

/** One push of a group, and how it ended: its result, or why it failed (the others of the group still commit). */
export interface GroupItem {
  message: NewInboundMessage;
  now: number;
}
export type GroupOutcome = { result: InboundAcceptResult } | { error: string };

interface ReceiptRow {
  id: string;
  /** The digest a repeat must match: the identity digest, else the payload's. */
  identity: string;
  status: number;
  headers: string;
  body: Buffer;
}

/** The statements that accept pushes, prepared on one connection. */
export class InboundWrites {
  private readonly byPartnerMessage;
  private readonly insert;
  private readonly insertEvidence;
  private readonly insertKey;
  private readonly insertChange;
  private readonly groupTx;
  private readonly diagnostics: DiagnosticLog;

  constructor(db: Db) {
    this.diagnostics = new DiagnosticLog(db);
    this.byPartnerMessage = db.prepare<[string, string], ReceiptRow>(
      `SELECT id, COALESCE(identity_sha256, payload_sha256) AS identity, receipt_status AS status, receipt_headers AS headers, e.receipt_body AS body
       FROM inbound_messages JOIN inbound_evidence e ON e.inbound_id = inbound_messages.id WHERE partner = ? AND partner_message_id = ?`,
    );
    this.insert = db.prepare<[Record<string, string | number | Buffer | null>]>(
      `INSERT INTO inbound_messages (id, partner, partner_message_id, message_type, record_type, record_id, record_version, record_json,
         mapping_id, mapping_version, mapping_sha256, payload_sha256, identity_sha256, receipt_status, receipt_headers, answers,
         status, handover_due, received_at, updated_at)
       VALUES (@id, @partner, @partnerMessageId, @messageType, @recordType, @recordId, @recordVersion, @recordJson,
         @mappingId, @mappingVersion, @mappingSha256, @payloadSha256, @identitySha256, @receiptStatus, @receiptHeaders, @answers,
         'accepted', @now, @now, @now)`,
    );
    // The bytes and certificates apart from the row: hand-overs change the row's size, and SQLite writes such a row anew with all of its blobs.
    this.insertEvidence = db.prepare<[Record<string, string | Buffer>]>(
      `INSERT INTO inbound_evidence (inbound_id, payload, receipt_body, client_cert, signer_cert)
       VALUES (@id, @payload, @receiptBody, @clientCertificate, @signerCertificate)`,
    );
    this.insertKey = db.prepare<[string, string, string]>('INSERT INTO inbound_keys (inbound_id, name, value) VALUES (?, ?, ?)');
    this.insertChange = db.prepare<[string, number, InboundStatus, string]>('INSERT INTO inbound_changes (inbound_id, at, status, reason) VALUES (?, ?, ?, ?)');
    // Each push in its own savepoint: one that fails leaves the others of its group to commit.
    const acceptOne = db.transaction((message: NewInboundMessage, now: number) => this.acceptIn(message, now));
    this.groupTx = db.transaction((group: readonly GroupItem[]) =>
      group.map(({ message, now }): GroupOutcome => {
        try {
          return { result: acceptOne(message, now) };
        } catch (error) {
          return { error: (error as Error).message };
        }
      }),
    );
  }

  /** What an earlier push of this partner message id says about one with this identity digest; undefined when there was none. */
  prior(partner: string, partnerMessageId: string, identitySha256: string): PriorPush | undefined {
    const existing = this.byPartnerMessage.get(partner, partnerMessageId);
    if (existing === undefined) return undefined;
    if (existing.identity !== identitySha256) return { state: 'conflict', id: existing.id };
    const receipt: StoredReceipt = { status: existing.status, headers: JSON.parse(existing.headers) as Record<string, string>, body: existing.body };
    return { state: 'duplicate', id: existing.id, receipt };
  }

  /** Accepts a group in one immediate transaction (the caller chose its durability); outcomes in input order. */
  acceptGroup(group: readonly GroupItem[]): GroupOutcome[] {
    return this.groupTx.immediate(group);
  }

  private acceptIn(message: NewInboundMessage, now: number): InboundAcceptResult {
    const prior = this.prior(message.partner, message.partnerMessageId, message.identitySha256 ?? message.payloadSha256);
    if (prior !== undefined) return prior;
    const { mapping, record, receipt } = message;
    this.insert.run({
      id: message.id,
      partner: message.partner,
      partnerMessageId: message.partnerMessageId,
      messageType: message.messageType,
      recordType: record.type,
      recordId: record.recordId,
      recordVersion: record.version,
      recordJson: record.json,
      mappingId: mapping.id,
      mappingVersion: mapping.version,
      mappingSha256: mapping.sha256,
      payloadSha256: message.payloadSha256,
      identitySha256: message.identitySha256 ?? null,
      receiptStatus: receipt.status,
      receiptHeaders: JSON.stringify(receipt.headers),
      answers: message.answers ?? null,
      now,
    });
    this.insertEvidence.run({
      id: message.id,
      payload: asBuffer(message.payload),
      receiptBody: asBuffer(receipt.body),
      clientCertificate: message.clientCertificate,
      signerCertificate: message.signerCertificate,
    });
    for (const [name, value] of Object.entries(message.businessKeys)) this.insertKey.run(message.id, name, value);
    this.insertChange.run(message.id, now, 'accepted', 'received, verified and mapped; receipt sent');
    this.diagnostics.record({ at: now, kind: 'received', partner: message.partner, messageId: null, inboundId: message.id, detail: `${message.messageType} ${message.partnerMessageId}` });
    return { state: 'accepted', id: message.id };
  }
}
