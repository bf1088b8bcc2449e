// The embedded inbound store: InboundStore on the message database, with pushes arriving together committed together.
import type { LoggedRecord } from './message-log.js';
import type Database from 'better-sqlite3';
import type { InboundStatus } from './message-store.js';
import type {
  Handover,
  HandoverOutcome,
  InboundAcceptResult,
  InboundDetail,
  InboundRefusal,
  InboundStore,
  NewInboundMessage,
  PullItem,
} from './inbound-store.js';
import { GatewayError } from '../errors.js';
import { inboundDetailOf, type InboundDetailRow } from './inbound-detail.js';
import { clampLimit } from './search-page.js';
import { connectionCommitter, workerCommitter, type Committer } from './inbound-committer.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { DiagnosticLog } from './sqlite-diagnostics.js';
import { InboundWrites, type GroupItem, type PriorPush } from './sqlite-inbound-writes.js';

type Db = Database.Database;

function prepareStatements(db: Db) {
  return {
    insertChange: db.prepare<[string, number, InboundStatus, string]>('INSERT INTO inbound_changes (inbound_id, at, status, reason) VALUES (?, ?, ?, ?)'),
    due: db.prepare<[number, number, number], { id: string }>(
      `SELECT id FROM inbound_messages WHERE status = 'accepted' AND handover_due <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY handover_due, seq LIMIT ?`,
    ),
    lease: db.prepare<[string, number, string]>('UPDATE inbound_messages SET lease_owner = ?, lease_until = ? WHERE id = ?'),
    handover: db.prepare<[string], Handover>(
      `SELECT id, partner, message_type AS messageType, record_type AS recordType, record_json AS recordJson, handover_attempts AS attempts
       FROM inbound_messages WHERE id = ?`,
    ),
    leasedTo: db.prepare<[string, string], { id: string }>(`SELECT id FROM inbound_messages WHERE id = ? AND lease_owner = ? AND status = 'accepted'`),
    // Every right-hand side of SET reads the row as it was, so the time is bound twice (handed_over_at was NULL).
    handed: db.prepare<[string, number, number, string]>(
      `UPDATE inbound_messages SET status = 'handed-over', handover_via = ?, handed_over_at = ?, handover_due = NULL, handover_error = NULL,
         handover_attempts = handover_attempts + 1, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?`,
    ),
    retry: db.prepare<[number, string, number, string]>(
      `UPDATE inbound_messages SET handover_due = ?, handover_error = ?, handover_attempts = handover_attempts + 1,
         lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?`,
    ),
    pullAfter: db.prepare<[number, number], PullItem>(
      `SELECT seq, id, partner, message_type AS messageType, record_type AS recordType, record_json AS recordJson, received_at AS receivedAt
       FROM inbound_messages WHERE status = 'accepted' AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    acknowledge: db.prepare<[{ now: number; id: string }]>(
      `UPDATE inbound_messages SET status = 'handed-over', handover_via = 'pull', handed_over_at = @now, handover_due = NULL, handover_error = NULL,
         lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE id = @id AND status = 'accepted'`,
    ),
    detail: db.prepare<[string], InboundDetailRow>(
      `SELECT id, partner, partner_message_id AS partnerMessageId, message_type AS messageType, status, received_at AS receivedAt,
         updated_at AS updatedAt, payload_sha256 AS payloadSha256, mapping_id AS mappingId, mapping_version AS mappingVersion,
         mapping_sha256 AS mappingSha256, record_type AS recordType, record_id AS recordId, record_version AS recordVersion,
         record_json AS recordJson, answers, e.client_cert AS clientCertificate, e.signer_cert AS signerCertificate, e.receipt_body AS receiptBody,
         handover_via AS via, handover_attempts AS attempts, handover_due AS nextAttemptAt, handover_error AS lastError,
         handed_over_at AS handedOverAt
       FROM inbound_messages JOIN inbound_evidence e ON e.inbound_id = inbound_messages.id WHERE id = ?`,
    ),
    keys: db.prepare<[string], { name: string; value: string }>('SELECT name, value FROM inbound_keys WHERE inbound_id = ? ORDER BY name'),
    history: db.prepare<[string], { at: number; status: InboundStatus; reason: string }>(
      'SELECT at, status, reason FROM inbound_changes WHERE inbound_id = ? ORDER BY at, id',
    ),
    payload: db.prepare<[string], { payload: Buffer }>('SELECT payload FROM inbound_evidence WHERE inbound_id = ?'),
    answersTo: db.prepare<[string], { id: string; partner: string; messageType: string; receivedAt: number }>(
      `SELECT id, partner, message_type AS messageType, received_at AS receivedAt FROM inbound_messages WHERE answers = ? ORDER BY received_at, id`,
    ),
    pending: db.prepare<[], { count: number }>(`SELECT COUNT(*) AS count FROM inbound_messages WHERE status = 'accepted'`),
    recordsOfType: db.prepare<[string, number, number], LoggedRecord>('SELECT seq AS row, record_json AS json FROM inbound_messages WHERE record_type = ? AND seq > ? ORDER BY seq LIMIT ?'),
    held: db.prepare<[string, string, string], { id: string }>(
      `SELECT partner_message_id AS id FROM inbound_messages WHERE partner = ? AND message_type = ? AND partner_message_id IN (SELECT value FROM json_each(?))`,
    ),
    findOutbound: db.prepare<[string, string, string], { id: string }>(
      `SELECT m.id FROM message_keys k JOIN messages m ON m.id = k.message_id
       WHERE k.value = ? AND k.name = ? AND m.partner = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 1`,
    ),
    insertRefusal: db.prepare<[Record<string, string | number | null>]>(
      `INSERT INTO inbound_refusals (partner, code, reason, payload_sha256, size, client_cert, received_at)
       VALUES (@partner, @code, @reason, @payloadSha256, @size, @clientCertificate, @receivedAt)`,
    ),
    refusals: db.prepare<[number], InboundRefusal>(
      `SELECT partner, code, reason, payload_sha256 AS payloadSha256, size, client_cert AS clientCertificate, received_at AS receivedAt
       FROM inbound_refusals ORDER BY received_at DESC, id DESC LIMIT ?`,
    ),
    partnerRefusals: db.prepare<[string, number], InboundRefusal>(
      `SELECT partner, code, reason, payload_sha256 AS payloadSha256, size, client_cert AS clientCertificate, received_at AS receivedAt
       FROM inbound_refusals WHERE partner = ? ORDER BY received_at DESC, id DESC LIMIT ?`,
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** A push waiting for the next group commit. */
interface PendingAccept extends GroupItem {
  resolve(result: InboundAcceptResult): void;
  reject(error: unknown): void;
}

/** Largest number of pushes committed in one transaction. */
const MAX_GROUP = 256;

/**
 * InboundStore over the message database's connection. Accepting is durable (synced to disk before it answers) and
 * grouped: one group commits at a time, and the pushes that arrive meanwhile form the next group, so
 * concurrent partners share one disk flush instead of waiting for one each.
 */
class SqliteInboundStore implements InboundStore {
  private readonly statements: Statements;
  private readonly writes: InboundWrites;
  private readonly committer: Committer;
  private readonly diagnostics: DiagnosticLog;
  private readonly claimTx;
  private readonly completeTx;
  private readonly acknowledgeTx;
  private queued: PendingAccept[] = [];
  private committing = false;

  constructor(
    private readonly connection: SqliteConnection,
    commitWorker: boolean,
  ) {
    const db = connection.db;
    this.statements = prepareStatements(db);
    this.diagnostics = new DiagnosticLog(db);
    this.writes = new InboundWrites(db);
    const inWorker = commitWorker && connection.file !== ':memory:' && connection.file !== '';
    this.committer = inWorker ? workerCommitter(connection.file, { autocheckpoint: !connection.checkpointsElsewhere }) : connectionCommitter(connection, this.writes);
    this.claimTx = db.transaction((now: number, limit: number, leaseUntil: number, owner: string) => this.claimIn(now, limit, leaseUntil, owner));
    this.completeTx = db.transaction((id: string, owner: string, outcome: Parameters<InboundStore['completeHandover']>[2], now: number) =>
      this.completeIn(id, owner, outcome, now),
    );
    this.acknowledgeTx = db.transaction((ids: readonly string[], now: number) => {
      let changed = 0;
      for (const id of ids) {
        if (this.statements.acknowledge.run({ now, id }).changes === 0) continue;
        this.statements.insertChange.run(id, now, 'handed-over', 'acknowledged by CAIS (pull)');
        changed++;
      }
      return changed;
    });
  }

  acceptInbound(message: NewInboundMessage, now: number): Promise<InboundAcceptResult> {
    return new Promise((resolve, reject) => {
      this.queued.push({ message, now, resolve, reject });
      if (!this.committing) this.commitNext();
    });
  }

  /**
   * Commits what is queued after the current turn of the event loop (what arrives in it joins), then
   * the next group once that one is done; a push that fails fails alone.
   */
  private commitNext(): void {
    this.committing = true;
    setImmediate(() => {
      const group = this.queued.splice(0, MAX_GROUP);
      if (group.length === 0) {
        this.committing = false;
        return;
      }
      this.committer
        .commit(group.map(({ message, now }) => ({ message, now })))
        .then(
          (outcomes) =>
            group.forEach((pending, i) => {
              const outcome = outcomes[i];
              if (outcome && 'result' in outcome) pending.resolve(outcome.result);
              else pending.reject(new GatewayError('GW_ERR_STORE_UNAVAILABLE', `the push could not be logged: ${outcome?.error ?? 'no outcome'}`));
            }),
          (error: unknown) => group.forEach((pending) => pending.reject(error)),
        )
        .finally(() => this.commitNext());
    });
  }

  async priorPush(partner: string, partnerMessageId: string, payloadSha256: string): Promise<PriorPush | undefined> {
    return this.writes.prior(partner, partnerMessageId, payloadSha256);
  }

  async close(): Promise<void> {
    await this.committer.close();
  }

  async claimHandovers(now: number, limit: number, leaseMs: number, owner: string): Promise<Handover[]> {
    this.connection.durability('NORMAL');
    return this.claimTx.immediate(now, Math.max(0, Math.floor(limit)), now + leaseMs, owner);
  }

  private claimIn(now: number, limit: number, leaseUntil: number, owner: string): Handover[] {
    const out: Handover[] = [];
    for (const { id } of this.statements.due.all(now, now, limit)) {
      this.statements.lease.run(owner, leaseUntil, id);
      const handover = this.statements.handover.get(id);
      if (handover) out.push(handover);
    }
    return out;
  }

  async completeHandover(id: string, owner: string, outcome: HandoverOutcome, now: number): Promise<boolean> {
    return this.connection.durable(() => this.completeTx.immediate(id, owner, outcome, now));
  }

  private completeIn(id: string, owner: string, outcome: Parameters<InboundStore['completeHandover']>[2], now: number): boolean {
    if (this.statements.leasedTo.get(id, owner) === undefined) return false;
    if (outcome.handed) {
      this.statements.handed.run(outcome.via, now, now, id);
      this.statements.insertChange.run(id, now, 'handed-over', `handed over to CAIS (${outcome.via})`);
    } else {
      this.statements.retry.run(outcome.retryAt, outcome.error, now, id);
    }
    return true;
  }

  async pullAfter(cursor: number, limit: number): Promise<PullItem[]> {
    return this.statements.pullAfter.all(Math.max(0, Math.floor(cursor)), Math.max(1, Math.floor(limit)));
  }

  async acknowledge(ids: readonly string[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    return this.connection.durable(() => this.acknowledgeTx.immediate(ids, now));
  }

  async getInbound(id: string): Promise<InboundDetail | undefined> {
    return this.connection.snapshot(() => this.detailOf(id));
  }

  private detailOf(id: string): InboundDetail | undefined {
    const row = this.statements.detail.get(id);
    if (row === undefined) return undefined;
    return inboundDetailOf(row, this.statements.keys.all(id), this.statements.history.all(id), this.diagnostics.forInbound(id));
  }

  async inboundPayload(id: string): Promise<Buffer | undefined> {
    return this.statements.payload.get(id)?.payload;
  }

  async answersTo(outboundId: string): Promise<Array<{ id: string; partner: string; messageType: string; receivedAt: number }>> {
    return this.statements.answersTo.all(outboundId);
  }

  async pendingHandovers(): Promise<number> {
    return this.statements.pending.get()?.count ?? 0;
  }

  async inboundRecordsOfType(recordType: string, afterSeq: number, limit: number): Promise<LoggedRecord[]> {
    return this.statements.recordsOfType.all(recordType, afterSeq, clampLimit(limit));
  }

  async heldInbound(partner: string, messageType: string, partnerMessageIds: readonly string[]): Promise<string[]> {
    return this.statements.held.all(partner, messageType, JSON.stringify(partnerMessageIds)).map((r) => r.id);
  }

  async findOutbound(partner: string, name: string, value: string): Promise<string | undefined> {
    return this.statements.findOutbound.get(value, name, partner)?.id;
  }

  async logRefusal(refusal: InboundRefusal): Promise<void> {
    this.connection.durability('NORMAL');
    const { headerError, ...row } = refusal;
    this.statements.insertRefusal.run({ ...row });
    if (headerError) this.diagnostics.record({ at: refusal.receivedAt, kind: 'header-error', partner: refusal.partner, messageId: null, inboundId: null, detail: `${refusal.code}: ${refusal.reason}` });
  }

  async refusals(limit: number, partner?: string): Promise<InboundRefusal[]> {
    const size = clampLimit(limit);
    return partner === undefined ? this.statements.refusals.all(size) : this.statements.partnerRefusals.all(partner, size);
  }
}

/**
 * The inbound store on an open connection shared with the message store (which closes it). With
 * `commitWorker`, pushes are committed by a worker thread on its own connection to the same file, so
 * the server's thread never waits for the disk (ignored for an in-memory database).
 */
export function sqliteInboundStore(connection: SqliteConnection, options: { commitWorker?: boolean } = {}): InboundStore {
  return new SqliteInboundStore(connection, options.commitWorker === true);
}
