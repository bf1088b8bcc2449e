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

  it('switching the profile is configuration only: the same record is a DEC on the default profile and a CUSDEC on this one', async () => {
    const wco = await startPartnerHarness({}, ['uz-customs']);
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
    expect(state().interchanges.get(reference)).toEqual({ message: '1', type: 'CUSDEC:D:96B:UN:ZZZ01' });
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

  it('a party name longer than NAD can carry (five components of 35) is refused, not cut', async () => {
    const long = 'Tashkent Motors Limited Liability Company for Import of Passenger Vehicles, Spare Parts and Tyres, with its Yunusabad District Branch Office';
    const translated = await edifact.translator.translate({ ...toTashkent, recordId: `KZ-CD-UZ-LONG-${++serial}`, consignee: { ...(DECLARATION.consignee as object), name: `${long} ${long}`.slice(0, 200) } });
    expect(translated.ok).toBe(false);
    const problem = translated.ok ? undefined : translated.problems.find((p) => p.target?.startsWith('uz-customs') === true);
    expect(problem?.code).toBe('GW_ERR_DOCUMENT_INVALID');
  });
});
