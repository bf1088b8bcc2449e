// Partner push end to end: FTS's simulator and forged clients push over mutual TLS; receipts checked by xmlsec1, identity binding, duplicates, pull sink, one log.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReceipt } from '../../adapters/ru-fcs/receipt.js';
import { buildNotification } from '../../adapters/ru-fcs/sim/notification-builder.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { skipWithout } from '../support/external-tool.js';
import { inboundClient, type InboundClient } from '../support/inbound-client.js';
import { PROJECT_PARTNERS, RECORD_FIXTURES, tempDevCertificates } from '../support/project.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { xmlsec1Verify } from '../support/xmlsec1.js';

const skipXmlsec = skipWithout('inbound receipts checked by xmlsec1', { tools: ['xmlsec1'] });

let certsDir: string;
let gw: RunningGateway;
let client: InboundClient;

/** Signs a document with a partner's development key, as that partner would. */
function signedBy(partner: string, document: Buffer): Buffer {
  const key = loadKeyCapabilities(join(certsDir, 'partners', `${partner}.key.pem`), join(certsDir, 'partners', `${partner}.cert.pem`));
  return createXmlSigner(key).sign(document);
}

function sha256Base64(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** Asks FTS's simulator to push (its `/_sim/push` control). */
async function simulatorPush(command: Record<string, unknown>): Promise<{ envelopeId: string; status: number; receipt: string; accepted: boolean; receiptVerified: boolean }> {
  const sim = gw.gateway.simulators.get('ru-fcs');
  if (!sim) throw new Error('no ru-fcs simulator');
  const res = await fetch(`${sim.url}/_sim/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) });
  expect(res.status).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof simulatorPush>>;
}

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

describe('a push from FTS over mutual TLS', () => {
  it('is answered with a signed ACCEPTED receipt that xmlsec1 verifies with the gateway certificate, carrying the digest of the bytes sent', async () => {
    const body = signedBy('ru-fcs', buildNotification({ transitDeclarationNumber: '10216100/011226/0000101', event: 'border-exit' }));
    const answer = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body });
    expect(answer.status).toBe(200);
    const receipt = readReceipt(answer.body);
    expect(receipt).toMatchObject({ result: 'ACCEPTED', payloadDigest: sha256Base64(body) });
    expect(receipt?.receiptId).toMatch(/^[0-9a-f-]{36}$/);
    if (!skipXmlsec) {
      expect(xmlsec1Verify(answer.body, join(certsDir, 'gateway.cert.pem')).status).toBe(0);
      expect(xmlsec1Verify(answer.body, join(certsDir, 'partners', 'ru-fcs.cert.pem')).status).not.toBe(0);
    }
  });

  it('from the simulator: FTS verifies our receipt, the record is pulled by CAIS, acknowledged, and the log shows document → record → hand-over', async () => {
    const pushed = await simulatorPush({ transitDeclarationNumber: '10216100/011226/0000202', event: 'border-entry' });
    expect(pushed).toMatchObject({ status: 200, accepted: true, receiptVerified: true });
    const receipt = readReceipt(pushed.receipt);
    const id = receipt?.receiptId as string;

    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
    expect(pulled.status).toBe(200);
    const item = pulled.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ partner: 'ru-fcs', messageType: 'transit-notification', recordType: 'transit.notice' });
    expect(item.record).toMatchObject({ type: 'transit.notice', transitDeclarationNumber: '10216100/011226/0000202', event: 'border-entry' });

    const found = await gw.api('GET', `/v1/messages?key=${encodeURIComponent('10216100/011226/0000202')}`);
    expect(found.body.items).toEqual([expect.objectContaining({ id, direction: 'in', status: 'accepted', partner: 'ru-fcs' })]);

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
      partnerMessageId: pushed.envelopeId,
      record: { type: 'transit.notice', value: { transitDeclarationNumber: '10216100/011226/0000202' } },
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
    expect(readReceipt(answer.body)).toMatchObject({ result: 'REJECTED', errorCode: code });
    if (!skipXmlsec) expect(xmlsec1Verify(answer.body, join(certsDir, 'gateway.cert.pem')).status).toBe(0);
  };

  it('the TLS client certificate of another partner (IRU) is refused; nothing is logged as accepted', async () => {
    const tdn = '10216100/011226/0000301';
    const body = signedBy('ru-fcs', buildNotification({ transitDeclarationNumber: tdn }));
    await expectRefused(await client.push({ tlsAs: 'iru-safetir', partner: 'ru-fcs', body }), 403, 'GW_ERR_INBOUND_TLS_MISMATCH');
    expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`)).body.items).toEqual([]);
    // Refused before acceptance: the same push from the right client counts as new.
    const retried = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body });
    expect(readReceipt(retried.body)?.result).toBe('ACCEPTED');
  });

  it('a document signed with another partner\'s key is refused', async () => {
    const body = signedBy('iru-safetir', buildNotification({ transitDeclarationNumber: '10216100/011226/0000302' }));
    await expectRefused(await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body }), 403, 'GW_ERR_INBOUND_SIGNER_MISMATCH');
  });

  it('a document declaring another sender is refused', async () => {
    const body = signedBy('ru-fcs', buildNotification({ transitDeclarationNumber: '10216100/011226/0000303', sender: 'KG:CUSTOMS' }));
    await expectRefused(await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body }), 403, 'GW_ERR_INBOUND_SENDER_MISMATCH');
  });

  it('a client without a certificate is refused', async () => {
    const body = signedBy('ru-fcs', buildNotification({ transitDeclarationNumber: '10216100/011226/0000304' }));
    await expectRefused(await client.push({ tlsAs: 'none', partner: 'ru-fcs', body }), 401, 'GW_ERR_INBOUND_CLIENT_CERT');
  });

  it('each refusal is counted by partner and code, and listed for auditors', async () => {
    const metrics = await fetch(`${gw.url}/metrics`).then((r) => r.text());
    for (const code of ['GW_ERR_INBOUND_TLS_MISMATCH', 'GW_ERR_INBOUND_SIGNER_MISMATCH', 'GW_ERR_INBOUND_SENDER_MISMATCH', 'GW_ERR_INBOUND_CLIENT_CERT']) {
      expect(metrics).toMatch(new RegExp(`gateway_inbound_refused_total\\{partner="ru-fcs",code="${code}"\\} [1-9]`));
    }
    const listed = await gw.api('GET', '/v1/inbound/refusals?partner=ru-fcs');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['GW_ERR_INBOUND_TLS_MISMATCH', 'GW_ERR_INBOUND_CLIENT_CERT']));
  });
});

