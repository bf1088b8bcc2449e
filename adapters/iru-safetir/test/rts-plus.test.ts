// RTS+ terminations end to end: a translated SafeTIR upload as a WS-Security signed transmitTIROperationTerminations, checked by IRU's XSDs (xmllint), xmlsec1 and the simulator service.
import {
  buildWsSecurityEnvelope,
  childElement,
  parseXml,
  renderXmlString,
  SOAP12_NS,
  soapHeaders,
  verifyWsSecurity,
  WSA_NS,
  wsseFaultOf,
  WSU_NS,
  type AttemptResult,
  type HandledRequest,
  type InjectedFault,
  type KeyCapabilities,
  type Outcome,
  type PartnerContext,
  type SoapRequest,
  type XmlContent,
} from '../../../src/partners/kit.js';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { RECORD_FIXTURES, ROOT } from '../../../test/support/project.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import { buildRtsPlusRequest, classifyRtsPlus, RTS_PLUS_BATCH_BYTES, RTS_PLUS_MAX_REQUEST_BYTES, terminationsFromSafetir, TRANSMIT_TERMINATIONS_ACTION } from '../rts-plus.js';
import { createRtsPlusService } from '../sim/rts-plus-service.js';
import type { IruSimContext, IruSoapService } from '../sim/soap-service.js';
import { IRU_RTS_DIR } from './rts-oracle.js';

const SERVICE_NS = 'http://rts.iru.org/services/TerminationService-1';
const TER_NS = 'http://rts.iru.org/model/termination-1';
const CAR_NS = 'http://rts.iru.org/model/carnet-1';
const ACT_NS = 'http://www.iru.org/model/tir-actor-1';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const ENDPOINT = 'http://127.0.0.1:8080/rts/services/TerminationService-1.svc';
const GOLDEN_DIR = join(ROOT, 'mappings', 'iru-safetir', 'safetir-upload.golden');
const TERMINATION_XSD = join(IRU_RTS_DIR, 'rts-termination-1.xsd');
const CARNET_XSD = join(IRU_RTS_DIR, 'rts-carnet-1.xsd');
const WSDL = join(IRU_RTS_DIR, 'TerminationService-1.wsdl');

/** What IRU's TerminationService binding accepts: SOAP 1.2, WCF Basic128Rsa15 (RSA-SHA1, SHA-1 digests). */
const IRU_POLICY = { version: '1.2', hash: 'sha1' } as const;

const tmp = mkdtempSync(join(tmpdir(), 'gw-rts-plus-'));
let harness: PartnerHarness;
/** Our context for IRU on the RTS+ profile, addressed to ENDPOINT. */
let context: PartnerContext;
/** IRU's own key (the simulator's). */
let iruIdentity: KeyCapabilities;
let iruCertFile: string;
let gatewayCertFile: string;
let gatewayCertPem: string;

