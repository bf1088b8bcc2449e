// TIR carnet holder query (TCHQ) for real: the gateway's API and the adapter against the IRU simulator over loopback HTTP, real crypto, IRU's XSDs as oracle.
import { childText, GatewayError, type PartnerContext, type PartnerRouteDeps, type PartnerSimulator } from '../../../src/partners/kit.js';
import { createCipheriv } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { AUDITOR_TOKEN, startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import { buildCarnetQueryRequest, queryCarnet } from '../carnet-query.js';
import { classicResult } from '../rts-classic-call.js';
import { openRtsPayload } from '../rts-envelope.js';
import { iruState } from '../sim/simulator.js';
import type { IruSimState } from '../sim/soap-service.js';
import { createXmllint, hashMatches, IRU_RTS_DIR } from './rts-oracle.js';

const QUERY_XSD = join(IRU_RTS_DIR, 'TCHQuery.xsd');
const RESPONSE_XSD = join(IRU_RTS_DIR, 'TCHQResponse.xsd');
const noXsd = skipWithout('TCHQ XSD validation', { tools: ['xmllint'], files: [QUERY_XSD, RESPONSE_XSD] });
const lint = createXmllint();
afterAll(() => lint.dispose());
const xmllint = (xsd: string, document: string): { status: number | null; output: string } => lint.validate(xsd, document);

const HOLDER = { holderId: 'KAZ/015/123', validityDate: '2027-06-30', association: 'KazATO', numTerminations: 2, voucherNumber: '1234-5678-9012' };

describe('GET /v1/safetir/carnets/:number through the gateway', () => {
  let gw: RunningGateway;
  let sim: PartnerSimulator;
  let state: IruSimState;

  beforeAll(async () => {
    gw = await startTestGateway();
    sim = gw.gateway.simulators.get('iru-safetir')!;
    state = iruState(sim);
    state.carnets.set('DX25123456', { carnetNumber: 'DX25123456', result: 1, ...HOLDER });
    const seeded = await fetch(`${sim.url}/_sim/seed`, {
      method: 'POST',
      body: JSON.stringify({
        carnets: [
          { carnetNumber: 'xh25000002', result: 2 },
          { carnetNumber: 'XF30000003', result: 3, holderId: 'KAZ/015/777' },
          { carnetNumber: 'XH40000004', result: 4 },
          { carnetNumber: 'XQ25000005', result: 5 },
        ],
      }),
    });
    expect(seeded.status).toBe(204);
  });
  afterAll(async () => {
    await gw?.stop();
  });
  beforeEach(() => sim.faults.reset());

  it.each([
    [1, 'DX25123456', 'issue data available'],
    [2, 'XH25000002', 'no issue data available'],
    [3, 'XF30000003', 'carnet invalidated by IRU'],
    [4, 'XH40000004', 'carnet not in circulation'],
    [5, 'XQ25000005', 'carnet number incorrect'],
  ] as const)('decodes Result %i of a seeded carnet', async (code, number, meaning) => {
    const res = await gw.api('GET', `/v1/safetir/carnets/${number}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ carnetNumber: number, result: { code, meaning } });
  });

  it('query type 1: holder, validity, association and terminations, but no voucher', async () => {
    const res = await gw.api('GET', '/v1/safetir/carnets/DX25123456?queryType=1&reason=entry');
    expect(res.body).toEqual({
      carnetNumber: 'DX25123456',
      result: { code: 1, meaning: 'issue data available' },
      holderId: 'KAZ/015/123',
      validityDate: '2027-06-30',
      association: 'KazATO',
      numTerminations: 2,
    });
  });

  it('query type 2 returns the voucher number too; a lower-case number is asked upper case', async () => {
    const res = await gw.api('GET', '/v1/safetir/carnets/dx25123456?queryType=2&reason=termination', undefined, AUDITOR_TOKEN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ carnetNumber: 'DX25123456', voucherNumber: '1234-5678-9012' });
    const document = sim.received.at(-1)?.document ?? '';
    expect(document).toContain('<Query_Type>2</Query_Type><Query_Reason>3</Query_Reason><Carnet_Number>DX25123456</Carnet_Number>');
  });

  it('Result 5, as IRU answers, for a number IRU has no row for and for check letters that break its rule, even when seeded', async () => {
    state.carnets.set('XA25123456', { carnetNumber: 'XA25123456', result: 1, ...HOLDER });
    for (const number of ['XQ25999999', 'XA25123456', 'AB12345678']) {
      const res = await gw.api('GET', `/v1/safetir/carnets/${number}`);
      expect(res.body).toMatchObject({ carnetNumber: number, result: { code: 5, meaning: 'carnet number incorrect' } });
      expect(res.body.holderId).toBeUndefined();
    }
  });

  it.each(['X125', 'XA', '12345678', 'XA-25123456', 'DX251234567890', 'ЖA25123456'])('malformed number %s → 400 GW_ERR_CARNET_NUMBER_INVALID, nothing sent', async (number) => {
    const before = sim.received.length;
    const res = await gw.api('GET', `/v1/safetir/carnets/${encodeURIComponent(number)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'GW_ERR_CARNET_NUMBER_INVALID', retryable: false });
    expect(sim.received.length).toBe(before);
  });

  it('refuses an unknown reason or query type, and callers without a token', async () => {
    expect((await gw.api('GET', '/v1/safetir/carnets/DX25123456?reason=curiosity')).body.error.code).toBe('GW_ERR_REQUEST_INVALID');
    expect((await gw.api('GET', '/v1/safetir/carnets/DX25123456?queryType=3')).body.error.code).toBe('GW_ERR_REQUEST_INVALID');
    expect((await gw.api('GET', '/v1/safetir/carnets/DX25123456', undefined, 'no-such-token')).status).toBe(401);
  });

  it.each([
    [1250, 502, 'GW_ERR_PARTNER_UNAVAILABLE', true],
    [1200, 502, 'GW_ERR_PARTNER_UNAVAILABLE', true],
    [1233, 502, 'GW_ERR_PARTNER_REJECTED', false],
    [1211, 502, 'GW_ERR_PARTNER_REJECTED', false],
    [1241, 400, 'GW_ERR_CARNET_NUMBER_INVALID', false],
  ] as const)('IRU return code %i → %i %s', async (returnCode, status, code, retryable) => {
    sim.faults.partnerErrorNext(1, returnCode);
    const res = await gw.api('GET', '/v1/safetir/carnets/DX25123456');
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, retryable });
    expect(res.body.error.message).toContain(String(returnCode));
  });

  it('HTTP 503 and a torn answer → 502 GW_ERR_PARTNER_UNAVAILABLE (retryable)', async () => {
    sim.faults.failNext(1, 503);
    expect((await gw.api('GET', '/v1/safetir/carnets/DX25123456')).body.error).toMatchObject({ code: 'GW_ERR_PARTNER_UNAVAILABLE', retryable: true });
    sim.faults.malformedAckNext(1);
    expect((await gw.api('GET', '/v1/safetir/carnets/DX25123456')).body.error).toMatchObject({ code: 'GW_ERR_PARTNER_UNAVAILABLE', retryable: true });
  });

  it.skipIf(noXsd)('the query IRU opened validates against TCHQuery.xsd and its Envelope/Hash matches its Body', async () => {
    await gw.api('GET', '/v1/safetir/carnets/XH40000004?queryType=2&reason=opening');
    const last = sim.received.at(-1);
    expect(last).toMatchObject({ valid: true, problems: [] });
    const document = last?.document ?? '';
    expect(document).toMatch(/^<\?xml version="1.0" encoding="utf-16"\?><Query xmlns="http:\/\/www.iru.org\/TCHQuery">/);
    expect(hashMatches(document)).toBe(true);
    const result = xmllint(QUERY_XSD, document);
    expect(result.output).toContain('validates');
    expect(result.status).toBe(0);
  });
});

