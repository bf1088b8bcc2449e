// Both partner transports against their simulators over loopback HTTP: real documents, real requests, each injected fault judged as documented.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptResult, HttpRequest, Outcome, PartnerDefinition, TransportContext } from '../../src/partners/partner-definition.js';
import { loadPartnerRegistry } from '../../src/partners/partner-registry.js';
import { buildTranslator } from '../../src/pipeline/build-translator.js';
import type { Translator } from '../../src/pipeline/translator.js';
import { loadSigningKey } from '../../src/security/key-store.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { startSimulators } from '../../src/sim/start-simulators.js';
import { configWithTempKeys, RECORD_FIXTURES } from '../support/project.js';

const config = configWithTempKeys();
const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;
let translator: Translator;
let sims: Map<string, PartnerSimulator>;
let partners: Map<string, PartnerDefinition>;

beforeAll(async () => {
  translator = await buildTranslator(config);
  const registry = await loadPartnerRegistry();
  partners = new Map(registry.partners.map((p) => [p.id, p]));
  sims = await startSimulators({ certsDir: config.certsDir });
});
afterAll(async () => {
  await Promise.all([...(sims?.values() ?? [])].map((s) => s.close()));
  rmSync(config.certsDir, { recursive: true, force: true });
});

function context(partner: string, partnerCertFile = join(config.certsDir, 'partners', `${partner}.cert.pem`)): TransportContext {
  return {
    partnerCertificatePem: readFileSync(partnerCertFile, 'utf8'),
    gatewayCertificatePem: readFileSync(config.signingCertFile, 'utf8'),
    gatewayPrivateKeyPem: readFileSync(config.signingKeyFile, 'utf8'),
    endpointUrl: sims.get(partner)?.url ?? '',
  };
}

let serial = 0;
/** A fresh record through the real translator, so every document has ids of its own. */
async function documentFor(partner: string, changes: Record<string, unknown> = {}): Promise<Buffer> {
  const recordId = `KZ-TT-SIM-${++serial}`;
  const translation = await translator.translate({ ...termination, recordId, ...changes });
  if (!translation.ok) throw new Error(JSON.stringify(translation.problems));
  const doc = translation.documents.find((d) => d.partner === partner);
  if (!doc) throw new Error(`no ${partner} document`);
  return doc.bytes;
}

/** Sends a built request with fetch and reports it the way the delivery worker does. */
async function send(partner: string, request: HttpRequest, timeoutMs = 5_000): Promise<AttemptResult> {
  const started = performance.now();
  try {
    const res = await fetch(`${sims.get(partner)?.url}${request.path}`, { method: request.method, headers: request.headers, body: new Uint8Array(request.body), signal: AbortSignal.timeout(timeoutMs) });
    const body = Buffer.from(await res.arrayBuffer());
    return { kind: 'response', status: res.status, headers: Object.fromEntries(res.headers), body, durationMs: performance.now() - started };
  } catch (err) {
    const timeout = err instanceof Error && err.name === 'TimeoutError';
    return { kind: 'error', error: timeout ? 'timeout' : 'connect', message: String(err), durationMs: performance.now() - started };
  }
}

interface Attempt {
  outcome: Outcome;
  result: AttemptResult;
}

/** Builds the request with the adapter, sends it, and lets the adapter judge the answer. */
async function attempt(partner: string, id: string, payload: Buffer, options: { timeoutMs?: number; ctx?: TransportContext; edit?: (r: HttpRequest) => HttpRequest } = {}): Promise<Attempt> {
  const definition = partners.get(partner);
  if (!definition) throw new Error(`no adapter ${partner}`);
  const ctx = options.ctx ?? context(partner);
  const built = definition.transport.buildRequest({ id, messageType: 'test', payload, attempt: 1 }, ctx);
  const result = await send(partner, options.edit ? options.edit(built) : built, options.timeoutMs);
  return { outcome: definition.classify(result, ctx), result };
}