beforeAll(async () => {
  harness = await startPartnerHarness({ GATEWAY_PARTNER_IRU_SAFETIR_PROFILE: 'rts-plus', GATEWAY_PARTNER_IRU_SAFETIR_URL: ENDPOINT }, []);
  context = harness.context('iru-safetir');
  const certsDir = harness.config.certsDir;
  iruCertFile = join(certsDir, 'partners', 'iru-safetir.cert.pem');
  iruIdentity = loadTestKey(join(certsDir, 'partners', 'iru-safetir.key.pem'), iruCertFile);
  gatewayCertFile = harness.config.signingCertFile;
  gatewayCertPem = readFileSync(gatewayCertFile, 'utf8');
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await harness?.close();
});

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The SafeTIR upload the gateway logs for a CAIS termination record (the RTS+ transport's input). */
async function safetirPayload(record: Record<string, unknown>): Promise<Buffer> {
  const translation = await harness.translator.translate(record);
  if (!translation.ok) throw new Error(`translation failed: ${JSON.stringify(translation.problems)}`);
  const document = translation.documents.find((d) => d.partner === 'iru-safetir' && d.message === 'safetir-upload');
  if (!document) throw new Error('no SafeTIR document');
  return document.bytes;
}

function request(payload: Buffer, now = new Date(), id = 'msg-rts-1'): SoapRequest {
  return buildRtsPlusRequest({ id, messageType: 'safetir-upload', payload, attempt: 1 }, context, { to: ENDPOINT, now });
}

/** A hand-written SafeTIR upload with these Record elements. */
function safetirDocument(records: string[]): Buffer {
  return Buffer.from(
    '<SafeTIR xmlns="http://www.iru.org/SafeTIRUpload"><Envelope><Hash></Hash></Envelope><Body><Version>1.0.0</Version>' +
      `<SubscriberID>KZ-CUSTOMS</SubscriberID><UploadType>1</UploadType><TCN>${records.length}</TCN><SentTime>2026-11-26T12:00:00Z</SentTime>` +
      `<SafeTIRRecords>${records.join('')}</SafeTIRRecords></Body></SafeTIR>`,
  );
}

function record(attributes: Record<string, string>): string {
  const all: Record<string, string> = { TNO: 'DX25123456', ICC: 'KAZ', COF: 'KZ554010', CWR: 'OK', VPN: '4', PFD: 'FD', UPG: 'N', ...attributes };
  return `<Record ${Object.entries(all)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ')}></Record>`;
}

function renderedTerminations(payload: Buffer): string {
  return renderXmlString({ 'ter:TIROperationTerminations': terminationsFromSafetir(payload) });
}

/** The canonical form of the first element {ns}name of a document, as its own document. */
function extract(xml: Buffer | string, ns: string, name: string): string {
  const element = new DOMParser().parseFromString(xml.toString(), 'application/xml').getElementsByTagNameNS(ns, name).item(0);
  if (!element) throw new Error(`no {${ns}}${name}`);
  return new ExclusiveCanonicalization().process(element as unknown as Parameters<ExclusiveCanonicalization['process']>[0], {});
}

/** The code and WS-Security fault of what verifyWsSecurity throws for `bytes`, or 'accepted'. */
function verdict(bytes: Buffer, certPem = gatewayCertPem): string {
  try {
    verifyWsSecurity(bytes, certPem, new Date(), IRU_POLICY);
  } catch (err) {
    return `${(err as { code?: string }).code ?? String(err)} ${wsseFaultOf(err) ?? '-'}`;
  }
  return 'accepted';
}

/** Flips the case of one letter of `marker`, which must occur once. */
function flip(bytes: Buffer, marker: string, offset: number): Buffer {
  const at = bytes.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(bytes.indexOf(marker, at + 1)).toBe(-1);
  const copy = Buffer.from(bytes);
  copy[at + offset] = (copy[at + offset] ?? 0) ^ 0x20;
  return copy;
}

/** Removes the Reference to the Timestamp and signs SignedInfo again with the gateway key: a valid signature that leaves the Timestamp unsigned. */
function resignWithoutTimestamp(bytes: Buffer): Buffer {
  const xml = bytes.toString('utf8').replace(/<ds:Reference URI="#TS-[^"]+">.*?<\/ds:Reference>/, '');
  const signedInfo = extract(xml, DSIG_NS, 'SignedInfo');
  const value = context.identity.sign(signedInfo, { hash: 'sha1' }).toString('base64');
  return Buffer.from(xml.replace(/<ds:SignatureValue>[^<]+<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`));
}

/** The signed Body moved into a header wrapper, an unsigned evil Body in its place (signature wrapping). */
function wrapped(bytes: Buffer): Buffer {
  const xml = bytes.toString('utf8');
  const body = /<soap:Body [\s\S]*<\/soap:Body>/.exec(xml)?.[0] ?? '';
  const evil = body.replace(/ wsu:Id="[^"]+"/, '').replace('KZ554010', 'KZ999999');
  return Buffer.from(xml.replace(body, evil).replace('<soap:Header>', `<soap:Header><x:Wrapper xmlns:x="urn:evil">${body}</x:Wrapper>`));
}

function simContext(): IruSimContext {
  return {
    identity: iruIdentity,
    gatewayCertificate: context.identity.certificate,
    schemasDir: harness.config.schemasDir,
    state: { subscriber: { id: 'KZ-CUSTOMS' }, carnets: new Map(), reconciliationRequests: [], reconciliationReplies: [], rtsPlusTerminations: [] },
  };
}

/** Calls the service as the IRU simulator's dispatcher will: the SOAP Body parsed, the raw request beside it. */
function dispatch(service: IruSoapService, req: SoapRequest, fault?: InjectedFault): HandledRequest {
  const envelope = childElement(parseXml(req.envelope), SOAP12_NS, 'Envelope');
  const body = (envelope && childElement(envelope, SOAP12_NS, 'Body')) ?? {};
  return service.handle(TRANSMIT_TERMINATIONS_ACTION, body, { headers: { ...soapHeaders(req.version, req.action), ...req.headers }, body: req.envelope, path: '/' }, fault);
}

function judged(handled: HandledRequest): Outcome {
  const result: AttemptResult = { kind: 'response', status: handled.response.status, headers: handled.response.headers, body: handled.response.body, durationMs: 1 };
  return classifyRtsPlus(result);
}

describe('classic SafeTIR Record → RTS+ TIROperationTermination (formats.md §1.5)', () => {
  it('maps every attribute of the final-discharge fixture, dates to midnight dateTimes, RBC and UPG dropped', async () => {
    const payload = await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')));
    expect(payload.toString()).toContain('RBC="CR"');
    expect(renderedTerminations(payload)).toBe(
      `<ter:TIROperationTerminations xmlns:ter="${TER_NS}" count="1"><ter:NewTIROperationTermination>` +
        `<car:TIRCarnetNumber xmlns:car="${CAR_NS}">DX25123456</car:TIRCarnetNumber><car:VoletPageNumber xmlns:car="${CAR_NS}">4</car:VoletPageNumber>` +
        `<act:Customs xmlns:act="${ACT_NS}"><act:CountryCode>KAZ</act:CountryCode></act:Customs><ter:CustomsOffice>KZ554010</ter:CustomsOffice>` +
        '<ter:CustomsLedgerEntryReference>007222</ter:CustomsLedgerEntryReference><ter:CustomsLedgerEntryDate>2026-11-26T00:00:00</ter:CustomsLedgerEntryDate>' +
        '<ter:CertificateOfTerminationReference>TC-554010-118</ter:CertificateOfTerminationReference><ter:CertificateOfTerminationDate>2026-11-26T00:00:00</ter:CertificateOfTerminationDate>' +
        '<ter:IsFinal>true</ter:IsFinal><ter:IsWithReservation>false</ter:IsWithReservation><ter:CustomsComment>seal intact</ter:CustomsComment>' +
        '<ter:PackageCount>12</ter:PackageCount></ter:NewTIROperationTermination></ter:TIROperationTerminations>',
    );
  });

  it('refuses a before-load termination at translation, saying why (IRU would store it as a partial discharge)', async () => {
    const translation = await harness.translator.translate(readJson(join(GOLDEN_DIR, 'before-load-escaping.input.json')));
    const problem = translation.ok ? undefined : translation.problems.find((p) => p.target === 'iru-safetir/safetir-upload');
    expect(problem).toMatchObject({ code: 'GW_ERR_DOCUMENT_INVALID', pointer: '/SafeTIR/Body/SafeTIRRecords/Record/0/@TCO' });
    expect(problem?.message).toMatch(/TCO LOAD.*partial discharge \(PFD PD\).*classic WSST/);
  });

  it.each([
    ['exit-minimal', ['<ter:IsExit>true</ter:IsExit>'], ['IsFinal', 'CustomsLedgerEntry', 'PackageCount', 'CustomsComment']],
    ['partial-with-reservation', ['<ter:IsFinal>false</ter:IsFinal>', '<ter:IsWithReservation>true</ter:IsWithReservation>', '<ter:PackageCount>10</ter:PackageCount>'], ['IsExit']],
  ])('golden %s: the TCO/PFD choice, CWR and optional fields', async (name, present, absent) => {
    const xml = renderedTerminations(await safetirPayload(readJson(join(GOLDEN_DIR, `${name}.input.json`))));
    for (const fragment of present) expect(xml).toContain(fragment);
    for (const fragment of absent) expect(xml).not.toContain(fragment);
  });

  it('omits VoletPageNumber for VPN 0 and keeps the time zone of a zoned date', () => {
    const xml = renderedTerminations(safetirDocument([record({ VPN: '0', CNL: 'L-1', DCL: '2026-11-26+06:00' })]));
    expect(xml).not.toContain('VoletPageNumber');
    expect(xml).toContain('<ter:CustomsLedgerEntryDate>2026-11-26T00:00:00+06:00</ter:CustomsLedgerEntryDate>');
  });

  it('turns UPG C followed by the new record of the same carnet into one Updated item, a lone C into Cancelled', () => {
    const xml = renderedTerminations(
      safetirDocument([record({ UPG: 'C', COF: 'OLD' }), record({ UPG: '', COF: 'NEW' }), record({ UPG: 'C', TNO: 'XQ25999999' })]),
    );
    expect(xml).toMatch(/count="2"/);
    expect(xml).toMatch(
      /<ter:UpdatedTIROperationTermination><ter:CancelledTIROperationTermination>.*OLD.*<\/ter:CancelledTIROperationTermination><ter:NewTIROperationTermination>.*NEW.*<\/ter:UpdatedTIROperationTermination><ter:CancelledTIROperationTermination>.*XQ25999999/,
    );
  });

  it('leaves out a certificate date without its reference (the date of terminatedAt the mapping falls back to): RTS+ carries the two only together', () => {
    const xml = renderedTerminations(safetirDocument([record({ DDI: '2026-11-26' })]));
    expect(xml).not.toContain('CertificateOfTermination');
    expect(() => renderedTerminations(safetirDocument([record({ RND: 'TC-1' })]))).toThrow(/RND and DDI form one RTS\+ group/);
  });

  it.each([
    ['a ledger reference without its date', [record({ CNL: 'L-1' })], '@DCL'],
    ['neither TCO nor PFD', [record({ PFD: '' })], '@PFD'],
    ['both TCO and PFD', [record({ TCO: 'EXIT' })], '@PFD'],
    ['a lower-case carnet number (classic allows it, RTS+ does not)', [record({ TNO: 'dx25123456' })], '@TNO'],
    ['a Record without attributes', ['<Record></Record>'], '/Record/0/@TNO'],
    ['a batch whose grouping by kind would put a cancel of carnet A before its new record', [record({ UPG: 'C', TNO: 'XQ25999999' }), record({}), record({ UPG: 'C' })], 'SafeTIRRecords'],
  ])('refuses %s (GW_ERR_DOCUMENT_INVALID, the delivery makes it needs-human)', (_name, records, pointer) => {
    let thrown: unknown;
    try {
      terminationsFromSafetir(safetirDocument(records));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'GW_ERR_DOCUMENT_INVALID' });
    expect(String((thrown as { detail: { pointer?: string } }).detail.pointer)).toContain(pointer);
  });
});

describe('the signed request', () => {
  it('is SOAP 1.2 with the WSDL action, our message id as transmissionId, and verifies to the Body it carries verbatim', async () => {
    const req = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))));
    expect(req).toMatchObject({ transport: 'soap', version: '1.2', action: TRANSMIT_TERMINATIONS_ACTION, headers: { soapaction: `"${TRANSMIT_TERMINATIONS_ACTION}"` } });
    expect(soapHeaders(req.version, req.action)['content-type']).toBe(`application/soap+xml; charset=utf-8; action="${TRANSMIT_TERMINATIONS_ACTION}"`);
    const verified = verifyWsSecurity(req.envelope, gatewayCertPem, new Date(), IRU_POLICY);
    expect(req.envelope.includes(verified.body)).toBe(true);
    expect(verified.body).toContain('<tns:transmissionId>msg-rts-1</tns:transmissionId>');
    expect(verified.addressing).toMatchObject({ to: ENDPOINT, action: TRANSMIT_TERMINATIONS_ACTION });
    expect(verified.addressing.messageId).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(Date.parse(verified.expires ?? '') - Date.parse(verified.created ?? '')).toBe(300_000);
  });

  it('the rts-plus profile builds the same kind of request, addressed to the configured endpoint', async () => {
    const payload = await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')));
    const partner = harness.partner('iru-safetir');
    expect(partner.profile).toBe('rts-plus');
    const req = partner.transport.buildRequest({ id: 'm-2', messageType: 'safetir-upload', payload, attempt: 2 }, context) as SoapRequest;
    expect(verifyWsSecurity(req.envelope, gatewayCertPem, new Date(), IRU_POLICY).addressing.to).toBe(ENDPOINT);
  });
});

const skipXsd = skipWithout('RTS+ XSD validation', { tools: ['xmllint'], files: [TERMINATION_XSD, CARNET_XSD, WSDL] });

/**
 * IRU's rts-termination-1.xsd and rts-carnet-1.xsd import tir-actor-1.xsd, tir-carnet-1.xsd and
 * tirplus-voucher-1.xsd, which ../shared/reference/iru-rts does not hold. These stand-ins state
 * only what formats.md §1.5, §1.7 and §1.8 say of them, so the country code, carnet number and volet
 * page types are checked by our reading, not by IRU's files; everything of rts-termination-1.xsd
 * itself (sequence, groups, choice, lengths, the page enumeration of rts-carnet-1.xsd) is IRU's.
 */
const STAND_INS: Record<string, string> = {
  'tir-actor-1.xsd': `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${ACT_NS}" xmlns="${ACT_NS}" elementFormDefault="qualified">
  <xs:element name="IRU"><xs:complexType/></xs:element>
  <xs:element name="Association"><xs:complexType><xs:attribute name="id" type="xs:unsignedInt" use="required"/><xs:attribute name="name" type="xs:string"/></xs:complexType></xs:element>
  <xs:element name="Holder"><xs:complexType><xs:attribute name="id" use="required"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}/[0-9]+/[0-9]+"/></xs:restriction></xs:simpleType></xs:attribute><xs:attribute name="name" type="xs:string"/></xs:complexType></xs:element>
  <xs:element name="Customs"><xs:complexType><xs:sequence><xs:element name="CountryCode"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}"/></xs:restriction></xs:simpleType></xs:element></xs:sequence></xs:complexType></xs:element>
</xs:schema>`,
  'tir-carnet-1.xsd': `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.iru.org/model/tir-carnet-1" elementFormDefault="qualified">
  <xs:simpleType name="TIRCarnetNumberType"><xs:restriction base="xs:token"><xs:pattern value="[A-Z]{0,2}[0-9]+"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="VoletPageNumberType"><xs:restriction base="xs:unsignedByte"><xs:minInclusive value="1"/><xs:maxInclusive value="20"/></xs:restriction></xs:simpleType>
</xs:schema>`,
  'tirplus-voucher-1.xsd': `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.tirplus.net/model/voucher-1" elementFormDefault="qualified">
  <xs:simpleType name="VoucherNumberType"><xs:restriction base="xs:string"><xs:pattern value="[0-9]{4}-[0-9]{4}-[0-9]{4}"/></xs:restriction></xs:simpleType>
</xs:schema>`,
};

describe.skipIf(skipXsd)('(a) IRU XSDs by xmllint: the operation element and the terminations element', () => {
  const dir = join(tmp, 'xsd');
  const serviceXsd = join(dir, 'termination-service-types.xsd');
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    copyFileSync(TERMINATION_XSD, join(dir, 'rts-termination-1.xsd'));
    copyFileSync(CARNET_XSD, join(dir, 'rts-carnet-1.xsd'));
    for (const [name, text] of Object.entries(STAND_INS)) writeFileSync(join(dir, name), text);
    // The WSDL's own types schema (transmitTIROperationTerminations), with the prefixes the WSDL root declares for it.
    const schema = /<xs:schema\b[\s\S]*?<\/xs:schema>/.exec(readFileSync(WSDL, 'utf8'))?.[0] ?? '';
    expect(schema).toContain('name="transmitTIROperationTerminations"');
    writeFileSync(serviceXsd, schema.replace('<xs:schema', `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${SERVICE_NS}" xmlns:ter="${TER_NS}"`));
  });

  let counter = 0;
  function xmllint(xml: string, xsd: string): { status: number | null; output: string } {
    const file = join(dir, `doc-${++counter}.xml`);
    writeFileSync(file, xml);
    const run = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  const inputs = [join(RECORD_FIXTURES, 'tir.termination.json'), ...['exit-minimal', 'partial-with-reservation', 'final-discharge'].map((n) => join(GOLDEN_DIR, `${n}.input.json`))];

  it.each(inputs.map((file) => [file.slice(ROOT.length + 1), file]))('%s: transmitTIROperationTerminations validates against the WSDL types + rts-termination-1.xsd', async (_name, file) => {
    const req = request(await safetirPayload(readJson(file)));
    const operation = extract(req.envelope, SERVICE_NS, 'transmitTIROperationTerminations');
    const result = xmllint(operation, serviceXsd);
    expect(result.output).toContain('validates');
    expect(result.status).toBe(0);
    const terminations = xmllint(extract(req.envelope, TER_NS, 'TIROperationTerminations'), join(dir, 'rts-termination-1.xsd'));
    expect(terminations.status, terminations.output).toBe(0);
  });

  it('an Updated and a Cancelled item validate too', () => {
    const payload = safetirDocument([record({ UPG: 'C', COF: 'OLD' }), record({ UPG: '', COF: 'NEW' }), record({ UPG: 'C', TNO: 'XQ25999999', PFD: '', TCO: 'EXIT', VPN: '0' })]);
    const result = xmllint(extract(request(payload).envelope, SERVICE_NS, 'transmitTIROperationTerminations'), serviceXsd);
    expect(result.status, result.output).toBe(0);
  });

  it('the oracle can fail: a missing IsWithReservation or two choice elements are rejected', async () => {
    const operation = extract(request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')))).envelope, SERVICE_NS, 'transmitTIROperationTerminations');
    const missing = xmllint(operation.replace('<ter:IsWithReservation>false</ter:IsWithReservation>', ''), serviceXsd);
    expect(missing.status).not.toBe(0);
    expect(missing.output).toMatch(/IsWithReservation|CustomsComment/);
    const both = xmllint(operation.replace('<ter:IsFinal>true</ter:IsFinal>', '<ter:IsFinal>true</ter:IsFinal><ter:IsExit>true</ter:IsExit>'), serviceXsd);
    expect(both.status).not.toBe(0);
  });
});

