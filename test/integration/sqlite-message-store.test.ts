// The embedded SQLite message store: the role conformance suites (message log, outbox, acknowledgements, partner records) on a file and in memory, plus durability, migrations and pragmas.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import type { MessageStore, NewMessage } from '../../src/store/message-store.js';
import { openSqliteDatabase } from '../../src/store/sqlite-connection.js';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { acknowledgementConformance } from '../conformance/acknowledgement.conformance.js';
import { auditConformance } from '../conformance/audit.conformance.js';
import { mappingChangesConformance } from '../conformance/mapping-changes.conformance.js';
import { messageLogConformance } from '../conformance/message-log.conformance.js';
import { outboxConformance } from '../conformance/outbox.conformance.js';
import { partnerRecordsConformance } from '../conformance/partner-records.conformance.js';

const T0 = 1_767_225_600_000;

let conformanceDir: string | undefined;

const onFile = async (): Promise<MessageStore> => {
  conformanceDir = mkdtempSync(join(tmpdir(), 'gw-store-'));
  return openSqliteMessageStore(join(conformanceDir, 'nested', 'messages.db'));
};
const dropFile = async (): Promise<void> => {
  if (conformanceDir !== undefined) rmSync(conformanceDir, { recursive: true, force: true });
  conformanceDir = undefined;
};
const inMemory = async (): Promise<MessageStore> => openSqliteMessageStore(':memory:');

messageLogConformance('SQLite (temporary file)', onFile, dropFile);
outboxConformance('SQLite (temporary file)', onFile, dropFile);
messageLogConformance('SQLite (:memory:)', inMemory);
auditConformance(
  'SQLite (temporary file)',
  onFile,
  async (sql) => {
    const db = new Database(join(conformanceDir!, 'nested', 'messages.db'));
    db.exec(sql);
    db.close();
  },
  dropFile,
);
outboxConformance('SQLite (:memory:)', inMemory);

let recordsDir: string | undefined;
const recordsFile = (): string => join((recordsDir ??= mkdtempSync(join(tmpdir(), 'gw-records-'))), 'messages.db');
partnerRecordsConformance(
  'SQLite (two connections to one file)',
  async () => openSqliteMessageStore(recordsFile()),
  async () => openSqliteMessageStore(recordsFile()),
  async () => {
    if (recordsDir !== undefined) rmSync(recordsDir, { recursive: true, force: true });
    recordsDir = undefined;
  },
);
acknowledgementConformance('SQLite (:memory:)', async () => openSqliteMessageStore(':memory:'));
mappingChangesConformance('SQLite (temporary file)', onFile, dropFile, async () => openSqliteMessageStore(join(conformanceDir!, 'nested', 'messages.db')));

function message(id: string): NewMessage {
  const payload = Buffer.from(`<Upload id="${id}"/>`);
  return {
    id,
    partner: 'iru-safetir',
    messageType: 'safetir-upload',
    mapping: { id: 'safetir-termination', version: 1, sha256: '00'.repeat(32) },
    businessKeys: { carnet: 'XC12345678' },
    payload,
    payloadSha256: createHash('sha256').update(payload).digest('hex'),
    extension: 'xml',
  };
}

const record = { type: 'tir.termination', recordId: 'XC12345678', version: 1, json: '{"carnetNumber":"XC12345678"}' };

