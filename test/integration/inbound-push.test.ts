// Partner push end to end: Russia's member gateway (simulator and forged clients) pushes over mutual TLS; refusals checked by xmlsec1, identity binding, duplicates, pull sink, one log.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER, readRefusal, signedPush, SOAP_12, type PushOptions } from '../support/eaeu-push.js';
import { skipWithout } from '../support/external-tool.js';
import { inboundClient, type InboundClient } from '../support/inbound-client.js';
import { PROJECT_PARTNERS, tempDevCertificates } from '../support/project.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { xmlsec1Verify } from '../support/xmlsec1.js';

const skipXmlsec = skipWithout('inbound refusals checked by xmlsec1', { tools: ['xmlsec1'] });

let certsDir: string;
let gw: RunningGateway;
let client: InboundClient;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API bodies are checked field by field
type Body = any;

/** Asks Russia's simulator to push its own message (its `/_sim/push` control). */
async function simulatorPush(command: Record<string, unknown>): Promise<{ messageId: string; status: number; body: string }> {
  const sim = gw.gateway.simulators.get(MEMBER);
  if (!sim) throw new Error(`no ${MEMBER} simulator`);
  const res = await fetch(`${sim.url}/_sim/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) });
  expect(res.status).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof simulatorPush>>;
}

/** Pushes a P.CP.01 message signed by `signer` over the TLS identity `tlsAs`. */
function push(options: PushOptions, tlsAs = MEMBER, signer = MEMBER) {
  return client.push({ tlsAs, partner: MEMBER, body: signedPush(certsDir, options, signer).body, contentType: SOAP_12 });
}

/** Messages of the log under a business key. */
const byKey = async (key: string): Promise<Body[]> => (await gw.api('GET', `/v1/messages?key=${encodeURIComponent(key)}`)).body.items;

beforeAll(async () => {
  certsDir = tempDevCertificates(PROJECT_PARTNERS);
  gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir });
  const url = gw.gateway.inboundUrl();
  if (!url) throw new Error('the inbound listener is not running');
  client = inboundClient(url, certsDir);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gw?.stop();
  rmSync(certsDir, { recursive: true, force: true });
});

describe('a push from Russia over mutual TLS', () => {
  it('is taken with HTTP 202 and no body; the signals and the answer follow as our own signed messages', async () => {
    const tdn = '10216100/011226/0000101';
    const { messageId, body } = signedPush(certsDir, { transitDeclarationNumber: tdn, event: 'border-exit' });
    const answer = await client.push({ tlsAs: MEMBER, partner: MEMBER, body, contentType: SOAP_12 });
    expect(answer.status).toBe(202);
    expect(answer.body.length).toBe(0);
    const inbound = (await byKey(tdn)).filter((m) => m.direction === 'in');
    expect(inbound).toEqual([expect.objectContaining({ partner: MEMBER, status: 'accepted', messageType: 'p-cp-01-msg-010' })]);
    const replies = await gw.waitFor(async () => {
      const items = (await byKey(messageId.replace('urn:uuid:', ''))).filter((m) => m.direction === 'out' && m.status === 'delivered');
      return items.length === 3 ? items : undefined;
    });
    expect(replies.map((m) => m.messageType).sort()).toEqual(['p-cp-01-msg-002', 'p-msg-prs', 'p-msg-rcv']);
  });

  it('from the simulator: the record is pulled by CAIS, acknowledged, and the log shows document → record → hand-over', async () => {
    const tdn = '10216100/011226/0000202';
    const pushed = await simulatorPush({ transitDeclarationNumber: tdn, event: 'border-entry' });
    expect(pushed).toMatchObject({ status: 202, body: '' });
    const [logged] = (await byKey(tdn)).filter((m) => m.direction === 'in');
    const id = logged.id as string;

    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
    expect(pulled.status).toBe(200);
    const item = pulled.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ partner: MEMBER, messageType: 'p-cp-01-msg-010', recordType: 'transit.notice' });
    expect(item.record).toMatchObject({ type: 'transit.notice', transitDeclarationNumber: tdn, event: 'border-entry', notifiedBy: { country: 'RUS' } });

    const ack = await gw.api('POST', '/v1/cais/inbound/ack', { ids: [id] });
    expect(ack.body).toEqual({ acknowledged: 1 });
    const again = await gw.api('GET', `/v1/cais/inbound?after=${item.cursor as string}`);
    expect(again.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await gw.api('GET', '/v1/cais/inbound?after=0&limit=500')).body.items.map((i: { id: string }) => i.id)).not.toContain(id);

    const detail = await gw.api('GET', `/v1/messages/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      direction: 'in',
      status: 'handed-over',
      partnerMessageId: pushed.messageId,
      record: { type: 'transit.notice', value: { transitDeclarationNumber: tdn } },
      handover: { via: 'pull' },
    });
    expect(detail.body.lineage.map((step: { step: string }) => step.step)).toEqual(['partner-document', 'canonical-record', 'cais-handover']);
    const payload = await fetch(`${gw.url}/v1/messages/${id}/payload`, { headers: { authorization: `Bearer test-token-0123456789abcdef` } });
    expect(payload.status).toBe(200);
    expect(payload.headers.get('x-payload-sha256')).toBe(detail.body.payloadSha256);
  });
});

