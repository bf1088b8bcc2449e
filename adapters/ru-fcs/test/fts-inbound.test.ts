// FTS's pushes as the gateway takes them: the routing envelope read, the notification mapped to a valid transit.notice, our Receipt written.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXmlSigner, createXmlVerifier, GatewayError, parseXml, type InboundOutcome, type PartnerContext } from '../../../src/partners/kit.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import partner from '../partner.js';
import { PAYLOAD_DIGEST_ALGORITHM, readReceipt } from '../receipt.js';
import { buildNotification, type NotificationEvent, type NotificationOptions, type NotificationProcedure } from '../sim/notification-builder.js';

const PARTNER = 'ru-fcs';
const MESSAGE = 'transit-notification';
const inbound = partner.inbound!;
const request = { path: '', headers: {} };

let harness: PartnerHarness;
beforeAll(async () => {
  harness = await startPartnerHarness({}, [PARTNER]);
});
afterAll(async () => {
  await harness?.close();
});

const context = (): PartnerContext => harness.context(PARTNER);
const read = (xml: Buffer | string): ReturnType<typeof inbound.read> => inbound.read(parseXml(xml), request, context());

/** What a push becomes: the mapping the gateway routes it to and the record it builds, checked against the CAIS schema. */
async function mapped(xml: Buffer | string): Promise<{ mapping: string; record: Record<string, unknown>; keys: Record<string, string> }> {
  const document = parseXml(xml);
  const mapping = await harness.setup.mappings.routeInbound(PARTNER, MESSAGE, document);
  if (!mapping) throw new Error('no inbound mapping applies');
  const checked = harness.setup.records.validate(await mapping.apply(document));
  if (!checked.ok) throw new Error(JSON.stringify(checked.violations));
  return { mapping: mapping.id, record: checked.record as unknown as Record<string, unknown>, keys: await mapping.businessKeys(checked.record) };
}

describe('notifications FTS pushes map to valid transit.notice records', () => {
  const events: NotificationEvent[] = ['departure', 'border-entry', 'border-exit', 'arrival'];
  const procedures: NotificationProcedure[] = ['tir', 'national-transit', 'eaeu-transit'];
  const variants: Array<[string, NotificationOptions]> = [
    ...events.flatMap((event) => procedures.map((procedure): [string, NotificationOptions] => [`${event} ${procedure}`, { event, procedure }])),
    ['minimal', { minimal: true, procedure: 'national-transit', event: 'arrival' }],
    ['one goods item, two offices of transit', { goodsItems: 1, transitOffices: 2 }],
    ['three goods items, answering one of ours', { goodsItems: 3, answers: '44040fe9-da1f-58e6-8f1e-c5ed58a73dd5' }],
  ];

  it.each(variants)('%s', async (_name, options) => {
    const envelopeId = '5d0c6a1e-2b7f-4e93-a8c4-91f3e07b2d65';
    const { mapping, record, keys } = await mapped(buildNotification({ ...options, envelopeId }));
    expect(mapping).toBe('ru-fcs.transit-notice.in');
    expect(record).toMatchObject({ type: 'transit.notice', version: 1, notifiedBy: { country: 'RUS', sender: 'RU:FCS' }, partnerDocument: { envelopeId } });
    expect(record.recordId).toBe(`RU-${(record.partnerDocument as { documentId: string }).documentId}`);
    expect('carnetNumber' in record).toBe((options.procedure ?? 'tir') === 'tir');
    expect((record.goods as unknown[] | undefined)?.length).toBe(options.minimal ? undefined : (options.goodsItems ?? 2));
    expect((record.partnerDocument as { answersEnvelopeId?: string }).answersEnvelopeId).toBe(options.answers);
    expect(keys).toMatchObject({ envelopeId, transitDeclarationNumber: record.transitDeclarationNumber });
  });

  it('the same envelope id gives the same document, so a resend is the same record', () => {
    const at = new Date('2026-11-26T09:15:00Z');
    expect(buildNotification({ envelopeId: 'e-1', preparedAt: at }).equals(buildNotification({ envelopeId: 'e-1', preparedAt: at }))).toBe(true);
  });

  it('signed with FTS’s key, it verifies against FTS’s pinned certificate, and the signed content maps', async () => {
    const partners = join(harness.config.certsDir, 'partners');
    const fts = loadTestKey(join(partners, `${PARTNER}.key.pem`), join(partners, `${PARTNER}.cert.pem`));
    const signed = createXmlSigner(fts).sign(buildNotification({ envelopeId: '0b9f7a3c-66d2-4e18-b5a0-2c8e4f1d7a93' }));
    const content = createXmlVerifier(() => [fts.certificate.publicKey]).verify(signed, PARTNER);
    expect((await mapped(content.xml)).record).toMatchObject({ partnerDocument: { envelopeId: '0b9f7a3c-66d2-4e18-b5a0-2c8e4f1d7a93' } });
  });
});

