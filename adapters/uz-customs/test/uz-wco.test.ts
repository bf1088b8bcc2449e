// Advance information to Uzbekistan for real: DEC documents and RES answers against the WCO schemas (xmllint), CMS by openssl both ways, and every answer judged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseXml, verifyCmsSignedData } from '../../../src/partners/kit.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { RECORD_FIXTURES } from '../../../test/support/project.js';
import type { UzSimState } from '../sim/simulator.js';
import { readResponse } from '../wco-response.js';
import { WCO_DIR, writeWcoDrivers } from './wco-schemas.js';

const skip = skipWithout('Uzbekistan WCO DEC/RES', { tools: ['xmllint', 'openssl'], files: [join(WCO_DIR, 'declaration', 'WCO_DEC_2_DMS.xsd')] });
const DECLARATION = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'declaration.cargo.json'), 'utf8')) as Record<string, unknown>;
const MOVEMENT = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>;

describe.skipIf(skip)('uz-customs: WCO Data Model DEC in CMS, answered by RES', () => {
  let harness: PartnerHarness;
  let dir: string;
  let serial = 0;
  beforeAll(async () => {
    harness = await startPartnerHarness({}, ['uz-customs']);
    dir = mkdtempSync(join(tmpdir(), 'gw-uz-'));
    writeWcoDrivers(dir);
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => harness.sim('uz-customs').faults.reset());

  const state = (): UzSimState => (harness.sim('uz-customs') as unknown as { state: UzSimState }).state;

  function xmllint(document: Buffer, schema: 'dec' | 'res'): { ok: boolean; output: string } {
    const file = join(dir, `doc-${++serial}.xml`);
    writeFileSync(file, document);
    const run = spawnSync('xmllint', ['--noout', '--schema', join(dir, `${schema}.xsd`), file], { encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  }

  /** openssl's verdict on a CMS SignedData against the development CA, and the content it opened. */
  function opensslVerify(der: Buffer): { status: number | null; content: Buffer; stderr: string } {
    const file = join(dir, `cms-${++serial}.der`);
    writeFileSync(file, der);
    const run = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-binary', '-purpose', 'any', '-CAfile', join(harness.config.certsDir, 'ca.cert.pem'), '-in', file]);
    return { status: run.status, content: run.stdout, stderr: run.stderr.toString() };
  }

  /** The signed DEC with one digit of its declaration number changed after signing. */
  function tamper(der: Buffer): Buffer {
    const changed = Buffer.from(der);
    const at = changed.indexOf(Buffer.from('0012399'));
    expect(at).toBeGreaterThan(0);
    changed[at] = '9'.charCodeAt(0);
    return changed;
  }

  async function dec(record: Record<string, unknown>): Promise<Buffer> {
    const translated = await harness.translator.translate({ ...record, recordId: `${String(record.recordId)}-UZ-${process.pid}-${++serial}` });
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const document = translated.documents.find((d) => d.partner === 'uz-customs');
    if (!document) throw new Error('no DEC for Uzbekistan');
    return document.bytes;
  }

  const toTashkent = { ...DECLARATION, flow: 'export', countryOfDispatch: 'KZ', countryOfDestination: 'UZ', declarationNumber: '55401/261126/0012399' };
  const throughUzbekistan = { ...MOVEMENT, itinerary: ['KZ', 'UZ', 'TJ'], destinationCountry: 'TJK' };

  it('a declaration to Uzbekistan and a transit through it go out as DECs that validate against the WCO schema, inside CMS that openssl verifies', async () => {
    for (const [record, type] of [[toTashkent, 'EXD'], [throughUzbekistan, 'TRD']] as const) {
      const opened = opensslVerify(await dec(record));
      expect(opened.status, opened.stderr).toBe(0);
      const checked = xmllint(opened.content, 'dec');
      expect(checked.ok, checked.output).toBe(true);
      expect(opened.content.toString()).toContain(`<TypeCode>${type}</TypeCode>`);
    }
    // The oracle can fail: items out of the schema's order.
    const opened = opensslVerify(await dec(toTashkent)).content.toString();
    expect(xmllint(Buffer.from(opened.replace(/<SequenceNumeric>1<\/SequenceNumeric>(\s*)<StatisticalValueAmount([^>]*)>([^<]*)<\/StatisticalValueAmount>/, '<StatisticalValueAmount$2>$3</StatisticalValueAmount>$1<SequenceNumeric>1</SequenceNumeric>')), 'dec').ok).toBe(false);
    // A changed byte breaks the signature.
    expect(opensslVerify(tamper(await dec(toTashkent))).status).not.toBe(0);
  });

  it('an amended transit is a DEC of function 13, a goods item without net mass has no empty measure, and both still validate; a name longer than the WCO allows is refused, not cut', async () => {
    const amended = opensslVerify(await dec({ ...throughUzbekistan, version: 2, goods: (MOVEMENT.goods as Array<Record<string, unknown>>).map(({ netMassKg: _net, ...g }) => g) })).content;
    const checked = xmllint(amended, 'dec');
    expect(checked.ok, checked.output).toBe(true);
    expect(amended.toString()).toContain('<FunctionCode>13</FunctionCode>');
    expect(amended.toString()).not.toContain('NetNetWeightMeasure');
    const long = 'Tashkent Motors Limited Liability Company, Yunusabad District Branch Office';
    const translated = await harness.translator.translate({ ...toTashkent, recordId: `KZ-CD-LONG-${++serial}`, consignee: { ...(DECLARATION.consignee as object), name: long } });
    expect(translated.ok).toBe(false);
    const problem = translated.ok ? undefined : translated.problems.find((p) => p.target?.startsWith('uz-customs') === true);
    expect(problem?.code).toBe('GW_ERR_DOCUMENT_INVALID');
    expect(JSON.stringify(problem)).toContain('Consignee');
  });

  it('neither a declaration without Uzbekistan nor a transit that does not pass through it makes a DEC', async () => {
    const translated = await harness.translator.translate({ ...DECLARATION, recordId: `KZ-CD-CN-${++serial}` });
    expect(translated.ok && translated.documents.some((d) => d.partner === 'uz-customs')).toBe(false);
    const transit = await harness.translator.translate({ ...MOVEMENT, recordId: `KZ-TM-RU-${++serial}` });
    expect(transit.ok && transit.documents.some((d) => d.partner === 'uz-customs')).toBe(false);
  });

  it('Uzbekistan registers the DEC and answers RES 01 in CMS signed by its key (openssl, the RES schema): delivered', async () => {
    const payload = await dec(toTashkent);
    const { outcome, result } = await harness.attempt('uz-customs', { id: `dec-${serial}`, payload });
    expect(outcome).toMatchObject({ verdict: 'delivered', partnerCode: '01' });
    const registered = state().declarations.get('55401/261126/0012399');
    expect(registered).toMatchObject({ typeCode: 'EXD', functionCode: '9', items: 2 });
    expect(outcome.reason).toContain(`registered as ${registered!.registrationId}`);
    const answer = result.kind === 'response' ? result.body : Buffer.alloc(0);
    const opened = opensslVerify(answer);
    expect(opened.status, opened.stderr).toBe(0);
    const checked = xmllint(opened.content, 'res');
    expect(checked.ok, checked.output).toBe(true);
    expect(readResponse(parseXml(opened.content))).toMatchObject({ functionCode: '01', declarationReference: '55401/261126/0012399', registrationId: registered!.registrationId });
  });

  it('a RES 03 fails the message with its validation code; an unknown function, and our signature refused, go to a person', async () => {
    // A DEC whose item count disagrees with its items, signed by us: Uzbekistan rejects it.
    const context = harness.context('uz-customs');
    const content = verifyCmsSignedData(await dec(toTashkent), [context.identity.certificate]).content.toString();
    const miscounted = context.sign('cms', Buffer.from(content.replace('<GoodsItemQuantity>2</GoodsItemQuantity>', '<GoodsItemQuantity>3</GoodsItemQuantity>')));
    const rejected = await harness.attempt('uz-customs', { id: `miscounted-${serial}`, payload: miscounted });
    expect(rejected.outcome).toMatchObject({ verdict: 'failed', partnerCode: '03' });
    expect(rejected.outcome.reason).toContain('UZ-ITEMS GoodsItemQuantity 3 but 2 goods items');
    const rejectedRes = opensslVerify(rejected.result.kind === 'response' ? rejected.result.body : Buffer.alloc(0)).content;
    expect(xmllint(rejectedRes, 'res').ok).toBe(true);

    // Busy answers are tried again; an answer that is not CMS is for a person.
    harness.sim('uz-customs').faults.failNext(1, 429);
    expect((await harness.attempt('uz-customs', { id: `busy-${serial}`, payload: await dec(toTashkent) })).outcome.verdict).toBe('retry');
    harness.sim('uz-customs').faults.partnerErrorNext(1, '07');
    expect((await harness.attempt('uz-customs', { id: `unknown-${serial}`, payload: await dec(toTashkent) })).outcome).toMatchObject({ verdict: 'needs-human', partnerCode: '07' });

    // A byte changed after we signed: Uzbekistan cannot verify it, and says so in its RES.
    const refused = await harness.attempt('uz-customs', { id: `tampered-${serial}`, payload: tamper(await dec(toTashkent)) });
    expect(refused.outcome).toMatchObject({ verdict: 'needs-human', partnerCode: '03' });
    expect(refused.outcome.reason).toContain('Uzbekistan could not verify our signature');
  });
});
