// The webhook CAIS sink: an accepted push is POSTed to CAIS with its inbound id as idempotency key, repeated until CAIS answers 2xx, and the pull API stays closed.
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushAccepted } from '../support/eaeu-push.js';
import { inboundClient, type InboundClient } from '../support/inbound-client.js';
import { PROJECT_PARTNERS, tempDevCertificates } from '../support/project.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { waitFor } from '../support/wait.js';
import { startWebhookRecorder, type WebhookAnswer, type WebhookPolicy, type WebhookRecorder, type WebhookRequest } from '../support/webhook-recorder.js';

/** Leases shorter than CAIS's slowest answers here, so a delivery outlives its lease. */
const LEASE_MS = 100;

let certsDir: string;
let gw: RunningGateway;
let client: InboundClient;
let webhook: WebhookRecorder;
/** Releases of answers still held back (see {@link pushHeld}); each test's are let go after it. */
const holds: Array<() => void> = [];

beforeAll(async () => {
  certsDir = tempDevCertificates(PROJECT_PARTNERS);
  webhook = await startWebhookRecorder();
  gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_CAIS_SINK_URL: webhook.url, GATEWAY_LEASE_MS: String(LEASE_MS) });
  const url = gw.gateway.inboundUrl();
  if (!url) throw new Error('the inbound listener is not running');
  client = inboundClient(url, certsDir);
}, 60_000);

afterEach(() => {
  webhook.answerWith(() => 200);
  for (const release of holds.splice(0)) release();
});

afterAll(async () => {
  await client?.close();
  await gw?.stop();
  await webhook?.close();
  rmSync(certsDir, { recursive: true, force: true });
});

/** The log's view of an inbound message. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the detail is checked field by field
async function logged(id: string): Promise<any> {
  const detail = await gw.api('GET', `/v1/messages/${id}`);
  expect(detail.status).toBe(200);
  return detail.body;
}

/** Polls the log until the message is handed over; resolves with its detail. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the detail is checked field by field
function handedOver(id: string): Promise<any> {
  return gw.waitFor(async () => {
    const detail = await logged(id);
    return detail.status === 'handed-over' ? detail : undefined;
  });
}

/**
 * Pushes a record whose hand-over CAIS then holds without answering, until `release` (200); resolves
 * once CAIS holds the first attempt.
 */
async function pushHeld(tdn: string): Promise<{ id: string; first: WebhookRequest; release(): void }> {
  let release: () => void = () => undefined;
  const held = new Promise<WebhookAnswer>((resolve) => {
    release = () => resolve(200);
  });
  holds.push(release);
  webhook.answerWith(forDeclaration(tdn, () => held));
  const id = await pushAccepted(client, gw.api, certsDir, { transitDeclarationNumber: tdn });
  const first = await gw.waitFor(async () => webhook.requestsFor(id)[0]);
  return { id, first, release };
}

/** Answers requests carrying the record of this transit declaration by `policy`, every other one 200. */
function forDeclaration(tdn: string, policy: WebhookPolicy): WebhookPolicy {
  return (request) => ((JSON.parse(request.body) as { transitDeclarationNumber?: string }).transitDeclarationNumber === tdn ? policy(request) : 200);
}