describe('reading the routing envelope', () => {
  const answering = buildNotification({ envelopeId: 'aa11bb22-cc33-4d44-8e55-ff6677889900', answers: '44040fe9-da1f-58e6-8f1e-c5ed58a73dd5' }).toString('utf8');

  it('EnvelopeID is the message id, SenderInformation the sender, InitialEnvelopeID the envelope of ours it answers', () => {
    expect(read(answering)).toEqual({
      messageType: MESSAGE,
      messageId: 'aa11bb22-cc33-4d44-8e55-ff6677889900',
      sender: 'RU:FCS',
      answers: { key: 'envelopeId', value: '44040fe9-da1f-58e6-8f1e-c5ed58a73dd5' },
    });
  });

  it('answers nothing without InitialEnvelopeID', () => {
    expect(read(buildNotification({ envelopeId: 'e-2', sender: 'RU:FCS-TEST' }))).toEqual({ messageType: MESSAGE, messageId: 'e-2', sender: 'RU:FCS-TEST' });
  });

  it('finds the fields by namespace, whatever the prefixes', () => {
    const renamed = answering.replace(/\benv:/g, 'soap:').replace('xmlns:env=', 'xmlns:soap=').replace(/\broi:/g, 'r:').replace('xmlns:roi=', 'xmlns:r=');
    expect(renamed).toContain('<soap:Envelope xmlns:soap=');
    expect(read(renamed)).toEqual(read(answering));
  });

  it.each([
    ['a root that is no envelope', '<Notice xmlns="urn:customs.kz:Exchange:TransitNotification:1.0"></Notice>', /root is not an Envelope/],
    ['no routing header', answering.replace(/<roi:RoutingInf[\s\S]*<\/roi:RoutingInf>/, ''), /no single RoutingInf/],
    ['an empty EnvelopeID', answering.replace(/<roi:EnvelopeID>[^<]*</, '<roi:EnvelopeID> <'), /no EnvelopeID/],
    ['no SenderInformation', answering.replace(/<roi:SenderInformation>[^<]*<\/roi:SenderInformation>/, ''), /no SenderInformation/],
    ['a routing header of another namespace', answering.replace('urn:customs.ru:Envelope:RoutingInf:1.0', 'urn:customs.ru:Envelope:RoutingInf:9.9'), /no single RoutingInf/],
    ['no TransitNotification in the Body', answering.replace(/<TransitNotification[\s\S]*<\/TransitNotification>/, '<Other></Other>'), /Body holds no TransitNotification/],
  ])('refuses %s: GW_ERR_INBOUND_UNREADABLE', (_what, xml, reason) => {
    let error: unknown;
    try {
      read(xml);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GW_ERR_INBOUND_UNREADABLE', message: expect.stringMatching(reason) });
  });
});

describe('our Receipt', () => {
  const received = Buffer.from('<pushed-bytes/>');
  const digest = createHash('sha256').update(received).digest();
  const envelope = { messageType: MESSAGE, messageId: 'aa11bb22-cc33-4d44-8e55-ff6677889900', sender: 'RU:FCS' };
  const receivedAt = new Date('2026-11-26T09:16:02.345Z');
  const accepted: InboundOutcome = { accepted: true, id: 'in-0001', envelope, receivedAt, payloadDigest: digest };

  it('accepted: ReceiptID, EnvelopeID, ReceivedAt, Result and the SHA-256 of the bytes received, as XML', () => {
    const answer = inbound.receipt(accepted, context());
    expect(answer.contentType).toBe('application/xml');
    const text = answer.body.toString('utf8');
    expect(text).toBe(
      '<Receipt xmlns="urn:customs.kz:Exchange:Receipt:1.0"><ReceiptID>in-0001</ReceiptID><EnvelopeID>aa11bb22-cc33-4d44-8e55-ff6677889900</EnvelopeID>' +
        `<ReceivedAt>2026-11-26T09:16:02.345Z</ReceivedAt><Result>ACCEPTED</Result><PayloadDigest Algorithm="${PAYLOAD_DIGEST_ALGORITHM}">${digest.toString('base64')}</PayloadDigest></Receipt>`,
    );
    expect(readReceipt(answer.body)).toEqual({ receiptId: 'in-0001', envelopeId: envelope.messageId, receivedAt: receivedAt.toISOString(), result: 'ACCEPTED', payloadDigest: digest.toString('base64') });
  });

  it('refused: REJECTED with the gateway’s code and reason, the EnvelopeID when it was read, no ReceiptID', () => {
    const refused: InboundOutcome = { accepted: false, code: 'GW_ERR_RECORD_INVALID', reason: '/goods/0/hsCode must match pattern', status: 400, envelope, receivedAt, payloadDigest: digest };
    expect(readReceipt(inbound.receipt(refused, context()).body)).toEqual({
      envelopeId: envelope.messageId,
      receivedAt: receivedAt.toISOString(),
      result: 'REJECTED',
      errorCode: 'GW_ERR_RECORD_INVALID',
      errorText: '/goods/0/hsCode must match pattern',
      payloadDigest: digest.toString('base64'),
    });
    const unsigned: InboundOutcome = { accepted: false, code: 'GW_ERR_SIGNATURE_INVALID', reason: 'signature does not verify', status: 401, receivedAt, payloadDigest: digest };
    const text = inbound.receipt(unsigned, context()).body.toString('utf8');
    expect(text).not.toContain('<EnvelopeID>');
    expect(text).toContain('<ErrorCode>GW_ERR_SIGNATURE_INVALID</ErrorCode>');
  });

  it('writes any reason, whatever it quotes, and keeps it short', () => {
    const reason = `"\u2028\u0001 ${'x'.repeat(3000)}`;
    const refused: InboundOutcome = { accepted: false, code: 'GW_ERR_MAPPING_CODE_UNKNOWN', reason, status: 422, receivedAt, payloadDigest: digest };
    const errorText = readReceipt(inbound.receipt(refused, context()).body)?.errorText ?? '';
    expect(errorText.startsWith('"\uFFFD\uFFFD x')).toBe(true);
    expect(errorText).toHaveLength(1000);
  });

  it('is signed by the gateway with the receipt signing profile, and reads as a Receipt both ways', () => {
    expect(inbound.receiptSigning).toBe('xmldsig');
    const signed = context().sign(inbound.receiptSigning, inbound.receipt(accepted, context()).body);
    expect(signed.toString('utf8')).toContain('<ds:Signature');
    expect(partner.classify({ kind: 'response', status: 200, headers: {}, body: signed, durationMs: 1 }, context())).toMatchObject({ verdict: 'delivered' });
  });
});

describe('the simulator’s push control', () => {
  const push = async (command: unknown): Promise<{ status: number; body: { error?: string } }> => {
    const res = await fetch(`${harness.sim(PARTNER).url}/_sim/push`, { method: 'POST', body: JSON.stringify(command) });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  };

  it.each([
    [{ event: 'teleport' }, /event must be one of departure, border-entry, border-exit, arrival/],
    [{ count: 0 }, /count must be a whole number from 1 to 100/],
    [{ tamper: 'before-signing' }, /tamper must be "after-signing"/],
    [{ envelope: 'x' }, /unknown field\(s\) envelope/],
    [{ answers: 7 }, /answers must be non-empty text/],
  ])('refuses %o with 400 naming the field', async (command, reason) => {
    const { status, body } = await push(command);
    expect(status).toBe(400);
    expect(body.error).toMatch(reason);
  });

  it('says so when the gateway takes no pushes (no inbound listener here)', async () => {
    const { status, body } = await push({ event: 'arrival' });
    expect(status).toBe(400);
    expect(body.error).toMatch(/inbound listener is not running/);
  });
});
