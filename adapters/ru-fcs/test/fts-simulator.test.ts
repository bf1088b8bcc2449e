// The Russian FTS adapter against its simulator over loopback HTTP: signed documents, receipts, each injected fault judged as documented.
import { type HttpRequest, type PartnerSimulator } from '../../../src/partners/kit.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { partnerUnderTest } from '../../../test/support/partner-under-test.js';

const PARTNER = 'ru-fcs';
const { attempt, documentFor, harness, receivedIds } = partnerUnderTest(PARTNER, 'tir.termination.json');

describe('Russian FTS against the FTS simulator', () => {
  const ru = (): PartnerSimulator => harness().sim(PARTNER);
  beforeEach(() => ru().faults.reset());

  it('delivers the signed notification: ACCEPTED receipt with its EnvelopeID', async () => {
    const payload = await documentFor();
    const { outcome, result } = await attempt('ru-ok-1', payload);
    expect(outcome.verdict).toBe('delivered');
    const envelopeId = /<roi:EnvelopeID>([^<]+)</.exec(payload.toString('utf8'))?.[1];
    expect(result.kind === 'response' && result.body.toString('utf8')).toMatch(new RegExp(`<EnvelopeID>${envelopeId}</EnvelopeID><MessageID>ru-ok-1</MessageID>.*<Result>ACCEPTED</Result>`));
    expect(ru().received.at(-1)).toMatchObject({ messageId: 'ru-ok-1', valid: true, document: payload.toString('utf8') });
  });

  it('sends the document unchanged with X-Message-Id', async () => {
    const payload = await documentFor();
    const request = harness().partner(PARTNER).transport.buildRequest({ id: 'ru-shape', messageType: 'transit-notification', payload, attempt: 2 }, harness().context(PARTNER)) as HttpRequest;
    expect(request).toMatchObject({ method: 'POST', path: '/transit/notifications', headers: { 'content-type': 'application/xml', 'x-message-id': 'ru-shape' } });
    expect(request.body.equals(payload)).toBe(true);
  });

  it('a resend of a delivered document: DUP-001 → delivered, both attempts listed under one id', async () => {
    const payload = await documentFor();
    expect((await attempt('ru-dup', payload)).outcome.verdict).toBe('delivered');
    expect((await attempt('ru-dup', payload)).outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'DUP-001' });
    expect(receivedIds().filter((id) => id === 'ru-dup')).toHaveLength(2);
    expect(ru().received.filter((r) => r.messageId === 'ru-dup').every((r) => r.valid)).toBe(true);
  });

  it('HTTP 503 → retry', async () => {
    ru().faults.failNext(1, 503);
    const { outcome } = await attempt('ru-503', await documentFor());
    expect(outcome.verdict).toBe('retry');
  });

  it('no answer → timeout → retry; FTS had it, so the retry is a duplicate → delivered', async () => {
    const payload = await documentFor();
    ru().faults.hangNext(1);
    const first = await attempt('ru-hang', payload, { timeoutMs: 300 });
    expect(first.result).toMatchObject({ kind: 'error', error: 'timeout' });
    expect(first.outcome.verdict).toBe('retry');
    expect((await attempt('ru-hang', payload)).outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'DUP-001' });
  });

  it('an answer later than the timeout → retry', async () => {
    ru().faults.delay(500);
    const { outcome } = await attempt('ru-slow', await documentFor(), { timeoutMs: 100 });
    expect(outcome.verdict).toBe('retry');
  });

  it('a torn receipt → retry (in doubt)', async () => {
    ru().faults.malformedAckNext(1);
    const { outcome, result } = await attempt('ru-torn', await documentFor());
    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(outcome.verdict).toBe('retry');
  });

  it.each([
    ['SCH-001', 'failed'],
    ['SYS-001', 'retry'],
    ['DUP-001', 'delivered'],
    ['SIG-001', 'needs-human'],
    ['XYZ-999', 'needs-human'],
  ] as const)('injected %s → %s', async (code, verdict) => {
    ru().faults.partnerErrorNext(1, code);
    const { outcome } = await attempt(`ru-code-${code}`, await documentFor());
    expect(outcome).toMatchObject({ verdict, partnerCode: code });
  });

  it('a tampered byte breaks the signature: SIG-001 → needs-human', async () => {
    const payload = Buffer.from((await documentFor()).toString('utf8').replace('<Remarks>seal intact</Remarks>', '<Remarks>seal intacT</Remarks>'));
    const { outcome } = await attempt('ru-tampered', payload);
    expect(outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'SIG-001' });
    expect(ru().received.at(-1)).toMatchObject({ messageId: 'ru-tampered', valid: false });
  });

  it('a validly signed document that breaks the schema: SCH-001 → failed', async () => {
    const unsigned = (await documentFor()).toString('utf8').replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '').replace('<Event>TRM</Event>', '<Event>XXX</Event>');
    const { outcome } = await attempt('ru-schema', harness().context(PARTNER).sign('xmldsig', Buffer.from(unsigned)));
    expect(outcome).toMatchObject({ verdict: 'failed', partnerCode: 'SCH-001' });
    expect(ru().received.at(-1)?.problems.join()).toMatch(/SCH-001: \/env:Envelope\/env:Body\/TransitNotification\/Event/);
  });

  it('without X-Message-Id: HDR-001 → needs-human', async () => {
    const { outcome } = await attempt('ru-no-id', await documentFor(), {
      edit: (r) => ({ ...r, headers: { 'content-type': 'application/xml' } }),
    });
    expect(outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'HDR-001' });
  });

  it('lists the message ids it received, in order', () => {
    expect(receivedIds().slice(0, 5)).toEqual(['ru-ok-1', 'ru-dup', 'ru-dup', 'ru-503', 'ru-hang']);
  });
});
