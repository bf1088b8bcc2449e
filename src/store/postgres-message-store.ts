// The message store on PostgreSQL: the message log and the outbox shared by several gateway instances, with acknowledgements, diagnostics and partner records.
import type { LoggedRecord } from './message-log.js';
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { DiagnosticEvent, DiagnosticFilter } from './diagnostic-events.js';
import { attemptEvents } from './message-events.js';
import { acceptRecords } from './postgres-accept.js';
import { PostgresAuditTrail } from './postgres-audit.js';
import { PostgresMappingChanges } from './postgres-mapping-changes.js';
import { REOPEN_MESSAGE_SQL } from './message-reopen.js';
import type {
  AcceptResult,
  AcknowledgeResult,
  AttemptRecord,
  ClaimedMessage,
  ClaimResult,
  IncomingAcknowledgement,
  MessageDetail,
  MessageFilter,
  MessageStatus,
  MessageStore,
  MessageSummary,
  NewMessage,
  OutboundSummary,
  OverdueAcknowledgement,
  Page,
  SourceRecord,
  StatusChange,
  StoreStats,
  Transition,
  UnpublishedMessage,
} from './message-store.js';
import { CLAIM_EARLY_TOLERANCE_MS } from './message-store.js';
import * as acknowledgements from './postgres-acknowledgements.js';
import { diagnosticsOf, listDiagnostics, recordDiagnostic } from './postgres-diagnostics.js';
import { PostgresPartnerRecords } from './postgres-partner-records.js';
import { keysOf, searchPostgresLog } from './postgres-search.js';
import { numbered, type PostgresSession, type Sql } from './postgres-session.js';
import { clampLimit, decodeCursor } from './search-page.js';

const REOPEN = numbered(REOPEN_MESSAGE_SQL);

/** The end states `resend` may leave. */
const RESENDABLE = `('failed', 'dead-lettered', 'needs-human')`;
const REDELIVERABLE = `('failed', 'dead-lettered', 'needs-human', 'delivered')`;

const DETAIL_COLUMNS = `'out' AS direction, m.id, m.partner, m.message_type AS "messageType", r.type AS "recordType", r.record_id AS "recordId",
  r.version AS "recordVersion", m.status, m.attempts, m.created_at AS "createdAt", m.updated_at AS "updatedAt", m.next_attempt_at AS "nextAttemptAt",
  m.record_row AS "recordRow", m.mapping_id AS "mappingId", m.mapping_version AS "mappingVersion", m.mapping_sha256 AS "mappingSha256",
  m.payload_sha256 AS "payloadSha256", m.extension, r.json AS "recordJson"`;

interface DetailRow extends Omit<OutboundSummary, 'businessKeys'> {
  recordRow: number;
  mappingId: string;
  mappingVersion: number;
  mappingSha256: string;
  payloadSha256: string;
  extension: string;
  recordJson: string;
}

/** What claimById reads: the message as a worker gets it, plus what decides whether it may be claimed. */
interface ClaimRow extends Omit<ClaimedMessage, 'leaseUntil'> {
  nextAttemptAt: number | null;
  status: MessageStatus;
  leaseUntil: number | null;
}

async function change(sql: Sql, id: string, now: number, from: MessageStatus | null, to: MessageStatus, reason: string): Promise<void> {
  await sql.query('INSERT INTO status_changes (message_id, at, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5)', [id, now, from, to, reason]);
}

/**
 * MessageStore on a PostgreSQL pool. Every change is one transaction; one that reads before it writes
 * locks the message's row first, so gateway instances sharing the database take turns on a message
 * (a claim, an attempt's record, an acknowledgement, a resend) and never act on a stale read.
 */
export class PostgresMessageStore extends PostgresPartnerRecords implements MessageStore {
  /** Names this instance's hand-outs, so a late markPublished of another instance cannot mark a job this one handed out since. */
  private readonly handOutOwner = randomUUID();

  readonly audit: PostgresAuditTrail;
  readonly mappingChanges: PostgresMappingChanges;

  constructor(private readonly session: PostgresSession) {
    super(session);
    this.audit = new PostgresAuditTrail(session);
    this.mappingChanges = new PostgresMappingChanges(session);
  }

  async accept(record: SourceRecord, messages: NewMessage[], now: number): Promise<AcceptResult> {
    const [result] = await this.acceptBatch([{ record, messages }], now);
    return result as AcceptResult;
  }

  async acceptBatch(items: ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>, now: number): Promise<AcceptResult[]> {
    return this.session.transaction((sql) => acceptRecords(sql, items, now));
  }

