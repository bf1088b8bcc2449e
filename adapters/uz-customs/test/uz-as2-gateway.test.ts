// Uzbekistan on the edifact profile through the whole gateway: our CUSDEC answered by MDN, then CONTRL and CUSRES on the simulator's own timers, with the latest deciding; Uzbekistan's CUSDEC over AS2 answered by our signed MDN, CONTRL and CUSRES.
/* eslint-disable @typescript-eslint/no-explicit-any -- message details are checked field by field */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import { startTestGateway, type RunningGateway } from '../../../test/support/running-gateway.js';
import { waitFor } from '../../../test/support/wait.js';
import { X509Certificate } from 'node:crypto';
import { buildAs2Message, readAs2Mdn } from '../../../src/partners/kit.js';
import { inboundClient } from '../../../test/support/inbound-client.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import type { UzSimState } from '../sim/simulator.js';
import { uzbekCusdec, type UzbekCusdecCommand } from '../sim/uzbek-cusdec.js';

const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;

type Pushed = { status: number; body?: string; mdnContentType?: string; mdnBody?: string; mdn?: { disposition: string; signed: boolean; verified: boolean; micMatches: boolean; problems: string[] } };

describe.skipIf(skipWithout('Uzbekistan over AS2 through the gateway', { tools: ['openssl'] }))('uz-customs, profile edifact, through the gateway', () => {
  let gw: RunningGateway;
  const certsDir = mkdtempSync(join(tmpdir(), 'gw-uz-as2-certs-'));
  const dir = mkdtempSync(join(tmpdir(), 'gw-uz-as2-'));
  let serial = 0;
  beforeAll(async () => {
    gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact' });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(certsDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const simUrl = (): string => gw.gateway.simulators.get('uz-customs')!.url;
  const state = (): UzSimState => (gw.gateway.simulators.get('uz-customs') as unknown as { state: UzSimState }).state;
  const control = async (name: string, body: unknown = {}): Promise<unknown> => {
    const text = await (await fetch(`${simUrl()}/_sim/${name}`, { method: 'POST', body: JSON.stringify(body) })).text();
    return text === '' ? undefined : JSON.parse(text);
  };

  /** Posts a declaration to Uzbekistan and waits until its message is done: delivered with nothing awaited, or ended otherwise. */
  async function declare(): Promise<{ detail: any; interchange: string }> {
    const recordId = `KZ-CD-UZ-AS2-${process.pid}-${++serial}`;
    const number = `55401/011226/${String(serial).padStart(7, '0')}`;
    const posted = await gw.api('POST', '/v1/cais/records', { ...DECLARATION, recordId, declarationNumber: number, flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ' });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const detail = await gw.waitFor(async () => {
      const found = await gw.api('GET', `/v1/messages?partner=uz-customs&key=${encodeURIComponent(number)}`);
      const id = (found.body.items as Array<{ id: string; recordId: string }>).find((m) => m.recordId === recordId)?.id;
      if (!id) return undefined;
      const res = await gw.api('GET', `/v1/messages/${id}`);
      const done = (res.body.status === 'delivered' && res.body.awaiting === null) || ['failed', 'needs-human', 'dead-lettered'].includes(res.body.status);
      return done ? res.body : undefined;
    }, 30_000);
    return { detail, interchange: detail.businessKeys.interchange as string };
  }

  it('a CUSDEC gets a signed MDN, then CONTRL, then CUSRES: delivered with all three in its history', async () => {
    const { detail, interchange } = await declare();
    expect(detail.status).toBe('delivered');
    expect(detail.attemptLog.at(-1)).toMatchObject({ outcome: 'delivered', partnerCode: 'processed' });
    expect(detail.acknowledgements.map((a: any) => [a.stage, a.rejected, a.effect])).toEqual([
      ['accepted', false, 'advanced'],
      ['answered', false, 'advanced'],
    ]);
    expect(detail.acknowledgements[1].text).toMatch(/^CUSRES UZ\d+: accepted$/);
    const reasons = detail.history.map((h: any) => h.reason).join('\n');
    expect(reasons).toContain('MDN automatic-action/MDN-sent-automatically; processed');
    expect(reasons).toContain('awaiting CONTRL, then CUSRES');
    // Uzbekistan took each of its reports with our signed MDN (sent once the report is durable in our log, which shows it a moment earlier).
    const reports = () => state().pushed.filter((p) => p.answers === interchange);
    await waitFor('both reports answered by our MDN', () => reports().length === 2);
    expect(reports().map((p) => [p.type, p.outcome])).toEqual([
      ['contrl', 'automatic-action/MDN-sent-automatically; processed'],
      ['cusres', 'automatic-action/MDN-sent-automatically; processed'],
    ]);
  });

  it('a CONTRL rejection ends the message failed with its syntax error code; so does a CUSRES 27 with its error code, and a CONTRL 26 (duplicate interchange reference)', async () => {
    await control('contrlReject');
    const syntax = await declare();
    expect(syntax.detail.status).toBe('failed');
    expect(syntax.detail.acknowledgements).toMatchObject([{ stage: 'accepted', rejected: true, code: '13', effect: 'failed' }]);
    expect(syntax.detail.history.at(-1).reason).toContain('(13)');
    // No CUSRES follows a rejected interchange (the CONTRL's MDN reaches Uzbekistan a moment after our log shows it).
    await waitFor('the CONTRL answered by our MDN', () => state().pushed.some((p) => p.answers === syntax.interchange));
    expect(state().pushed.filter((p) => p.answers === syntax.interchange).map((p) => p.type)).toEqual(['contrl']);

    await control('cusresReject');
    const customs = await declare();
    expect(customs.detail.status).toBe('failed');
    expect(customs.detail.acknowledgements).toMatchObject([{ stage: 'accepted', rejected: false }, { stage: 'answered', rejected: true, code: 'UZ-DATA', effect: 'failed' }]);
    expect(customs.detail.history.at(-1).reason).toContain('consignee is not registered');

    await control('duplicateNext');
    const duplicate = await declare();
    expect(duplicate.detail.status).toBe('failed');
    expect(duplicate.detail.acknowledgements).toMatchObject([{ stage: 'accepted', rejected: true, code: '26' }]);
  });

  it('a CUSDEC Uzbekistan never reports on is sent again once, then handed to a person', async () => {
    // The CONTRL's time is the option (an hour by default) scaled by the transaction time scale (0.05): shortened here through the option.
    const { detail } = await declareWithin();
    expect(detail.status).toBe('needs-human');
    expect(detail.history.map((h: any) => h.reason).join('\n')).toContain('no CONTRL within');
  });

  /** As declare(), on a gateway whose CONTRL wait is short (its own instance). */
  async function declareWithin(): Promise<{ detail: any }> {
    const short = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact', GATEWAY_PARTNER_UZ_CUSTOMS_OPTION_CONTRL_WITHIN_MS: '2000' });
    try {
      const sim = short.gateway.simulators.get('uz-customs')!;
      await fetch(`${sim.url}/_sim/silent`, { method: 'POST', body: '{}' });
      await fetch(`${sim.url}/_sim/silent`, { method: 'POST', body: '{}' });
      const recordId = `KZ-CD-UZ-SILENT-${process.pid}`;
      expect((await short.api('POST', '/v1/cais/records', { ...DECLARATION, recordId, flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ' })).status).toBe(202);
      const detail = await short.waitFor(async () => {
        const listed = await short.api('GET', '/v1/messages?partner=uz-customs');
        const id = (listed.body.items as Array<{ id: string; recordId: string }>).find((m) => m.recordId === recordId)?.id;
        const res = id ? await short.api('GET', `/v1/messages/${id}`) : undefined;
        return res?.body.status === 'needs-human' ? res.body : undefined;
      }, 30_000);
      return { detail };
    } finally {
      await short.stop();
    }
  }

  const cotton: UzbekCusdecCommand = {
    interchange: `UZ${process.pid}`.slice(0, 14),
    reference: `UZ17050/011226/${process.pid}`,
    vehicle: '01A123BC',
    items: [{ hsCode: '520100', description: 'Raw cotton, not carded or combed, in bales', grossMassKg: '21400', netMassKg: '21000' }],
  };
  const pushCusdec = async (command: Partial<UzbekCusdecCommand> & { repeat?: boolean; as2From?: string }): Promise<Pushed> => (await control('pushCusdec', { ...cotton, ...command })) as Pushed;
  const reportsOn = async (interchange: string, count: number): Promise<UzSimState['reports']> =>
    gw.waitFor(async () => {
      const found = state().reports.filter((r) => r.answers === interchange);
      return found.length >= count ? found : undefined;
    }, 20_000);

  it("Uzbekistan's CUSDEC over AS2 reaches CAIS as an advance.declaration, answered by our signed MDN (openssl), then our CONTRL and CUSRES 29; the same message again is the same MDN and nothing more", async () => {
    const first = await pushCusdec({});
    expect(first.status).toBe(200);
    expect(first.mdn).toMatchObject({ disposition: 'automatic-action/MDN-sent-automatically; processed', signed: true, verified: true, micMatches: true, problems: [] });
    const pulled = await gw.api('GET', '/v1/cais/inbound?after=0&limit=500');
    const records = (pulled.body.items as Array<{ id: string; record: Record<string, any> }>).filter((i) => i.record.type === 'advance.declaration' && i.record.reference === cotton.reference);
    expect(records).toHaveLength(1);
    expect(records[0]!.record).toMatchObject({ declarationType: 'EXD', reporter: 'UZ', exportCountry: 'UZ', destinationCountry: 'KZ', vehicle: { registrationNumber: '01A123BC' }, items: [{ commodityCode: '520100', netMassKg: '21000' }] });
    const reports = await reportsOn(cotton.interchange, 2);
    expect(reports.map((r) => [r.type, r.accepted])).toEqual([
      ['contrl', true],
      ['cusres', true],
    ]);
    const again = await pushCusdec({ repeat: true });
    expect(again.mdn?.disposition).toBe(first.mdn?.disposition);
    const inbound = await gw.api('GET', '/v1/messages?partner=uz-customs&direction=in');
    expect((inbound.body.items as unknown[]).length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(state().reports.filter((r) => r.answers === cotton.interchange)).toHaveLength(2);
  });

  it('our MDN verifies with openssl and the gateway certificate; a tampered copy does not', async () => {
    const raw = await pushCusdec({ interchange: `UZR${process.pid}`.slice(0, 14), reference: `UZ-RAW-${process.pid}` });
    expect(raw.mdnContentType).toMatch(/^multipart\/signed/);
    const mime = Buffer.concat([Buffer.from(`Content-Type: ${raw.mdnContentType}\r\n\r\n`), Buffer.from(raw.mdnBody ?? '', 'base64')]);
    const verify = (input: Buffer) => {
      const file = join(dir, `mdn-${++serial}`);
      writeFileSync(file, input);
      return spawnSync('openssl', ['smime', '-verify', '-binary', '-purpose', 'any', '-CAfile', join(certsDir, 'ca.cert.pem'), '-in', file]);
    };
    const good = verify(mime);
    expect(good.status, good.stderr.toString()).toBe(0);
    expect(good.stdout.toString()).toContain('Disposition: automatic-action/MDN-sent-automatically; processed');
    const tampered = Buffer.from(mime.toString('latin1').replace('; processed', '; processed/error: x'), 'latin1');
    expect(verify(tampered).status).not.toBe(0);
  });

  it('a UNT count that does not match, a missing BGM and an interchange reference used before for other content are taken by our MDN and refused by a CONTRL naming the syntax error; a consignment CAIS cannot take gets CONTRL 7 and CUSRES 27', async () => {
    // The transfer succeeded (MDN processed); the EDIFACT reports say what is wrong.
    const processed = 'automatic-action/MDN-sent-automatically; processed';
    const count = await pushCusdec({ interchange: `UZC${process.pid}`.slice(0, 14), corrupt: 'count' });
    expect(count.mdn?.disposition).toBe(processed);
    expect((await reportsOn(`UZC${process.pid}`.slice(0, 14), 1)).map((r) => [r.type, r.accepted, r.codes])).toEqual([['contrl', false, ['29']]]);

    const grammar = await pushCusdec({ interchange: `UZG${process.pid}`.slice(0, 14), corrupt: 'grammar' });
    expect(grammar.mdn?.disposition).toBe(processed);
    const [report] = await reportsOn(`UZG${process.pid}`.slice(0, 14), 1);
    expect(report).toMatchObject({ type: 'contrl', accepted: false, codes: ['13'] });
    expect(report!.text).toContain('segment 2');

    const duplicate = await pushCusdec({ reference: `UZ-OTHER-${process.pid}` });
    expect(duplicate.mdn?.disposition).toBe(processed);
    const reports = await reportsOn(cotton.interchange, 3);
    expect(reports.at(-1)).toMatchObject({ type: 'contrl', accepted: false, codes: ['26'] });

    const data = await pushCusdec({ interchange: `UZD${process.pid}`.slice(0, 14), reference: `UZ-DATA-${process.pid}`, items: [{ hsCode: '52', description: 'Cotton', grossMassKg: '1', netMassKg: '1' }] });
    expect(data.mdn?.disposition).toBe(processed);
    expect((await reportsOn(`UZD${process.pid}`.slice(0, 14), 2)).map((r) => [r.type, r.accepted, r.codes])).toEqual([
      ['contrl', true, []],
      ['cusres', false, ['KZ-DATA']],
    ]);
  });

  it('where the agreement says UNOW, a CUSDEC with Cyrillic names in UTF-8 reaches CAIS as written and our CONTRL and CUSRES are UNOW too; a UNOC interchange gets CONTRL syntax error 2', async () => {
    const unow = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact', GATEWAY_PARTNER_UZ_CUSTOMS_OPTION_SYNTAX: 'UNOW' });
    try {
      const sim = unow.gateway.simulators.get('uz-customs')! as unknown as { url: string; state: UzSimState };
      const push = async (command: Partial<UzbekCusdecCommand>): Promise<Pushed> =>
        (await (await fetch(`${sim.url}/_sim/pushCusdec`, { method: 'POST', body: JSON.stringify({ ...cotton, ...command }) })).json()) as Pushed;
      const consignor = 'АО «Фарғона тўқимачилик»';
      const taken = await push({ interchange: 'UZW1', reference: `UZ-UNOW-${process.pid}`, syntax: 'UNOW', consignor });
      expect(taken.mdn?.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
      const pulled = await unow.api('GET', '/v1/cais/inbound?after=0&limit=500');
      expect((pulled.body.items as Array<{ record: Record<string, unknown> }>).map((i) => i.record.consignor)).toContain(consignor);
      const reports = await unow.waitFor(async () => (sim.state.reports.length >= 2 ? sim.state.reports : undefined), 20_000);
      expect(reports.map((r) => [r.type, r.accepted, r.syntax])).toEqual([
        ['contrl', true, 'UNOW'],
        ['cusres', true, 'UNOW'],
      ]);
      expect(sim.state.problems).toEqual([]);
      const latin = await push({ interchange: 'UZW2', reference: `UZ-UNOC-${process.pid}` });
      expect(latin.mdn?.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
      const refused = await unow.waitFor(async () => sim.state.reports.find((r) => r.answers === 'UZW2'));
      expect(refused).toMatchObject({ type: 'contrl', accepted: false, codes: ['2'] });
    } finally {
      await unow.stop();
    }
  });

  it("an AS2 message signed with Russia's key, altered after signing or unsigned is refused with an MDN saying why, one over another partner's TLS certificate with no signed answer; nothing is logged and no report follows", async () => {
    const client = inboundClient(gw.gateway.inboundUrl()!, certsDir);
    try {
      const uzbekistan = loadTestKey(join(certsDir, 'partners', 'uz-customs.key.pem'), join(certsDir, 'partners', 'uz-customs.cert.pem'));
      const russia = loadTestKey(join(certsDir, 'partners', 'eaeu-ru.key.pem'), join(certsDir, 'partners', 'eaeu-ru.cert.pem'));
      const gateway = new X509Certificate(readFileSync(join(certsDir, 'gateway.cert.pem')));
      let n = 0;
      /** Sends a CUSDEC as an AS2 message signed by `signer`, its body changed by `change`, over `tlsAs`'s certificate; `unsigned`: the interchange itself with the AS2 headers. */
      const send = async (signer: typeof russia, change: (body: Buffer) => Buffer = (b) => b, tlsAs = 'uz-customs', unsigned = false) => {
        const reference = `UZH${++n}${process.pid}`.slice(0, 14);
        const interchange = uzbekCusdec({ ...cotton, interchange: reference, reference: `UZ-HOSTILE-${n}` });
        const outgoing = buildAs2Message({ transport: 'as2', content: interchange, contentType: 'application/EDIFACT', messageId: `hostile-${n}` }, { as2From: 'UZCUSTOMS', as2To: 'KZCUSTOMS' }, signer);
        const { 'Content-Type': signedType = '', ...headers } = outgoing.headers;
        const [body, contentType] = unsigned ? [interchange, 'application/EDIFACT'] : [change(outgoing.body), signedType];
        const answer = await client.push({ tlsAs, partner: 'uz-customs', body, contentType, headers });
        return { reference, answer, mdn: readAs2Mdn(answer.headers, answer.body, { messageId: outgoing.messageId, mic: outgoing.mic, trusted: [gateway] }) };
      };
      const wrongKey = await send(russia);
      expect(wrongKey.mdn).toMatchObject({ verified: true, dispositionType: 'processed', modifier: { kind: 'error', description: 'authentication-failed' } });
      expect(wrongKey.mdn?.receivedMic).toBeUndefined();
      const altered = await send(uzbekistan, (body) => Buffer.from(body.toString('latin1').replace('Raw cotton', 'Raw cottom'), 'latin1'));
      expect(altered.mdn?.modifier).toEqual({ kind: 'error', description: 'authentication-failed' });
      const unsigned = await send(uzbekistan, undefined, 'uz-customs', true);
      expect(unsigned.mdn?.modifier).toEqual({ kind: 'error', description: 'insufficient-message-security' });
      // Encrypted for another certificate, or for ours around Russia's signature: one answer and one text for both (no oracle).
      const russiaCert = new X509Certificate(readFileSync(join(certsDir, 'partners', 'eaeu-ru.cert.pem')));
      const sealedFor = async (signer: typeof russia, recipient: X509Certificate) => {
        const reference = `UZE${++n}${process.pid}`.slice(0, 14);
        const outgoing = buildAs2Message({ transport: 'as2', content: uzbekCusdec({ ...cotton, interchange: reference, reference: `UZ-HOSTILE-${n}` }), contentType: 'application/EDIFACT', messageId: `hostile-${n}` }, { as2From: 'UZCUSTOMS', as2To: 'KZCUSTOMS' }, signer, recipient);
        const { 'Content-Type': contentType = '', ...headers } = outgoing.headers;
        const answer = await client.push({ tlsAs: 'uz-customs', partner: 'uz-customs', body: outgoing.body, contentType, headers });
        return readAs2Mdn(answer.headers, answer.body, { messageId: outgoing.messageId, mic: outgoing.mic, trusted: [gateway] });
      };
      const notForUs = await sealedFor(uzbekistan, russiaCert);
      const forgedInside = await sealedFor(russia, gateway);
      for (const mdn of [notForUs, forgedInside]) expect(mdn).toMatchObject({ verified: true, modifier: { kind: 'error', description: 'decryption-failed' } });
      const decryptionReasons = ((await gw.api('GET', '/v1/inbound/refusals?partner=uz-customs')).body.items as Array<{ code: string; reason: string }>).filter((r) => r.code === 'GW_ERR_DECRYPTION_FAILED').map((r) => r.reason);
      expect(decryptionReasons).toHaveLength(2);
      expect(new Set(decryptionReasons).size).toBe(1);
      // Over Russia's TLS certificate nothing signed answers: a JSON refusal.
      const stolenTls = await send(uzbekistan, (b) => b, 'eaeu-ru');
      expect(stolenTls.mdn).toBeUndefined();
      expect([stolenTls.answer.status, JSON.parse(stolenTls.answer.body.toString()).error.code]).toEqual([403, 'GW_ERR_INBOUND_TLS_MISMATCH']);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const refused of [wrongKey, altered, unsigned, stolenTls]) expect(state().reports.filter((r) => r.answers === refused.reference)).toEqual([]);
      const refusals = (await gw.api('GET', '/v1/inbound/refusals?partner=uz-customs')).body.items as Array<{ code: string }>;
      expect(refusals.map((r) => r.code)).toEqual(expect.arrayContaining(['GW_ERR_SIGNATURE_INVALID', 'GW_ERR_SIGNATURE_MISSING', 'GW_ERR_INBOUND_TLS_MISMATCH']));
      // Nothing in the log under the declaration numbers they carried (an accepted CUSDEC is found by its number).
      const hostile = n;
      for (let i = 1; i <= hostile; i++) expect((await gw.api('GET', `/v1/messages?key=UZ-HOSTILE-${i}`)).body.items).toEqual([]);
      // The same message signed by Uzbekistan, unaltered, is taken and found by its number.
      const good = await send(uzbekistan);
      expect(good.mdn?.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
      expect((await gw.api('GET', `/v1/messages?key=UZ-HOSTILE-${n}`)).body.items).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('where the agreement says so, both ways are encrypted (S/MIME enveloped data): our CUSDEC goes encrypted for Uzbekistan\'s key and is delivered with its CONTRL and CUSRES, and Uzbekistan\'s encrypted CUSDEC is taken, an unencrypted one refused', async () => {
    const sealed = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact', GATEWAY_PARTNER_UZ_CUSTOMS_OPTION_AS2_ENCRYPT: 'yes' });
    try {
      const sim = sealed.gateway.simulators.get('uz-customs')! as unknown as { url: string; state: UzSimState; received: Array<{ messageId: string }> };
      const recordId = `KZ-CD-UZ-SEALED-${process.pid}`;
      expect((await sealed.api('POST', '/v1/cais/records', { ...DECLARATION, recordId, declarationNumber: '55401/011226/7777777', flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ' })).status).toBe(202);
      const detail = await sealed.waitFor(async () => {
        const found = await sealed.api('GET', '/v1/messages?partner=uz-customs&key=55401%2F011226%2F7777777');
        const id = (found.body.items as Array<{ id: string }>)[0]?.id;
        const res = id ? await sealed.api('GET', `/v1/messages/${id}`) : undefined;
        return res?.body.status === 'delivered' && res.body.awaiting === null ? res.body : undefined;
      }, 30_000);
      expect(detail.acknowledgements.map((a: any) => [a.stage, a.rejected])).toEqual([['accepted', false], ['answered', false]]);
      expect(sim.state.interchanges.get(detail.businessKeys.interchange)).toMatchObject({ encrypted: true });
      const pushed = (await (await fetch(`${sim.url}/_sim/pushCusdec`, { method: 'POST', body: JSON.stringify({ ...cotton, interchange: 'UZSEALED1', reference: `UZ-SEALED-${process.pid}` }) })).json()) as Pushed;
      expect(pushed.mdn).toMatchObject({ disposition: 'automatic-action/MDN-sent-automatically; processed', verified: true, micMatches: true });
      const pulled = await sealed.api('GET', '/v1/cais/inbound?after=0&limit=500');
      expect((pulled.body.items as Array<{ record: Record<string, unknown> }>).map((i) => i.record.reference)).toContain(`UZ-SEALED-${process.pid}`);
      // Signed but not encrypted, where the agreement requires encryption: refused, MDN insufficient-message-security.
      const client = inboundClient(sealed.gateway.inboundUrl()!, certsDir);
      try {
        const uzbekistan = loadTestKey(join(certsDir, 'partners', 'uz-customs.key.pem'), join(certsDir, 'partners', 'uz-customs.cert.pem'));
        const outgoing = buildAs2Message({ transport: 'as2', content: uzbekCusdec({ ...cotton, interchange: 'UZPLAIN1', reference: `UZ-PLAIN-${process.pid}` }), contentType: 'application/EDIFACT', messageId: `plain-${process.pid}` }, { as2From: 'UZCUSTOMS', as2To: 'KZCUSTOMS' }, uzbekistan);
        const { 'Content-Type': contentType = '', ...headers } = outgoing.headers;
        const answer = await client.push({ tlsAs: 'uz-customs', partner: 'uz-customs', body: outgoing.body, contentType, headers });
        const gateway = new X509Certificate(readFileSync(join(certsDir, 'gateway.cert.pem')));
        expect(readAs2Mdn(answer.headers, answer.body, { messageId: outgoing.messageId, mic: outgoing.mic, trusted: [gateway] })).toMatchObject({ verified: true, modifier: { kind: 'error', description: 'insufficient-message-security' } });
        expect((await sealed.api('GET', `/v1/messages?key=UZ-PLAIN-${process.pid}`)).body.items).toEqual([]);
      } finally {
        await client.close();
      }
    } finally {
      await sealed.stop();
    }
  });

  it('an AS2 message from another AS2 name is refused with an MDN and gets no report', async () => {
    const wrong = await pushCusdec({ interchange: `UZN${process.pid}`.slice(0, 14), as2From: 'SOMEONE' });
    expect(wrong.mdn?.disposition).toContain('processed/error');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(state().reports.filter((r) => r.answers === `UZN${process.pid}`.slice(0, 14))).toEqual([]);
  });
});
