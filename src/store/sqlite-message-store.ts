// The embedded message store: MessageStore on SQLite (better-sqlite3) in WAL mode, an accepted message synced to disk before it is answered.
import type { LoggedRecord } from './message-log.js';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { GatewayError } from '../errors.js';
import { clampLimit, decodeCursor, groupKeys, pageFrom, type Cursor } from './search-page.js';
import type {
  AcceptResult,
  AcknowledgeResult,
  AttemptRecord,
  ClaimedMessage,
  ClaimResult,
  IncomingAcknowledgement,
  InboundSummary,
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
import type { RevisedPartnerRecord } from './partner-record-store.js';
import type { DiagnosticEvent, DiagnosticFilter } from './diagnostic-events.js';
import { AcknowledgementLog } from './sqlite-acknowledgements.js';
import { DiagnosticLog } from './sqlite-diagnostics.js';
import { openSqliteDatabase, SqliteConnection } from './sqlite-connection.js';
import { REOPEN_MESSAGE_SQL } from './message-reopen.js';
import { attemptEvents, transformedEvent } from './message-events.js';
import { GroupCommit } from './group-commit.js';
import { SqliteAuditTrail } from './sqlite-audit.js';
import { SqliteMappingChanges } from './sqlite-mapping-changes.js';
import { UnsyncedMessages } from './unsynced-messages.js';

type Db = Database.Database;

const SUMMARY_COLUMNS = `'out' AS direction, m.id, m.partner, m.message_type AS messageType, r.type AS recordType, r.record_id AS recordId,
  r.version AS recordVersion, m.status, m.attempts, m.created_at AS createdAt, m.updated_at AS updatedAt,
  m.next_attempt_at AS nextAttemptAt`;

const DETAIL_COLUMNS = `${SUMMARY_COLUMNS}, m.record_row AS recordRow, m.mapping_id AS mappingId, m.mapping_version AS mappingVersion,
  m.mapping_sha256 AS mappingSha256, m.payload_sha256 AS payloadSha256, m.extension, r.json AS recordJson`;

/** Pending messages whose queue job is still to be published (matches the partial index messages_unpublished). */
const UNPUBLISHED = `status = 'pending' AND job_state <> 'published'`;

/** A partner's messages the embedded queue may take at @now: pending, due, and not leased (or their lease ended). */
const DUE = `partner = @partner AND status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)`;

/** The end states `resend` may leave. */
const RESENDABLE = `('failed', 'dead-lettered', 'needs-human')`;
const REDELIVERABLE = `('failed', 'dead-lettered', 'needs-human', 'delivered')`;

/** An inbound message in the shape of a summary: received is its creation, the hand-over its attempts. */
const INBOUND_SUMMARY_COLUMNS = `'in' AS direction, i.id, i.partner, i.message_type AS messageType, i.record_type AS recordType,
  i.record_id AS recordId, i.record_version AS recordVersion, i.status, i.handover_attempts AS attempts,
  i.received_at AS createdAt, i.updated_at AS updatedAt, i.handover_due AS nextAttemptAt`;

/** Filters a search applies to each side of the log (`direction` chooses the sides). */
type RowFilter = Exclude<keyof MessageFilter, 'direction'>;

/** One direction of the log as search reads it: its rows and the SQL condition of each filter, bound by the filter's own name. */
interface LogSide {
  direction: 'out' | 'in';
  from: string;
  columns: string;
  filters: Readonly<Record<RowFilter, string>>;
  afterCursor: string;
  /** Newest first, by the side's own columns (its indexes). */
  newestFirst: string;
}

const LOG_SIDES: readonly LogSide[] = [
  {
    direction: 'out',
    from: 'messages m JOIN records r ON r.id = m.record_row',
    columns: SUMMARY_COLUMNS,
    filters: {
      // IN, not a correlated EXISTS: the planner then starts from the key's index instead of testing every message newest first.
      key: 'm.id IN (SELECT k.message_id FROM message_keys k WHERE k.value = @key)',
      partner: 'm.partner = @partner',
      status: 'm.status = @status',
      type: 'm.message_type = @type',
      from: 'm.created_at >= @from',
      to: 'm.created_at < @to',
    },
    afterCursor: '(m.created_at < @cursorAt OR (m.created_at = @cursorAt AND m.id < @cursorId))',
    newestFirst: 'm.created_at DESC, m.id DESC',
  },
  {
    direction: 'in',
    from: 'inbound_messages i',
    columns: INBOUND_SUMMARY_COLUMNS,
    filters: {
      key: 'i.id IN (SELECT k.inbound_id FROM inbound_keys k WHERE k.value = @key)',
      partner: 'i.partner = @partner',
      status: 'i.status = @status',
      type: 'i.message_type = @type',
      from: 'i.received_at >= @from',
      to: 'i.received_at < @to',
    },
    afterCursor: '(i.received_at < @cursorAt OR (i.received_at = @cursorAt AND i.id < @cursorId))',
    newestFirst: 'i.received_at DESC, i.id DESC',
  },
];

const ROW_FILTERS: readonly RowFilter[] = ['key', 'partner', 'status', 'type', 'from', 'to'];

type SummaryRow = Omit<OutboundSummary, 'businessKeys'> | Omit<InboundSummary, 'businessKeys'>;

interface DetailRow extends Omit<OutboundSummary, 'businessKeys'> {
  recordRow: number;
  mappingId: string;
  mappingVersion: number;
  mappingSha256: string;
  payloadSha256: string;
  extension: string;
  recordJson: string;
}

interface KeyRow {
  messageId: string;
  name: string;
  value: string;
}

/** What claimById reads: the message as a worker gets it, plus what decides whether it may be claimed. */
interface ClaimRow extends Omit<ClaimedMessage, 'leaseUntil'> {
  nextAttemptAt: number | null;
  status: MessageStatus;
  leaseUntil: number | null;
}

/** One call of completeAttempt. */
interface Completion {
  id: string;
  owner: string;
  attempt: AttemptRecord;
  transition: Transition;
  now: number;
}

interface FinishParams {
  id: string;
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: number | null;
  now: number;
}

type SearchParams = Partial<Record<RowFilter | 'cursorAt' | 'cursorId' | 'limit', string | number>>;

function prepareStatements(db: Db) {
  return {
    findRecord: db.prepare<[string, string, number], { row: number }>('SELECT id AS row FROM records WHERE type = ? AND record_id = ? AND version = ?'),
    recordMessages: db.prepare<[number], AcceptResult['messages'][number]>(
      'SELECT id, partner, message_type AS messageType FROM messages WHERE record_row = ? ORDER BY position',
    ),
    recordSiblings: db.prepare<[number], MessageDetail['recordMessages'][number]>(
      'SELECT id, partner, message_type AS messageType, status FROM messages WHERE record_row = ? ORDER BY position',
    ),
    insertRecord: db.prepare<[string, string, number, string, number, string | null]>('INSERT INTO records (type, record_id, version, json, received_at, accepted_by) VALUES (?, ?, ?, ?, ?, ?)'),
    insertMessage: db.prepare<[Record<string, string | number | Buffer>]>(
      `INSERT INTO messages (id, record_row, position, partner, message_type, mapping_id, mapping_version, mapping_sha256,
         payload_sha256, extension, status, attempts, next_attempt_at, job_state, created_at, updated_at)
       VALUES (@id, @recordRow, @position, @partner, @messageType, @mappingId, @mappingVersion, @mappingSha256,
         @payloadSha256, @extension, 'pending', 0, @nextAttemptAt, 'unpublished', @now, @now)`,
    ),
    // The document apart from its row: leases and attempts change the row's size, and SQLite writes such a row anew with all of its blob.
    insertPayload: db.prepare<[string, Buffer]>('INSERT INTO message_payloads (message_id, payload) VALUES (?, ?)'),
    insertKey: db.prepare<[string, string, string]>('INSERT INTO message_keys (message_id, name, value) VALUES (?, ?, ?)'),
    setKey: db.prepare<[string, string, string]>(
      'INSERT INTO message_keys (message_id, name, value) VALUES (?, ?, ?) ON CONFLICT (message_id, name) DO UPDATE SET value = excluded.value',
    ),
    insertChange: db.prepare<[string, number, MessageStatus | null, MessageStatus, string]>(
      'INSERT INTO status_changes (message_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)',
    ),
    unpublished: db.prepare<[number], UnpublishedMessage>(
      `SELECT id, partner, next_attempt_at AS nextAttemptAt FROM messages WHERE ${UNPUBLISHED} ORDER BY updated_at, id LIMIT ?`,
    ),
    handOut: db.prepare<[string, string]>(`UPDATE messages SET job_state = 'publishing', publish_owner = ? WHERE id IN (SELECT value FROM json_each(?))`),
    markPublished: db.prepare<[string, string]>(`UPDATE messages SET job_state = 'published' WHERE id = ? AND status = 'pending' AND job_state = 'publishing' AND publish_owner = ?`),
    unpublishedCount: db.prepare<[], { count: number }>(`SELECT COUNT(*) AS count FROM messages WHERE ${UNPUBLISHED}`),
    republishOverdue: db.prepare<[number, number, number]>(
      `UPDATE messages SET job_state = 'unpublished', next_attempt_at = ?
       WHERE status = 'pending' AND job_state = 'published' AND next_attempt_at < ? AND (lease_until IS NULL OR lease_until <= ?)`,
    ),
    deferUntil: db.prepare<[number, string]>(
      `UPDATE messages SET job_state = 'unpublished', next_attempt_at = MAX(next_attempt_at, ?) WHERE id = ? AND status = 'pending'`,
    ),
    claimRow: db.prepare<[string], ClaimRow>(
      `SELECT m.id, m.partner, m.message_type AS messageType, p.payload, m.attempts, m.retry_base AS retryBase, m.status, m.lease_until AS leaseUntil,
         m.next_attempt_at AS nextAttemptAt
       FROM messages m JOIN message_payloads p ON p.message_id = m.id WHERE m.id = ?`,
    ),
    lease: db.prepare<[string, number, string]>('UPDATE messages SET lease_owner = ?, lease_until = ? WHERE id = ?'),
    due: db.prepare<[{ partner: string; now: number; limit: number }], Omit<ClaimedMessage, 'leaseUntil'>>(
      `SELECT m.id, m.partner, m.message_type AS messageType, (SELECT payload FROM message_payloads WHERE message_id = m.id) AS payload,
         m.attempts, m.retry_base AS retryBase
       FROM messages m WHERE ${DUE} ORDER BY m.next_attempt_at, m.id LIMIT @limit`,
    ),
    anyDue: db.prepare<[{ partner: string; now: number }], { one: number }>(`SELECT 1 AS one FROM messages WHERE ${DUE} LIMIT 1`),
    leasedTo: db.prepare<[string, string], { partner: string }>(`SELECT partner FROM messages WHERE id = ? AND lease_owner = ? AND status = 'pending'`),
    insertAttempt: db.prepare<[string, number, number, number, string, number | null, string | null, string | null, string | null]>(
      `INSERT INTO attempts (message_id, number, started_at, duration_ms, outcome, http_status, partner_code, error, batch_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    recordsOfType: db.prepare<[string, number, number], LoggedRecord>('SELECT id AS row, json FROM records WHERE type = ? AND id > ? ORDER BY id LIMIT ?'),
    latestRecordsOfType: db.prepare<[string, number], LoggedRecord>('SELECT id AS row, json FROM records WHERE type = ? ORDER BY id DESC LIMIT ?'),
    keyHolders: db.prepare<[string, string, string, number], { recordType: string; recordId: string; recordVersion: number }>(
      `SELECT DISTINCT r.type AS recordType, r.record_id AS recordId, r.version AS recordVersion
       FROM message_keys k JOIN messages m ON m.id = k.message_id JOIN records r ON r.id = m.record_row
       WHERE k.value = ? AND k.name = ? AND m.partner = ? LIMIT ?`,
    ),
    previousPayload: db.prepare<[string, string, number, string, string], { payload: Buffer }>(
      `SELECT p.payload FROM messages m JOIN records r ON r.id = m.record_row JOIN message_payloads p ON p.message_id = m.id
       WHERE r.type = ? AND r.record_id = ? AND r.version < ? AND m.partner = ? AND m.message_type = ?
       ORDER BY r.version DESC, m.position LIMIT 1`,
    ),
    putPartnerRecord: db.prepare<[string, string, string, string, string, number]>(
      `INSERT INTO partner_records (partner, kind, id, key, value, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (partner, kind, id) DO UPDATE SET key = excluded.key, value = excluded.value, updated_at = excluded.updated_at, revision = revision + 1`,
    ),
    insertPartnerRecord: db.prepare<[string, string, string, string, string, number]>(
      'INSERT INTO partner_records (partner, kind, id, key, value, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (partner, kind, id) DO NOTHING',
    ),
    swapPartnerRecord: db.prepare<[string, string, number, string, string, string, number]>(
      'UPDATE partner_records SET key = ?, value = ?, updated_at = ?, revision = revision + 1 WHERE partner = ? AND kind = ? AND id = ? AND revision = ?',
    ),
    getPartnerRecord: db.prepare<[string, string, string], { value: string; revision: number }>('SELECT value, revision FROM partner_records WHERE partner = ? AND kind = ? AND id = ?'),
    listPartnerRecords: db.prepare<[string, string], { id: string; key: string; value: string; updatedAt: number }>(
      'SELECT id, key, value, updated_at AS updatedAt FROM partner_records WHERE partner = ? AND kind = ? ORDER BY updated_at DESC, id',
    ),
    listPartnerRecordsByKey: db.prepare<[string, string, string], { id: string; key: string; value: string; updatedAt: number }>(
      'SELECT id, key, value, updated_at AS updatedAt FROM partner_records WHERE partner = ? AND kind = ? AND key = ? ORDER BY updated_at DESC, id',
    ),
    finishAttempt: db.prepare<[FinishParams]>(
      `UPDATE messages SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt,
         job_state = CASE WHEN @status = 'pending' THEN 'unpublished' ELSE job_state END,
         lease_owner = NULL, lease_until = NULL, updated_at = @now
       WHERE id = @id`,
    ),
    resendable: db.prepare<[string], { status: MessageStatus }>(`SELECT status FROM messages WHERE id = ? AND status IN ${RESENDABLE}`),
    redeliverable: db.prepare<[string], { status: MessageStatus }>(`SELECT status FROM messages WHERE id = ? AND status IN ${REDELIVERABLE}`),
    reopen: db.prepare<[number, number, string]>(REOPEN_MESSAGE_SQL),
    detail: db.prepare<[string], DetailRow>(`SELECT ${DETAIL_COLUMNS} FROM messages m JOIN records r ON r.id = m.record_row WHERE m.id = ?`),
    keysOf: db.prepare<[string, string], KeyRow>(
      `SELECT message_id AS messageId, name, value FROM message_keys WHERE message_id IN (SELECT value FROM json_each(?))
       UNION ALL
       SELECT inbound_id AS messageId, name, value FROM inbound_keys WHERE inbound_id IN (SELECT value FROM json_each(?))
       ORDER BY messageId, name`,
    ),
    history: db.prepare<[string], StatusChange>(
      'SELECT at, from_status AS "from", to_status AS "to", reason FROM status_changes WHERE message_id = ? ORDER BY at, id',
    ),
    attemptLog: db.prepare<[string], Omit<AttemptRecord, 'batchId'> & { batchId: string | null }>(
      `SELECT number, started_at AS startedAt, duration_ms AS durationMs, outcome, http_status AS httpStatus,
         partner_code AS partnerCode, error, batch_id AS batchId
       FROM attempts WHERE message_id = ? ORDER BY number`,
    ),
    payload: db.prepare<[string], { payload: Buffer }>('SELECT payload FROM message_payloads WHERE message_id = ?'),
    counts: db.prepare<[], StoreStats['counts'][number]>(
      'SELECT partner, status, COUNT(*) AS count FROM messages GROUP BY partner, status ORDER BY partner, status',
    ),
    pendingFigures: db.prepare<[number], { due: number; oldest: number | null }>(
      `SELECT COUNT(*) FILTER (WHERE next_attempt_at <= ?) AS due, MIN(created_at) AS oldest FROM messages WHERE status = 'pending'`,
    ),
    ping: db.prepare<[], { one: number }>('SELECT 1 AS one'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** One side's newest rows matching the filters, at most `@limit`. */
function sideSql(side: LogSide, filters: readonly RowFilter[], hasCursor: boolean): string {
  const conditions = filters.map((name) => side.filters[name]);
  if (hasCursor) conditions.push(side.afterCursor);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT * FROM (SELECT ${side.columns} FROM ${side.from} ${where} ORDER BY ${side.newestFirst} LIMIT @limit)`;
}

/** Both directions of the log merged newest first; each side is cut to the page size before merging. */
function searchSql(sides: readonly LogSide[], filters: readonly RowFilter[], hasCursor: boolean): string {
  return `${sides.map((side) => sideSql(side, filters, hasCursor)).join(' UNION ALL ')} ORDER BY createdAt DESC, id DESC LIMIT @limit`;
}

/** MessageStore over one better-sqlite3 connection; every method does its work synchronously. */
class SqliteMessageStore implements MessageStore {
  private readonly statements: Statements;
  /** Search statements, prepared once per combination of filters. */
  private readonly searches = new Map<string, Database.Statement<[SearchParams], SummaryRow>>();
  private readonly acceptTx;
  private readonly unpublishedTx;
  private readonly markPublishedTx;
  private readonly claimTx;
  private readonly turnTx;
  /** Leases of due messages and attempt records made in one turn of the event loop, committed together (see {@link completeAttempt}). */
  private readonly leaseTurn: GroupCommit<() => unknown, unknown>;
  private readonly resendTx;
  private readonly acknowledgeTx;
  private readonly repeatTx;
  private readonly acknowledgements: AcknowledgementLog;
  /** Messages written durably but maybe not synced yet: takes and hand-outs wait for them. */
  private readonly unsynced: UnsyncedMessages;
  private readonly diagnosticLog: DiagnosticLog;
  readonly audit: SqliteAuditTrail;
  readonly mappingChanges: SqliteMappingChanges;
  private readonly db: Db;
  /** Names this store's hand-outs, so a late markPublished of another process on the file cannot mark a job this one handed out since. */
  private readonly handOutOwner = randomUUID();

  constructor(private readonly connection: SqliteConnection) {
    const db = connection.db;
    this.db = db;
    this.statements = prepareStatements(db);
    this.acceptTx = db.transaction((items: ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>, now: number) =>
      items.map(({ record, messages }) => this.acceptIn(record, messages, now)),
    );
    this.unpublishedTx = db.transaction((limit: number) => this.unpublishedIn(limit));
    this.markPublishedTx = db.transaction((ids: readonly string[]) => {
      for (const id of ids) this.statements.markPublished.run(id, this.handOutOwner);
    });
    this.claimTx = db.transaction((id: string, now: number, leaseUntil: number, owner: string) => this.claimIn(id, now, leaseUntil, owner));
    this.turnTx = db.transaction((writes: ReadonlyArray<() => unknown>) => writes.map((write) => write()));
    this.leaseTurn = new GroupCommit<() => unknown, unknown>({
      joint: async (writes) => {
        this.durability('NORMAL');
        return this.turnTx.immediate(writes);
      },
      alone: async (write) => {
        this.durability('NORMAL');
        return this.turnTx.immediate([write])[0];
      },
    });
    this.resendTx = db.transaction((id: string, now: number, reason: string, delivered: boolean) => this.resendIn(id, now, reason, delivered));
    this.diagnosticLog = new DiagnosticLog(db);
    this.acknowledgements = new AcknowledgementLog(db, this.diagnosticLog);
    this.acknowledgeTx = db.transaction((incoming: IncomingAcknowledgement, now: number) => this.acknowledgements.acknowledge(incoming, now));
    this.repeatTx = db.transaction((id: string, now: number) => this.acknowledgements.repeatOverdue(id, now));
    this.audit = new SqliteAuditTrail(connection);
    this.unsynced = new UnsyncedMessages(connection);
    this.mappingChanges = new SqliteMappingChanges(connection);
  }

  async accept(record: SourceRecord, messages: NewMessage[], now: number): Promise<AcceptResult> {
    const [result] = await this.acceptBatch([{ record, messages }], now);
    return result as AcceptResult;
  }

  async acceptBatch(items: ReadonlyArray<{ record: SourceRecord; messages: NewMessage[] }>, now: number): Promise<AcceptResult[]> {
    return this.connection.durable(
      () => this.acceptTx.immediate(items, now),
      (number, results) => this.unsynced.note(results.flatMap((r) => (r.created ? r.messages.map((m) => m.id) : [])), number),
    );
  }

  async unpublished(limit: number): Promise<UnpublishedMessage[]> {
    this.durability('NORMAL');
    const handedOut = this.unpublishedTx.immediate(Math.max(0, Math.floor(limit)));
    // A published job leads to an attempt: only for a message whose accept is on the disk.
    await this.unsynced.settle(handedOut.map((m) => m.id));
    return handedOut;
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    this.durability('NORMAL');
    this.markPublishedTx.immediate(ids);
  }

  async republishOverdue(now: number, graceMs: number): Promise<number> {
    this.durability('NORMAL');
    return this.statements.republishOverdue.run(now, now - graceMs, now).changes;
  }

  async deferUntil(id: string, at: number): Promise<void> {
    this.durability('NORMAL');
    this.statements.deferUntil.run(at, id);
  }

  async recordsOfType(type: string, afterRow: number, limit: number): Promise<LoggedRecord[]> {
    return this.statements.recordsOfType.all(type, afterRow, clampLimit(limit));
  }

  async latestRecordsOfType(type: string, limit: number): Promise<LoggedRecord[]> {
    return this.statements.latestRecordsOfType.all(type, clampLimit(limit));
  }

  async previousPayload(recordType: string, recordId: string, version: number, partner: string, messageType: string): Promise<Buffer | undefined> {
    return this.statements.previousPayload.get(recordType, recordId, version, partner, messageType)?.payload;
  }

  async keyHolders(partner: string, name: string, value: string, limit: number): Promise<Array<{ recordType: string; recordId: string; recordVersion: number }>> {
    return this.statements.keyHolders.all(value, name, partner, limit);
  }

  async putPartnerRecord(partner: string, kind: string, id: string, key: string, value: unknown, now: number): Promise<void> {
    await this.connection.durable(() => this.statements.putPartnerRecord.run(partner, kind, id, key, JSON.stringify(value), now));
  }

  async getPartnerRecord(partner: string, kind: string, id: string): Promise<unknown | undefined> {
    return (await this.readPartnerRecord(partner, kind, id))?.value;
  }

  async readPartnerRecord(partner: string, kind: string, id: string): Promise<RevisedPartnerRecord | undefined> {
    const row = this.statements.getPartnerRecord.get(partner, kind, id);
    return row === undefined ? undefined : { value: JSON.parse(row.value) as unknown, revision: row.revision };
  }

  async swapPartnerRecord(partner: string, kind: string, id: string, key: string, value: unknown, expectedRevision: number | null, now: number): Promise<boolean> {
    const json = JSON.stringify(value);
    // One statement each: SQLite runs it atomically against every other connection to the file.
    const result = await this.connection.durable(() =>
      expectedRevision === null
        ? this.statements.insertPartnerRecord.run(partner, kind, id, key, json, now)
        : this.statements.swapPartnerRecord.run(key, json, now, partner, kind, id, expectedRevision),
    );
    return result.changes === 1;
  }

  async listPartnerRecords(partner: string, kind: string, key?: string): Promise<Array<{ id: string; key: string; value: unknown; updatedAt: number }>> {
    const rows = key === undefined ? this.statements.listPartnerRecords.all(partner, kind) : this.statements.listPartnerRecordsByKey.all(partner, kind, key);
    return rows.map((r) => ({ ...r, value: JSON.parse(r.value) as unknown }));
  }

  async unpublishedCount(): Promise<number> {
    return this.statements.unpublishedCount.get()?.count ?? 0;
  }

  async claimById(id: string, now: number, leaseMs: number, owner: string): Promise<ClaimResult> {
    this.durability('NORMAL');
    const claimed = this.claimTx.immediate(id, now, now + leaseMs, owner);
    if (claimed.state === 'claimed') await this.unsynced.settle([id]);
    return claimed;
  }

  async claimDue(partner: string, limit: number, now: number, leaseMs: number, owner: string): Promise<ClaimedMessage[]> {
    const count = Math.max(0, Math.floor(limit));
    // A look before the write lock: an idle poll costs a read, not a write transaction other writers would wait for.
    if (count === 0 || this.statements.anyDue.get({ partner, now }) === undefined) return [];
    const leaseUntil = now + leaseMs;
    const taken = await this.inLeaseTurn(() =>
      this.statements.due.all({ partner, now, limit: count }).map((message) => {
        this.statements.lease.run(owner, leaseUntil, message.id);
        return { ...message, leaseUntil };
      }),
    );
    // A taken message is sent to its partner: only once its accept is on the disk.
    await this.unsynced.settle(taken.map((m) => m.id));
    return taken;
  }

  /** Attempt records made in one turn of the event loop share one transaction with each other and with the turn's leases. */
  async completeAttempt(id: string, owner: string, attempt: AttemptRecord, transition: Transition, now: number): Promise<boolean> {
    return this.inLeaseTurn(() => this.completeIn({ id, owner, attempt, transition, now }));
  }

  /**
   * Runs `write` in the transaction of the current turn of the event loop, with the leases and attempt
   * records other workers make in it: one commit where there were one per take and one per group of
   * attempts. Each write is committed on its own when the shared transaction fails.
   */
  private inLeaseTurn<R>(write: () => R): Promise<R> {
    return this.leaseTurn.submit(write) as Promise<R>;
  }

  /**
   * Accepting and resending are durable against power loss before they return ({@link SqliteConnection.durable}:
   * the log is synced after the commit). Leases, outbox marks and attempt records use NORMAL: in WAL
   * mode they survive a process crash, and the next durable write makes them durable too, since its
   * sync covers the log up to itself. A power cut can lose the latest of them: a lost lease or outbox
   * mark means a job is published or an attempt made again with the same message id (at-least-once); a lost attempt record whose job RabbitMQ
   * already acknowledged leaves the message pending without a job (the relay's sweep republishes it;
   * embedded, the message is simply taken again when its lease ends).
   */
  private durability(level: 'FULL' | 'NORMAL'): void {
    this.connection.durability(level);
  }

  async resend(id: string, now: number, reason: string, options: { delivered?: boolean } = {}): Promise<boolean> {
    return this.connection.durable(
      () => this.resendTx.immediate(id, now, reason, options.delivered === true),
      (number, resent) => resent && this.unsynced.note([id], number),
    );
  }

  async acknowledge(incoming: IncomingAcknowledgement, now: number): Promise<AcknowledgeResult> {
    // An acknowledgement may send its message again (effect resent).
    return this.connection.durable(
      () => this.acknowledgeTx.immediate(incoming, now),
      (number) => this.unsynced.note([incoming.messageId], number),
    );
  }

  async overdueAcknowledgements(now: number, limit: number): Promise<OverdueAcknowledgement[]> {
    return this.acknowledgements.overdue(now, limit);
  }

  async repeatOverdue(messageId: string, now: number): Promise<boolean> {
    return this.connection.durable(
      () => this.repeatTx.immediate(messageId, now),
      (number, repeated) => repeated && this.unsynced.note([messageId], number),
    );
  }

  async diagnostics(filter: DiagnosticFilter, limit: number): Promise<DiagnosticEvent[]> {
    return this.diagnosticLog.list(filter, clampLimit(limit));
  }

  async get(id: string): Promise<MessageDetail | undefined> {
    return this.snapshot(() => this.detailOf(id));
  }

  async payload(id: string): Promise<Buffer | undefined> {
    return this.statements.payload.get(id)?.payload;
  }

  async search(filter: MessageFilter, limit: number, cursor?: string): Promise<Page<MessageSummary>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    return this.snapshot(() => this.pageOf(filter, clampLimit(limit), after));
  }

  async stats(now: number): Promise<StoreStats> {
    return this.snapshot(() => {
      const { due, oldest } = this.statements.pendingFigures.get(now) ?? { due: 0, oldest: null };
      return { counts: this.statements.counts.all(), due, oldestPendingCreatedAt: oldest };
    });
  }

  async ping(): Promise<void> {
    try {
      this.statements.ping.get();
    } catch (error) {
      const file = this.connection.file;
      throw new GatewayError('GW_ERR_STORE_UNAVAILABLE', `message store ${file} cannot be reached: ${(error as Error).message}`, { file }, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private snapshot<T>(read: () => T): T {
    return this.connection.snapshot(read);
  }

  private detailOf(id: string): MessageDetail | undefined {
    const row = this.statements.detail.get(id);
    if (row === undefined) return undefined;
    const { recordRow, mappingId, mappingVersion, mappingSha256, recordJson, ...rest } = row;
    return {
      ...rest,
      businessKeys: this.keysOf([id]).get(id) ?? {},
      mapping: { id: mappingId, version: mappingVersion, sha256: mappingSha256 },
      record: JSON.parse(recordJson) as unknown,
      recordMessages: this.statements.recordSiblings.all(recordRow),
      history: this.statements.history.all(id),
      attemptLog: this.statements.attemptLog.all(id).map(({ batchId, ...attempt }) => (batchId === null ? attempt : { ...attempt, batchId })),
      ...this.acknowledgements.detailOf(id),
      events: this.diagnosticLog.forMessage(id),
    };
  }

  private pageOf(filter: MessageFilter, size: number, after: Cursor | undefined): Page<MessageSummary> {
    return pageFrom(this.searchRows(filter, size + 1, after), size, (items) => {
      const keys = this.keysOf(items.map((row) => row.id));
      return items.map((row): MessageSummary => ({ ...row, businessKeys: keys.get(row.id) ?? {} }));
    });
  }

  private acceptIn(record: SourceRecord, messages: NewMessage[], now: number): AcceptResult {
    const existing = this.statements.findRecord.get(record.type, record.recordId, record.version);
    if (existing !== undefined) return { created: false, messages: this.statements.recordMessages.all(existing.row) };
    const { lastInsertRowid } = this.statements.insertRecord.run(record.type, record.recordId, record.version, record.json, now, record.acceptedBy ?? null);
    messages.forEach((message, position) => {
      this.insertMessage(Number(lastInsertRowid), position, message, now);
      this.diagnosticLog.record(transformedEvent(record, message, now));
    });
    return { created: true, messages: messages.map(({ id, partner, messageType }) => ({ id, partner, messageType })) };
  }

  private insertMessage(recordRow: number, position: number, message: NewMessage, now: number): void {
    const { id, partner, messageType, mapping, businessKeys, payload, payloadSha256, extension } = message;
    this.statements.insertMessage.run({
      id,
      recordRow,
      position,
      partner,
      messageType,
      mappingId: mapping.id,
      mappingVersion: mapping.version,
      mappingSha256: mapping.sha256,
      payloadSha256,
      extension,
      now,
      nextAttemptAt: now + (message.delayMs ?? 0),
    });
    this.statements.insertPayload.run(id, payload);
    for (const [name, value] of Object.entries(businessKeys)) this.statements.insertKey.run(id, name, value);
    this.statements.insertChange.run(id, now, null, 'pending', 'accepted');
  }

  /** Lists the oldest unpublished messages and marks them handed out, so markPublished can tell a later change. */
  private unpublishedIn(limit: number): UnpublishedMessage[] {
    const rows = this.statements.unpublished.all(limit);
    if (rows.length > 0) this.statements.handOut.run(this.handOutOwner, JSON.stringify(rows.map((row) => row.id)));
    return rows;
  }

  private claimIn(id: string, now: number, leaseUntil: number, owner: string): ClaimResult {
    const row = this.statements.claimRow.get(id);
    if (row === undefined) return { state: 'missing' };
    const { status, leaseUntil: heldUntil, nextAttemptAt, ...message } = row;
    if (status !== 'pending') return { state: 'not-pending', status };
    if (heldUntil !== null && heldUntil > now) return { state: 'leased', leaseUntil: heldUntil };
    if (nextAttemptAt !== null && nextAttemptAt > now + CLAIM_EARLY_TOLERANCE_MS) return { state: 'not-due', nextAttemptAt };
    this.statements.lease.run(owner, leaseUntil, id);
    return { state: 'claimed', message: { ...message, leaseUntil } };
  }

  private completeIn({ id, owner, attempt, transition, now }: Completion): boolean {
    const leased = this.statements.leasedTo.get(id, owner);
    if (leased === undefined) return false;
    const { number, startedAt, durationMs, outcome, httpStatus, partnerCode, error, batchId } = attempt;
    this.statements.insertAttempt.run(id, number, startedAt, durationMs, outcome, httpStatus, partnerCode, error, batchId ?? null);
    for (const [name, value] of Object.entries(attempt.businessKeys ?? {})) this.statements.setKey.run(id, name, value);
    const nextAttemptAt = transition.status === 'pending' ? transition.nextAttemptAt : null;
    this.statements.finishAttempt.run({ id, status: transition.status, attempts: number, nextAttemptAt, now });
    this.statements.insertChange.run(id, now, 'pending', transition.status, transition.reason);
    for (const event of attemptEvents(id, leased.partner, attempt, transition, now)) this.diagnosticLog.record(event);
    if (transition.status === 'delivered' && transition.awaiting) {
      const refused = this.acknowledgements.start(id, transition.awaiting, now);
      if (refused) {
        this.statements.finishAttempt.run({ id, status: 'failed', attempts: number, nextAttemptAt: null, now });
        this.statements.insertChange.run(id, now, 'delivered', 'failed', refused.failed);
      }
    }
    return true;
  }

  private resendIn(id: string, now: number, reason: string, delivered: boolean): boolean {
    const row = (delivered ? this.statements.redeliverable : this.statements.resendable).get(id);
    if (row === undefined) return false;
    this.statements.reopen.run(now, now, id);
    this.statements.insertChange.run(id, now, row.status, 'pending', reason);
    this.acknowledgements.restart(id, now);
    return true;
  }

  private searchRows(filter: MessageFilter, limit: number, cursor: Cursor | undefined): SummaryRow[] {
    const names = ROW_FILTERS.filter((name) => filter[name] !== undefined);
    const params: SearchParams = { limit };
    for (const name of names) params[name] = filter[name];
    if (cursor !== undefined) Object.assign(params, { cursorAt: cursor.at, cursorId: cursor.id });
    return this.searchStatement(filter.direction, names, cursor !== undefined).all(params);
  }

  private searchStatement(direction: MessageFilter['direction'], names: readonly RowFilter[], hasCursor: boolean): Database.Statement<[SearchParams], SummaryRow> {
    const shape = `${direction ?? 'both'}|${names.join(',')}|${hasCursor}`;
    let statement = this.searches.get(shape);
    if (statement === undefined) {
      const sides = LOG_SIDES.filter((side) => direction === undefined || side.direction === direction);
      statement = this.db.prepare<[SearchParams], SummaryRow>(searchSql(sides, names, hasCursor));
      this.searches.set(shape, statement);
    }
    return statement;
  }

  private keysOf(ids: readonly string[]): Map<string, Record<string, string>> {
    if (ids.length === 0) return new Map();
    const list = JSON.stringify(ids);
    return groupKeys(this.statements.keysOf.all(list, list));
  }
}

/**
 * The message store on an open connection (its tables shared with the other stores of the file).
 * Closing the store closes the connection.
 */
export function sqliteMessageStore(connection: SqliteConnection): MessageStore {
  return new SqliteMessageStore(connection);
}

/**
 * Opens the embedded message store on a SQLite file (see {@link openSqliteDatabase}).
 * @param file database path, or `:memory:` for a store that lives as long as the process
 * @throws GatewayError GW_ERR_CONFIG_INVALID when the store cannot be opened or migrated
 */
export function openSqliteMessageStore(file: string): MessageStore {
  return sqliteMessageStore(new SqliteConnection(openSqliteDatabase(file), file));
}
