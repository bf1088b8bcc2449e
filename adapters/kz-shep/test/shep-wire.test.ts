// What goes on the wire to the e-government gateway, judged by independent tools: xmllint (the published v10 XSDs), xmlsec1 (the WS-Security envelope signature) and openssl (the CMS of docOutgoing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOAP11_NS } from '../../../src/partners/kit.js';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { documentFiles, mainFile } from '../esedo-document.js';
import { readLogged } from '../logged-message.js';
import { buildShepRequest } from '../outbound-request.js';
import { EGOV_XSD_SAMPLE, xmllintOperation } from './egov-oracle.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LETTER = JSON.parse(readFileSync(join(ROOT, 'mappings/shep-esedo/esedo-letter.golden/letter-with-annex.input.json'), 'utf8')) as Record<string, unknown>;
const PASSWORD = 'wire-test-password-5d2a';
const skip = skipWithout('e-government gateway wire oracles', {
  tools: ['xmllint', 'xmlsec1', 'openssl'],
  files: [EGOV_XSD_SAMPLE],
});

describe.skipIf(skip)('kz-shep on the wire, judged by xmllint, xmlsec1 and openssl', () => {
  let harness: PartnerHarness;
  let dir: string;
  let files = 0;
  let logged: Buffer;
  let certFile: string;

  const file = (bytes: Buffer | string, ext = 'xml'): string => {
    const path = join(dir, `f-${++files}.${ext}`);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-shep-wire-'));
    harness = await startPartnerHarness({ GATEWAY_PARTNER_SHEP_ESEDO_OPTION_PASSWORD: PASSWORD }, ['shep-esedo', 'shep-treasury']);
    const translated = await harness.translator.translate({ ...LETTER, recordId: 'LTR-WIRE-1' });
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const document = translated.documents.find((d) => d.partner === 'shep-esedo');
    if (!document) throw new Error('no document for shep-esedo');
    logged = document.bytes;
    certFile = file(harness.setup.identities.get('shep-esedo')!.identity.certificate.toString(), 'pem');
  });
  afterAll(async () => {
    await harness?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function request(attempt = 1) {
    return buildShepRequest({ id: '5b0c8a52-7f3e-4a55-9d1e-0c6f2f1d9a10', messageType: 'esedo-document', payload: logged, attempt }, harness.context('shep-esedo'));
  }

  function xmlsec1(envelope: Buffer): { status: number | null; output: string } {
    const run = spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', certFile, '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'same-doc', '--id-attr:Id', `${SOAP11_NS}:Body`, file(envelope)], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  it('the logged document holds neither the sender id nor the password; the envelopes sent carry both, signed', () => {
    expect(logged.includes(PASSWORD)).toBe(false);
    expect(logged.includes('KGD_CUSTOMS_GATEWAY')).toBe(false);
    const built = request();
    expect(built.uploads).toHaveLength(2);
    for (const envelope of [...built.uploads, built.envelope(['f-1', 'f-2'])]) {
      expect(envelope.includes(`<password>${PASSWORD}</password>`)).toBe(true);
      expect(envelope.includes('<senderId>KGD_CUSTOMS_GATEWAY</senderId>')).toBe(true);
    }
  });

  it('xmlsec1 verifies the WS-Security signature of every envelope with our pinned certificate; one changed byte of the Body fails', () => {
    const built = request();
    const envelopes = [...built.uploads, built.envelope(['f-1', 'f-2'])];
    for (const envelope of envelopes) {
      const run = xmlsec1(envelope);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain('OK');
    }
    const sendMessage = envelopes.at(-1)!;
    const tampered = Buffer.from(sendMessage.toString('utf8').replace('<messageType>REQUEST</messageType>', '<messageType>UPDATE</messageType>'));
    expect(tampered.equals(sendMessage)).toBe(false);
    expect(xmlsec1(tampered).status).not.toBe(0);
  });

  it('xmllint validates the uploads and the sendMessage against the published SyncChannel/AsyncChannel v10 XSDs', () => {
    const built = request();
    for (const envelope of [...built.uploads, built.envelope(['f-1', 'f-2'])]) {
      const run = xmllintOperation(envelope);
      expect(run.status, run.output).toBe(0);
    }
  });

  it('a document of an agency system (a customs receipt to the Treasury) travels as the child element of data, and validates', async () => {
    const receipt = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/records/payment.receipt.json'), 'utf8')) as Record<string, unknown>;
    const translated = await harness.translator.translate(receipt);
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const document = translated.documents.find((d) => d.partner === 'shep-treasury');
    expect(document?.message).toBe('agency-document');
    const built = buildShepRequest({ id: 'b1d7c7a4-6c55-4c1a-8f0e-1d2a3b4c5d6e', messageType: 'agency-document', payload: document!.bytes, attempt: 1 }, harness.context('shep-treasury'));
    expect(built.uploads).toHaveLength(0);
    const envelope = built.envelope([]);
    expect(envelope.toString('utf8')).toMatch(/<data><rcpt:CustomsReceipt xmlns:rcpt="urn:kz:customs:gateway:kz-shep:customs-receipt:1" version="1"><receiptNumber>55401\/261126\/0004821<\/receiptNumber>/);
    const run = xmllintOperation(envelope);
    expect(run.status, run.output).toBe(0);
  });

  it('the sendMessage names the uploaded files by identifier, in order, instead of carrying them', () => {
    const sent = request().envelope(['3f1e-a', '3f1e-b']).toString('utf8');
    expect(sent).toMatch(/<attachments><fileIdentifier>3f1e-a<\/fileIdentifier><fileIdentifier>3f1e-b<\/fileIdentifier><\/attachments>/);
    expect(sent).not.toContain('<file ');
    expect(sent).toContain('xsi:type="ns1:docOutgoing"');
    // The prefix of the xsi:type value is declared where it is in scope on the wire: on the Envelope, outside the signed Body.
    expect(sent).toMatch(/^<soap:Envelope [^>]*xmlns:ns1="http:\/\/esedo\.nitec\.kz\/service\/model\/document"/);
  });

  it('openssl cms -verify accepts secondSignData with the dev CA and outputs exactly the main file; a changed byte fails', () => {
    const wrapped = readLogged(logged);
    const signature = /<secondSignData>([^<]+)<\/secondSignData>/.exec(logged.toString('utf8'))?.[1];
    expect(signature).toBeDefined();
    const der = Buffer.from(signature!, 'base64');
    const ca = join(harness.config.certsDir, 'ca.cert.pem');
    const verify = (bytes: Buffer) => spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-binary', '-purpose', 'any', '-CAfile', ca, '-in', file(bytes, 'der')]);
    const run = verify(der);
    expect(run.status, run.stderr.toString()).toBe(0);
    expect(run.stdout.equals(mainFile(documentFiles(wrapped.root))!.bytes)).toBe(true);
    const tampered = Buffer.from(der);
    const at = tampered.indexOf(Buffer.from('official letter'));
    expect(at).toBeGreaterThan(0);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    expect(verify(tampered).status).not.toBe(0);
  });

  it('each attempt is signed anew (messageDate of the attempt), the logged document stays the same', () => {
    const first = request(1).envelope([]);
    const second = buildShepRequest({ id: '5b0c8a52-7f3e-4a55-9d1e-0c6f2f1d9a10', messageType: 'esedo-document', payload: logged, attempt: 2 }, harness.context('shep-esedo'), new Date(Date.now() + 60_000)).envelope([]);
    expect(first.equals(second)).toBe(false);
    expect(xmlsec1(second).status).toBe(0);
  });
});