const skipXmlsec = skipWithout('RTS+ xmlsec1 oracle', { tools: ['xmlsec1'] });

/** Pinned-certificate verification with wsu:Id registered for every signed element (security.md §1.11). */
function xmlsec1(bytes: Buffer, certFile = gatewayCertFile, storeReferences = false): { status: number | null; output: string } {
  const file = join(tmp, `signed-${Date.now()}-${Math.random().toString(16).slice(2)}.xml`);
  writeFileSync(file, bytes);
  const ids = [`${SOAP12_NS}:Body`, `${WSU_NS}:Timestamp`, `${WSA_NS}:To`, `${WSA_NS}:Action`, `${WSA_NS}:MessageID`].flatMap((node) => ['--id-attr:Id', node]);
  const args = ['--verify', '--pubkey-cert-pem', certFile, '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'same-doc', ...ids, ...(storeReferences ? ['--store-references'] : []), file];
  const run = spawnSync('xmlsec1', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  expect(run.error).toBeUndefined();
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function preDigests(output: string): string[] {
  return [...output.matchAll(/== PreDigest data - start buffer:\n([\s\S]*?)\n== PreDigest data - end buffer/g)].map((m) => m[1] ?? '');
}

describe.skipIf(skipXmlsec)('(b) xmlsec1 verifies the WS-Security signature', () => {
  it('accepts it with the pinned gateway certificate; its five pre-digest buffers are the parts we signed, the Body the one the verifier returns', async () => {
    const req = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))));
    const run = xmlsec1(req.envelope, gatewayCertFile, true);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('SignedInfo References (ok/all): 5/5');
    const buffers = preDigests(run.output);
    expect(buffers).toHaveLength(5);
    for (const buffer of buffers) expect(req.envelope.includes(buffer)).toBe(true);
    expect(buffers[0]).toBe(verifyWsSecurity(req.envelope, gatewayCertPem, new Date(), IRU_POLICY).body);
  });

  it('the oracle discriminates: another certificate, or one byte changed inside the Body, fails', async () => {
    const req = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))));
    expect(xmlsec1(req.envelope, iruCertFile).status).toBe(1);
    expect(xmlsec1(flip(req.envelope, '>KZ554010<', 2)).status).toBe(1);
  });
});

