// Security tests for the XMLDSig signer and the strict verifier: valid RSA/ECDSA round trips, then wrapping, downgrade, key-trust and canonicalization attacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';
import type { XmlContent } from '../../src/codec/document-tree.js';
import { parseXml } from '../../src/codec/xml-parse.js';
import { renderXml } from '../../src/codec/xml-render.js';
import { GatewayError, type ErrorCode } from '../../src/errors.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { keyCapabilities } from '../../src/security/key-capabilities.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { loadTestKey, type TestKey } from '../support/test-keys.js';
import { createXmlVerifier, type SignedContent, type Verifier } from '../../src/security/xml-verifier.js';

const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const EXC_C14N_COMMENTS = 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments';
const INCLUSIVE_C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';
const HMAC_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256';

/** Partner ids the verifier under test knows. */
const GATEWAY = 'gateway';
const GATEWAY_EC = 'gateway-ec';
const PARTNER = 'eaeu-ru';
const ROLLOVER = 'rollover';

const declaration: XmlContent = {
  Declaration: {
    '@xmlns': 'urn:example:customs',
    '@ID': 'msg-1',
    Header: { Lrn: 'LRN-0001', Office: 'KZ000001' },
    Goods: { '@ID': 'g1', Item: { '@value': '100', '@currency': 'EUR', '#text': 'Widgets' } },
    Empty: '',
  },
};
const canonical = renderXml(declaration);

let tmp: string;
let gatewayRsa: TestKey;
let gatewayEc: TestKey;
let partner: TestKey;
let attacker: TestKey;
let gatewayPublic: KeyObject;
let gatewayEcPublic: KeyObject;
let partnerPublic: KeyObject;
let verifier: Verifier;
let signedRsa: Buffer;
let signedEc: Buffer;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gw-xmldsig-'));
  initDevCertificates(tmp, [PARTNER]);
  // The attacker has a complete PKI of their own, with a certificate named exactly like the gateway's.
  initDevCertificates(join(tmp, 'attacker'), []);
  gatewayRsa = loadTestKey(join(tmp, 'gateway.key.pem'), join(tmp, 'gateway.cert.pem'));
  gatewayEc = loadTestKey(join(tmp, 'gateway-ec.key.pem'), join(tmp, 'gateway-ec.cert.pem'));
  partner = loadTestKey(join(tmp, 'partners', `${PARTNER}.key.pem`), join(tmp, 'partners', `${PARTNER}.cert.pem`));
  attacker = loadTestKey(join(tmp, 'attacker', 'gateway.key.pem'), join(tmp, 'attacker', 'gateway.cert.pem'));
  gatewayPublic = new X509Certificate(readFileSync(join(tmp, 'gateway.cert.pem'))).publicKey;
  gatewayEcPublic = new X509Certificate(readFileSync(join(tmp, 'gateway-ec.cert.pem'))).publicKey;
  partnerPublic = new X509Certificate(readFileSync(join(tmp, 'partners', `${PARTNER}.cert.pem`))).publicKey;
  const pinned: Record<string, KeyObject[]> = {
    [GATEWAY]: [gatewayPublic],
    [GATEWAY_EC]: [gatewayEcPublic],
    [PARTNER]: [partnerPublic],
    [ROLLOVER]: [partnerPublic, gatewayPublic],
  };
  verifier = createXmlVerifier((id) => pinned[id] ?? []);
  signedRsa = createXmlSigner(gatewayRsa).sign(canonical);
  signedEc = createXmlSigner(gatewayEc).sign(canonical);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs `action`, expects it to throw a GatewayError, and returns that error. */
function catchGatewayError(action: () => unknown): GatewayError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, thrown === undefined ? 'expected a GatewayError, but nothing was thrown' : `expected a GatewayError, got ${String(thrown)}`).toBeInstanceOf(GatewayError);
  return thrown as GatewayError;
}

