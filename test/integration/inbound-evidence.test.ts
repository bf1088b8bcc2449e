// A received message's bytes, our receipt and its certificates live apart from the row its hand-over rewrites: the pages a hand-over writes, counted in the log file, do not grow with the push; and a log from before keeps them.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundStore } from '../../src/store/inbound-store.js';
import { openSqliteDatabase, SqliteConnection } from '../../src/store/sqlite-connection.js';
import { sqliteInboundStore } from '../../src/store/sqlite-inbound-store.js';
import { sqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { inboundMessage } from '../conformance/inbound-store.conformance.js';
import { T0 } from '../conformance/store-fixtures.js';
import { walFrames } from '../support/wal-frames.js';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A PEM certificate's size, as an EAEU member's client and signing certificates are. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----\n${'MIIDdzCCAl+gAwIBAgIUY'.repeat(60)}\n-----END CERTIFICATE-----\n`;

describe('inbound evidence apart from the hand-over row (SQLite)', () => {
  let dir: string;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function open(file: string): InboundStore {
    const connection = new SqliteConnection(openSqliteDatabase(file), file);
    const messages = sqliteMessageStore(connection);
    const inbound = sqliteInboundStore(connection, { commitWorker: false });
    close = async () => {
      await inbound.close();
      await messages.close();
    };
    return inbound;
  }

  it('a hand-over lease and its record write as many pages for a 40 KB push as for a 40-byte one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-inbound-evidence-'));
    const file = join(dir, 'log.db');
    const store = open(file);
    const wal = `${file}-wal`;
    /** The log frames (pages) a lease and then a hand-over record of push `n` write. */
    const handoverFrames = async (n: number, bytes: number): Promise<{ lease: number; record: number }> => {
      const payload = Buffer.alloc(bytes, 0x41);
      const now = T0 + n * 1000;
      expect((await store.acceptInbound(inboundMessage(n, { payload, clientCertificate: CERTIFICATE, signerCertificate: CERTIFICATE }), now)).state).toBe('accepted');
      const before = walFrames(wal).frames;
      const [handover] = await store.claimHandovers(now, 1, 30_000, 'me');
      expect(handover?.id).toBe(inboundMessage(n).id);
      const leased = walFrames(wal).frames;
      expect(await store.completeHandover(handover!.id, 'me', { handed: true, via: 'webhook' }, now + 1)).toBe(true);
      return { lease: leased - before, record: walFrames(wal).frames - leased };
    };
    // Warm: the tables' first pages exist before anything is counted.
    await handoverFrames(1, 40);
    const small = await handoverFrames(2, 40);
    const large = await handoverFrames(3, 40_000);
    expect(small.lease).toBeGreaterThan(0);
    expect(large).toEqual(small);
    // What was received stays whole.
    expect(await store.inboundPayload(inboundMessage(3).id)).toEqual(Buffer.alloc(40_000, 0x41));
    expect((await store.getInbound(inboundMessage(3).id))?.clientCertificate).toBe(CERTIFICATE);
  });

  it('upgrades a version 14 log: every push keeps its bytes, its receipt and its certificates', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-inbound-evidence-'));
    const file = join(dir, 'log.db');
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    // The audit trail's triggers call the chain's hash; rows here are inserted below the triggers' tables.
    old.function('gw_audit_hash', () => 'x');
    for (const migration of MIGRATIONS.filter((m) => m.version <= 14)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, T0);
    }
    const pushes = [inboundMessage(1), inboundMessage(2, { payload: Buffer.alloc(20_000, 0x42) })];
    const insert = old.prepare(
      `INSERT INTO inbound_messages (id, partner, partner_message_id, message_type, record_type, record_id, record_version, record_json,
         mapping_id, mapping_version, mapping_sha256, payload, payload_sha256, receipt_status, receipt_headers, receipt_body,
         client_cert, signer_cert, status, handover_due, received_at, updated_at)
       VALUES (@id, @partner, @partnerMessageId, @messageType, 't', @id, 1, '{}', 'm', 1, 'cd', @payload, @payloadSha256, 200, @headers, @body,
         @clientCertificate, @signerCertificate, 'accepted', ${T0}, ${T0}, ${T0})`,
    );
    for (const p of pushes) {
      insert.run({ ...p, mapping: undefined, record: undefined, businessKeys: undefined, receipt: undefined, headers: JSON.stringify(p.receipt.headers), body: p.receipt.body });
    }
    old.close();

    const store = open(file);
    for (const p of pushes) {
      expect(await store.inboundPayload(p.id)).toEqual(p.payload);
      expect(await store.getInbound(p.id)).toMatchObject({ clientCertificate: p.clientCertificate, signerCertificate: p.signerCertificate, receiptSha256: sha256(p.receipt.body) });
      // A repeat of the push is answered with the receipt stored for it.
      expect(await store.priorPush(p.partner, p.partnerMessageId, p.payloadSha256)).toEqual({ state: 'duplicate', id: p.id, receipt: p.receipt });
    }
  });
});
