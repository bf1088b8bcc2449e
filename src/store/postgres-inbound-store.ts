// The PostgreSQL inbound store: InboundStore on the shared database, correct with several gateway instances accepting, leasing and pulling at once.
import type { LoggedRecord } from './message-log.js';
import type {
  Handover,
  HandoverOutcome,
  InboundAcceptResult,
  InboundDetail,
  InboundRefusal,
  InboundStore,
  NewInboundMessage,
  PullItem,
  StoredReceipt,
} from './inbound-store.js';
import { inboundDetailOf, type InboundDetailRow } from './inbound-detail.js';
import { diagnosticsOf, recordDiagnostic } from './postgres-diagnostics.js';
import { clampLimit } from './search-page.js';
import type { PostgresSession, Sql } from './postgres-session.js';

/** What an earlier push of the same partner message id says: its receipt again, or a conflict. */
type PriorPush = Exclude<InboundAcceptResult, { state: 'accepted' }>;

/**
 * The advisory lock (two-key form: this class, and the oid of the pool's `inbound_messages`, so each
 * schema has its own) that keeps the pull cursor safe. A `seq` is drawn when a row is inserted but
 * seen only when its transaction commits, so without it a puller could pass a `seq` whose row is not
 * committed yet and never see it: acceptances hold it shared, pulls exclusive, so a pull reads only
 * once every `seq` drawn before it is committed, and every one drawn after it is greater.
 */
const PULL_ORDER_LOCK = 7_310_516;
const PULL_ORDER_KEY = `${PULL_ORDER_LOCK}, 'inbound_messages'::regclass::oid::int`;

/** What an earlier push of this partner message id says about one with this identity digest; undefined when there was none. */
async function priorOf(sql: Sql, partner: string, partnerMessageId: string, identitySha256: string): Promise<PriorPush | undefined> {
  const { rows } = await sql.query<{ id: string; identity: string; status: number; headers: string; body: Buffer }>(
    `SELECT id, COALESCE(identity_sha256, payload_sha256) AS identity, receipt_status AS status, receipt_headers AS headers, receipt_body AS body
     FROM inbound_messages WHERE partner = $1 AND partner_message_id = $2`,
    [partner, partnerMessageId],
  );
  const [existing] = rows;
  if (existing === undefined) return undefined;
  if (existing.identity !== identitySha256) return { state: 'conflict', id: existing.id };
  const receipt: StoredReceipt = { status: existing.status, headers: JSON.parse(existing.headers) as Record<string, string>, body: existing.body };
  return { state: 'duplicate', id: existing.id, receipt };
}

/**
 * InboundStore on a PostgreSQL session (the tables of postgres-migrations.ts). Each acceptance is one
 * transaction, deduplicated by the unique (partner, partner_message_id); hand-overs are leased with
 * `FOR UPDATE SKIP LOCKED` and completed under the row lock, so no two instances work the same record.
 */
export class PostgresInboundStore implements InboundStore {
  /** @param session the pool's session; its owner ends the pool. */
  constructor(private readonly session: PostgresSession) {}

  async acceptInbound(message: NewInboundMessage, now: number): Promise<InboundAcceptResult> {
    return this.session.transaction(async (sql) => {
      await sql.query(`SELECT pg_advisory_xact_lock_shared(${PULL_ORDER_KEY})`);
      const { mapping, record, receipt } = message;
      // A concurrent insert of the same partner message makes this one wait for it, then do nothing once it committed.
      const inserted = await sql.query(
        `INSERT INTO inbound_messages (id, partner, partner_message_id, message_type, record_type, record_id, record_version, record_json,
           mapping_id, mapping_version, mapping_sha256, payload, payload_sha256, receipt_status, receipt_headers, receipt_body, answers,
           client_cert, signer_cert, status, handover_due, received_at, updated_at, identity_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 'accepted', $20, $20, $20, $21)
         ON CONFLICT (partner, partner_message_id) DO NOTHING`,
        [
          message.id,
          message.partner,
          message.partnerMessageId,
          message.messageType,
          record.type,
          record.recordId,
          record.version,
          record.json,
          mapping.id,
          mapping.version,
          mapping.sha256,
          message.payload,
          message.payloadSha256,
          receipt.status,
          JSON.stringify(receipt.headers),
          receipt.body,
          message.answers ?? null,
          message.clientCertificate,
          message.signerCertificate,
          now,
          message.identitySha256 ?? null,
        ],
      );
      if (inserted.rowCount === 0) {
        // This statement sees what the one that won committed.
        const prior = await priorOf(sql, message.partner, message.partnerMessageId, message.identitySha256 ?? message.payloadSha256);
        if (prior === undefined) throw new Error(`inbound message ${message.partner}/${message.partnerMessageId} conflicted but cannot be read`);
        return prior;
      }
      const keys = Object.entries(message.businessKeys);
      await sql.query('INSERT INTO inbound_keys (inbound_id, name, value) SELECT $1, * FROM unnest($2::text[], $3::text[])', [
        message.id,
        keys.map(([name]) => name),
        keys.map(([, value]) => value),
      ]);
      await sql.query(`INSERT INTO inbound_changes (inbound_id, at, status, reason) VALUES ($1, $2, 'accepted', 'received, verified and mapped; receipt sent')`, [
        message.id,
        now,
      ]);
      await recordDiagnostic(sql, { at: now, kind: 'received', partner: message.partner, messageId: null, inboundId: message.id, detail: `${message.messageType} ${message.partnerMessageId}` });
      return { state: 'accepted', id: message.id };
    });
  }

