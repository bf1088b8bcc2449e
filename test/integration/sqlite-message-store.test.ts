// The embedded SQLite message store: the MessageStore conformance suite on a temporary file, plus durability, migrations and pragmas.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import type { MessageStore, NewMessage } from '../../src/store/message-store.js';
import { openSqliteDatabase, openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { messageStoreConformance } from '../conformance/message-store.conformance.js';

const T0 = 1_767_225_600_000;

let conformanceDir: string | undefined;

messageStoreConformance(
  'SQLite (temporary file)',
  async () => {
    conformanceDir = mkdtempSync(join(tmpdir(), 'gw-store-'));
    return openSqliteMessageStore(join(conformanceDir, 'nested', 'messages.db'));
  },
  async () => {
    if (conformanceDir !== undefined) rmSync(conformanceDir, { recursive: true, force: true });
    conformanceDir = undefined;
  },
);

messageStoreConformance('SQLite (:memory:)', async () => openSqliteMessageStore(':memory:'));

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
    await first.accept(record, [message('m-1')], T0);
    await first.claimDue('iru-safetir', T0, 1, 30_000, 'worker-1');
    await first.close();
    const reopened = open();
    expect(await reopened.get('m-1')).toMatchObject({ status: 'pending', recordId: 'XC12345678', history: [{ to: 'pending', reason: 'accepted' }] });
    expect(await reopened.claimDue('iru-safetir', T0 + 1000, 1, 30_000, 'worker-2')).toEqual([]);
    expect(await reopened.accept(record, [message('m-2')], T0 + 2000)).toMatchObject({ created: false });
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

  it('lets two store instances on one file see each other’s committed work, leases included', async () => {
    const a = open();
    const b = open();
    await a.accept(record, [message('m-1'), message('m-2')], T0);
    expect((await b.search({ key: 'XC12345678' }, 10)).items.map((m) => m.id).sort()).toEqual(['m-1', 'm-2']);
    const claimedByB = await b.claimDue('iru-safetir', T0, 1, 30_000, 'worker-b');
    const claimedByA = await a.claimDue('iru-safetir', T0, 10, 30_000, 'worker-a');
    expect([...claimedByB, ...claimedByA].map((m) => m.id).sort()).toEqual(['m-1', 'm-2']);
    expect(claimedByA).toHaveLength(1);
    const id = claimedByB[0]?.id ?? '';
    const attempt = { number: 1, startedAt: T0, durationMs: 10, outcome: 'delivered', httpStatus: 200, partnerCode: null, error: null } as const;
    expect(await b.completeAttempt(id, 'worker-b', attempt, { status: 'delivered', reason: 'HTTP 200' }, T0 + 10)).toBe(true);
    expect(await a.get(id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
