// A signature placed as a SOAP header block (where SOAP 1.2 allows one): signed by the gateway, verified by xmlsec1, and held to its placement by the strict verifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSoapEnvelope, SOAP11_NS, SOAP12_NS, type SoapVersion } from '../../src/codec/soap-envelope.js';
import { GatewayError } from '../../src/errors.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities, type KeyCapabilities } from '../../src/security/key-capabilities.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { createXmlVerifier } from '../../src/security/xml-verifier.js';
import type { SignaturePlacement } from '../../src/security/signed-document-reader.js';
import { skipWithout } from '../support/external-tool.js';
import { xmlsec1Verify } from '../support/xmlsec1.js';

const skip = skipWithout('signature placement (xmlsec1 oracle)', { tools: ['xmlsec1'] });

let tmp: string;
let gateway: KeyCapabilities;
let certFile: string;

function envelope(version: SoapVersion): Buffer {
  return buildSoapEnvelope({
    version,
    header: { 'wsa:MessageID': { '@xmlns:wsa': 'http://www.w3.org/2005/08/addressing', '#text': 'urn:uuid:6f1d1e1a-6c2b-4f43-9d59-0c1b2a3d4e5f' } },
    body: { 'doc:Transit': { '@xmlns:doc': 'urn:example:transit', 'doc:Number': '55501000/010326/0012345' } },
  });
}

function verifierFor(placement: SignaturePlacement) {
  const key = new X509Certificate(readFileSync(certFile)).publicKey;
  return createXmlVerifier(() => [key], undefined, () => placement);
}

function code(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return err instanceof GatewayError ? err.code : String(err);
  }
  return 'none';
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gw-placement-'));
  initDevCertificates(tmp, []);
  certFile = join(tmp, 'gateway.cert.pem');
  gateway = loadKeyCapabilities(join(tmp, 'gateway.key.pem'), certFile);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(skip)('signature as a SOAP header block', () => {
  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: the signature is the Header's last block, xmlsec1 verifies it, and so does the verifier expecting that placement`, () => {
      const signed = createXmlSigner(gateway, 'soap-header').sign(envelope(version));
      const text = signed.toString('utf8');
      const ns = version === '1.1' ? SOAP11_NS : SOAP12_NS;
      expect(text.startsWith(`<soap:Envelope xmlns:soap="${ns}"><soap:Header>`)).toBe(true);
      expect(text).toMatch(/<\/ds:Signature><\/soap:Header><soap:Body>/);
      const oracle = xmlsec1Verify(signed, certFile);
      expect(oracle.status, oracle.output).toBe(0);
      expect(verifierFor('soap-header').verify(signed, 'gateway').xml).toContain('<doc:Number>55501000/010326/0012345</doc:Number>');
    });
  }

  it('each placement refuses the other, and a header-placed signature must sit in the Header of a SOAP Envelope', () => {
    const inHeader = createXmlSigner(gateway, 'soap-header').sign(envelope('1.2'));
    const atRoot = createXmlSigner(gateway).sign(envelope('1.1'));
    expect(code(() => verifierFor('root').verify(inHeader, 'gateway'))).toBe('GW_ERR_SIGNATURE_POLICY');
    expect(code(() => verifierFor('soap-header').verify(atRoot, 'gateway'))).toBe('GW_ERR_SIGNATURE_POLICY');
    // The same bytes under a root that is no SOAP Envelope: xmlsec1 would verify a re-signed one, the profile does not.
    const notSoap = Buffer.from(inHeader.toString('utf8').replaceAll('soap:', 'x:').replace('xmlns:soap=', 'xmlns:x='), 'utf8');
    expect(code(() => verifierFor('soap-header').verify(notSoap, 'gateway'))).not.toBe('none');
    expect(() => createXmlSigner(gateway, 'soap-header').sign(Buffer.from('<a xmlns="urn:a"><b></b></a>'))).toThrow(/SOAP Envelope with a Header/);
  });

  it('the signature counts only in the Header that is the Envelope\'s first child: a Header after the Body, or a second Header, is refused', () => {
    const ns = SOAP12_NS;
    const signFirstChildHeader = (text: string): Buffer => createXmlSigner(gateway, 'soap-header').sign(Buffer.from(text, 'utf8'));
    // Signed with the signature in a first-child Header, then the blocks moved: the verifier must refuse before any cryptography.
    const headerAfterBody = signFirstChildHeader(`<soap:Envelope xmlns:soap="${ns}"><soap:Header></soap:Header><soap:Body><doc:T xmlns:doc="urn:t">1</doc:T></soap:Body></soap:Envelope>`)
      .toString('utf8')
      .replace(/^(<soap:Envelope[^>]*>)(<soap:Header>.*<\/soap:Header>)(<soap:Body>.*<\/soap:Body>)/, '$1$3$2');
    expect(headerAfterBody).toMatch(/<\/soap:Body><soap:Header><ds:Signature/);
    expect(code(() => verifierFor('soap-header').verify(Buffer.from(headerAfterBody), 'gateway'))).toBe('GW_ERR_SIGNATURE_POLICY');
    const secondHeader = signFirstChildHeader(`<soap:Envelope xmlns:soap="${ns}"><soap:Header></soap:Header><soap:Body><doc:T xmlns:doc="urn:t">1</doc:T></soap:Body></soap:Envelope>`)
      .toString('utf8')
      .replace('<soap:Header>', '<soap:Header></soap:Header><soap:Header>');
    expect(code(() => verifierFor('soap-header').verify(Buffer.from(secondHeader), 'gateway'))).toBe('GW_ERR_SIGNATURE_POLICY');
  });

  it('a change to a header block after signing breaks the signature for both xmlsec1 and the verifier', () => {
    const signed = createXmlSigner(gateway, 'soap-header').sign(envelope('1.2'));
    const tampered = Buffer.from(signed.toString('utf8').replace('0c1b2a3d4e5f', '0c1b2a3d4e5e'), 'utf8');
    expect(xmlsec1Verify(tampered, certFile).status).not.toBe(0);
    expect(code(() => verifierFor('soap-header').verify(tampered, 'gateway'))).toBe('GW_ERR_SIGNATURE_INVALID');
  });
});