function sim(partner: string): PartnerSimulator {
  const found = sims.get(partner);
  if (!found) throw new Error(`no simulator ${partner}`);
  return found;
}

function receivedIds(partner: string): string[] {
  return sim(partner).received.map((r) => r.messageId);
}

describe('IRU SafeTIR (WSST) against the IRU simulator', () => {
  const iru = (): PartnerSimulator => sim('iru-safetir');
  beforeEach(() => iru().faults.reset());

  it('delivers a sealed SafeTIR upload: return code 2, and IRU read the document we logged', async () => {
    const payload = await documentFor('iru-safetir');
    const { outcome } = await attempt('iru-safetir', 'iru-ok-1', payload);
    expect(outcome).toMatchObject({ verdict: 'delivered', partnerCode: '2' });
    const last = iru().received.at(-1);
    expect(last).toMatchObject({ messageId: 'iru-ok-1', valid: true, problems: [] });
    const logged = payload.toString('utf8');
    const body = logged.slice(logged.indexOf('<Body>'), logged.indexOf('</Body>'));
    expect(last?.document).toContain(body);
  });

  it('sends the WSST call per the WSDL: SOAPAction, text/xml, SafeTIRUploadParams with our id', async () => {
    const payload = await documentFor('iru-safetir');
    const request = partners.get('iru-safetir')?.transport.buildRequest({ id: 'iru-shape', messageType: 'safetir-upload', payload, attempt: 1 }, context('iru-safetir'));
    expect(request).toMatchObject({ method: 'POST', path: '', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://www.iru.org/WSST"' } });
    expect(request?.body.toString('utf8')).toMatch(
      /^<soap:Envelope xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"><soap:Body><WSST xmlns="http:\/\/www\.iru\.org"><su><SubscriberID>KZ-CUSTOMS<\/SubscriberID><MessageTag>[0-9A-F]{40}<\/MessageTag><ESessionKey>[A-Za-z0-9+/=]+<\/ESessionKey><safeTIRUploadData>[A-Za-z0-9+/=]+<\/safeTIRUploadData><Sender_MessageID>iru-shape<\/Sender_MessageID><\/su><\/WSST><\/soap:Body><\/soap:Envelope>$/,
    );
  });

  it('HTTP 503 → retry, and the simulator still records the attempt with its fault', async () => {
    iru().faults.failNext(1, 503);
    const { outcome, result } = await attempt('iru-safetir', 'iru-503', await documentFor('iru-safetir'));
    expect(result).toMatchObject({ kind: 'response', status: 503 });
    expect(outcome.verdict).toBe('retry');
    expect(iru().received.at(-1)).toMatchObject({ messageId: 'iru-503', valid: true, fault: { kind: 'status', status: 503 } });
  });

  it('no answer → timeout → retry', async () => {
    iru().faults.hangNext(1);
    const { outcome, result } = await attempt('iru-safetir', 'iru-hang', await documentFor('iru-safetir'), { timeoutMs: 300 });
    expect(result).toMatchObject({ kind: 'error', error: 'timeout' });
    expect(outcome.verdict).toBe('retry');
  });

  it('a torn acknowledgement → retry (in doubt)', async () => {
    iru().faults.malformedAckNext(1);
    const { outcome, result } = await attempt('iru-safetir', 'iru-torn', await documentFor('iru-safetir'));
    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(outcome.verdict).toBe('retry');
  });

  it.each([
    [1241, 'failed'],
    [1250, 'retry'],
    [1230, 'needs-human'],
    [1200, 'retry'],
    [1233, 'needs-human'],
    [4711, 'needs-human'],
  ] as const)('return code %i → %s', async (code, verdict) => {
    iru().faults.partnerErrorNext(1, code);
    const { outcome } = await attempt('iru-safetir', `iru-code-${code}`, await documentFor('iru-safetir'));
    expect(outcome).toMatchObject({ verdict, partnerCode: String(code) });
  });

  it('a carnet number outside IRU pattern is found by the simulator itself: 1241 → failed', async () => {
    const payload = Buffer.from((await documentFor('iru-safetir')).toString('utf8').replace('TNO="XA25123456"', 'TNO="X125"'));
    const { outcome } = await attempt('iru-safetir', 'iru-bad-tno', payload);
    expect(outcome).toMatchObject({ verdict: 'failed', partnerCode: '1241' });
    expect(iru().received.at(-1)?.valid).toBe(false);
    expect(iru().received.at(-1)?.problems.join()).toMatch(/1241 INVALID_CARNETNUMBER: .*@TNO/);
  });

  it('a session key wrapped for another certificate: 1211 UNKNOWN_MESSAGE_TAG → needs-human', async () => {
    const wrongCert = context('iru-safetir', config.signingCertFile);
    const { outcome } = await attempt('iru-safetir', 'iru-wrong-cert', await documentFor('iru-safetir'), { ctx: wrongCert });
    expect(outcome).toMatchObject({ verdict: 'needs-human', partnerCode: '1211' });
  });

  it('a wrong SOAPAction draws a SOAP Client fault → needs-human', async () => {
    const { outcome, result } = await attempt('iru-safetir', 'iru-action', await documentFor('iru-safetir'), {
      edit: (r) => ({ ...r, headers: { ...r.headers, soapaction: '"http://www.iru.org/WSRE"' } }),
    });
    expect(result).toMatchObject({ kind: 'response', status: 500 });
    expect(outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'soap:Client' });
  });

  it('lists every attempt by message id, repeats included, also over the /_sim control API', async () => {
    const payload = await documentFor('iru-safetir');
    const control = await fetch(`${iru().url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ action: 'failNext', count: 1, status: 502 }) });
    expect(control.status).toBe(204);
    expect((await attempt('iru-safetir', 'iru-twice', payload)).outcome.verdict).toBe('retry');
    expect((await attempt('iru-safetir', 'iru-twice', payload)).outcome.verdict).toBe('delivered');
    expect(receivedIds('iru-safetir').filter((id) => id === 'iru-twice')).toHaveLength(2);
    const listed = (await (await fetch(`${iru().url}/_sim/received`)).json()) as Array<{ messageId: string }>;
    expect(listed.map((r) => r.messageId)).toEqual(receivedIds('iru-safetir'));
    expect(receivedIds('iru-safetir')).toEqual(expect.arrayContaining(['iru-ok-1', 'iru-503', 'iru-hang', 'iru-torn', 'iru-code-1241']));
  });
});

describe('Russian FTS against the FTS simulator', () => {
  const ru = (): PartnerSimulator => sim('ru-fcs');
  beforeEach(() => ru().faults.reset());

  it('delivers the signed notification: ACCEPTED receipt with its EnvelopeID', async () => {
    const payload = await documentFor('ru-fcs');
    const { outcome, result } = await attempt('ru-fcs', 'ru-ok-1', payload);
    expect(outcome.verdict).toBe('delivered');
    const envelopeId = /<roi:EnvelopeID>([^<]+)</.exec(payload.toString('utf8'))?.[1];
    expect(result.kind === 'response' && result.body.toString('utf8')).toMatch(new RegExp(`<EnvelopeID>${envelopeId}</EnvelopeID><MessageID>ru-ok-1</MessageID>.*<Result>ACCEPTED</Result>`));
    expect(ru().received.at(-1)).toMatchObject({ messageId: 'ru-ok-1', valid: true, document: payload.toString('utf8') });
  });

  it('sends the document unchanged with X-Message-Id', async () => {
    const payload = await documentFor('ru-fcs');
    const request = partners.get('ru-fcs')?.transport.buildRequest({ id: 'ru-shape', messageType: 'transit-notification', payload, attempt: 2 }, context('ru-fcs'));
    expect(request).toMatchObject({ method: 'POST', path: '/transit/notifications', headers: { 'content-type': 'application/xml', 'x-message-id': 'ru-shape' } });
    expect(request?.body.equals(payload)).toBe(true);
  });

  it('a resend of a delivered document: DUP-001 → delivered, both attempts listed under one id', async () => {
    const payload = await documentFor('ru-fcs');
    expect((await attempt('ru-fcs', 'ru-dup', payload)).outcome.verdict).toBe('delivered');
    expect((await attempt('ru-fcs', 'ru-dup', payload)).outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'DUP-001' });
    expect(receivedIds('ru-fcs').filter((id) => id === 'ru-dup')).toHaveLength(2);
    expect(ru().received.filter((r) => r.messageId === 'ru-dup').every((r) => r.valid)).toBe(true);
  });

  it('HTTP 503 → retry', async () => {
    ru().faults.failNext(1, 503);
    const { outcome } = await attempt('ru-fcs', 'ru-503', await documentFor('ru-fcs'));
    expect(outcome.verdict).toBe('retry');
  });

  it('no answer → timeout → retry; FTS had it, so the retry is a duplicate → delivered', async () => {
    const payload = await documentFor('ru-fcs');
    ru().faults.hangNext(1);
    const first = await attempt('ru-fcs', 'ru-hang', payload, { timeoutMs: 300 });
    expect(first.result).toMatchObject({ kind: 'error', error: 'timeout' });
    expect(first.outcome.verdict).toBe('retry');
    expect((await attempt('ru-fcs', 'ru-hang', payload)).outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'DUP-001' });
  });

  it('an answer later than the timeout → retry', async () => {
    ru().faults.delay(500);
    const { outcome } = await attempt('ru-fcs', 'ru-slow', await documentFor('ru-fcs'), { timeoutMs: 100 });
    expect(outcome.verdict).toBe('retry');
  });

  it('a torn receipt → retry (in doubt)', async () => {
    ru().faults.malformedAckNext(1);
    const { outcome, result } = await attempt('ru-fcs', 'ru-torn', await documentFor('ru-fcs'));
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
    const { outcome } = await attempt('ru-fcs', `ru-code-${code}`, await documentFor('ru-fcs'));
    expect(outcome).toMatchObject({ verdict, partnerCode: code });
  });

  it('a tampered byte breaks the signature: SIG-001 → needs-human', async () => {
    const payload = Buffer.from((await documentFor('ru-fcs')).toString('utf8').replace('<Remarks>seal intact</Remarks>', '<Remarks>seal intacT</Remarks>'));
    const { outcome } = await attempt('ru-fcs', 'ru-tampered', payload);
    expect(outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'SIG-001' });
    expect(ru().received.at(-1)).toMatchObject({ messageId: 'ru-tampered', valid: false });
  });

  it('a validly signed document that breaks the schema: SCH-001 → failed', async () => {
    const signer = createXmlSigner(loadSigningKey(config.signingKeyFile, config.signingCertFile));
    const unsigned = (await documentFor('ru-fcs')).toString('utf8').replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '').replace('<Event>TRM</Event>', '<Event>XXX</Event>');
    const { outcome } = await attempt('ru-fcs', 'ru-schema', signer.sign(Buffer.from(unsigned)));
    expect(outcome).toMatchObject({ verdict: 'failed', partnerCode: 'SCH-001' });
    expect(ru().received.at(-1)?.problems.join()).toMatch(/SCH-001: \/env:Envelope\/env:Body\/TransitNotification\/Event/);
  });

  it('without X-Message-Id: HDR-001 → needs-human', async () => {
    const { outcome } = await attempt('ru-fcs', 'ru-no-id', await documentFor('ru-fcs'), {
      edit: (r) => ({ ...r, headers: { 'content-type': 'application/xml' } }),
    });
    expect(outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'HDR-001' });
  });

  it('lists the message ids it received, in order', () => {
    expect(receivedIds('ru-fcs').slice(0, 5)).toEqual(['ru-ok-1', 'ru-dup', 'ru-dup', 'ru-503', 'ru-hang']);
  });
});
