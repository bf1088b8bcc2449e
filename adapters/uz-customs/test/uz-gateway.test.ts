// Uzbekistan through the whole gateway: a declaration with Uzbekistan delivered on its signed RES, and Uzbekistan's own DECs taken over mutual TLS, answered by our RES in CMS and handed to CAIS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import { deliveredMessage, startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { buildAs2Message, buildCmsSignedData } from '../../../src/partners/kit.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import { uzbekDec, type UzbekDecCommand } from '../sim/uzbek-dec.js';
import { uzbekCusdec } from '../sim/uzbek-cusdec.js';
import { inboundClient } from '../../../test/support/inbound-client.js';
import type { WcoResponse } from '../wco-response.js';
import { WCO_DIR, writeWcoDrivers } from './wco-schemas.js';

const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;

describe.skipIf(skipWithout('Uzbekistan through the gateway', { tools: ['openssl', 'xmllint'], files: [join(WCO_DIR, 'notification', 'WCO_RES_2_DMS.xsd')] }))('uz-customs through the gateway', () => {
  let gw: RunningGateway;
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-uz-certs-'));
  const dir = mkdtempSync(join(tmpdir(), 'gw-uz-gw-'));
  beforeAll(async () => {
    gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir });
    writeWcoDrivers(dir);
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(certsDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  type Pushed = { status: number; body: string; res?: WcoResponse };
  let serial = 0;
  const push = async (command: UzbekDecCommand): Promise<Pushed> => {
    const res = await fetch(`${gw.gateway.simulators.get('uz-customs')!.url}/_sim/pushDec`, { method: 'POST', body: JSON.stringify(command) });
    expect(res.status).toBe(200);
    return (await res.json()) as Pushed;
  };
  /** Our RES opened by openssl with the development CA (the gateway's certificate chains to it), and checked against the WCO RES schema. */
  const opened = (pushed: Pushed): string => {
    const der = join(dir, `res-${++serial}.der`);
    writeFileSync(der, Buffer.from(pushed.body, 'base64'));
    const verified = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-binary', '-purpose', 'any', '-CAfile', join(certsDir, 'ca.cert.pem'), '-in', der]);
    expect(verified.status, verified.stderr.toString()).toBe(0);
    const xml = join(dir, `res-${serial}.xml`);
    writeFileSync(xml, verified.stdout);
    const valid = spawnSync('xmllint', ['--noout', '--schema', join(dir, 'res.xsd'), xml], { encoding: 'utf8' });
    expect(valid.status, valid.stderr).toBe(0);
    return verified.stdout.toString();
  };
  const transit: UzbekDecCommand = {
    reference: `UZ17050/271126/${process.pid}`,
    typeCode: 'TRD',
    itinerary: ['UZ', 'KZ', 'RU'],
    vehicle: '01A123BC',
    items: [{ hsCode: '520100', description: 'Raw cotton, not carded or combed, in bales', grossMassKg: '21400', netMassKg: '21000' }],
  };

  it('a declaration with Uzbekistan is delivered as a DEC on its RES 01, findable by declaration number', async () => {
    const recordId = `KZ-CD-UZ-${process.pid}`;
    const posted = await gw.api('POST', '/v1/cais/records', { ...DECLARATION, recordId, flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ' });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const detail = await deliveredMessage(gw, 'uz-customs', '55401/261126/0012345', recordId);
    expect(detail.attemptLog.at(-1)).toMatchObject({ outcome: 'delivered', partnerCode: '01' });
  });

  it("Uzbekistan's advance transit information is answered by our RES 01 in CMS (openssl, the WCO RES schema) and reaches CAIS as an advance.declaration; the same DEC again is the same answer and no second record", async () => {
    const first = await push(transit);
    expect(first.status).toBe(200);
    expect(opened(first)).toContain('<FunctionCode>01</FunctionCode>');
    expect(first.res).toMatchObject({ functionCode: '01', declarationReference: transit.reference });
    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
    const items = (pulled.body.items as Array<{ id: string; record: { type: string; reference: string; declarationType: string; itinerary: string[] } }>).filter((i) => i.record.type === 'advance.declaration' && i.record.reference === transit.reference);
    expect(items).toHaveLength(1);
    expect(items[0]!.record).toMatchObject({ declarationType: 'TRD', itinerary: ['UZ', 'KZ', 'RU'], reporter: 'UZ', function: 'original' });
    // Our RES names the record's inbound id as the registration.
    expect(first.res?.registrationId).toBe(items[0]!.id);
    // The same bytes again (a retry after a lost answer): the byte-identical RES.
    const again = await push({ ...transit, repeat: true } as UzbekDecCommand);
    expect(again.body).toBe(first.body);
    const inbound = await gw.api('GET', '/v1/messages?partner=uz-customs&direction=in');
    expect((inbound.body.items as Array<{ recordId: string }>).length).toBe(1);
    // Found by its reference and its vehicle, like any message of the log.
    for (const key of [transit.reference, transit.vehicle!]) expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(key)}&direction=in`)).body.items).toHaveLength(1);
  });

  it('an AS2 message (profile edifact) to an instance on the default profile is refused 415 and leaves nothing', async () => {
    const client = inboundClient(gw.gateway.inboundUrl()!, certsDir);
    try {
      const uzbekistan = loadTestKey(join(certsDir, 'partners', 'uz-customs.key.pem'), join(certsDir, 'partners', 'uz-customs.cert.pem'));
      const content = uzbekCusdec({ interchange: 'UZAS2DEFAULT', reference: `UZ-AS2-DEFAULT-${process.pid}`, items: transit.items });
      const outgoing = buildAs2Message({ transport: 'as2', content, contentType: 'application/EDIFACT', messageId: `default-${process.pid}` }, { as2From: 'UZCUSTOMS', as2To: 'KZCUSTOMS' }, uzbekistan);
      const { 'Content-Type': contentType = '', ...headers } = outgoing.headers;
      const answer = await client.push({ tlsAs: 'uz-customs', partner: 'uz-customs', body: outgoing.body, contentType, headers });
      // Refused as any push of a media type the profile does not take: 415, answered by our RES 03 in CMS.
      expect([answer.status, answer.headers['content-type']]).toEqual([415, 'application/pkcs7-mime; smime-type=signed-data']);
      expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(`UZ-AS2-DEFAULT-${process.pid}`)}`)).body.items).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('an amendment is its own message and record (version 2); another original with the same reference is a conflict; plain XML and a CMS signed by another key are refused', async () => {
    const amendment = await push({ ...transit, functionCode: '13', vehicle: '01B456CD' });
    expect(amendment.status).toBe(200);
    expect(amendment.res).toMatchObject({ functionCode: '01', declarationReference: transit.reference });
    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
    const records = (pulled.body.items as Array<{ record: { type: string; reference: string; version: number; function: string; vehicle?: { registrationNumber: string } } }>).filter((i) => i.record.type === 'advance.declaration' && i.record.reference === transit.reference);
    expect(records.map((r) => [r.record.version, r.record.function, r.record.vehicle?.registrationNumber])).toEqual([[1, 'original', '01A123BC'], [2, 'amendment', '01B456CD']]);
    const otherOriginal = await push({ ...transit, vehicle: '01Z999ZZ' });
    expect(otherOriginal.status).toBe(409);
    expect(otherOriginal.res?.errors[0]?.code).toBe('KZ-DUPL');
    expect((await push({ ...transit, asXml: true } as UzbekDecCommand)).status).toBe(415);
    const russia = loadTestKey(join(certsDir, 'partners', 'eaeu-ru.key.pem'), join(certsDir, 'partners', 'eaeu-ru.cert.pem'));
    const forged = await push({ ...transit, cms: buildCmsSignedData(uzbekDec({ ...transit, reference: `UZ-FORGED-${process.pid}` }), russia, { detached: false }).toString('base64') } as UzbekDecCommand);
    expect(forged.status).toBe(401);
    expect(forged.res?.errors[0]?.code).toBe('KZ-SIGN');
  });

  it('a DEC naming another country as responsible, or whose goods break the record schema, is refused with our RES 03 and its GW_ERR code', async () => {
    const foreign = await push({ ...transit, reference: `TJ-${process.pid}`, responsibleCountry: 'TJ' });
    expect(foreign.status).toBe(403);
    opened(foreign);
    expect(foreign.res).toMatchObject({ functionCode: '03', errors: [{ code: 'KZ-SNDR', description: expect.stringContaining('GW_ERR_INBOUND_SENDER_MISMATCH') as unknown }] });
    const badCode = await push({ ...transit, reference: `UZ-BAD-${process.pid}`, items: [{ ...transit.items[0]!, hsCode: '52' }] });
    expect(badCode.status).toBe(422);
    expect(badCode.res?.functionCode).toBe('03');
    expect(badCode.res?.errors[0]).toMatchObject({ code: 'KZ-DATA', description: expect.stringContaining('GW_ERR_INBOUND_RECORD_INVALID') as unknown });
    opened(badCode);
    expect(badCode.res?.declarationReference).toBe(`UZ-BAD-${process.pid}`);
  });
});

describe('uz-customs: a profile change with messages still queued', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-uz-switch-data-'));
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-uz-switch-certs-'));
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(certsDir, { recursive: true, force: true });
  });

  it('a DEC still waiting for its retry when the instance moves to the edifact profile is not sent over AS2: it needs a person', async () => {
    const env = { GATEWAY_DATA_DIR: dataDir, GATEWAY_CERTS_DIR: certsDir };
    const recordId = `KZ-CD-UZ-SWITCH-${process.pid}`;
    let messageId: string | undefined;
    // Real retry delays: the first attempt fails and the next waits 5 s, longer than this gateway lives.
    const before = await startTestGateway({ ...env, GATEWAY_RETRY_DELAY_SCALE: '1' });
    try {
      before.gateway.simulators.get('uz-customs')!.faults.failNext(1, 503);
      expect((await before.api('POST', '/v1/cais/records', { ...DECLARATION, recordId, flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ' })).status).toBe(202);
      const listed = await before.api('GET', '/v1/messages?partner=uz-customs');
      messageId = (listed.body.items as Array<{ id: string; recordId: string }>).find((m) => m.recordId === recordId)?.id;
      await before.waitFor(async () => ((await before.api('GET', `/v1/messages/${messageId}`)).body.attemptLog.length === 1 ? true : undefined), 20_000);
    } finally {
      await before.stop();
    }
    const after = await startTestGateway({ ...env, GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact' });
    try {
      const detail = await after.waitFor(async () => {
        const res = await after.api('GET', `/v1/messages/${messageId}`);
        return res.body.status === 'needs-human' ? res.body : undefined;
      }, 30_000);
      expect(detail.attemptLog.at(-1).error).toContain('message type dec belongs to profile default, the instance is on profile edifact');
      expect(after.gateway.simulators.get('uz-customs')!.received.length).toBe(0);
    } finally {
      await after.stop();
    }
  }, 90_000);
});
