// The audit-trail role of every store: state changes chained by the store itself, events the gateway appends, checkpoints, and tampering that verification names.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { auditHash, GENESIS_HASH } from '../../src/audit/audit-hash.js';
import { verifyAuditTrail } from '../../src/audit/audit-verify.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities, type KeyCapabilities } from '../../src/security/key-capabilities.js';
import type { MessageStore } from '../../src/store/message-store.js';
import { endIn, eachFreshStore, messageId, newMessage, retryAt, sourceRecord, storeSteps, T0 } from './store-fixtures.js';

/** Runs raw SQL on the store's database, as someone with write access to it would. */
export type Tamper = (sql: string) => Promise<void>;

/**
 * The audit trail every store keeps. `open` returns a fresh store before each test; `tamper` runs SQL
 * on that store's database behind its back.
 */
export function auditConformance(name: string, open: () => Promise<MessageStore>, tamper: Tamper, cleanup?: () => Promise<void>): void {
  describe(`audit conformance: ${name}`, () => {
    let store!: MessageStore;
    let key!: KeyCapabilities;
    let certificate!: X509Certificate;
    const { acceptOne, attemptOn } = storeSteps(() => store);
    beforeAll(() => {
      const dir = mkdtempSync(join(tmpdir(), 'gw-audit-keys-'));
      initDevCertificates(dir, []);
      key = loadKeyCapabilities(join(dir, 'gateway.key.pem'), join(dir, 'gateway.cert.pem'));
      certificate = new X509Certificate(readFileSync(join(dir, 'gateway.cert.pem')));
    });
    eachFreshStore(open, cleanup, (fresh) => (store = fresh));

    /** One message accepted, retried once, delivered; a view appended by an auditor; a checkpoint. */
    async function story(): Promise<void> {
      await acceptOne(1, T0);
      await attemptOn(messageId(1), T0 + 10, retryAt(T0 + 1000, 1), 'retry');
      await attemptOn(messageId(1), T0 + 1000, endIn('delivered'), 'delivered');
      await store.audit.appendAudit([{ at: T0 + 2000, actor: 'auditor-anna', action: 'payload.viewed', subject: `message:${messageId(1)}`, detail: 'exact bytes' }]);
      const head = await store.audit.auditHead();
      await store.audit.saveAuditCheckpoint(signCheckpoint(key, head.seq, head.hash, T0 + 3000));
    }

    it('records every state change of a message in its trail, in order, with the gateway as actor, and a person\'s read with theirs', async () => {
      await story();
      const trail = await store.audit.auditTrail(`message:${messageId(1)}`, 100);
      expect(trail.map((e) => [e.actor, e.action])).toEqual([
        ['gateway', 'message.created'],
        ['gateway', 'message.attempted'],
        ['gateway', 'message.retry-scheduled'],
        ['gateway', 'message.attempted'],
        ['gateway', 'message.delivered'],
        ['auditor-anna', 'payload.viewed'],
      ]);
      expect(trail[0]?.detail).toBe('iru-safetir safetir-upload by mapping safetir-termination v3 sha256 ' + 'ab'.repeat(32));
      expect(trail[1]?.detail).toMatch(/^attempt 1: retry/);
      expect(await store.audit.auditTrail('record:tir.termination/R-1/1', 10)).toMatchObject([{ action: 'record.accepted', at: T0 }]);
    });

    it('names the client that posted a record as the actor of its acceptance', async () => {
      await store.accept({ ...sourceRecord('POSTED'), acceptedBy: 'cais-prod' }, [newMessage(7)], T0);
      expect(await store.audit.auditTrail('record:tir.termination/POSTED/1', 10)).toMatchObject([{ actor: 'cais-prod', action: 'record.accepted' }]);
    });

    it('chains every event to the one before it, from the genesis hash, with the hash verification recomputes', async () => {
      await story();
      const events = await store.audit.auditEvents(0, 100);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]?.prevHash).toBe(GENESIS_HASH);
      for (const [i, e] of events.entries()) {
        if (i > 0) expect(e.prevHash).toBe(events[i - 1]?.hash);
        expect(e.hash).toBe(auditHash(e.prevHash, e.seq, e.at, e.actor, e.action, e.subject, e.detail));
      }
      expect(await store.audit.auditHead()).toEqual({ seq: events.length, hash: events.at(-1)?.hash });
      const verified = await verifyAuditTrail(store.audit, certificate);
      expect(verified).toMatchObject({ ok: true, events: events.length, checkpoints: 1, problems: [] });
    });

    it('names an event whose content was changed', async () => {
      await story();
      await tamper("UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 3");
      const verified = await verifyAuditTrail(store.audit, certificate);
      expect(verified.ok).toBe(false);
      expect(verified.problems[0]).toEqual({ seq: 3, problem: 'event 3 was altered: its content does not give its hash' });
    });

    it('names an event that was changed and rehashed (the next one no longer chains to it)', async () => {
      await story();
      const [third] = await store.audit.auditEvents(2, 1);
      const rehashed = auditHash(third!.prevHash, 3, third!.at, third!.actor, third!.action, third!.subject, 'nothing to see');
      await tamper(`UPDATE audit_events SET detail = 'nothing to see', hash = '${rehashed}' WHERE seq = 3`);
      const verified = await verifyAuditTrail(store.audit, certificate);
      expect(verified.problems[0]?.seq).toBe(3);
      expect(verified.problems[0]?.problem).toMatch(/^event 4 does not chain to event 3/);
    });

    it('names an event that was deleted', async () => {
      await story();
      await tamper('DELETE FROM audit_events WHERE seq = 4');
      const verified = await verifyAuditTrail(store.audit, certificate);
      expect(verified.problems[0]).toEqual({ seq: 4, problem: 'events 4 are missing (the next event is 5)' });
    });

    it('names the first event cut off the end, even when the head row was rewound to match, by the signed checkpoint', async () => {
      await story();
      const events = await store.audit.auditEvents(0, 100);
      const keep = events.length - 3;
      await tamper(`DELETE FROM audit_events WHERE seq > ${keep}`);
      await tamper(`UPDATE audit_head SET seq = ${keep}, hash = '${events[keep - 1]!.hash}' WHERE id = 1`);
      const verified = await verifyAuditTrail(store.audit, certificate);
      expect(verified.ok).toBe(false);
      expect(verified.problems[0]?.seq).toBe(keep + 1);
      expect(verified.problems[0]?.problem).toMatch(new RegExp(`^events ${keep + 1}–${events.length} are missing: the checkpoint signed at`));
    });

    it('names the events cut off with their checkpoints and head by a checkpoint published outside the database', async () => {
      await story();
      const published = await store.audit.auditCheckpoints();
      const events = await store.audit.auditEvents(0, 100);
      const keep = events.length - 2;
      await tamper(`DELETE FROM audit_events WHERE seq > ${keep}`);
      await tamper('DELETE FROM audit_checkpoints');
      await tamper(`UPDATE audit_head SET seq = ${keep}, hash = '${events[keep - 1]!.hash}' WHERE id = 1`);
      // Without the published copy the shortened trail is consistent: that is what publishing is for.
      expect((await verifyAuditTrail(store.audit, certificate)).ok).toBe(true);
      const verified = await verifyAuditTrail(store.audit, certificate, published);
      expect(verified.ok).toBe(false);
      expect(verified.problems.map((p) => p.problem)).toEqual([
        expect.stringMatching(new RegExp(`^events ${keep + 1}–${events.length} are missing: the checkpoint signed at`)),
        expect.stringMatching(new RegExp(`^the checkpoint of event ${events.length} signed at .*, published outside the database, is gone from it$`)),
      ]);
    });

    it('refuses a checkpoint the gateway did not sign', async () => {
      await story();
      await tamper("UPDATE audit_checkpoints SET signature = 'AAAA'");
      const verified = await verifyAuditTrail(store.audit, certificate);
      expect(verified.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/is not signed by the gateway certificate$/));
    });

    it('verifies a trail that grows while it is read (events after the head it read first are left for the next run)', async () => {
      await story();
      const growing = Object.create(store.audit) as typeof store.audit;
      let appended = false;
      growing.auditEvents = async (after, limit) => {
        if (!appended) {
          appended = true;
          await store.audit.appendAudit([{ at: T0 + 9000, actor: 'auditor-anna', action: 'payload.viewed', subject: `message:${messageId(1)}`, detail: 'meanwhile' }]);
        }
        return store.audit.auditEvents(after, limit);
      };
      expect(await verifyAuditTrail(growing, certificate)).toMatchObject({ ok: true, problems: [] });
      expect((await verifyAuditTrail(store.audit, certificate)).ok).toBe(true);
    });

    it('refuses to append, loudly, when the head row is gone (rather than dropping events)', async () => {
      await story();
      await tamper('DELETE FROM audit_head');
      await expect(store.audit.appendAudit([{ at: T0, actor: 'x', action: 'payload.viewed', subject: 'message:x', detail: '' }])).rejects.toThrow(/no head row/);
    });

    it('keeps appending after a checkpoint: a trail that grew since its last checkpoint still verifies', async () => {
      await story();
      await acceptOne(2, T0 + 5000);
      expect((await verifyAuditTrail(store.audit, certificate)).ok).toBe(true);
    });
  });
}