describe('duplicates', () => {
  it('the same push again gets the byte-identical receipt; the same id with other bytes gets 409', async () => {
    const envelopeId = '6f1d3c4e-2b1a-4c55-9a0e-0a7b3c2d1e11';
    const body = signedBy('ru-fcs', buildNotification({ envelopeId, transitDeclarationNumber: '10216100/011226/0000401' }));
    const first = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body });
    const second = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.equals(first.body)).toBe(true);

    const other = signedBy('ru-fcs', buildNotification({ envelopeId, transitDeclarationNumber: '10216100/011226/0000402' }));
    const conflict = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body: other });
    expect(conflict.status).toBe(409);
    expect(readReceipt(conflict.body)).toMatchObject({ result: 'REJECTED', errorCode: 'GW_ERR_INBOUND_CONFLICT' });
    expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent('10216100/011226/0000402')}`)).body.items).toEqual([]);
  });
});

describe('answers', () => {
  it('a push answering one of our notifications is linked to it both ways', async () => {
    const tdn = '10216100/011226/0000501';
    const movement = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
    const posted = await gw.api('POST', '/v1/cais/records', [{ ...movement, recordId: 'TM-ANSWERED-1', transitDeclarationNumber: tdn, departureCountry: 'RUS' }]);
    expect(posted.status).toBe(202);
    const ours = posted.body.results[0].messages.find((m: { partner: string }) => m.partner === 'ru-fcs');
    const outbound = await gw.api('GET', `/v1/messages/${ours.id as string}`);
    const envelopeId = outbound.body.businessKeys.envelopeId as string;
    expect(envelopeId).toMatch(/^[0-9a-f-]{36}$/);

    const pushed = await simulatorPush({ transitDeclarationNumber: tdn, event: 'arrival', answers: envelopeId });
    const inboundId = readReceipt(pushed.receipt)?.receiptId as string;
    expect((await gw.api('GET', `/v1/messages/${inboundId}`)).body.answers).toBe(ours.id);
    const answered = await gw.api('GET', `/v1/messages/${ours.id as string}`);
    expect(answered.body.answeredBy).toEqual([expect.objectContaining({ id: inboundId, partner: 'ru-fcs' })]);
    const both = await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`);
    expect(new Set(both.body.items.map((i: { direction: string }) => i.direction))).toEqual(new Set(['in', 'out']));
  });
});