  async priorPush(partner: string, partnerMessageId: string, payloadSha256: string): Promise<PriorPush | undefined> {
    return priorOf(this.session, partner, partnerMessageId, payloadSha256);
  }

  async claimHandovers(now: number, limit: number, leaseMs: number, owner: string): Promise<Handover[]> {
    // Rows another instance is leasing right now are skipped, and a row leased since this statement began fails its recheck.
    const { rows } = await this.session.query<Handover>(
      `WITH due AS (
         SELECT seq FROM inbound_messages WHERE status = 'accepted' AND handover_due <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY handover_due, seq LIMIT $2 FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE inbound_messages m SET lease_owner = $3, lease_until = $4 FROM due WHERE m.seq = due.seq
         RETURNING m.seq, handover_due, id, partner, message_type AS "messageType", record_type AS "recordType", record_json AS "recordJson",
           handover_attempts AS attempts
       )
       SELECT id, partner, "messageType", "recordType", "recordJson", attempts FROM leased ORDER BY handover_due, seq`,
      [now, Math.max(0, Math.floor(limit)), owner, now + leaseMs],
    );
    return rows;
  }

  async completeHandover(id: string, owner: string, outcome: HandoverOutcome, now: number): Promise<boolean> {
    // The UPDATE locks the row and rechecks the lease, so a completion racing a new lease or an acknowledgement changes nothing.
    const leased = `id = $1 AND lease_owner = $2 AND status = 'accepted'`;
    const result = outcome.handed
      ? await this.session.query(
          `WITH handed AS (
             UPDATE inbound_messages SET status = 'handed-over', handover_via = $3, handed_over_at = $4, handover_due = NULL, handover_error = NULL,
               handover_attempts = handover_attempts + 1, lease_owner = NULL, lease_until = NULL, updated_at = $4
             WHERE ${leased} RETURNING id
           )
           INSERT INTO inbound_changes (inbound_id, at, status, reason) SELECT id, $4, 'handed-over', $5 FROM handed`,
          [id, owner, outcome.via, now, `handed over to CAIS (${outcome.via})`],
        )
      : await this.session.query(
          `UPDATE inbound_messages SET handover_due = $3, handover_error = $4, handover_attempts = handover_attempts + 1,
             lease_owner = NULL, lease_until = NULL, updated_at = $5
           WHERE ${leased}`,
          [id, owner, outcome.retryAt, outcome.error, now],
        );
    return result.rowCount === 1;
  }

  async pullAfter(cursor: number, limit: number): Promise<PullItem[]> {
    return this.session.transaction(async (sql) => {
      await sql.query(`SELECT pg_advisory_xact_lock(${PULL_ORDER_KEY})`);
      const { rows } = await sql.query<PullItem>(
        `SELECT seq, id, partner, message_type AS "messageType", record_type AS "recordType", record_json AS "recordJson", received_at AS "receivedAt"
         FROM inbound_messages WHERE status = 'accepted' AND seq > $1 ORDER BY seq LIMIT $2`,
        [Math.max(0, Math.floor(cursor)), Math.max(1, Math.floor(limit))],
      );
      return rows;
    });
  }