describe('the webhook CAIS sink', () => {
  it('POSTs the canonical record the log shows, keyed by the inbound id with the x-gateway-* headers; the log shows it handed over via webhook', async () => {
    const tdn = '10216100/011226/0000601';
    const id = await pushAccepted(client, gw.api, certsDir, { transitDeclarationNumber: tdn, event: 'border-exit' });
    const detail = await handedOver(id);

    const requests = webhook.requestsFor(id);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', path: new URL(webhook.url).pathname, answer: 200, acknowledged: true });
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': id,
      'x-gateway-inbound-id': id,
      'x-gateway-partner': 'eaeu-ru',
      'x-gateway-message-type': 'p-cp-01-msg-010',
      'x-gateway-record-type': 'transit.notice',
    });
    expect(detail.record.value).toMatchObject({ type: 'transit.notice', transitDeclarationNumber: tdn, event: 'border-exit' });
    expect(JSON.parse(request?.body ?? 'null')).toEqual(detail.record.value);

    expect(detail.handover).toMatchObject({ via: 'webhook', attempts: 1, lastError: null, nextAttemptAt: null });
    expect(detail.history.map((h: { status: string }) => h.status)).toEqual(['accepted', 'handed-over']);
    expect(detail.lineage.map((s: { step: string }) => s.step)).toEqual(['partner-document', 'canonical-record', 'cais-handover']);
    expect(detail.lineage.at(-1)).toMatchObject({ step: 'cais-handover', status: 'done', via: 'webhook', attempts: 1, lastError: null, at: detail.handover.handedOverAt });
  });

  it('repeats a hand-over CAIS refuses (HTTP 500, a reset, HTTP 503) until it answers 200; nothing is marked handed over before', async () => {
    const tdn = '10216100/011226/0000602';
    const failures: WebhookAnswer[] = [500, 'reset', 503];
    /** What the log said while CAIS was holding each attempt, before answering it. */
    const during: Array<{ attempt: number; status: string; attempts: number; lastError: string | null; handedOverAt: string | null }> = [];
    webhook.answerWith(
      forDeclaration(tdn, async (request) => {
        const detail = await logged(request.key ?? '');
        during.push({ attempt: request.attempt, status: detail.status, attempts: detail.handover.attempts, lastError: detail.handover.lastError, handedOverAt: detail.handover.handedOverAt });
        return failures[request.attempt - 1] ?? 200;
      }),
    );
    const id = await pushAccepted(client, gw.api, certsDir, { transitDeclarationNumber: tdn, event: 'arrival' });
    const detail = await handedOver(id);

    const requests = webhook.requestsFor(id);
    expect(requests.map((r) => r.answer)).toEqual([...failures, 200]);
    expect(requests.map((r) => r.policyError)).toEqual(requests.map(() => undefined));
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(requests[0]?.body ?? 'null')).toEqual(detail.record.value);

    // Each attempt found the record still accepted, with the attempts before it counted and the last one's error.
    expect(during.map((d) => [d.attempt, d.status, d.attempts, d.handedOverAt])).toEqual([
      [1, 'accepted', 0, null],
      [2, 'accepted', 1, null],
      [3, 'accepted', 2, null],
      [4, 'accepted', 3, null],
    ]);
    expect(during[0]?.lastError).toBeNull();
    expect(during[1]?.lastError).toMatch(/HTTP 500/);
    expect(during[2]?.lastError).toEqual(expect.any(String));
    expect(during[2]?.lastError).not.toMatch(/HTTP/);
    expect(during[3]?.lastError).toMatch(/HTTP 503/);

    expect(detail.handover).toMatchObject({ via: 'webhook', attempts: failures.length + 1, lastError: null, nextAttemptAt: null });
    expect(detail.history.map((h: { status: string }) => h.status)).toEqual(['accepted', 'handed-over']);
    expect(detail.lineage.at(-1)).toMatchObject({ step: 'cais-handover', status: 'done', via: 'webhook', attempts: failures.length + 1, lastError: null });
  });

  it('hands over a later record while CAIS still holds an earlier one (past its lease), and does not send the held one again meanwhile', async () => {
    const slow = await pushHeld('10216100/011226/0000604');
    // Its lease runs out while CAIS holds it; the next push wakes the worker, whose claim then finds it due again.
    await waitFor("the held record's lease to run out", () => Date.now() > slow.first.at + 2 * LEASE_MS);
    const quickId = await pushAccepted(client, gw.api, certsDir, { transitDeclarationNumber: '10216100/011226/0000605' });
    expect((await handedOver(quickId)).handover).toMatchObject({ via: 'webhook', attempts: 1 });
    // The slow record's first attempt is still waiting for CAIS: not failed, not repeated, not handed over.
    expect(webhook.requestsFor(slow.id).map((r) => r.answer)).toEqual([undefined]);
    expect((await logged(slow.id)).handover).toMatchObject({ attempts: 0, lastError: null, handedOverAt: null });
    slow.release();
    expect((await handedOver(slow.id)).handover).toMatchObject({ via: 'webhook', attempts: 1 });
    expect(webhook.requestsFor(slow.id).map((r) => r.answer)).toEqual([200]);
  });

  it('answers the pull API with 409 GW_ERR_STATE_CONFLICT: a record in the middle of its webhook hand-over cannot be acknowledged by pull', async () => {
    const { id, release } = await pushHeld('10216100/011226/0000603');

    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0');
    expect(pulled.status).toBe(409);
    expect(pulled.body.error.code).toBe('GW_ERR_STATE_CONFLICT');
    const acked = await gw.api('POST', '/v1/cais/inbound/ack', { ids: [id] });
    expect(acked.status).toBe(409);
    expect(acked.body.error.code).toBe('GW_ERR_STATE_CONFLICT');
    expect((await logged(id)).status).toBe('accepted');

    release();
    const detail = await handedOver(id);
    expect(detail.handover).toMatchObject({ via: 'webhook', attempts: 1 });
    expect(webhook.requestsFor(id).map((r) => r.answer)).toEqual([200]);
  });
});