describe('(c) the simulator service accepts the request and records the termination', () => {
  it('answers success, stores the canonical operation once per transmissionId, and the gateway judges it delivered', async () => {
    const ctx = simContext();
    const service = createRtsPlusService(ctx);
    expect(Object.keys(service.actions)).toEqual([TRANSMIT_TERMINATIONS_ACTION]);
    const req = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))));
    const handled = dispatch(service, req);
    expect(handled.received).toMatchObject({ messageId: 'msg-rts-1', valid: true, problems: [] });
    expect(handled.response.status).toBe(200);
    expect(handled.response.headers['content-type']).toContain('application/soap+xml');
    expect(judged(handled)).toMatchObject({ verdict: 'delivered' });
    expect(ctx.state.rtsPlusTerminations).toHaveLength(1);
    const stored = ctx.state.rtsPlusTerminations[0] ?? '';
    expect(stored.startsWith(`<tns:transmitTIROperationTerminations xmlns:tns="${SERVICE_NS}">`)).toBe(true);
    expect(stored).toContain('<car:TIRCarnetNumber xmlns:car="http://rts.iru.org/model/carnet-1">DX25123456</car:TIRCarnetNumber>');
    expect(stored).toBe(extract(req.envelope, SERVICE_NS, 'transmitTIROperationTerminations'));

    const again = dispatch(service, request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')))));
    expect(judged(again).verdict).toBe('delivered');
    expect(ctx.state.rtsPlusTerminations).toHaveLength(1);
  });

  it.each([
    ['success=false', 200, 'retry'],
    ['Receiver', 500, 'needs-human'],
    ['Sender/MessageExpired', 400, 'needs-human'],
    ['Sender/FailedAuthentication', 400, 'needs-human'],
    ['BUSINESS-42', 400, 'needs-human'],
  ] as const)('an injected partner error %s is answered as such (HTTP %i) and judged %s', async (code, status, verdictExpected) => {
    const handled = dispatch(createRtsPlusService(simContext()), request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')))), { kind: 'partner-error', code });
    expect(handled.response.status).toBe(status);
    expect(judged(handled).verdict).toBe(verdictExpected);
  });
});