describe('identity binding: TLS certificate, signature and declared sender must all be the partner pushed to', () => {
  const expectRefused = async (answer: { status: number; body: Buffer }, status: number, code: string): Promise<void> => {
    expect(answer.status).toBe(status);
    expect(readRefusal(answer.body)).toMatchObject({ code });
    if (!skipXmlsec) {
      expect(xmlsec1Verify(answer.body, join(certsDir, 'gateway.cert.pem')).status).toBe(0);
      expect(xmlsec1Verify(answer.body, join(certsDir, 'partners', `${MEMBER}.cert.pem`)).status).not.toBe(0);
    }
  };

  it('the TLS client certificate of another partner (IRU) is refused with a signed technological error; nothing is logged as accepted', async () => {
    const tdn = '10216100/011226/0000301';
    const { body } = signedPush(certsDir, { transitDeclarationNumber: tdn });
    await expectRefused(await client.push({ tlsAs: 'iru-safetir', partner: MEMBER, body, contentType: SOAP_12 }), 403, 'GW_ERR_INBOUND_TLS_MISMATCH');
    expect(await byKey(tdn)).toEqual([]);
    // Refused before acceptance: the same push from the right client counts as new.
    const retried = await client.push({ tlsAs: MEMBER, partner: MEMBER, body, contentType: SOAP_12 });
    expect(retried.status).toBe(202);
  });

  it("a document signed with another partner's key is refused", async () => {
    await expectRefused(await push({ transitDeclarationNumber: '10216100/011226/0000302' }, MEMBER, 'iru-safetir'), 403, 'GW_ERR_INBOUND_SIGNER_MISMATCH');
  });

  it('a document whose wsa:ReplyTo names another member (Kyrgyzstan) is refused', async () => {
    await expectRefused(await push({ transitDeclarationNumber: '10216100/011226/0000303', replyFrom: 'KG' }), 403, 'GW_ERR_INBOUND_SENDER_MISMATCH');
  });

  it('a client without a certificate is refused', async () => {
    await expectRefused(await push({ transitDeclarationNumber: '10216100/011226/0000304' }, 'none'), 401, 'GW_ERR_INBOUND_CLIENT_CERT');
  });

  it('each refusal is counted by partner and code, and listed for auditors', async () => {
    const metrics = await fetch(`${gw.url}/metrics`).then((r) => r.text());
    for (const code of ['GW_ERR_INBOUND_TLS_MISMATCH', 'GW_ERR_INBOUND_SIGNER_MISMATCH', 'GW_ERR_INBOUND_SENDER_MISMATCH', 'GW_ERR_INBOUND_CLIENT_CERT']) {
      expect(metrics).toMatch(new RegExp(`gateway_inbound_refused_total\\{partner="${MEMBER}",code="${code}"\\} [1-9]`));
    }
    const listed = await gw.api('GET', `/v1/inbound/refusals?partner=${MEMBER}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['GW_ERR_INBOUND_TLS_MISMATCH', 'GW_ERR_INBOUND_CLIENT_CERT']));
  });
});

describe('duplicates', () => {
  it('the same push again gets the same answer and is logged once; the same MessageID with other bytes gets 409', async () => {
    const messageId = 'urn:uuid:6f1d3c4e-2b1a-4c55-9a0e-0a7b3c2d1e11';
    const { body } = signedPush(certsDir, { messageId, transitDeclarationNumber: '10216100/011226/0000401' });
    const first = await client.push({ tlsAs: MEMBER, partner: MEMBER, body, contentType: SOAP_12 });
    const second = await client.push({ tlsAs: MEMBER, partner: MEMBER, body, contentType: SOAP_12 });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.equals(first.body)).toBe(true);
    expect((await byKey('10216100/011226/0000401')).filter((m) => m.direction === 'in')).toHaveLength(1);

    const conflict = await push({ messageId, transitDeclarationNumber: '10216100/011226/0000402' });
    expect(conflict.status).toBe(409);
    expect(readRefusal(conflict.body)).toMatchObject({ fault: 'int:DataError', code: 'GW_ERR_INBOUND_CONFLICT' });
    expect(await byKey('10216100/011226/0000402')).toEqual([]);
  });
});