  /**
   * Hands out the oldest unpublished messages, marking them `publishing` so markPublished can tell a
   * later change. Rows another instance is handing out at this moment are skipped, not waited for.
   */
  async unpublished(limit: number): Promise<UnpublishedMessage[]> {
    const { rows } = await this.session.query<UnpublishedMessage & { updatedAt: number }>(
      `UPDATE messages SET job_state = 'publishing', publish_owner = $2 WHERE id IN (
         SELECT id FROM messages WHERE status = 'pending' AND job_state <> 'published' ORDER BY updated_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, partner, next_attempt_at AS "nextAttemptAt", updated_at AS "updatedAt"`,
      [Math.max(0, Math.floor(limit)), this.handOutOwner],
    );
    return rows.sort((a, b) => a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : 1)).map(({ id, partner, nextAttemptAt }) => ({ id, partner, nextAttemptAt }));
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.session.query(`UPDATE messages SET job_state = 'published' WHERE id = ANY($1::text[]) AND status = 'pending' AND job_state = 'publishing' AND publish_owner = $2`, [
      ids,
      this.handOutOwner,
    ]);
  }

  async unpublishedCount(): Promise<number> {
    const { rows } = await this.session.query<{ count: number }>(`SELECT COUNT(*) AS count FROM messages WHERE status = 'pending' AND job_state <> 'published'`);
    return rows[0]?.count ?? 0;
  }

  async republishOverdue(now: number, graceMs: number): Promise<number> {
    const result = await this.session.query(
      `UPDATE messages SET job_state = 'unpublished', next_attempt_at = $1
       WHERE status = 'pending' AND job_state = 'published' AND next_attempt_at < $2 AND (lease_until IS NULL OR lease_until <= $1)`,
      [now, now - graceMs],
    );
    return result.rowCount ?? 0;
  }

  async deferUntil(id: string, at: number): Promise<void> {
    await this.session.query(`UPDATE messages SET job_state = 'unpublished', next_attempt_at = GREATEST(next_attempt_at, $1) WHERE id = $2 AND status = 'pending'`, [at, id]);
  }

  async claimById(id: string, now: number, leaseMs: number, owner: string): Promise<ClaimResult> {
    const leaseUntil = now + leaseMs;
    return this.session.transaction(async (sql) => {
      const { rows } = await sql.query<ClaimRow>(
        `SELECT id, partner, message_type AS "messageType", payload, attempts, retry_base AS "retryBase", status, lease_until AS "leaseUntil",
           next_attempt_at AS "nextAttemptAt" FROM messages WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      if (row === undefined) return { state: 'missing' };
      const { status, leaseUntil: heldUntil, nextAttemptAt, ...message } = row;
      if (status !== 'pending') return { state: 'not-pending', status };
      if (heldUntil !== null && heldUntil > now) return { state: 'leased', leaseUntil: heldUntil };
      if (nextAttemptAt !== null && nextAttemptAt > now + CLAIM_EARLY_TOLERANCE_MS) return { state: 'not-due', nextAttemptAt };
      await sql.query('UPDATE messages SET lease_owner = $1, lease_until = $2 WHERE id = $3', [owner, leaseUntil, id]);
      return { state: 'claimed', message: { ...message, leaseUntil } };
    });
  }

  async claimDue(partner: string, limit: number, now: number, leaseMs: number, owner: string): Promise<ClaimedMessage[]> {
    const count = Math.max(0, Math.floor(limit));
    if (count === 0) return [];
    const leaseUntil = now + leaseMs;
    // SKIP LOCKED: instances taking at once share the due messages instead of queueing behind each other's rows.
    const { rows } = await this.session.query<ClaimedMessage & { dueAt: number }>(
      `UPDATE messages SET lease_owner = $1, lease_until = $2 WHERE id IN (
         SELECT id FROM messages WHERE status = 'pending' AND partner = $3 AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
         ORDER BY next_attempt_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
       RETURNING id, partner, message_type AS "messageType", payload, attempts, retry_base AS "retryBase", lease_until AS "leaseUntil", next_attempt_at AS "dueAt"`,
      [owner, leaseUntil, partner, now, count],
    );
    // RETURNING keeps no order: earliest due first, as SQLite hands them out.
    rows.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return rows.map(({ dueAt: _dueAt, ...message }) => message);
  }

  async completeAttempt(id: string, owner: string, attempt: AttemptRecord, transition: Transition, now: number): Promise<boolean> {
    return this.session.transaction(async (sql) => {
      const { rows } = await sql.query<{ partner: string }>(`SELECT partner FROM messages WHERE id = $1 AND lease_owner = $2 AND status = 'pending' FOR UPDATE`, [id, owner]);
      const leased = rows[0];
      if (leased === undefined) return false;
      const { number, startedAt, durationMs, outcome, httpStatus, partnerCode, error, batchId } = attempt;
      await sql.query(
        `INSERT INTO attempts (message_id, number, started_at, duration_ms, outcome, http_status, partner_code, error, batch_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, number, startedAt, durationMs, outcome, httpStatus, partnerCode, error, batchId ?? null],
      );
      const keys = Object.entries(attempt.businessKeys ?? {});
      if (keys.length > 0) {
        await sql.query(
          `INSERT INTO message_keys (message_id, name, value) SELECT $1, * FROM unnest($2::text[], $3::text[])
           ON CONFLICT (message_id, name) DO UPDATE SET value = excluded.value`,
          [id, keys.map(([name]) => name), keys.map(([, value]) => value)],
        );
      }
      const nextAttemptAt = transition.status === 'pending' ? transition.nextAttemptAt : null;
      await this.finish(sql, id, transition.status, number, nextAttemptAt, now);
      await change(sql, id, now, 'pending', transition.status, transition.reason);
      for (const event of attemptEvents(id, leased.partner, attempt, transition, now)) await recordDiagnostic(sql, event);
      if (transition.status === 'delivered' && transition.awaiting) {
        const refused = await acknowledgements.startWatch(sql, id, transition.awaiting, now);
        if (refused) {
          await this.finish(sql, id, 'failed', number, null, now);
          await change(sql, id, now, 'delivered', 'failed', refused.failed);
        }
      }
      return true;
    });
  }

  /** The message's state after an attempt: a retry makes its job unpublished; the lease is released. */
  private async finish(sql: Sql, id: string, status: MessageStatus, attempts: number, nextAttemptAt: number | null, now: number): Promise<void> {
    await sql.query(
      `UPDATE messages SET status = $2, attempts = $3, next_attempt_at = $4,
         job_state = CASE WHEN $2 = 'pending' THEN 'unpublished' ELSE job_state END,
         lease_owner = NULL, lease_until = NULL, updated_at = $5
       WHERE id = $1`,
      [id, status, attempts, nextAttemptAt, now],
    );
  }

  async resend(id: string, now: number, reason: string, options: { delivered?: boolean } = {}): Promise<boolean> {
    return this.session.transaction(async (sql) => {
      const { rows } = await sql.query<{ status: MessageStatus }>(`SELECT status FROM messages WHERE id = $1 AND status IN ${options.delivered ? REDELIVERABLE : RESENDABLE} FOR UPDATE`, [id]);
      const row = rows[0];
      if (row === undefined) return false;
      await sql.query(REOPEN, [now, now, id]);
      await change(sql, id, now, row.status, 'pending', reason);
      await acknowledgements.restartWatch(sql, id, now);
      return true;
    });
  }

  async acknowledge(incoming: IncomingAcknowledgement, now: number): Promise<AcknowledgeResult> {
    return this.session.transaction((sql) => acknowledgements.acknowledge(sql, incoming, now));
  }

  async overdueAcknowledgements(now: number, limit: number): Promise<OverdueAcknowledgement[]> {
    return acknowledgements.overdueAcknowledgements(this.session, now, limit);
  }

  async repeatOverdue(messageId: string, now: number): Promise<boolean> {
    return this.session.transaction((sql) => acknowledgements.repeatOverdue(sql, messageId, now));
  }

  async diagnostics(filter: DiagnosticFilter, limit: number): Promise<DiagnosticEvent[]> {
    return listDiagnostics(this.session, filter, clampLimit(limit));
  }

  async recordsOfType(type: string, afterRow: number, limit: number): Promise<LoggedRecord[]> {
    const { rows } = await this.session.query<{ row: string; json: string }>('SELECT id AS row, json FROM records WHERE type = $1 AND id > $2 ORDER BY id LIMIT $3', [type, afterRow, clampLimit(limit)]);
    return rows.map((r) => ({ row: Number(r.row), json: r.json }));
  }

  async latestRecordsOfType(type: string, limit: number): Promise<LoggedRecord[]> {
    const { rows } = await this.session.query<{ row: string; json: string }>('SELECT id AS row, json FROM records WHERE type = $1 ORDER BY id DESC LIMIT $2', [type, clampLimit(limit)]);
    return rows.map((r) => ({ row: Number(r.row), json: r.json }));
  }

  async previousPayload(recordType: string, recordId: string, version: number, partner: string, messageType: string): Promise<Buffer | undefined> {
    const { rows } = await this.session.query<{ payload: Buffer }>(
      `SELECT m.payload FROM messages m JOIN records r ON r.id = m.record_row
       WHERE r.type = $1 AND r.record_id = $2 AND r.version < $3 AND m.partner = $4 AND m.message_type = $5
       ORDER BY r.version DESC, m.position LIMIT 1`,
      [recordType, recordId, version, partner, messageType],
    );
    return rows[0]?.payload;
  }

  async keyHolders(partner: string, name: string, value: string, limit: number): Promise<Array<{ recordType: string; recordId: string; recordVersion: number }>> {
    const { rows } = await this.session.query<{ recordType: string; recordId: string; recordVersion: string | number }>(
      `SELECT DISTINCT r.type AS "recordType", r.record_id AS "recordId", r.version AS "recordVersion"
       FROM message_keys k JOIN messages m ON m.id = k.message_id JOIN records r ON r.id = m.record_row
       WHERE k.value = $1 AND k.name = $2 AND m.partner = $3 LIMIT $4`,
      [value, name, partner, limit],
    );
    return rows.map((r) => ({ recordType: r.recordType, recordId: r.recordId, recordVersion: Number(r.recordVersion) }));
  }

  async get(id: string): Promise<MessageDetail | undefined> {
    return this.session.transaction(async (sql) => {
      const row = (await sql.query<DetailRow>(`SELECT ${DETAIL_COLUMNS} FROM messages m JOIN records r ON r.id = m.record_row WHERE m.id = $1`, [id])).rows[0];
      if (row === undefined) return undefined;
      const { recordRow, mappingId, mappingVersion, mappingSha256, recordJson, ...rest } = row;
      const siblings = await sql.query<MessageDetail['recordMessages'][number]>(
        'SELECT id, partner, message_type AS "messageType", status FROM messages WHERE record_row = $1 ORDER BY position',
        [recordRow],
      );
      const history = await sql.query<StatusChange>('SELECT at, from_status AS "from", to_status AS "to", reason FROM status_changes WHERE message_id = $1 ORDER BY at, id', [id]);
      const attempts = await sql.query<Omit<AttemptRecord, 'batchId'> & { batchId: string | null }>(
        `SELECT number, started_at AS "startedAt", duration_ms AS "durationMs", outcome, http_status AS "httpStatus",
           partner_code AS "partnerCode", error, batch_id AS "batchId" FROM attempts WHERE message_id = $1 ORDER BY number`,
        [id],
      );
      return {
        ...rest,
        businessKeys: (await keysOf(sql, [id])).get(id) ?? {},
        mapping: { id: mappingId, version: mappingVersion, sha256: mappingSha256 },
        record: JSON.parse(recordJson) as unknown,
        recordMessages: siblings.rows,
        history: history.rows,
        attemptLog: attempts.rows.map(({ batchId, ...attempt }) => (batchId === null ? attempt : { ...attempt, batchId })),
        ...(await acknowledgements.acknowledgementsOf(sql, id)),
        events: await diagnosticsOf(sql, 'message_id', id),
      };
    }, 'snapshot');
  }

  async payload(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.session.query<{ payload: Buffer }>('SELECT payload FROM messages WHERE id = $1', [id]);
    return rows[0]?.payload;
  }

  async search(filter: MessageFilter, limit: number, cursor?: string): Promise<Page<MessageSummary>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    // No transaction needed: a message's keys are written with it and never change, so the page and its keys agree.
    return searchPostgresLog(this.session, filter, clampLimit(limit), after);
  }

  async stats(now: number): Promise<StoreStats> {
    return this.session.transaction(async (sql) => {
      const counts = await sql.query<StoreStats['counts'][number]>('SELECT partner, status, COUNT(*) AS count FROM messages GROUP BY partner, status ORDER BY partner COLLATE "C", status COLLATE "C"');
      const pending = await sql.query<{ due: number; oldest: number | null }>(
        `SELECT COUNT(*) FILTER (WHERE next_attempt_at <= $1) AS due, MIN(created_at) AS oldest FROM messages WHERE status = 'pending'`,
        [now],
      );
      return { counts: counts.rows, due: pending.rows[0]?.due ?? 0, oldestPendingCreatedAt: pending.rows[0]?.oldest ?? null };
    }, 'snapshot');
  }

  async ping(): Promise<void> {
    try {
      await this.session.pool.query('SELECT 1');
    } catch (error) {
      throw new GatewayError('GW_ERR_STORE_UNAVAILABLE', `PostgreSQL cannot be reached: ${(error as Error).message}`, {}, { cause: error });
    }
  }

  /** Ends the pool (the inbound store on it must be closed first, as with SQLite); idempotent. */
  async close(): Promise<void> {
    if (!this.session.pool.ended) await this.session.pool.end();
  }
}