describe('the carnet query adapter against the simulator, without the gateway', () => {
  const PARTNER = 'iru-safetir';
  let harness: PartnerHarness;
  let sim: PartnerSimulator;
  let context: PartnerContext;
  const deps = (timeoutMs = 5_000): Pick<PartnerRouteDeps, 'send' | 'context'> => ({ send: (r) => harness.runtime.send(PARTNER, r, { timeoutMs }), context: () => context });

  beforeAll(async () => {
    harness = await startPartnerHarness({}, [PARTNER]);
    sim = harness.sim(PARTNER);
    iruState(sim).carnets.set('DX25123456', { carnetNumber: 'DX25123456', result: 1, ...HOLDER });
    context = harness.context(PARTNER);
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(() => sim.faults.reset());

  it('sends WSTCHQ per tirCarnetQuery.wsdl: SOAPAction, SubscriberID, MessageTag, ESessionKey, sealed params, Query_ID', () => {
    const request = buildCarnetQueryRequest({ carnetNumber: 'DX25123456', queryType: 1, reason: 'exit' }, 'q-shape', context, new Date());
    expect(request).toMatchObject({ transport: 'soap', version: '1.1', action: 'http://www.iru.org/WSTCHQ' });
    expect(request.envelope.toString('utf8')).toMatch(
      /^<soap:Envelope xmlns:soap="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"><soap:Body><WSTCHQ xmlns="http:\/\/www\.iru\.org"><su><SubscriberID>KZ-CUSTOMS<\/SubscriberID><MessageTag>[0-9A-F]{40}<\/MessageTag><ESessionKey>[A-Za-z0-9+/=]+<\/ESessionKey><TIRCarnetHolderQueryParams>[A-Za-z0-9+/=]+<\/TIRCarnetHolderQueryParams><Query_ID>q-shape<\/Query_ID><\/su><\/WSTCHQ><\/soap:Body><\/soap:Envelope>$/,
    );
  });

  it('a query whose Envelope/Hash does not match its Body is answered 1200, as IRU\'s TCHQ processor does: IRU unavailable to the caller, never repeated by the gateway', async () => {
    const request = buildCarnetQueryRequest({ carnetNumber: 'DX25123456', queryType: 1, reason: 'exit' }, 'q-hash', context, new Date());
    const xml = request.envelope.toString('utf8');
    const field = (name: string): Buffer => Buffer.from(new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1] ?? '', 'base64');
    // Open it as IRU would (IRU's development key), change the Body, and encrypt it again under the same session key and IV.
    const certsDir = harness.config.certsDir;
    const iruKey = loadTestKey(join(certsDir, 'partners', 'iru-safetir.key.pem'), join(certsDir, 'partners', 'iru-safetir.cert.pem'));
    const key = iruKey.decrypt(field('ESessionKey'), 'rsa-pkcs1-v1_5');
    const opened = openRtsPayload({ eSessionKey: field('ESessionKey'), payload: field('TIRCarnetHolderQueryParams') }, iruKey);
    const tampered = opened.document.replace('<Query_Reason>2</Query_Reason>', '<Query_Reason>1</Query_Reason>');
    expect(tampered).not.toBe(opened.document);
    const cipher = createCipheriv('des-ede3-cbc', key, Buffer.from([3, 1, 4, 1, 5, 9, 2, 6]));
    const payload = Buffer.concat([cipher.update(Buffer.from(tampered, 'utf16le')), cipher.final()]).toString('base64');
    const sent = { ...request, envelope: Buffer.from(xml.replace(/<TIRCarnetHolderQueryParams>[^<]+</, `<TIRCarnetHolderQueryParams>${payload}<`)) };
    const error = await harness.runtime.send(PARTNER, sent).then((result) => classicResult('WSTCHQ', result)).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'GW_ERR_PARTNER_UNAVAILABLE', detail: { partnerCode: '1200' } });
    expect(sim.received.at(-1)?.problems.join()).toMatch(/1200 UNCLASSIFIED_ERROR: Envelope\/Hash/);
  });

  it('queries and decodes; the answer is sealed for the gateway certificate', async () => {
    await expect(queryCarnet(deps(), { carnetNumber: 'DX25123456', queryType: 2, reason: 'other' })).resolves.toEqual({
      carnetNumber: 'DX25123456',
      result: { code: 1, meaning: 'issue data available' },
      ...HOLDER,
    });
  });

  it.skipIf(noXsd)("IRU's answer, opened with the gateway key, validates against TCHQResponse.xsd and its hash matches", async () => {
    const request = buildCarnetQueryRequest({ carnetNumber: 'DX25123456', queryType: 2, reason: 'entry' }, 'q-xsd', context, new Date());
    const answer = classicResult('WSTCHQ', await harness.runtime.send(PARTNER, request));
    const field = (name: string): Buffer => Buffer.from(childText(answer, 'http://www.iru.org', name) ?? '', 'base64');
    const opened = openRtsPayload({ eSessionKey: field('ESessionKey'), payload: field('TIRCarnetHolderResponseParams') }, context.identity);
    expect(opened.hashOk).toBe(true);
    expect(hashMatches(opened.document)).toBe(true);
    const result = xmllint(RESPONSE_XSD, opened.document);
    expect(result.output).toContain('validates');
    expect(result.status).toBe(0);
  });

  it('no answer in time → GW_ERR_PARTNER_TIMEOUT (504, retryable)', async () => {
    sim.faults.hangNext(1);
    const error = await queryCarnet(deps(300), { carnetNumber: 'DX25123456', queryType: 1, reason: 'entry' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GW_ERR_PARTNER_TIMEOUT', httpStatus: 504, retryable: true });
  });

  it('nothing listening → GW_ERR_PARTNER_UNAVAILABLE', async () => {
    const nowhere = harness.runtimeAt('http://127.0.0.1:9');
    const closed = { send: (r: Parameters<PartnerRouteDeps['send']>[0]) => nowhere.send(PARTNER, r, { timeoutMs: 1_000 }), context: () => context };
    await expect(queryCarnet(closed, { carnetNumber: 'DX25123456', queryType: 1, reason: 'entry' })).rejects.toMatchObject({ code: 'GW_ERR_PARTNER_UNAVAILABLE' });
  });

  it('an answer sealed for another certificate → GW_ERR_PARTNER_ANSWER_INVALID', async () => {
    const other: PartnerContext = { ...context, identity: { ...context.identity, certificate: context.partnerCertificates[0]! } };
    await expect(queryCarnet({ ...deps(), context: () => other }, { carnetNumber: 'DX25123456', queryType: 1, reason: 'entry' })).rejects.toMatchObject({
      code: 'GW_ERR_PARTNER_ANSWER_INVALID',
    });
  });
});

describe('TCHQ at a URL of its own', () => {
  it('goes to the tchq service URL when one is configured, while uploads stay with the default one', async () => {
    const seen: Array<{ path: string; action: string }> = [];
    const server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', action: String(req.headers.soapaction ?? '') });
      res.writeHead(503).end('busy');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tchq = `http://127.0.0.1:${(server.address() as AddressInfo).port}/TCHQ.asmx`;
    const gw = await startTestGateway({ GATEWAY_PARTNER_IRU_SAFETIR_URL_TCHQ: tchq });
    try {
      const res = await gw.api('GET', '/v1/safetir/carnets/DX25123456');
      expect(res.body.error).toMatchObject({ code: 'GW_ERR_PARTNER_UNAVAILABLE' });
      expect(seen).toEqual([{ path: '/TCHQ.asmx', action: '"http://www.iru.org/WSTCHQ"' }]);
      expect(gw.gateway.simulators.get('iru-safetir')?.received.some((r) => r.problems.join().includes('WSTCHQ'))).toBe(false);
    } finally {
      await gw.stop();
      server.close();
    }
  });
});
