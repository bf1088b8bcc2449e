// Every EAEU document the gateway sends validates with xmllint against its schema in the version matrix, and its envelope signature verifies with xmlsec1; routing and carnets follow the EEC model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSoapEnvelope } from '../../../src/partners/kit.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { RECORD_FIXTURES, ROOT, tempDir } from '../../../test/support/project.js';
import { xmlsec1Verify } from '../../../test/support/xmlsec1.js';
import { readHeaders } from '../iis-headers.js';
import { shippedProcesses } from '../process-table.js';
import { bodyOf, EEC_DATA_MODEL_DIR, eecXmllint } from './eec-oracles.js';

type Translation = Awaited<ReturnType<PartnerHarness['translator']['translate']>>;

const skip = skipWithout('EAEU documents (xmllint, xmlsec1 oracles)', { tools: ['xmllint', 'xmlsec1'], files: [EEC_DATA_MODEL_DIR] });

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(RECORD_FIXTURES, name), 'utf8')) as Record<string, unknown>;
const golden = (partner: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, 'mappings', partner, file), 'utf8')) as Record<string, unknown>;

describe.skipIf(skip)('EAEU documents', () => {
  let harness: PartnerHarness;
  let xmllint: ReturnType<typeof eecXmllint>;
  let certDir: string;
  const table = shippedProcesses();

  beforeAll(async () => {
    harness = await startPartnerHarness({}, []);
    xmllint = eecXmllint();
    certDir = tempDir('gw-eaeu-certs-');
  });
  afterAll(async () => {
    xmllint.close();
    await harness.close();
  });

  function certFileOf(partner: string): string {
    const file = join(certDir, `${partner}.pem`);
    writeFileSync(file, harness.setup.identities.get(partner)!.identity.certificate.toString());
    return file;
  }

  async function documentsOf(record: Record<string, unknown>): Promise<Extract<Translation, { ok: true }>['documents']> {
    const translation = await harness.translator.translate(record);
    if (!translation.ok) throw new Error(`not translated: ${JSON.stringify(translation.problems)}`);
    return translation.documents.filter((d) => d.partner.startsWith('eaeu-'));
  }

  const records: Array<[string, () => Record<string, unknown>, string[]]> = [
    ['a TIR border entry from Russia', () => fixture('transit.movement.json'), ['eaeu-ru']],
    ['a TIR termination of a transport from Russia', () => fixture('tir.termination.json'), ['eaeu-ru']],
    ['an EAEU transit to Kyrgyzstan with a long description', () => golden('eaeu-kg', 'p-cp-01-from-movement.golden/departure-long-description.input.json'), ['eaeu-kg']],
    ['a TIR termination of a transport from Kyrgyzstan', () => golden('eaeu-kg', 'p-cp-01-from-termination.golden/partial.input.json'), ['eaeu-kg']],
  ];

  it.each(records)('%s: the document validates against its schema and the envelope signature verifies with xmlsec1', async (_what, record, partners) => {
    const documents = await documentsOf(record());
    expect(documents.map((d) => d.partner)).toEqual(partners);
    for (const document of documents) {
      const route = table.route(document.message);
      const checked = xmllint.validate(route.structure.schema, bodyOf(document.bytes));
      expect(checked.output).toContain('validates');
      expect(checked.status).toBe(0);
      const verified = xmlsec1Verify(document.bytes, certFileOf(document.partner));
      expect(verified.status, verified.output).toBe(0);
    }
  });

  it('the envelope is SOAP 1.2 with the Decision 5 headers: no From or FaultTo, the Action of the message, To the member', async () => {
    const [document] = await documentsOf(fixture('transit.movement.json'));
    const { version, header } = parseSoapEnvelope(document!.bytes);
    expect(version).toBe('1.2');
    const text = document!.bytes.toString('utf8');
    expect(text).not.toMatch(/wsa:From|wsa:FaultTo/);
    const headers = readHeaders(header, false);
    expect(headers.to).toBe('EAEU://RU/CP/P.CP.01/P.CP.01.ACT.001');
    expect(headers.replyTo).toBe('EAEU://KZ/CP/P.CP.01/P.CP.01.ACT.001');
    expect(headers.action).toEqual({ process: 'P.CP.01', version: '1.0.0', procedure: 'P.CP.01.PRC.001', transaction: 'P.CP.01.TRN.001', message: 'P.CP.01.MSG.010' });
    expect(headers.messageId).toBe(`urn:uuid:${document!.businessKeys.messageId}`);
    expect(headers.procedureId).toBe(document!.businessKeys.procedureId);
  });

  it('the oracles can fail: a 9-digit TIRId fails the schema, a changed header fails the signature', async () => {
    const [document] = await documentsOf(fixture('transit.movement.json'));
    const body = bodyOf(document!.bytes).toString('utf8').replace('>25123456<', '>251234567<');
    expect(xmllint.validate('EEC_R_GenericEDocDetails.xsd', Buffer.from(body)).status).not.toBe(0);
    const tampered = Buffer.from(document!.bytes.toString('utf8').replace('EAEU://RU/', 'EAEU://KG/'));
    expect(xmlsec1Verify(tampered, certFileOf('eaeu-ru')).status).not.toBe(0);
  });

  it('a 9-digit carnet is refused for the EAEU partner with its own code and reason, never truncated', async () => {
    const record = { ...fixture('transit.movement.json'), recordId: 'KZ-TM-2026-000999', carnetNumber: 'UX251234567', guaranteeReference: 'UX251234567' };
    const translation = await harness.translator.translate(record);
    expect(translation.ok).toBe(false);
    const problems = translation.ok ? [] : translation.problems;
    const eaeu = problems.find((p) => p.target === 'eaeu-ru/p-cp-01-msg-010');
    expect(eaeu?.code).toBe('GW_ERR_EAEU_CARNET_UNSUPPORTED');
    expect(eaeu?.message).toMatch(/UX251234567 cannot be sent to eaeu-ru: .*8-digit.*9 digits/);
  });

  it('routing: a movement goes to every EAEU member on its itinerary or where it starts or ends, Kazakhstan excepted', async () => {
    const base = fixture('transit.movement.json');
    const route = async (changes: Record<string, unknown>) => (await documentsOf({ ...base, recordId: `KZ-TM-R-${Math.random().toString(36).slice(2, 8)}`, ...changes })).map((d) => d.partner).sort();
    expect(await route({ itinerary: ['CN', 'KZ', 'KG'], departureCountry: 'CHN', destinationCountry: 'KGZ' })).toEqual(['eaeu-kg']);
    expect(await route({ itinerary: ['KG', 'KZ', 'RU'], departureCountry: 'KGZ', destinationCountry: 'RUS' })).toEqual(['eaeu-kg', 'eaeu-ru']);
    expect(await route({ itinerary: ['RU', 'KZ'], departureCountry: 'RUS', destinationCountry: 'KAZ' })).toEqual(['eaeu-ru']);
    expect(await route({ itinerary: ['KZ', 'CN'], departureCountry: 'RUS', destinationCountry: 'CHN' })).toEqual(['eaeu-ru']);
  });
});