/** Runs `action`, expects a GatewayError with `code`, and returns it for further checks. */
function expectGatewayError(action: () => unknown, code: ErrorCode): GatewayError {
  const error = catchGatewayError(action);
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Verifies `xml` for `partnerId` and expects `code`. */
function expectRejected(xml: Buffer | string, code: ErrorCode, partnerId = GATEWAY): GatewayError {
  return expectGatewayError(() => verifier.verify(Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'), partnerId), code);
}

/** Verifies `xml` for `partnerId` and expects success. */
function expectAccepted(xml: Buffer | string, partnerId = GATEWAY): SignedContent {
  return verifier.verify(Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'), partnerId);
}

/** Replaces the one occurrence of `from` in `xml` with `to`; fails the test if `from` is absent or repeated. */
function replaceOnce(xml: Buffer | string, from: string | RegExp, to: string): string {
  const text = Buffer.isBuffer(xml) ? xml.toString('utf8') : xml;
  const matches = text.match(typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(from.source, 'g'));
  expect(matches?.length ?? 0, `pattern ${String(from)} must occur exactly once`).toBe(1);
  return text.replace(from, to);
}

/** The ds:Signature element of a signed document. */
function signatureOf(xml: Buffer | string): string {
  const text = Buffer.isBuffer(xml) ? xml.toString('utf8') : xml;
  const match = /<ds:Signature [\s\S]*<\/ds:Signature>/.exec(text);
  expect(match, 'document must carry a ds:Signature').not.toBeNull();
  return (match as RegExpExecArray)[0];
}

/** Converts a raw P-256 r||s signature (64 bytes) into the ASN.1 DER SEQUENCE { INTEGER r, INTEGER s }. */
function rawEcdsaToDer(raw: Buffer): Buffer {
  expect(raw.length).toBe(64);
  const integer = (value: Buffer): Buffer => {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    let body = value.subarray(start);
    if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const sequence = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, sequence.length]), sequence]);
}

/** The SignedInfo of one of our signatures, in the canonical form that is hashed for the SignatureValue. */
function canonicalSignedInfo(signed: Buffer | string): string {
  const match = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(Buffer.isBuffer(signed) ? signed.toString('utf8') : signed);
  expect(match).not.toBeNull();
  return (match as RegExpExecArray)[0].replace('<ds:SignedInfo>', `<ds:SignedInfo xmlns:ds="${DSIG_NS}">`);
}

/**
 * Rewrites the SignedInfo of a signed document with `edit` and puts in a SignatureValue that is a
 * genuine signature of the edited SignedInfo (computed by `signValue`), so only policy can refuse it.
 */
function reSignSignedInfo(signed: Buffer, edit: (signedInfo: string) => string, signValue: (canonicalInfo: Buffer) => Buffer): string {
  const text = signed.toString('utf8');
  const info = canonicalSignedInfo(text);
  const edited = edit(info);
  expect(edited).not.toBe(info);
  const value = signValue(Buffer.from(edited, 'utf8')).toString('base64');
  return text
    .replace(/<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/, edited.replace(` xmlns:ds="${DSIG_NS}"`, ''))
    .replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`);
}

interface XmlCryptoOptions {
  key?: KeyObject;
  signatureAlgorithm?: string;
  canonicalization?: string;
  transforms?: string[];
  digest?: string;
  /** XPath of the referenced element (default the root). */
  xpath?: string;
  /** URI="" (default) or a #id reference. */
  emptyUri?: boolean;
}

/**
 * Signs with xml-crypto instead of our signer: an independent implementation that can produce
 * cryptographically valid signatures for profiles our signer never makes (SHA-1, inclusive c14n, …).
 */
function xmlCryptoSign(xml: Buffer | string, options: XmlCryptoOptions = {}): string {
  const sig = new SignedXml({
    privateKey: (options.key ?? gatewayRsa.privateKey).export({ type: 'pkcs8', format: 'pem' }),
    signatureAlgorithm: options.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: options.canonicalization ?? EXC_C14N,
  });
  sig.addReference({
    xpath: options.xpath ?? '/*',
    transforms: options.transforms ?? [ENVELOPED, EXC_C14N],
    digestAlgorithm: options.digest ?? SHA256,
    isEmptyUri: options.emptyUri ?? true,
  });
  sig.computeSignature(Buffer.isBuffer(xml) ? xml.toString('utf8') : xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}

describe('signer and verifier: valid signatures', () => {
  it('accepts an RSA-SHA256 signature and returns exactly the canonical unsigned bytes', () => {
    const result = expectAccepted(signedRsa);
    expect(result.xml).toBe(canonical.toString('utf8'));
    expect(result.partner).toBe(GATEWAY);
    expect(result.signatureMethod).toBe(RSA_SHA256);
  });

  it('accepts an ECDSA-P256-SHA256 signature and returns exactly the canonical unsigned bytes', () => {
    const result = expectAccepted(signedEc, GATEWAY_EC);
    expect(result.xml).toBe(canonical.toString('utf8'));
    expect(result.signatureMethod).toBe(ECDSA_SHA256);
  });

  it('parsing the returned bytes gives the signed business data', () => {
    const content = parseXml(expectAccepted(signedRsa).xml);
    expect(content).toEqual(parseXml(canonical));
    expect(((content['Declaration'] as XmlContent)['Goods'] as XmlContent)['Item']).toEqual({ '@value': '100', '@currency': 'EUR', '#text': 'Widgets' });
  });

  it('places the signature as the last child of the root and leaves the rest of the bytes untouched', () => {
    const text = signedRsa.toString('utf8');
    const body = canonical.toString('utf8').slice(0, -'</Declaration>'.length);
    expect(text.startsWith(body)).toBe(true);
    expect(text.endsWith('</ds:Signature></Declaration>')).toBe(true);
    expect(text).toContain('<ds:Reference URI="">');
  });

  it('embeds the signing certificate in KeyInfo', () => {
    const embedded = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(signedRsa.toString('utf8'))?.[1];
    expect(embedded).toBe(gatewayRsa.certificate.raw.toString('base64'));
  });

  it('writes ECDSA values as raw r||s (64 bytes for P-256), not DER', () => {
    const value = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(signedEc.toString('utf8'))?.[1] ?? '';
    const raw = Buffer.from(value, 'base64');
    expect(raw.length).toBe(64);
    expect(cryptoVerify('sha256', Buffer.from(canonicalSignedInfo(signedEc)), { key: gatewayEcPublic, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
  });

  it('is deterministic for RSA: the same document signs to the same bytes', () => {
    const again = createXmlSigner(gatewayRsa).sign(renderXml(declaration));
    expect(again.equals(signedRsa)).toBe(true);
  });

  it('accepts any pinned key during a rollover and nothing else', () => {
    expect(expectAccepted(signedRsa, ROLLOVER).xml).toBe(canonical.toString('utf8'));
    expect(expectAccepted(createXmlSigner(partner).sign(canonical), ROLLOVER).partner).toBe(ROLLOVER);
    expectRejected(createXmlSigner(attacker).sign(canonical), 'GW_ERR_SIGNATURE_INVALID', ROLLOVER);
  });

  it('accepts the same profile signed by an independent implementation (xml-crypto), URI "" or #rootId', () => {
    expect(expectAccepted(xmlCryptoSign(canonical)).xml).toBe(canonical.toString('utf8'));
    const byId = xmlCryptoSign(canonical, { emptyUri: false });
    expect(byId).toContain('URI="#msg-1"');
    expect(expectAccepted(byId).xml).toBe(canonical.toString('utf8'));
  });

  it('accepts canonically equivalent serializations and still returns the canonical bytes', () => {
    let text = signedRsa.toString('utf8');
    text = replaceOnce(text, '<Empty></Empty>', '<Empty/>');
    text = replaceOnce(text, 'value="100"', "value='100'");
    text = replaceOnce(text, '>Widgets<', '><![CDATA[Wid]]>&#103;ets<');
    text = replaceOnce(text, '<Lrn>', '<Lrn   >');
    text = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- transport comment -->\n${text}\n`;
    expect(expectAccepted(text).xml).toBe(canonical.toString('utf8'));
  });
});

