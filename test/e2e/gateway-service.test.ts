// The running gateway end to end, on the SQLite and on the PostgreSQL log: CAIS posts records, the log records every attempt, simulators answer like the partners.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RECORD_FIXTURES } from '../support/project.js';
import { AUDITOR_TOKEN, startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { storeBackends } from '../support/store-backends.js';

const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;

let gw: RunningGateway;
let counter = 0;
/** A movement record with a fresh id, so each test has its own messages (routed to Russian customs only). */
const freshMovement = (): Record<string, unknown> => ({ ...movement, recordId: `KZ-TM-TEST-${++counter}-${Date.now()}` });

// A backend that is not available here was reported as skipped by storeBackends.
const backends = (await storeBackends('gateway service')).filter((b) => !b.skipped);

async function postOne(record: Record<string, unknown>): Promise<string> {
  const res = await gw.api('POST', '/v1/cais/records', record);
  expect(res.status).toBe(202);
  const id = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'eaeu-ru')?.id as string;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

/** What Russia's member gateway received of our message `id` (it knows it by its wsa:MessageID). */
async function atMember(id: string) {
  const { businessKeys } = (await gw.api('GET', `/v1/messages/${id}`)).body as { businessKeys: { messageId: string } };
  return gw.gateway.simulators.get('eaeu-ru')!.received.filter((r) => r.messageId === `urn:uuid:${businessKeys.messageId}`);
}

function until(id: string, status: string) {
  return gw.waitFor(async () => {
    const res = await gw.api('GET', `/v1/messages/${id}`);
    return res.body.status === status ? res.body : undefined;
  });
}

describe.each(backends)('gateway service on $name', (backend) => {
  beforeAll(async () => {
    gw = await startTestGateway(await backend.open());
  });
  afterAll(async () => {
    await gw?.stop();
    await backend.drop();
  });
  beforeEach(() => {
    for (const sim of gw.gateway.simulators.values()) sim.faults.reset();
  });

  it('delivers a posted record to its simulator with a valid signature, logged delivered after one attempt', async () => {
    const id = await postOne(freshMovement());
    const detail = await until(id, 'delivered');
    expect(detail.attempts).toBe(1);
    expect(detail.attemptLog).toHaveLength(1);
    expect(detail.attemptLog[0]).toMatchObject({ number: 1, outcome: 'delivered', httpStatus: 202 });
    expect(detail.history.map((h: { to: string }) => h.to)).toEqual(['pending', 'delivered']);
    const received = await gw.waitFor(async () => {
      const found = await atMember(id);
      return found.length === 1 && !found[0]!.checking ? found : undefined;
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.valid).toBe(true);
    const payload = await fetch(`${gw.url}/v1/messages/${id}/payload`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    const bytes = Buffer.from(await payload.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(detail.payloadSha256);
    expect(payload.headers.get('x-payload-sha256')).toBe(detail.payloadSha256);
  });

  it('retries 503 twice, then delivers on attempt 3 with three attempts logged', async () => {
    gw.gateway.simulators.get('eaeu-ru')!.faults.failNext(2, 503);
    const id = await postOne(freshMovement());
    const detail = await until(id, 'delivered');
    expect(detail.attemptLog.map((a: { outcome: string; httpStatus: number }) => [a.outcome, a.httpStatus])).toEqual([
      ['retry', 503],
      ['retry', 503],
      ['delivered', 202],
    ]);
    expect(await atMember(id)).toHaveLength(3);
  });

  it('fails a permanent partner error after one attempt and never retries it', async () => {
    gw.gateway.simulators.get('eaeu-ru')!.faults.partnerErrorNext(1, 'int:DataError');
    const id = await postOne(freshMovement());
    const detail = await until(id, 'failed');
    expect(detail.attempts).toBe(1);
    expect(detail.attemptLog[0]).toMatchObject({ outcome: 'failed', partnerCode: 'int:DataError' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await gw.api('GET', `/v1/messages/${id}`)).body.attempts).toBe(1);
  });

  it('dead-letters when every attempt fails, and an admin resend delivers it', async () => {
    const sim = gw.gateway.simulators.get('iru-safetir')!;
    sim.faults.failNext(1000, 503);
    const res = await gw.api('POST', '/v1/cais/records', { ...termination, recordId: `KZ-TT-DLQ-${Date.now()}`, departureCountry: 'TUR' });
    expect(res.status).toBe(202);
    const id = (res.body.results[0].messages as Array<{ id: string; partner: string }>).find((m) => m.partner === 'iru-safetir')?.id as string;
    const dead = await until(id, 'dead-lettered');
    expect(dead.attempts).toBeGreaterThan(1);
    expect(dead.attemptLog.every((a: { outcome: string }) => a.outcome === 'retry')).toBe(true);
    expect(dead.history.at(-1).reason).toMatch(/attempts used/);
    const listed = await gw.api('GET', '/v1/messages?status=dead-lettered&partner=iru-safetir');
    expect(listed.body.items.map((m: { id: string }) => m.id)).toContain(id);
    sim.faults.reset();
    expect((await gw.api('POST', `/v1/messages/${id}/resend`, undefined, AUDITOR_TOKEN)).status).toBe(403);
    expect((await gw.api('POST', `/v1/messages/${id}/resend`)).status).toBe(202);
    const delivered = await until(id, 'delivered');
    expect(delivered.attemptLog.at(-1).outcome).toBe('delivered');
    expect(delivered.history.map((h: { to: string }) => h.to).slice(-3)).toEqual(['dead-lettered', 'pending', 'delivered']);
    expect((await gw.api('POST', `/v1/messages/${id}/resend`)).status).toBe(409);
  });

  it('posting the same record twice creates nothing new', async () => {
    const record = freshMovement();
    const first = await gw.api('POST', '/v1/cais/records', record);
    const second = await gw.api('POST', '/v1/cais/records', record);
    expect(second.status).toBe(202);
    expect(second.body.results[0].status).toBe('duplicate');
    expect(second.body.results[0].messages).toEqual(first.body.results[0].messages);
    const found = await gw.api('GET', `/v1/messages?key=${record.transitDeclarationNumber as string}&type=p-cp-01-msg-010&partner=eaeu-ru`);
    const ours = found.body.items.filter((m: { recordId: string }) => m.recordId === record.recordId);
    expect(ours).toHaveLength(1);
  });

  it('rejects an invalid record of a batch with its violations and accepts the valid ones', async () => {
    const good = freshMovement();
    const bad: Record<string, unknown> = { ...freshMovement(), goods: [], vehicle: { nationality: 'KZ' } };
    const res = await gw.api('POST', '/v1/cais/records', [good, bad]);
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.results[0].status).toBe('accepted');
    expect(res.body.results[1].status).toBe('rejected');
    const pointers = res.body.results[1].violations.map((v: { pointer: string }) => v.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/goods', '/vehicle/registrationNumber']));
    expect(res.body.results[1].violations.every((v: { code: string }) => v.code === 'GW_ERR_RECORD_INVALID')).toBe(true);
    const logged = await gw.api('GET', `/v1/messages?key=${bad.transitDeclarationNumber as string}`);
    expect(logged.body.items.filter((m: { recordId: string }) => m.recordId === bad.recordId)).toEqual([]);
    const allBad = await gw.api('POST', '/v1/cais/records', bad);
    expect(allBad.status).toBe(400);
  });

  it('finds messages by business key and pages through them with a cursor', async () => {
    const carnet = termination.carnetNumber as string;
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await gw.api('GET', `/v1/messages?key=${carnet}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      for (const m of res.body.items) {
        expect(seen.has(m.id)).toBe(false);
        seen.add(m.id);
        expect(Object.values(m.businessKeys)).toContain(carnet);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen.size).toBeGreaterThanOrEqual(2);
  });

  it('refuses requests without a token or with too few rights, with GW_ERR codes', async () => {
    const anonymous = await fetch(`${gw.url}/v1/messages`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe('GW_ERR_UNAUTHENTICATED');
    const auditorPost = await gw.api('POST', '/v1/cais/records', freshMovement(), AUDITOR_TOKEN);
    expect(auditorPost.status).toBe(403);
    expect(auditorPost.body.error.code).toBe('GW_ERR_FORBIDDEN');
    const missing = await gw.api('GET', '/v1/messages/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('GW_ERR_NOT_FOUND');
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: 'ok', queue: 'ok' } });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_messages\{partner="eaeu-ru",status="delivered"\} \d+/);
    expect(metrics).toContain('gateway_attempt_duration_seconds_bucket');
    expect(metrics).toContain('gateway_queue_depth');
    expect(metrics).toContain('gateway_oldest_pending_age_seconds');
    const openapi = await (await fetch(`${gw.url}/docs/json`)).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/cais/records', '/v1/messages', '/v1/messages/{id}', '/v1/messages/{id}/payload', '/v1/messages/{id}/resend']));
  });
});
