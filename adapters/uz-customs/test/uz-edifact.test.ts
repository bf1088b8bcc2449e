// Uzbekistan on the edifact profile: the same records as CUSDEC interchanges that an independent EDIFACT parser reads alike, sent over AS2 and judged by their MDN; the profile is a configuration switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEdifact } from '../../../src/partners/kit.js';
import { readWithEdifactPackage } from '../../../test/support/independent-edifact.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import type { UzSimState } from '../sim/simulator.js';

const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;
const toTashkent = { ...DECLARATION, flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ', declarationNumber: '55401/261126/0012399' };

describe('uz-customs, profile edifact: CUSDEC over AS2', () => {
  let edifact: PartnerHarness;
  let serial = 0;
  beforeAll(async () => {
    edifact = await startPartnerHarness({ GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact' }, ['uz-customs']);
  });
  afterAll(async () => {
    await edifact?.close();
  });
  const state = (): UzSimState => (edifact.sim('uz-customs') as unknown as { state: UzSimState }).state;

  async function cusdec(record: Record<string, unknown> = toTashkent): Promise<Buffer> {
    const translated = await edifact.translator.translate({ ...record, recordId: `KZ-CD-UZ-EDI-${process.pid}-${++serial}` });
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const documents = translated.documents.filter((d) => d.partner === 'uz-customs');
    expect(documents.map((d) => d.message)).toEqual(['cusdec']);
    return documents[0]!.bytes;
  }

  it('switching the profile is configuration only: the same record is a DEC on the default profile (wco-dm) and a CUSDEC on this one', async () => {
    const wco = await startPartnerHarness({ GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'wco-dm' }, ['uz-customs']);
    try {
      const translated = await wco.translator.translate({ ...toTashkent, recordId: `KZ-CD-UZ-WCO-${++serial}` });
      expect(translated.ok && translated.documents.filter((d) => d.partner === 'uz-customs').map((d) => d.message)).toEqual(['dec']);
    } finally {
      await wco.close();
    }
    expect((await cusdec()).toString('latin1')).toContain("UNH+1+CUSDEC:D:96B:UN:ZZZ01'");
  });

  it('an independent EDIFACT parser (npm edifact) reads our interchange as the same segments, and UNT counts them', async () => {
    const bytes = await cusdec();
    const ours = parseEdifact(bytes);
    const theirs = readWithEdifactPackage(bytes.toString('latin1'));
    const body = ours.messages[0]!.segments;
    expect(theirs.map((s) => s.name)).toEqual(['UNB', 'UNH', ...body.map((s) => s.tag), 'UNT', 'UNZ']);
    // Element by element as we wrote them (the parser keeps empty elements and components).
    for (const [i, segment] of body.entries()) expect(theirs[i + 2]!.elements).toEqual(segment.elements);
    const unt = theirs.find((s) => s.name === 'UNT')!;
    expect(Number(unt.elements[0]![0])).toBe(body.length + 2);
    expect(theirs.find((s) => s.name === 'UNZ')!.elements[1]![0]).toBe(ours.controlReference);
  });

  it("Uzbekistan's AS2 system takes it with a signed MDN carrying our MIC: delivered; a wrong MIC is not a delivery; an unsigned MDN, an error and a failure are judged", async () => {
    const payload = await cusdec();
    const reference = parseEdifact(payload).controlReference;
    const first = await edifact.attempt('uz-customs', { id: `as2-${serial}`, payload, messageType: 'cusdec' });
    expect(first.outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'processed' });
    expect(state().interchanges.get(reference)).toMatchObject({ message: '1', type: 'CUSDEC:D:96B:UN:ZZZ01' });
    expect(state().problems).toEqual([]);

    await fetch(`${edifact.sim('uz-customs').url}/_sim/badMic`, { method: 'POST', body: '{}' });
    const wrongMic = await edifact.attempt('uz-customs', { id: `as2-mic-${serial}`, payload, messageType: 'cusdec' });
    expect(wrongMic.outcome).toMatchObject({ verdict: 'retry', partnerCode: 'processed' });
    expect(wrongMic.outcome.reason).toContain('not a delivery');

    await fetch(`${edifact.sim('uz-customs').url}/_sim/unsignedMdn`, { method: 'POST', body: '{}' });
    expect((await edifact.attempt('uz-customs', { id: `as2-unsigned-${serial}`, payload, messageType: 'cusdec' })).outcome).toMatchObject({ verdict: 'needs-human' });

    edifact.sim('uz-customs').faults.partnerErrorNext(1, 'processed/error');
    expect((await edifact.attempt('uz-customs', { id: `as2-error-${serial}`, payload, messageType: 'cusdec' })).outcome).toMatchObject({ verdict: 'needs-human', partnerCode: 'processed/error' });
    edifact.sim('uz-customs').faults.partnerErrorNext(1, 'failed/failure');
    expect((await edifact.attempt('uz-customs', { id: `as2-failed-${serial}`, payload, messageType: 'cusdec' })).outcome).toMatchObject({ verdict: 'failed', partnerCode: 'failed/failure' });
  });

  it('a Cyrillic name is refused under the default UNOC with its pointer, and written as UTF-8 in syntax version 4 where the agreement says UNOW', async () => {
    const cyrillic = { ...toTashkent, consignee: { ...(DECLARATION.consignee as object), name: 'ООО «Тошкент Моторс»' } };
    const refused = await edifact.translator.translate({ ...cyrillic, recordId: `KZ-CD-UZ-CYR-${++serial}` });
    const problem = refused.ok ? undefined : refused.problems.find((p) => p.target?.startsWith('uz-customs') === true);
    expect(problem?.code).toBe('GW_ERR_EDIFACT_CHARSET');
    expect(problem?.pointer).toMatch(/^\/messages\/0\/segments\/\d+\/elements\/3\/0$/);
    const unow = await startPartnerHarness({ GATEWAY_PARTNER_UZ_CUSTOMS_PROFILE: 'edifact', GATEWAY_PARTNER_UZ_CUSTOMS_OPTION_SYNTAX: 'UNOW' }, ['uz-customs']);
    try {
      const translated = await unow.translator.translate({ ...cyrillic, recordId: `KZ-CD-UZ-UNOW-${++serial}` });
      if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
      const bytes = translated.documents.find((d) => d.partner === 'uz-customs')!.bytes;
      expect(bytes.toString('utf8')).toMatch(/^UNA:\+\.\? 'UNB\+UNOW:4\+KZCUSTOMS:ZZ\+UZCUSTOMS:ZZ\+\d{8}:\d{4}\+/);
      expect(bytes.includes(Buffer.from('ООО «Тошкент Моторс»', 'utf8'))).toBe(true);
      expect(parseEdifact(bytes).messages[0]!.segments.find((s) => s.tag === 'NAD' && s.elements[0]![0] === 'CN')!.elements[3]).toEqual(['ООО «Тошкент Моторс»']);
    } finally {
      await unow.close();
    }
  });

  it('a transit through Uzbekistan is a CUSDEC 950 with its itinerary, offices, trailer, seals and carnet, read alike by the independent parser and taken by the simulator', async () => {
    const transit = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;
    const translated = await edifact.translator.translate({ ...transit, recordId: `KZ-TM-UZ-EDI-${++serial}`, itinerary: ['RU', 'KZ', 'UZ'], destinationCountry: 'UZB' });
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const document = translated.documents.find((d) => d.partner === 'uz-customs')!;
    expect(document.message).toBe('cusdec');
    const ours = parseEdifact(document.bytes);
    const body = ours.messages[0]!.segments;
    const tagged = (tag: string, qualifier: string) => body.filter((s) => s.tag === tag && s.elements[0]![0] === qualifier).map((s) => s.elements[1]![0]);
    expect(body[0]).toEqual({ tag: 'BGM', elements: [['950'], [transit.transitDeclarationNumber], ['9']] });
    expect(tagged('LOC', '49')).toEqual(['RU', 'KZ', 'UZ']);
    expect(tagged('LOC', '28')).toEqual(['UZ']);
    expect(tagged('EQD', 'TE')).toEqual(['45ABD02']);
    expect(body.filter((s) => s.tag === 'SEL').map((s) => s.elements[0]![0])).toEqual(['RU102250-0451', 'RU102250-0452']);
    expect(body.find((s) => s.tag === 'RFF')!.elements[0]).toEqual(['TI', 'DX25123456']);
    const theirs = readWithEdifactPackage(document.bytes.toString('latin1'));
    expect(theirs.map((s) => s.name)).toEqual(['UNB', 'UNH', ...body.map((s) => s.tag), 'UNT', 'UNZ']);
    for (const [i, segment] of body.entries()) expect(theirs[i + 2]!.elements).toEqual(segment.elements);
    const sent = await edifact.attempt('uz-customs', { id: `as2-transit-${serial}`, payload: document.bytes, messageType: 'cusdec' });
    expect(sent.outcome).toMatchObject({ verdict: 'delivered', partnerCode: 'processed' });
    expect(state().interchanges.get(ours.controlReference)).toMatchObject({ type: 'CUSDEC:D:96B:UN:ZZZ01' });
    expect(state().problems).toEqual([]);
  });

  it('a party name longer than NAD can carry (five components of 35) is refused, not cut', async () => {
    const long = 'Tashkent Motors Limited Liability Company for Import of Passenger Vehicles, Spare Parts and Tyres, with its Yunusabad District Branch Office';
    const translated = await edifact.translator.translate({ ...toTashkent, recordId: `KZ-CD-UZ-LONG-${++serial}`, consignee: { ...(DECLARATION.consignee as object), name: `${long} ${long}`.slice(0, 200) } });
    expect(translated.ok).toBe(false);
    const problem = translated.ok ? undefined : translated.problems.find((p) => p.target?.startsWith('uz-customs') === true);
    expect(problem?.code).toBe('GW_ERR_DOCUMENT_INVALID');
  });
});