describe('(d) refused requests', () => {
  let valid: SoapRequest;
  beforeAll(async () => {
    valid = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))));
  });

  function refusedBySimulator(bytes: Buffer, fault: string, verdictExpected: Outcome['verdict']): void {
    const ctx = simContext();
    const handled = dispatch(createRtsPlusService(ctx), { ...valid, envelope: bytes });
    expect(handled.received.valid).toBe(false);
    expect(handled.response.status).toBe(400);
    expect(handled.response.body.toString()).toContain(fault === '-' ? '<soap:Value>soap:Sender</soap:Value></soap:Code>' : `wsse:${fault}`);
    expect(judged(handled).verdict).toBe(verdictExpected);
    expect(ctx.state.rtsPlusTerminations).toHaveLength(0);
  }

  it('a byte changed inside the Body: FailedCheck, needs-human', () => {
    const tampered = flip(valid.envelope, '>KZ554010<', 2);
    expect(verdict(tampered)).toBe('GW_ERR_SIGNATURE_INVALID FailedCheck');
    refusedBySimulator(tampered, 'FailedCheck', 'needs-human');
  });

  it('an expired Timestamp: MessageExpired, needs-human (a fault is never retried, as IRU\'s specification says)', async () => {
    const old = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))), new Date(Date.now() - 6 * 60_000));
    expect(verdict(old.envelope)).toBe('GW_ERR_SIGNATURE_POLICY MessageExpired');
    refusedBySimulator(old.envelope, 'MessageExpired', 'needs-human');
  });

  it('a Timestamp created in the future beyond the clock skew: MessageExpired', async () => {
    const early = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json'))), new Date(Date.now() + 2 * 60_000));
    expect(verdict(early.envelope)).toBe('GW_ERR_SIGNATURE_POLICY MessageExpired');
  });

  it('signed by another key: with its own certificate FailedAuthentication, under the pinned certificate FailedCheck', () => {
    const operation = { 'tns:op': { '@xmlns:tns': SERVICE_NS, '#text': 'x' } };
    const addressing = { to: ENDPOINT, action: TRANSMIT_TERMINATIONS_ACTION, messageId: 'urn:uuid:00000000-0000-4000-8000-000000000000' };
    const byIru = (): Buffer => buildWsSecurityEnvelope({ version: '1.2', body: operation, addressing, timestamp: { now: new Date() }, hash: 'sha1' }, iruIdentity);
    expect(verdict(byIru())).toBe('GW_ERR_SIGNATURE_INVALID FailedAuthentication');
    refusedBySimulator(byIru(), 'FailedAuthentication', 'needs-human');
    // A key capability carries its own certificate, so a foreign key under our certificate needs the token swapped afterwards.
    const foreign = byIru().toString('utf8');
    const gatewayDer = new X509Certificate(gatewayCertPem).raw.toString('base64');
    const swapped = Buffer.from(foreign.replace(/(<wsse:BinarySecurityToken [^>]+>)[^<]+/, `$1${gatewayDer}`));
    expect(verdict(swapped)).toBe('GW_ERR_SIGNATURE_INVALID FailedCheck');
  });

  it('a SignedInfo without the Timestamp reference, validly signed: InvalidSecurity, though xmlsec1 accepts the signature', () => {
    const resigned = resignWithoutTimestamp(valid.envelope);
    expect(verdict(resigned)).toBe('GW_ERR_SIGNATURE_POLICY InvalidSecurity');
    refusedBySimulator(resigned, 'InvalidSecurity', 'needs-human');
    if (!skipXmlsec) expect(xmlsec1(resigned).output).toContain('SignedInfo References (ok/all): 4/4');
  });

  it('signature wrapping (signed Body moved into a header, evil Body in place): InvalidSecurity, though xmlsec1 accepts the signature', () => {
    const attack = wrapped(valid.envelope);
    expect(verdict(attack)).toBe('GW_ERR_SIGNATURE_POLICY InvalidSecurity');
    if (!skipXmlsec) expect(xmlsec1(attack).status).toBe(0);
  });

  it('a second element with the Body id, or a second Signature: InvalidSecurity', () => {
    const xml = valid.envelope.toString('utf8');
    const bodyId = /<soap:Body [^>]*wsu:Id="([^"]+)"/.exec(xml)?.[1] ?? '';
    const duplicate = xml.replace('<soap:Header>', `<soap:Header><wsa:From xmlns:wsa="${WSA_NS}" Id="${bodyId}"></wsa:From>`);
    expect(verdict(Buffer.from(duplicate))).toBe('GW_ERR_SIGNATURE_POLICY InvalidSecurity');
    const signature = /<ds:Signature [\s\S]*<\/ds:Signature>/.exec(xml)?.[0] ?? '';
    expect(verdict(Buffer.from(xml.replace('</soap:Header>', `<x:Extra xmlns:x="urn:x">${signature}</x:Extra></soap:Header>`)))).toBe('GW_ERR_SIGNATURE_POLICY InvalidSecurity');
  });

  it('a certificate that is not the pinned one on the verifier side: FailedAuthentication', () => {
    expect(verdict(valid.envelope, readFileSync(iruCertFile, 'utf8'))).toBe('GW_ERR_SIGNATURE_INVALID FailedAuthentication');
  });

  it('RTS+ refuses an EC key for IRU (RSA only)', async () => {
    const certsDir = harness.config.certsDir;
    const ec = loadTestKey(join(certsDir, 'gateway-ec.key.pem'), join(certsDir, 'gateway-ec.cert.pem'));
    const payload = await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')));
    expect(() => buildRtsPlusRequest({ id: 'ec', messageType: 'safetir-upload', payload, attempt: 1 }, { ...context, identity: ec }, { to: ENDPOINT, now: new Date() })).toThrow(/RSA/);
  });

  it('validly signed but schema-invalid data: a Receiver fault (IRU\'s bridge) naming the problems, judged needs-human', () => {
    const body: XmlContent = {
      'tns:transmitTIROperationTerminations': {
        '@xmlns:tns': SERVICE_NS,
        'tns:transmissionTime': 'yesterday',
        'tns:transmissionId': 'bad-1',
        'ter:TIROperationTerminations': {
          '@xmlns:ter': TER_NS,
          '@xmlns:car': CAR_NS,
          '@count': '2',
          'ter:NewTIROperationTermination': { 'car:TIRCarnetNumber': 'xa1', 'car:VoletPageNumber': '5', 'ter:CustomsOffice': '', 'ter:IsFinal': 'true' },
        },
      },
    };
    const signed = buildWsSecurityEnvelope({ version: '1.2', body, addressing: { to: ENDPOINT, action: TRANSMIT_TERMINATIONS_ACTION, messageId: 'urn:uuid:1' }, timestamp: { now: new Date() }, hash: 'sha1' }, context.identity);
    const ctx = simContext();
    const handled = dispatch(createRtsPlusService(ctx), { ...valid, envelope: signed });
    expect(handled.received.messageId).toBe('bad-1');
    const problems = handled.received.problems.join('\n');
    for (const fragment of ['transmissionTime', 'TIRCarnetNumber', 'VoletPageNumber', 'Customs: missing', 'IsWithReservation: missing', '@count']) expect(problems).toContain(fragment);
    expect(handled.response.status).toBe(500);
    expect(judged(handled)).toMatchObject({ verdict: 'needs-human', partnerCode: 'Receiver' });
    expect(ctx.state.rtsPlusTerminations).toHaveLength(0);
  });
});

