// The audit trail of a running gateway, on SQLite and PostgreSQL: who saw what (rights enforced by the API), every state change, and `gateway audit verify` against tampering.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-run.js';
import { openEvidence } from '../support/evidence-archive.js';
import { RECORD_FIXTURES } from '../support/project.js';
import { AUDITOR_TOKEN, REVIEWER_TOKEN, startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { storeBackends } from '../support/store-backends.js';

const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
const backends = (await storeBackends('audit trail')).filter((b) => !b.skipped);

describe.each(backends)('audit trail on $name', (backend) => {
  let gw: RunningGateway;
  let id: string;
  const recordId = `KZ-TM-AUDIT-${Date.now()}`;

  /** Runs SQL on the gateway's log behind its back, as someone with database access could. */
  async function tamper(sql: string): Promise<void> {
    if (gw.env.GATEWAY_DATABASE_SCHEMA === undefined) {
      const db = new Database(join(gw.env.GATEWAY_DATA_DIR!, 'gateway.sqlite'));
      db.exec(sql);
      db.close();
      return;
    }
    const client = new pg.Client({ connectionString: gw.env.GATEWAY_DATABASE_URL });
    await client.connect();
    await client.query(`SET search_path TO ${gw.env.GATEWAY_DATABASE_SCHEMA}`);
    await client.query(sql);
    await client.end();
  }

  beforeAll(async () => {
    gw = await startTestGateway({ ...(await backend.open()), GATEWAY_AUDIT_CHECKPOINT_MS: '3600000' });
    const res = await gw.api('POST', '/v1/cais/records', { ...movement, recordId });
    expect(res.status).toBe(202);
    id = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'eaeu-ru')!.id;
    await gw.waitFor(async () => ((await gw.api('GET', `/v1/messages/${id}`)).body.status === 'delivered' ? true : undefined));
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await backend.drop();
  }, 60_000);

  it('refuses the payload to a client without the content right (403) and leaves the record out of its detail', async () => {
    const payload = await gw.api('GET', `/v1/messages/${id}/payload`, undefined, REVIEWER_TOKEN);
    expect(payload.status).toBe(403);
    expect(payload.body.error).toMatchObject({ code: 'GW_ERR_FORBIDDEN', message: expect.stringContaining('content') });
    const detail = await gw.api('GET', `/v1/messages/${id}`, undefined, REVIEWER_TOKEN);
    expect(detail.status).toBe(200);
    expect(detail.body.status).toBe('delivered');
    expect(detail.body).not.toHaveProperty('record');
    expect((await gw.api('GET', `/v1/messages/${id}`, undefined, AUDITOR_TOKEN)).body).toHaveProperty('record');
  });

  it('records each state change and each payload view with its actor, readable per message', async () => {
    expect((await gw.api('GET', `/v1/messages/${id}/payload`, undefined, AUDITOR_TOKEN)).status).toBe(200);
    const trail = await gw.api('GET', `/v1/messages/${id}/audit`, undefined, REVIEWER_TOKEN);
    expect(trail.status).toBe(200);
    const steps = (trail.body.items as Array<{ actor: string; action: string }>).map((e) => `${e.actor} ${e.action}`);
    expect(steps).toEqual(['gateway message.created', 'gateway message.attempted', 'gateway message.delivered', 'auditor-anna payload.viewed']);
    expect((await gw.api('GET', `/v1/messages/${id}/resend`, undefined, AUDITOR_TOKEN)).status).toBe(404);
    expect((await gw.api('POST', `/v1/messages/${id}/resend`, undefined, AUDITOR_TOKEN)).status).toBe(403);
  });

  it('exports one message as evidence: its exact bytes, account and trail, a manifest openssl verifies with the gateway certificate; the export is in the trail', async () => {
    const res = await fetch(`${gw.url}/v1/messages/${id}/evidence`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const { dir, manifest } = openEvidence(Buffer.from(await res.arrayBuffer()), join(gw.env.GATEWAY_CERTS_DIR!, 'ca.cert.pem'));
    expect(manifest).toMatchObject({ actor: 'auditor-anna', messages: [id] });
    const payload = await fetch(`${gw.url}/v1/messages/${id}/payload`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    expect(readFileSync(join(dir, id, 'payload.xml'))).toEqual(Buffer.from(await payload.arrayBuffer()));
    const trail = JSON.parse(readFileSync(join(dir, id, 'audit.json'), 'utf8')) as Array<{ actor: string; action: string }>;
    expect(trail.at(-1)).toMatchObject({ actor: 'auditor-anna', action: 'evidence.exported' });
    expect(JSON.parse(readFileSync(join(dir, id, 'detail.json'), 'utf8'))).toMatchObject({ id, status: 'delivered', attemptLog: [{ outcome: 'delivered' }] });
    const signer = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'gateway.cert.pem')], { encoding: 'utf8' });
    expect(signer).toContain(new (await import('node:crypto')).X509Certificate(readFileSync(join(gw.env.GATEWAY_CERTS_DIR!, 'gateway.cert.pem'))).fingerprint256);
    expect((await gw.api('GET', `/v1/messages/${id}/evidence`, undefined, REVIEWER_TOKEN)).status).toBe(403);
  });

  it('exports a search only once its count is confirmed, and refuses a search beyond the cap', async () => {
    const second = await gw.api('POST', '/v1/cais/records', { ...movement, recordId: `KZ-TM-AUDIT-2-${Date.now()}` });
    expect(second.status).toBe(202);
    const search = '?partner=eaeu-ru&direction=out';
    const count = await gw.api('GET', `/v1/evidence/count${search}`, undefined, AUDITOR_TOKEN);
    expect(count.body).toEqual({ count: 2, cap: 200, overCap: false });
    const unconfirmed = await gw.api('POST', '/v1/evidence', { partner: 'eaeu-ru', direction: 'out', confirmCount: 1 }, AUDITOR_TOKEN);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error).toMatchObject({ code: 'GW_ERR_COUNT_UNCONFIRMED', message: expect.stringContaining('the search finds 2 messages, not the 1 confirmed') });
    const res = await fetch(`${gw.url}/v1/evidence`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AUDITOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ partner: 'eaeu-ru', direction: 'out', confirmCount: 2 }),
    });
    expect(res.status).toBe(200);
    const { manifest } = openEvidence(Buffer.from(await res.arrayBuffer()), join(gw.env.GATEWAY_CERTS_DIR!, 'ca.cert.pem'));
    expect(manifest.messages).toHaveLength(2);
    expect(manifest.messages).toContain(id);
  });

  it('verifies the signature of what we sent again on demand, and reports a document changed in the log as invalid', async () => {
    const sound = await gw.api('GET', `/v1/messages/${id}/signature`, undefined, REVIEWER_TOKEN);
    expect(sound.status).toBe(200);
    expect(sound.body).toMatchObject({ id, result: 'valid', kind: expect.stringMatching(/^xmldsig/) });
    const bytes = Buffer.from(await (await fetch(`${gw.url}/v1/messages/${id}/payload`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } })).arrayBuffer()).toString('utf8');
    const carrier = 'Trans Logistic Kazakhstan LLP';
    expect(bytes).toContain(carrier);
    const forged = 'Trans Logistic Kazakhstan LTD';
    await tamper(
      gw.env.GATEWAY_DATABASE_SCHEMA === undefined
        ? `UPDATE message_payloads SET payload = CAST(replace(CAST(payload AS TEXT), '${carrier}', '${forged}') AS BLOB) WHERE message_id = '${id}'`
        : `UPDATE messages SET payload = convert_to(replace(convert_from(payload, 'UTF8'), '${carrier}', '${forged}'), 'UTF8') WHERE id = '${id}'`,
    );
    const broken = await gw.api('GET', `/v1/messages/${id}/signature`, undefined, REVIEWER_TOKEN);
    expect(broken.body).toMatchObject({ result: 'invalid', detail: expect.stringMatching(/^GW_ERR_SIGNATURE_INVALID/) });
    const trail = (await gw.api('GET', `/v1/messages/${id}/audit`)).body.items as Array<{ actor: string; action: string; detail: string }>;
    expect(trail.filter((e) => e.action === 'signature.verified').map((e) => `${e.actor} ${e.detail.split(':')[0]}`)).toEqual(['reviewer-rita valid', 'reviewer-rita invalid']);
  });

  it('`gateway audit verify` passes, then names the event after a row is changed, deleted, or the newest are cut off past a checkpoint', async () => {
    // The gateway stops first: its partners' late signals would otherwise keep adding events while the trail is cut.
    await gw.gateway.close();
    const cli = (command: string) => runCli(['audit', command], gw.env);
    const checkpoint = await cli('checkpoint');
    expect(checkpoint.stdout).toMatch(/^checkpoint of event (\d+) [0-9a-f]{64}$/m);
    const size = Number(/event (\d+)/.exec(checkpoint.stdout)![1]);
    const sound = await cli('verify');
    expect(sound.stdout).toContain('verified');
    expect(sound.status).toBe(0);

    await tamper("UPDATE audit_events SET actor = 'nobody' WHERE action = 'payload.viewed'");
    const changed = await cli('verify');
    expect(changed.status).toBe(2);
    expect(changed.stdout).toMatch(/NOT VERIFIED: first broken or missing event (\d+): event \1 was altered/);

    await tamper('DELETE FROM audit_events WHERE seq = 2');
    const deleted = await cli('verify');
    expect(deleted.status).toBe(2);
    expect(deleted.stdout).toContain('NOT VERIFIED: first broken or missing event 2: events 2 are missing (the next event is 3)');

    await tamper(`DELETE FROM audit_events WHERE seq > ${size - 2}`);
    await tamper(`UPDATE audit_head SET seq = ${size - 2}, hash = (SELECT hash FROM audit_events WHERE seq = ${size - 2}) WHERE id = 1`);
    const cut = await cli('verify');
    expect(cut.status).toBe(2);
    expect(cut.stdout).toContain(`events ${size - 1}–${size} are missing: the checkpoint signed at`);

    // Cut together with the checkpoints: the copy published outside the database still tells.
    await tamper('DELETE FROM audit_checkpoints');
    const erased = await cli('verify');
    expect(erased.status).toBe(2);
    expect(erased.stdout).toContain(`events ${size - 1}–${size} are missing: the checkpoint signed at`);
    expect(erased.stdout).toMatch(new RegExp(`the checkpoint of event ${size} signed at \\S+, published outside the database, is gone from it`));
    const published = join(gw.env.GATEWAY_DATA_DIR!, 'audit-checkpoints.jsonl');
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'gw-published-')), 'kept.jsonl');
    renameSync(published, elsewhere);
    expect((await cli('verify')).stdout).not.toContain('published outside the database');
    const named = await runCli(['audit', 'verify', '--checkpoints', elsewhere], gw.env);
    expect(named.status).toBe(2);
    expect(named.stdout).toContain(`(1 published in ${elsewhere})`);
    expect(named.stdout).toContain('published outside the database, is gone from it');
  });
});