describe('SQLite message store on disk', () => {
  let dir: string;
  let file: string;
  const opened: MessageStore[] = [];

  function open(): MessageStore {
    const store = openSqliteMessageStore(file);
    opened.push(store);
    return store;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-store-'));
    file = join(dir, 'messages.db');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps accepted messages and their history across close and reopen', async () => {
    const first = open();
    await first.accept(record, [message('m-1'), message('m-2')], T0);
    expect((await first.claimById('m-1', T0, 30_000, 'worker-1')).state).toBe('claimed');
    await first.markPublished((await first.unpublished(1)).map((m) => m.id));
    await first.close();
    const reopened = open();
    expect(await reopened.get('m-1')).toMatchObject({ status: 'pending', recordId: 'XC12345678', history: [{ to: 'pending', reason: 'accepted' }] });
    expect(await reopened.claimById('m-1', T0 + 1000, 30_000, 'worker-2')).toEqual({ state: 'leased', leaseUntil: T0 + 30_000 });
    expect(await reopened.unpublished(10)).toEqual([{ id: 'm-2', partner: 'iru-safetir', nextAttemptAt: T0 }]);
    expect(await reopened.accept(record, [message('m-2')], T0 + 2000)).toMatchObject({ created: false });
  });

  it('answers each of the attempt records made in one turn (committed together) on its own, and keeps them on reopen', async () => {
    const first = open();
    await first.accept(record, [message('m-1'), message('m-2'), message('m-3')], T0);
    for (const id of ['m-1', 'm-2', 'm-3']) expect((await first.claimById(id, T0, 30_000, 'worker-1')).state).toBe('claimed');
    const attempt = (n: number) => ({ number: 1, startedAt: T0, durationMs: 5, outcome: 'delivered' as const, httpStatus: 200, partnerCode: null, error: null, batchId: `b-${n}` });
    const answers = await Promise.all([
      first.completeAttempt('m-1', 'worker-1', attempt(1), { status: 'delivered', reason: 'taken' }, T0 + 10),
      first.completeAttempt('m-2', 'worker-2', attempt(2), { status: 'delivered', reason: 'not the holder' }, T0 + 10),
      first.completeAttempt('m-3', 'worker-1', attempt(3), { status: 'pending', nextAttemptAt: T0 + 5_000, reason: 'retry' }, T0 + 10),
      first.completeAttempt('m-404', 'worker-1', attempt(4), { status: 'delivered', reason: 'unknown' }, T0 + 10),
    ]);
    expect(answers).toEqual([true, false, true, false]);
    await first.close();
    const reopened = open();
    expect(await reopened.get('m-1')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await reopened.get('m-2')).toMatchObject({ status: 'pending', attempts: 0, attemptLog: [] });
    expect(await reopened.get('m-3')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 5_000 });
    expect((await reopened.get('m-3'))?.attemptLog).toMatchObject([{ batchId: 'b-3' }]);
  });

  it('records each migration once and does not re-run them on reopen', async () => {
    await open().close();
    const applied = (): unknown[] => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
      } finally {
        db.close();
      }
    };
    const before = applied();
    expect(before.map((row) => (row as { version: number }).version)).toEqual(MIGRATIONS.map((m) => m.version));
    await open().close();
    expect(applied()).toEqual(before);
  });

  it('numbers migrations 1, 2, 3 … with no gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('upgrades a version 1 database: its pending messages become unpublished, ended ones stay out of the outbox, every document keeps its bytes', async () => {
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0]?.sql ?? '');
    v1.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    v1.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, ?)').run(MIGRATIONS[0]?.name, T0);
    v1.prepare('INSERT INTO records (id, type, record_id, version, json, received_at) VALUES (1, ?, ?, ?, ?, ?)').run(record.type, record.recordId, record.version, record.json, T0);
    const insert = v1.prepare(
      `INSERT INTO messages (id, record_row, position, partner, message_type, mapping_id, mapping_version, mapping_sha256, payload, payload_sha256,
         extension, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, 1, ?, 'iru-safetir', 'safetir-upload', 'safetir-termination', 1, ?, ?, ?, 'xml', ?, ?, ?, ?, ?)`,
    );
    const rows = [
      ['m-retry', 'pending', 1, T0 + 60_000, T0 + 10],
      ['m-done', 'delivered', 1, null, T0 + 5],
      ['m-new', 'pending', 0, T0 + 1, T0 + 1],
    ] as const;
    rows.forEach(([id, status, attempts, nextAttemptAt, updatedAt], position) => {
      const { payload, payloadSha256, mapping } = message(id);
      insert.run(id, position, mapping.sha256, payload, payloadSha256, status, attempts, nextAttemptAt, T0, updatedAt);
    });
    v1.close();

    const store = open();
    expect(await store.unpublished(10)).toEqual([
      { id: 'm-new', partner: 'iru-safetir', nextAttemptAt: T0 + 1 },
      { id: 'm-retry', partner: 'iru-safetir', nextAttemptAt: T0 + 60_000 },
    ]);
    expect(await store.claimById('m-done', T0, 30_000, 'worker-1')).toEqual({ state: 'not-pending', status: 'delivered' });
    const claimed = await store.claimById('m-retry', T0 + 60_000, 30_000, 'worker-1');
    expect(claimed.state).toBe('claimed');
    // Each document's bytes moved with it into message_payloads (migration 14).
    expect(claimed.state === 'claimed' && claimed.message.payload).toEqual(message('m-retry').payload);
    expect(await store.payload('m-done')).toEqual(message('m-done').payload);
    expect(await store.claimDue('iru-safetir', 5, T0 + 1, 30_000, 'worker-1')).toMatchObject([{ id: 'm-new', payload: message('m-new').payload }]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      db.close();
    }
  });

  it('refuses a database whose schema is newer than this code knows, naming the file', async () => {
    await open().close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', T0);
    db.close();
    let error: unknown;
    try {
      open();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GW_ERR_CONFIG_INVALID', detail: { file, schemaVersion: LATEST_SCHEMA_VERSION + 1 } });
    expect((error as Error).message).toContain(file);
  });

  it('refuses a file that is not a SQLite database with GW_ERR_CONFIG_INVALID', () => {
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    expect(() => open()).toThrow(expect.objectContaining({ code: 'GW_ERR_CONFIG_INVALID' }) as Error);
  });

  it('answers a damaged search cursor with GW_ERR_REQUEST_INVALID', async () => {
    await expect(open().search({}, 10, 'eyJub3QiOiJvdXJzIn0')).rejects.toMatchObject({ code: 'GW_ERR_REQUEST_INVALID' });
  });

  it('fails ping on a closed store with GW_ERR_STORE_UNAVAILABLE naming the file', async () => {
    const store = open();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'GW_ERR_STORE_UNAVAILABLE', detail: { file } });
  });

  it('runs in WAL mode with synchronous FULL, a 5 s busy timeout and foreign keys on', () => {
    const db = openSqliteDatabase(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('lets two store instances on one file see each other’s committed work, leases included; each marks only the jobs it handed out', async () => {
    const a = open();
    const b = open();
    await a.accept(record, [message('m-1'), message('m-2')], T0);
    expect((await b.search({ key: 'XC12345678' }, 10)).items.map((m) => m.id).sort()).toEqual(['m-1', 'm-2']);
    expect((await b.claimById('m-1', T0, 30_000, 'worker-b')).state).toBe('claimed');
    expect(await a.claimById('m-1', T0, 30_000, 'worker-a')).toEqual({ state: 'leased', leaseUntil: T0 + 30_000 });
    expect((await a.claimById('m-2', T0, 30_000, 'worker-a')).state).toBe('claimed');
    expect((await a.unpublished(10)).map((m) => m.id)).toEqual(['m-1', 'm-2']);
    // b's late mark of a job a handed out (b may have handed it out before, and a again since) changes nothing.
    await b.markPublished(['m-1']);
    expect(await a.unpublishedCount()).toBe(2);
    await a.markPublished(['m-1']);
    expect(await b.unpublishedCount()).toBe(1);
    const attempt = { number: 1, startedAt: T0, durationMs: 10, outcome: 'delivered', httpStatus: 200, partnerCode: null, error: null } as const;
    expect(await b.completeAttempt('m-1', 'worker-b', attempt, { status: 'delivered', reason: 'HTTP 200' }, T0 + 10)).toBe(true);
    expect(await a.get('m-1')).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