describe('(e) IRU\'s signature suite and size limit', () => {
  it('signs with RSA-SHA1 and SHA-1 digests by default (WCF Basic128Rsa15, IRU\'s TerminationService binding)', async () => {
    const xml = request(await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')))).envelope.toString('utf8');
    expect([...xml.matchAll(/<ds:SignatureMethod Algorithm="([^"]+)"/g)].map((m) => m[1])).toEqual(['http://www.w3.org/2000/09/xmldsig#rsa-sha1']);
    const digests = [...xml.matchAll(/<ds:DigestMethod Algorithm="([^"]+)"/g)].map((m) => m[1]);
    expect(digests).toHaveLength(5);
    expect(new Set(digests)).toEqual(new Set(['http://www.w3.org/2000/09/xmldsig#sha1']));
  });

  it('signs RSA-SHA256 when the instance says rtsPlusSignature rsa-sha256, which IRU refuses (Sender/UnsupportedAlgorithm, needs-human)', async () => {
    const sha256 = { ...context, options: { ...context.options, rtsPlusSignature: 'rsa-sha256' } };
    const payload = await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')));
    const req = buildRtsPlusRequest({ id: 'm-256', messageType: 'safetir-upload', payload, attempt: 1 }, sha256, { to: ENDPOINT, now: new Date() });
    expect(req.envelope.toString()).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"');
    expect(verifyWsSecurity(req.envelope, gatewayCertPem, new Date(), { version: '1.2' }).body).toContain('m-256');
    const handled = dispatch(createRtsPlusService(simContext()), req);
    expect(handled.response.status).toBe(400);
    expect(handled.response.body.toString()).toContain('wsse:UnsupportedAlgorithm');
    expect(judged(handled)).toMatchObject({ verdict: 'needs-human', partnerCode: 'Sender/UnsupportedAlgorithm' });
  });

  it('a batch is weighed by its rendered terminations within IRU\'s 65,536 bytes; an over-long request is refused before sending, and IRU answers one with 413', async () => {
    const payload = await safetirPayload(readJson(join(RECORD_FIXTURES, 'tir.termination.json')));
    const one = RTS_PLUS_BATCH_BYTES.weigh({ id: 'w', messageType: 'safetir-upload', payload, attempt: 1 });
    expect(one).toBeGreaterThan(600);
    const full = Math.floor(RTS_PLUS_BATCH_BYTES.budget / one);
    const records = (n: number): Buffer => safetirDocument(Array.from({ length: n }, (_, i) => record({ TNO: `DX${25123456 + 23 * i}`, COM: 'x'.repeat(126) })));
    // As many 126-character-remark records as the budget allows make a request IRU takes; the envelope fits in the allowance.
    const heaviest = RTS_PLUS_BATCH_BYTES.weigh({ id: 'w', messageType: 'safetir-upload', payload: records(1), attempt: 1 });
    const fits = request(records(Math.floor(RTS_PLUS_BATCH_BYTES.budget / heaviest)));
    expect(fits.envelope.length).toBeLessThanOrEqual(RTS_PLUS_MAX_REQUEST_BYTES);
    expect(dispatch(createRtsPlusService(simContext()), fits).response.status).toBe(200);
    expect(() => request(records(full + 40))).toThrow(/over IRU's limit of 65536/);
    const tooLong = Buffer.concat([fits.envelope, Buffer.alloc(RTS_PLUS_MAX_REQUEST_BYTES - fits.envelope.length + 1, 0x20)]);
    const handled = dispatch(createRtsPlusService(simContext()), { ...fits, envelope: tooLong });
    expect(handled.response.status).toBe(413);
    expect(judged(handled).verdict).toBe('needs-human');
  });
});

describe('classifyRtsPlus without a SOAP answer', () => {
  const response = (status: number, body: string): AttemptResult => ({ kind: 'response', status, headers: {}, body: Buffer.from(body), durationMs: 1 });
  it.each([
    ['a timeout', 'retry', { kind: 'error', error: 'timeout', message: 'no answer', durationMs: 10_000 } as AttemptResult],
    ['HTTP 503', 'retry', response(503, 'busy')],
    ['HTTP 429', 'retry', response(429, '')],
    ['HTTP 404', 'needs-human', response(404, 'not here')],
    ['a torn 200', 'retry', response(200, '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Bo')],
    ['a SOAP 1.1 fault (not the binding)', 'retry', response(500, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode></s:Fault></s:Body></s:Envelope>')],
    ['a SOAP 1.2 VersionMismatch fault', 'needs-human', response(500, `<e:Envelope xmlns:e="${SOAP12_NS}"><e:Body><e:Fault><e:Code><e:Value>e:VersionMismatch</e:Value></e:Code><e:Reason><e:Text xml:lang="en">v</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`)],
  ] as const)('%s → %s', (_name, expected, result) => {
    expect(classifyRtsPlus(result).verdict).toBe(expected);
  });
});