describe('signer refuses keys and input it must not sign with', () => {
  it('a 1024-bit RSA key is no signing capability', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expectGatewayError(() => keyCapabilities(privateKey, gatewayRsa.certificate), 'GW_ERR_KEY_UNAVAILABLE');
  });

  it('nor are EC keys on curves other than P-256, Ed25519 keys, or a key with a certificate not its own', () => {
    expectGatewayError(() => keyCapabilities(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey, gatewayRsa.certificate), 'GW_ERR_KEY_UNAVAILABLE');
    expectGatewayError(() => keyCapabilities(generateKeyPairSync('ed25519').privateKey, gatewayRsa.certificate), 'GW_ERR_KEY_UNAVAILABLE');
    expectGatewayError(() => keyCapabilities(gatewayEc.privateKey, gatewayRsa.certificate), 'GW_ERR_KEY_UNAVAILABLE');
  });

  it('refuses input that is not a canonical document with an end tag', () => {
    const signer = createXmlSigner(gatewayRsa);
    expectGatewayError(() => signer.sign(Buffer.from('<Declaration/>')), 'GW_ERR_SIGNATURE_POLICY');
    expectGatewayError(() => signer.sign(Buffer.concat([canonical, Buffer.from('\n')])), 'GW_ERR_SIGNATURE_POLICY');
    expectGatewayError(() => signer.sign(Buffer.alloc(0)), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('refuses a key file that does not belong to the certificate, and a missing key file', () => {
    expectGatewayError(() => loadTestKey(join(tmp, 'gateway.key.pem'), join(tmp, 'gateway-ec.cert.pem')), 'GW_ERR_KEY_UNAVAILABLE');
    expectGatewayError(() => loadTestKey(join(tmp, 'missing.key.pem'), join(tmp, 'gateway.cert.pem')), 'GW_ERR_KEY_UNAVAILABLE');
  });
});

describe('verifier: tampered content', () => {
  it('rejects one byte changed inside the signed element', () => {
    expectRejected(replaceOnce(signedRsa, 'Widgets', 'Widgetz'), 'GW_ERR_SIGNATURE_INVALID');
    expectRejected(replaceOnce(signedEc, 'LRN-0001', 'LRN-0002'), 'GW_ERR_SIGNATURE_INVALID', GATEWAY_EC);
  });

  it('rejects a changed attribute value', () => {
    expectRejected(replaceOnce(signedRsa, 'value="100"', 'value="900"'), 'GW_ERR_SIGNATURE_INVALID');
    expectRejected(replaceOnce(signedEc, 'value="100"', 'value="100.0"'), 'GW_ERR_SIGNATURE_INVALID', GATEWAY_EC);
  });

  it('rejects an added attribute, a removed element and whitespace added inside the root', () => {
    expectRejected(replaceOnce(signedRsa, '<Goods ID="g1">', '<Goods ID="g1" status="released">'), 'GW_ERR_SIGNATURE_INVALID');
    expectRejected(replaceOnce(signedRsa, '<Empty></Empty>', ''), 'GW_ERR_SIGNATURE_INVALID');
    expectRejected(replaceOnce(signedRsa, '<Goods ', '\n  <Goods '), 'GW_ERR_SIGNATURE_INVALID');
  });

  it('rejects an altered SignatureValue, an altered DigestValue and a comment planted in the DigestValue', () => {
    const value = /<ds:SignatureValue>([^<]+)</.exec(signedRsa.toString('utf8'))?.[1] ?? '';
    const flipped = (value.startsWith('A') ? 'B' : 'A') + value.slice(1);
    expectRejected(replaceOnce(signedRsa, value, flipped), 'GW_ERR_SIGNATURE_INVALID');
    const digest = /<ds:DigestValue>([^<]+)</.exec(signedRsa.toString('utf8'))?.[1] ?? '';
    const otherDigest = createHmac('sha256', 'x').update('evil').digest('base64');
    expectRejected(replaceOnce(signedRsa, `<ds:DigestValue>${digest}`, `<ds:DigestValue>${otherDigest}`), 'GW_ERR_SIGNATURE_INVALID');
    // CVE-2025-29775 shape: the real digest of tampered content in a comment, the original digest as text.
    expectRejected(
      replaceOnce(replaceOnce(signedRsa, 'Widgets', 'Gadgets'), `<ds:DigestValue>${digest}`, `<ds:DigestValue><!--${otherDigest}-->${digest}`),
      'GW_ERR_SIGNATURE_INVALID',
    );
  });

  it('rejects a signature over the same content made with another key (the partner key) while pinned to the gateway key', () => {
    const byPartner = createXmlSigner(partner).sign(canonical);
    expectRejected(byPartner, 'GW_ERR_SIGNATURE_INVALID', GATEWAY);
    // Control: the same bytes verify for the partner they belong to.
    expect(expectAccepted(byPartner, PARTNER).xml).toBe(canonical.toString('utf8'));
  });

  it('rejects an attacker signature whose KeyInfo carries the attacker certificate (same subject name as ours)', () => {
    expect(attacker.certificate?.subject).toBe(gatewayRsa.certificate?.subject);
    const forged = createXmlSigner(attacker).sign(renderXml({ Declaration: { '@xmlns': 'urn:example:customs', '@ID': 'msg-1', Goods: { Item: { '@value': '1', '#text': 'Evil' } } } }));
    expect(forged.toString('utf8')).toContain(attacker.certificate?.raw.toString('base64'));
    expectRejected(forged, 'GW_ERR_SIGNATURE_INVALID');
  });

  it('ignores KeyInfo: swapping the certificate of a genuine signature for the attacker certificate changes nothing', () => {
    const genuine = gatewayRsa.certificate?.raw.toString('base64') ?? '';
    const swapped = replaceOnce(signedRsa, genuine, attacker.certificate?.raw.toString('base64') ?? '');
    expect(expectAccepted(swapped).xml).toBe(canonical.toString('utf8'));
    // …and embedding the pinned certificate does not make an attacker signature valid.
    const forged = replaceOnce(createXmlSigner(attacker).sign(canonical), attacker.certificate?.raw.toString('base64') ?? '', genuine);
    expectRejected(forged, 'GW_ERR_SIGNATURE_INVALID');
  });

  it('rejects a DER-encoded ECDSA SignatureValue even though it is a valid signature of the SignedInfo', () => {
    const raw = Buffer.from(/<ds:SignatureValue>([^<]+)</.exec(signedEc.toString('utf8'))?.[1] ?? '', 'base64');
    const der = rawEcdsaToDer(raw);
    expect(cryptoVerify('sha256', Buffer.from(canonicalSignedInfo(signedEc)), { key: gatewayEcPublic, dsaEncoding: 'der' }, der)).toBe(true);
    expectRejected(replaceOnce(signedEc, raw.toString('base64'), der.toString('base64')), 'GW_ERR_SIGNATURE_INVALID', GATEWAY_EC);
  });

  it('rejects a DER-encoded ECDSA value relabelled as rsa-sha256 (SignatureMethod must match the pinned key type)', () => {
    const relabelled = reSignSignedInfo(signedEc, (info) => info.replace(ECDSA_SHA256, RSA_SHA256), (data) => cryptoSign('sha256', data, gatewayEc.privateKey));
    expectRejected(relabelled, 'GW_ERR_SIGNATURE_INVALID', GATEWAY_EC);
  });

  it('rejects an RSA signature labelled as ecdsa-sha256 (SignatureMethod must match the pinned key type)', () => {
    const relabelled = reSignSignedInfo(signedRsa, (info) => info.replace(RSA_SHA256, ECDSA_SHA256), (data) => cryptoSign('sha256', data, gatewayRsa.privateKey));
    expectRejected(relabelled, 'GW_ERR_SIGNATURE_INVALID', GATEWAY);
  });
});

describe('verifier: signature shape and wrapping (XSW)', () => {
  it('reports a document without a signature as GW_ERR_SIGNATURE_MISSING', () => {
    expectRejected(canonical, 'GW_ERR_SIGNATURE_MISSING');
    // A "Signature" in another namespace is no signature.
    expectRejected(replaceOnce(signedRsa, `xmlns:ds="${DSIG_NS}"`, 'xmlns:ds="urn:not-dsig"'), 'GW_ERR_SIGNATURE_MISSING');
  });

  it('rejects two Signatures', () => {
    const signature = signatureOf(signedRsa);
    expectRejected(replaceOnce(signedRsa, '</Declaration>', `${signature}</Declaration>`), 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(replaceOnce(signedRsa, '</Goods>', `${signatureOf(createXmlSigner(partner).sign(canonical))}</Goods>`), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects a signature that is not a direct child of the root', () => {
    const signature = signatureOf(signedRsa);
    const moved = replaceOnce(replaceOnce(signedRsa, signature, ''), '</Goods>', `${signature}</Goods>`);
    expectRejected(moved, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects an evil unsigned element added before the signed content', () => {
    const evil = replaceOnce(signedRsa, '<Header>', '<Goods ID="evil"><Item currency="EUR" value="1">Evil</Item></Goods><Header>');
    expectRejected(evil, 'GW_ERR_SIGNATURE_INVALID');
  });

  it('rejects an evil root wrapped around the genuine signed document (XSW4 shape)', () => {
    const wrapped = `<Declaration xmlns="urn:example:customs" ID="evil"><Goods><Item value="1">Evil</Item></Goods>${signedRsa.toString('utf8')}</Declaration>`;
    expectRejected(wrapped, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects a genuine copy hidden in ds:Object while the root carries evil content (XSW8 shape)', () => {
    const text = signedRsa.toString('utf8');
    const evilRoot = replaceOnce(text, 'Widgets', 'Evil');
    const withObject = replaceOnce(evilRoot, '</ds:Signature>', `<ds:Object>${canonical.toString('utf8')}</ds:Object></ds:Signature>`);
    expectRejected(withObject, 'GW_ERR_SIGNATURE_POLICY');
    // A ds:Object is refused even when the root is genuine.
    expectRejected(replaceOnce(text, '</ds:Signature>', '<ds:Object><Item>Evil</Item></ds:Object></ds:Signature>'), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects a genuine copy hidden inside ds:Signature while the root carries evil content (XSW1 shape)', () => {
    const hidden = replaceOnce(replaceOnce(signedRsa, 'Widgets', 'Evil'), '</ds:Signature>', `<Wrapper>${canonical.toString('utf8')}</Wrapper></ds:Signature>`);
    // Refused before any cryptography: ds:Signature holds SignedInfo, SignatureValue and KeyInfo only (xmlsec1 agrees).
    expectRejected(hidden, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('never returns an evil element hidden inside ds:Signature: it is refused, though the digest would still match', () => {
    const smuggled = replaceOnce(signedRsa, '</ds:Signature>', '<Goods xmlns="urn:example:customs"><Item value="1">Evil</Item></Goods></ds:Signature>');
    // The enveloped transform drops the whole ds:Signature, so the digest matches; the XMLDSig schema allows no such
    // element there and xmlsec1 refuses it ("unexpected node"), so the verifier does too.
    expect(expectRejected(smuggled, 'GW_ERR_SIGNATURE_POLICY').message).toContain('ds:Signature must contain');
    // Inside KeyInfo, which the verifier ignores, anything goes, and nothing of it comes back.
    const inKeyInfo = replaceOnce(signedRsa, '</ds:KeyInfo>', '<Goods xmlns="urn:example:customs"><Item value="1">Evil</Item></Goods></ds:KeyInfo>');
    const result = expectAccepted(inKeyInfo);
    expect(result.xml).toBe(canonical.toString('utf8'));
    expect(result.xml).not.toContain('Evil');
  });

  it('rejects a duplicate of the root ID when the Reference is #rootId', () => {
    const byId = xmlCryptoSign(canonical, { emptyUri: false });
    const duplicated = replaceOnce(byId, '<Header>', '<Header ID="msg-1">');
    const error = catchGatewayError(() => verifier.verify(Buffer.from(duplicated), GATEWAY));
    expect(['GW_ERR_SIGNATURE_INVALID', 'GW_ERR_SIGNATURE_POLICY']).toContain(error.code);
  });

  it('rejects two SignedInfo elements and a SignedInfo wrapped in another element (CVE-2025-29774 shape)', () => {
    const text = signedRsa.toString('utf8');
    const info = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(text)?.[0] ?? '';
    expectRejected(replaceOnce(text, '</ds:SignedInfo>', `</ds:SignedInfo>${info}`), 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(replaceOnce(text, info, `<ds:Wrapper>${info}</ds:Wrapper>`), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects zero or two References', () => {
    const text = signedRsa.toString('utf8');
    const reference = /<ds:Reference [\s\S]*<\/ds:Reference>/.exec(text)?.[0] ?? '';
    expectRejected(replaceOnce(text, reference, ''), 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(replaceOnce(text, reference, reference + reference), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects processing instructions (c14n of URI="" would cover one outside the root, xml-crypto would not)', () => {
    expectRejected(`<?xml-stylesheet href="evil.xsl"?>${signedRsa.toString('utf8')}`, 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(replaceOnce(signedRsa, '<Header>', '<?evil x?><Header>'), 'GW_ERR_SIGNATURE_POLICY');
  });
});

describe('verifier: algorithm and reference policy (each a genuinely valid signature under its own profile)', () => {
  it('control: the allowed profile signed by xml-crypto is accepted', () => {
    expect(expectAccepted(xmlCryptoSign(canonical)).xml).toBe(canonical.toString('utf8'));
  });

  it('rejects SignatureMethod rsa-sha1 and rsa-sha512', () => {
    expectRejected(xmlCryptoSign(canonical, { signatureAlgorithm: RSA_SHA1 }), 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(xmlCryptoSign(canonical, { signatureAlgorithm: RSA_SHA512 }), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects SignatureMethod rsa-sha1 swapped into our own signature', () => {
    const swapped = reSignSignedInfo(signedRsa, (info) => info.replace(RSA_SHA256, RSA_SHA1), (data) => cryptoSign('sha1', data, gatewayRsa.privateKey));
    expectRejected(swapped, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects an HMAC SignatureMethod keyed with the public certificate', () => {
    const pem = readFileSync(join(tmp, 'gateway.cert.pem'));
    const hmac = reSignSignedInfo(signedRsa, (info) => info.replace(RSA_SHA256, HMAC_SHA256), (data) => createHmac('sha256', pem).update(data).digest());
    expectRejected(hmac, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects inclusive c14n and exc-c14n#WithComments as CanonicalizationMethod', () => {
    expectRejected(xmlCryptoSign(canonical, { canonicalization: INCLUSIVE_C14N }), 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(xmlCryptoSign(canonical, { canonicalization: EXC_C14N_COMMENTS }), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects #WithComments and inclusive c14n as the reference transform', () => {
    expectRejected(xmlCryptoSign(canonical, { transforms: [ENVELOPED, EXC_C14N_COMMENTS] }), 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(xmlCryptoSign(canonical, { transforms: [ENVELOPED, INCLUSIVE_C14N] }), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects an extra Transform and a missing enveloped-signature transform', () => {
    expectRejected(xmlCryptoSign(canonical, { transforms: [ENVELOPED, EXC_C14N, EXC_C14N] }), 'GW_ERR_SIGNATURE_POLICY');
    const extra = reSignSignedInfo(
      signedRsa,
      (info) => info.replace('</ds:Transforms>', `<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>`),
      (data) => cryptoSign('sha256', data, gatewayRsa.privateKey),
    );
    expectRejected(extra, 'GW_ERR_SIGNATURE_POLICY');
    expectRejected(xmlCryptoSign(canonical, { transforms: [EXC_C14N, ENVELOPED] }), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects DigestMethod sha1', () => {
    expectRejected(xmlCryptoSign(canonical, { digest: SHA1 }), 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects a Reference URI pointing to a non-root id', () => {
    const child = xmlCryptoSign(canonical, { xpath: "//*[local-name(.)='Goods']", emptyUri: false });
    expect(child).toContain('URI="#g1"');
    expectRejected(child, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('rejects external, quoted, unsafe and missing Reference URIs', () => {
    const sign = (data: Buffer): Buffer => cryptoSign('sha256', data, gatewayRsa.privateKey);
    for (const uri of ['URI="http://attacker.example/doc.xml"', 'URI="file:///etc/passwd"', `URI="#msg-1' or '1'='1"`, 'URI="#"', 'URI="#msg 1"']) {
      expectRejected(reSignSignedInfo(signedRsa, (info) => info.replace('URI=""', uri), sign), 'GW_ERR_SIGNATURE_POLICY');
    }
    expectRejected(reSignSignedInfo(signedRsa, (info) => info.replace(' URI=""', ''), sign), 'GW_ERR_SIGNATURE_POLICY');
  });
});

describe('verifier: comments, declarations, partners and size', () => {
  it('comment injected into a signed text node: the returned bytes hold the genuine value and no comment', () => {
    const injected = replaceOnce(signedRsa, 'Widgets', 'Wid<!---->gets');
    // exc-c14n without comments drops the comment, so the signature holds (refusing would also be safe);
    // the gateway must then read the returned canonical bytes, never the input with its split text node.
    const result = expectAccepted(injected);
    expect(result.xml).not.toContain('<!--');
    expect(result.xml).toBe(canonical.toString('utf8'));
    const item = ((parseXml(result.xml)['Declaration'] as XmlContent)['Goods'] as XmlContent)['Item'] as XmlContent;
    expect(item['#text']).toBe('Widgets');
  });

  it('a comment that changes the value after c14n (the Duo truncation shape) still cannot change what is returned', () => {
    // "user@example.com<!---->.evil" canonicalizes to "user@example.com.evil"; signed that way, it must read back whole.
    const doc = renderXml({ Declaration: { '@xmlns': 'urn:example:customs', '@ID': 'msg-1', Declarant: 'user@example.com.evil.example' } });
    const signed = replaceOnce(createXmlSigner(gatewayRsa).sign(doc), 'user@example.com.evil.example', 'user@example.com<!---->.evil.example');
    const result = expectAccepted(signed);
    expect(parseXml(result.xml)).toEqual({ Declaration: { '@xmlns': 'urn:example:customs', '@ID': 'msg-1', Declarant: 'user@example.com.evil.example' } });
  });

  it('rejects a DOCTYPE in a signed document with GW_ERR_XML_DOCTYPE', () => {
    expectRejected(`<!DOCTYPE Declaration>${signedRsa.toString('utf8')}`, 'GW_ERR_XML_DOCTYPE');
    expectRejected(`<?xml version="1.0"?><!DOCTYPE Declaration [<!ENTITY w "Widgets">]>${replaceOnce(signedRsa, '>Widgets<', '>&w;<')}`, 'GW_ERR_XML_DOCTYPE');
  });

  it('rejects an unknown partner (no pinned keys) with GW_ERR_PARTNER_UNKNOWN', () => {
    expectRejected(signedRsa, 'GW_ERR_PARTNER_UNKNOWN', 'no-such-partner');
  });

  it('rejects a document over the size limit with GW_ERR_XML_TOO_LARGE', () => {
    const small = createXmlVerifier(() => [gatewayPublic], 256);
    expectGatewayError(() => small.verify(signedRsa, GATEWAY), 'GW_ERR_XML_TOO_LARGE');
  });

  it('rejects an undefined entity reference as GW_ERR_XML_MALFORMED', () => {
    expectRejected(replaceOnce(signedRsa, '>Widgets<', '>&undefined;<'), 'GW_ERR_XML_MALFORMED');
  });

  it('rejects a mismatched end tag as GW_ERR_XML_MALFORMED', () => {
    expectRejected(replaceOnce(signedRsa, '</Header>', ''), 'GW_ERR_XML_MALFORMED');
  });

  it('rejects a duplicate attribute as GW_ERR_XML_MALFORMED', () => {
    expectRejected(replaceOnce(signedRsa, 'value="100"', 'value="100" value="1"'), 'GW_ERR_XML_MALFORMED');
  });

  it('rejects empty input as GW_ERR_XML_MALFORMED', () => {
    expectRejected(Buffer.alloc(0), 'GW_ERR_XML_MALFORMED');
  });
});

describe('verifier: the strict scan (what it refuses that a lenient parser would read)', () => {
  it('refuses text between the signature\'s elements and any content in a method or transform (InclusiveNamespaces, HMACOutputLength)', () => {
    expectRejected(replaceOnce(signedRsa, '<ds:SignedInfo>', 'note<ds:SignedInfo>'), 'GW_ERR_SIGNATURE_POLICY');
    const sign = (data: Buffer): Buffer => cryptoSign('sha256', data, gatewayRsa.privateKey);
    const inclusive = `<ec:InclusiveNamespaces xmlns:ec="${EXC_C14N}" PrefixList="ds"></ec:InclusiveNamespaces>`;
    const withPrefixList = reSignSignedInfo(signedRsa, (info) => info.replace(`<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform>`, `<ds:Transform Algorithm="${EXC_C14N}">${inclusive}</ds:Transform>`), sign);
    expect(expectRejected(withPrefixList, 'GW_ERR_SIGNATURE_POLICY').message).toContain('may not have content');
    const truncated = reSignSignedInfo(signedRsa, (info) => info.replace('></ds:SignatureMethod>', '><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>'), sign);
    expectRejected(truncated, 'GW_ERR_SIGNATURE_POLICY');
  });

  it('refuses a document that is not namespace-well-formed, or whose namespace URI is relative', () => {
    expectRejected(replaceOnce(signedRsa, '<Header>', '<Header><p:Note>x</p:Note>'), 'GW_ERR_XML_MALFORMED');
    expectRejected(replaceOnce(signedRsa, '<Header>', '<Header xmlns:p="">'), 'GW_ERR_XML_MALFORMED');
    expectRejected(replaceOnce(signedRsa, '<Header>', '<Header xmlns:p="relative/path">'), 'GW_ERR_XML_MALFORMED');
    expectRejected(replaceOnce(signedRsa, '<Header>', '<Header xmlns:p="urn:a" xmlns:q="urn:a" p:x="1" q:x="2">'), 'GW_ERR_XML_MALFORMED');
  });

  it('accepts UTF-8 only: another declared encoding, UTF-16 and invalid UTF-8 are refused', () => {
    expectRejected(`<?xml version="1.0" encoding="ISO-8859-1"?>${signedRsa.toString('utf8')}`, 'GW_ERR_XML_MALFORMED');
    expectRejected(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(signedRsa.toString('utf8'), 'utf16le')]), 'GW_ERR_XML_MALFORMED');
    expectRejected(Buffer.from(replaceOnce(signedRsa, 'Widgets', 'Widg\u00e9ts'), 'latin1'), 'GW_ERR_XML_MALFORMED');
  });

  it('accepts a BOM, an XML declaration, and CR or CRLF line ends (normalised before canonicalization)', () => {
    const text = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- sent -->\r\n${signedRsa.toString('utf8')}\r\n`;
    expect(expectAccepted(text).xml).toBe(canonical.toString('utf8'));
    expect(expectAccepted(text.replace(/\r\n/g, '\r')).xml).toBe(canonical.toString('utf8'));
  });

  it('refuses an id value that occurs twice anywhere, even when the Reference is URI=""', () => {
    expectRejected(replaceOnce(signedRsa, '<ds:KeyInfo>', '<ds:KeyInfo Id="g1">'), 'GW_ERR_SIGNATURE_POLICY');
    expect(expectAccepted(replaceOnce(signedRsa, '<ds:KeyInfo>', '<ds:KeyInfo Id="key-1">')).xml).toBe(canonical.toString('utf8'));
  });

  it('never tries an RSA key under 2048 bits, even when it is the pinned key and the signature is genuine', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    // Re-signed (with a Reference Id, as reSignSignedInfo needs some change) by the 1024-bit key: a genuine signature.
    const weak = reSignSignedInfo(signedRsa, (info) => info.replace('<ds:Reference', '<ds:Reference Id="weak"'), (data) => cryptoSign('sha256', data, privateKey));
    const value = Buffer.from(/<ds:SignatureValue>([^<]+)</.exec(weak)?.[1] ?? '', 'base64');
    expect(cryptoVerify('sha256', Buffer.from(canonicalSignedInfo(weak)), publicKey, value)).toBe(true);
    expectGatewayError(() => createXmlVerifier(() => [publicKey]).verify(Buffer.from(weak), GATEWAY), 'GW_ERR_SIGNATURE_INVALID');
  });

  it('throws only GatewayErrors on every truncation of a signed document', () => {
    const text = Buffer.from(`<?xml version="1.0"?>\n${replaceOnce(signedEc, 'Widgets', 'Wid<![CDATA[g&]]>ets &amp; &#x263A;')}`);
    for (let length = 0; length < text.length; length += 3) catchGatewayError(() => verifier.verify(text.subarray(0, length), GATEWAY_EC));
  });
});