  async acknowledge(ids: readonly string[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await this.session.query(
      `WITH acknowledged AS (
         UPDATE inbound_messages SET status = 'handed-over', handover_via = 'pull', handed_over_at = $2, handover_due = NULL, handover_error = NULL,
           lease_owner = NULL, lease_until = NULL, updated_at = $2
         WHERE id = ANY($1::text[]) AND status = 'accepted' RETURNING id
       )
       INSERT INTO inbound_changes (inbound_id, at, status, reason) SELECT id, $2, 'handed-over', 'acknowledged by CAIS (pull)' FROM acknowledged`,
      [ids, now],
    );
    return rowCount ?? 0;
  }

  async getInbound(id: string): Promise<InboundDetail | undefined> {
    return this.session.transaction(async (sql) => {
      const { rows } = await sql.query<InboundDetailRow>(
        `SELECT id, partner, partner_message_id AS "partnerMessageId", message_type AS "messageType", status, received_at AS "receivedAt",
           updated_at AS "updatedAt", payload_sha256 AS "payloadSha256", mapping_id AS "mappingId", mapping_version AS "mappingVersion",
           mapping_sha256 AS "mappingSha256", record_type AS "recordType", record_id AS "recordId", record_version AS "recordVersion",
           record_json AS "recordJson", answers, client_cert AS "clientCertificate", signer_cert AS "signerCertificate",
           receipt_body AS "receiptBody", handover_via AS via, handover_attempts AS attempts,
           handover_due AS "nextAttemptAt", handover_error AS "lastError", handed_over_at AS "handedOverAt"
         FROM inbound_messages WHERE id = $1`,
        [id],
      );
      const [row] = rows;
      if (row === undefined) return undefined;
      const keys = await sql.query<{ name: string; value: string }>('SELECT name, value FROM inbound_keys WHERE inbound_id = $1 ORDER BY name COLLATE "C"', [id]);
      const history = await sql.query<InboundDetail['history'][number]>('SELECT at, status, reason FROM inbound_changes WHERE inbound_id = $1 ORDER BY at, id', [id]);
      return inboundDetailOf(row, keys.rows, history.rows, await diagnosticsOf(sql, 'inbound_id', id));
    }, 'snapshot');
  }

  async inboundPayload(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.session.query<{ payload: Buffer }>('SELECT payload FROM inbound_messages WHERE id = $1', [id]);
    return rows[0]?.payload;
  }

  async answersTo(outboundId: string): Promise<Array<{ id: string; partner: string; messageType: string; receivedAt: number }>> {
    const { rows } = await this.session.query<{ id: string; partner: string; messageType: string; receivedAt: number }>(
      'SELECT id, partner, message_type AS "messageType", received_at AS "receivedAt" FROM inbound_messages WHERE answers = $1 ORDER BY received_at, id',
      [outboundId],
    );
    return rows;
  }

  async pendingHandovers(): Promise<number> {
    const { rows } = await this.session.query<{ count: number }>(`SELECT COUNT(*) AS count FROM inbound_messages WHERE status = 'accepted'`);
    return rows[0]?.count ?? 0;
  }

  async inboundRecordsOfType(recordType: string, afterSeq: number, limit: number): Promise<LoggedRecord[]> {
    const { rows } = await this.session.query<{ row: string; json: string }>(
      'SELECT seq AS row, record_json AS json FROM inbound_messages WHERE record_type = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [recordType, afterSeq, clampLimit(limit)],
    );
    return rows.map((r) => ({ row: Number(r.row), json: r.json }));
  }

  async heldInbound(partner: string, messageType: string, partnerMessageIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.session.query<{ id: string }>(
      'SELECT partner_message_id AS id FROM inbound_messages WHERE partner = $1 AND message_type = $2 AND partner_message_id = ANY($3::text[])',
      [partner, messageType, [...partnerMessageIds]],
    );
    return rows.map((r) => r.id);
  }

  async findOutbound(partner: string, name: string, value: string): Promise<string | undefined> {
    const { rows } = await this.session.query<{ id: string }>(
      `SELECT m.id FROM message_keys k JOIN messages m ON m.id = k.message_id
       WHERE k.value = $1 AND k.name = $2 AND m.partner = $3 ORDER BY m.created_at DESC, m.id DESC LIMIT 1`,
      [value, name, partner],
    );
    return rows[0]?.id;
  }

  async logRefusal(refusal: InboundRefusal): Promise<void> {
    const { partner, code, reason, payloadSha256, size, clientCertificate, receivedAt, headerError } = refusal;
    const log = async (sql: Sql): Promise<void> => {
      await sql.query(
        'INSERT INTO inbound_refusals (partner, code, reason, payload_sha256, size, client_cert, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [partner, code, reason, payloadSha256, size, clientCertificate, receivedAt],
      );
      if (headerError) await recordDiagnostic(sql, { at: receivedAt, kind: 'header-error', partner, messageId: null, inboundId: null, detail: `${code}: ${reason}` });
    };
    // The refusal and its header-error event are kept together or not at all.
    await (headerError ? this.session.transaction(log) : log(this.session));
  }

  async refusals(limit: number, partner?: string): Promise<InboundRefusal[]> {
    const { rows } = await this.session.query<InboundRefusal>(
      `SELECT partner, code, reason, payload_sha256 AS "payloadSha256", size, client_cert AS "clientCertificate", received_at AS "receivedAt"
       FROM inbound_refusals WHERE $1::text IS NULL OR partner = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
      [partner ?? null, clampLimit(limit)],
    );
    return rows;
  }

  /** Nothing to stop: the session's pool belongs to whoever opened it. */
  async close(): Promise<void> {}
}
