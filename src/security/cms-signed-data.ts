// CMS SignedData (RFC 5652) with one SHA-256 signer: built with our key capability, verified strictly against pinned certificates.
import { createHash, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';
import type { SigningCapability } from './key-capabilities.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;
/** forge's fromDer takes an options object that its type definitions leave out. */
const fromDer = asn1.fromDer as unknown as (bytes: string, options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => Asn1;

/** Object identifiers this profile writes or recognises. */
const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

/** Signature algorithms accepted in a SignerInfo, with the key type each needs (OpenSSL writes rsaEncryption). */
const SIGNATURE_KEY_TYPES: Readonly<Record<string, 'rsa' | 'ec'>> = {
  [OID.rsaEncryption]: 'rsa',
  [OID.sha256WithRsa]: 'rsa',
  [OID.ecdsaWithSha256]: 'ec',
};

/** What verification proved: the signed content and the pinned certificate whose key signed it. */
export interface CmsVerified {
  content: Buffer;
  signer: X509Certificate;
}

/** Options of {@link buildCmsSignedData}. */
export interface CmsSignOptions {
  /** True to leave the content out (S/MIME multipart/signed carries it beside the signature). */
  detached: boolean;
  /** The signingTime attribute (default now). */
  signingTime?: Date;
}

// ---------------------------------------------------------------- DER writing

const toBytes = (b: Buffer): string => b.toString('binary');
const fromBytes = (s: string): Buffer => Buffer.from(s, 'binary');
const der = (node: Asn1): Buffer => fromBytes(asn1.toDer(node).getBytes());
const seq = (items: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const oid = (id: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const int = (n: number): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const octets = (b: Buffer): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, toBytes(b));
const explicit = (tag: number, inner: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);
const algorithm = (id: string, nullParams = false): Asn1 =>
  seq(nullParams ? [oid(id), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')] : [oid(id)]);

/** A SET OF (or [n] IMPLICIT SET OF) with its elements in DER order: ascending by their encodings (X.690 §11.6). */
function derSet(items: Asn1[], tagClass = asn1.Class.UNIVERSAL, tag: number = asn1.Type.SET): Asn1 {
  if (items.length < 2) return asn1.create(tagClass, tag, true, items);
  const sorted = items.map((item) => ({ item, bytes: der(item) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return asn1.create(tagClass, tag, true, sorted.map((s) => s.item));
}

function attribute(type: string, value: Asn1): Asn1 {
  return seq([oid(type), derSet([value])]);
}

/** UTCTime for 1950–2049 and GeneralizedTime otherwise (RFC 5652 §11.3). */
function time(date: Date): Asn1 {
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

// ---------------------------------------------------------------- DER reading

function malformed(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_MIME_MALFORMED', `CMS: ${reason}`, {}, cause === undefined ? undefined : { cause });
}

function policy(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_POLICY', `CMS: ${reason}`);
}

function invalid(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_INVALID', `CMS: ${reason}`);
}

function parseDer(bytes: Buffer, what: string): Asn1 {
  try {
    return fromDer(toBytes(bytes), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (err) {
    throw malformed(`${what} is not readable DER`, err);
  }
}

/** Children of a constructed node, checked for its universal type (or context tag). */
function children(node: Asn1 | undefined, what: string, type: number = asn1.Type.SEQUENCE, tagClass = asn1.Class.UNIVERSAL): Asn1[] {
  if (!node || node.tagClass !== tagClass || node.type !== type || !Array.isArray(node.value)) throw policy(`${what} is not of the expected ASN.1 type`);
  return node.value;
}

function primitive(node: Asn1 | undefined, type: number, what: string): string {
  if (!node || node.tagClass !== asn1.Class.UNIVERSAL || node.type !== type || typeof node.value !== 'string') throw policy(`${what} is not of the expected ASN.1 type`);
  return node.value;
}

const oidOf = (node: Asn1 | undefined, what: string): string => asn1.derToOid(primitive(node, asn1.Type.OID, what));

/** A small INTEGER (a version); anything longer than four bytes is refused before forge would throw on it. */
function intOf(node: Asn1 | undefined, what: string): number {
  const bytes = primitive(node, asn1.Type.INTEGER, what);
  if (bytes.length > 4) throw policy(`${what} is out of range`);
  return asn1.derToInteger(bytes);
}

/** An AlgorithmIdentifier's OID; parameters must be absent or NULL (true of every algorithm allowed here). */
function algorithmOf(node: Asn1 | undefined, what: string): string {
  const [id, params, ...rest] = children(node, what);
  if (rest.length > 0 || (params && !(params.tagClass === asn1.Class.UNIVERSAL && params.type === asn1.Type.NULL))) throw policy(`${what} has parameters this profile does not allow`);
  return oidOf(id, what);
}

/** An OCTET STRING's bytes, primitive or (BER) constructed from segments. */
function octetsOf(node: Asn1 | undefined, what: string): Buffer {
  if (node && node.tagClass === asn1.Class.UNIVERSAL && node.type === asn1.Type.OCTETSTRING && Array.isArray(node.value)) {
    return Buffer.concat(node.value.map((segment) => octetsOf(segment, what)));
  }
  return fromBytes(primitive(node, asn1.Type.OCTETSTRING, what));
}

function isContext(node: Asn1 | undefined, tag: number): boolean {
  return node !== undefined && node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}

// ---------------------------------------------------------------- certificates

/** A certificate's DER tree and its IssuerAndSerialNumber (tree and DER), read once per X509Certificate object. */
interface CertificateParts {
  tree: Asn1;
  issuerAndSerial: Asn1;
  issuerAndSerialDer: Buffer;
}

const certificateCache = new WeakMap<X509Certificate, CertificateParts>();

function certificateParts(certificate: X509Certificate): CertificateParts {
  const cached = certificateCache.get(certificate);
  if (cached) return cached;
  const tree = parseDer(certificate.raw, 'certificate');
  const fields = children(children(tree, 'certificate')[0], 'tbsCertificate');
  const at = isContext(fields[0], 0) ? 1 : 0; // [0] version, absent for v1
  const [serial, , issuer] = fields.slice(at);
  if (!serial || !issuer) throw malformed('certificate has no issuer or serial number');
  const issuerAndSerial = seq([issuer, serial]);
  const parts = { tree, issuerAndSerial, issuerAndSerialDer: der(issuerAndSerial) };
  certificateCache.set(certificate, parts);
  return parts;
}

// ---------------------------------------------------------------- building

/**
 * Builds a DER ContentInfo holding a SignedData (version 1): SHA-256, one SignerInfo identified by issuer and
 * serial number, signed attributes contentType (id-data), signingTime and messageDigest, our certificate
 * included; sha256WithRSAEncryption or ecdsa-with-SHA256 (DER signature value) by the key's type.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when the key cannot sign.
 */
export function buildCmsSignedData(content: Buffer, signer: SigningCapability, options: CmsSignOptions): Buffer {
  const digest = createHash('sha256').update(content).digest();
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(options.signingTime ?? new Date())),
    attribute(OID.messageDigest, octets(digest)),
  ];
  // The signature covers the attributes encoded as a SET OF (RFC 5652 §5.4); the SignerInfo carries them as [0] IMPLICIT.
  const signedSet = derSet(attributes);
  const signature = signer.sign(der(signedSet), { hash: 'sha256', dsaEncoding: 'der' });
  const certificate = certificateParts(signer.certificate);
  const signerInfo = seq([
    int(1),
    certificate.issuerAndSerial,
    algorithm(OID.sha256),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, signedSet.value as Asn1[]),
    signer.keyType === 'rsa' ? algorithm(OID.sha256WithRsa, true) : algorithm(OID.ecdsaWithSha256),
    octets(signature),
  ]);
  const encapsulated = seq(options.detached ? [oid(OID.data)] : [oid(OID.data), explicit(0, octets(content))]);
  const signedData = seq([
    int(1),
    derSet([algorithm(OID.sha256)]),
    encapsulated,
    derSet([certificate.tree], asn1.Class.CONTEXT_SPECIFIC, 0),
    derSet([signerInfo]),
  ]);
  return der(seq([oid(OID.signedData), explicit(0, signedData)]));
}

// ---------------------------------------------------------------- verifying

/** The single value of the one attribute of a type; refused when absent, repeated or multi-valued. */
function singleAttribute(attributes: Asn1[], type: string, name: string): Asn1 {
  const found = attributes.filter((a) => oidOf(children(a, 'attribute')[0], 'attribute type') === type);
  if (found.length !== 1) throw policy(`signed attributes must hold exactly one ${name}, found ${found.length}`);
  const values = children(children(found[0], 'attribute')[1], `${name} values`, asn1.Type.SET);
  if (values.length !== 1) throw policy(`${name} must have exactly one value`);
  return values[0] as Asn1;
}

/** Pinned certificates the SignerInfo's sid names: by issuer and serial, or all of them for a subjectKeyIdentifier. */
function candidates(sid: Asn1 | undefined, trusted: readonly X509Certificate[]): X509Certificate[] {
  if (isContext(sid, 0)) return [...trusted];
  const wanted = der(seq(children(sid, 'signer identifier')));
  return trusted.filter((cert) => certificateParts(cert).issuerAndSerialDer.equals(wanted));
}

function signatureVerifies(cert: X509Certificate, keyType: 'rsa' | 'ec', signed: Buffer, signature: Buffer): boolean {
  if (cert.publicKey.asymmetricKeyType !== keyType) return false;
  try {
    return cryptoVerify('sha256', signed, cert.publicKey, signature);
  } catch {
    return false;
  }
}

/** The signed content: the encapsulated id-data, or the detached content when there is none (never both). */
function encapsulatedContent(encapsulated: Asn1 | undefined, detachedContent: Buffer | undefined): Buffer {
  const [contentType, eContent, ...more] = children(encapsulated, 'encapContentInfo');
  if (more.length > 0 || oidOf(contentType, 'eContentType') !== OID.data) throw policy('the encapsulated content type must be id-data');
  if (eContent && detachedContent !== undefined) throw policy('the SignedData carries its content, but detached content was given too');
  if (eContent) return octetsOf(children(eContent, 'eContent', 0, asn1.Class.CONTEXT_SPECIFIC)[0], 'eContent');
  if (detachedContent === undefined) throw policy('the SignedData is detached and no content was given');
  return detachedContent;
}

/**
 * Verifies a DER ContentInfo/SignedData against pinned certificates only (certificates inside the message are
 * ignored): exactly one SignerInfo, SHA-256 (SHA-1 and every other digest refused), signed attributes present
 * with contentType id-data and a messageDigest equal to the content's, signature by a pinned certificate's key.
 * @param detachedContent the content of a detached SignedData (S/MIME); must be absent for an attached one
 * @throws GatewayError GW_ERR_MIME_MALFORMED (not DER), GW_ERR_SIGNATURE_POLICY (shape or algorithm refused),
 *   GW_ERR_SIGNATURE_INVALID (digest or signature wrong, or the signer not pinned).
 */
export function verifyCmsSignedData(derBytes: Buffer, trusted: readonly X509Certificate[], detachedContent?: Buffer): CmsVerified {
  const [type, wrapped, ...extra] = children(parseDer(derBytes, 'SignedData'), 'ContentInfo');
  if (extra.length > 0 || oidOf(type, 'content type') !== OID.signedData) throw policy('ContentInfo does not hold a SignedData');
  const [signedData, ...surplus] = children(wrapped, 'ContentInfo content', 0, asn1.Class.CONTEXT_SPECIFIC);
  if (surplus.length > 0) throw policy('ContentInfo content holds more than a SignedData');
  const fields = children(signedData, 'SignedData');
  const [version, digestAlgorithms, encapsulated] = fields;
  const signerInfos = fields[fields.length - 1];
  // Between the content and the signer infos only [0] certificates and [1] CRLs may stand (both ignored: keys are pinned).
  if (fields.length < 4 || !fields.slice(3, -1).every((f) => isContext(f, 0) || isContext(f, 1))) throw policy('SignedData has unexpected fields');
  if (![1, 3].includes(intOf(version, 'SignedData version'))) throw policy('SignedData version must be 1 or 3');
  if (!children(digestAlgorithms, 'digestAlgorithms', asn1.Type.SET).every((a) => algorithmOf(a, 'digest algorithm') === OID.sha256)) {
    throw policy('digest algorithms other than SHA-256 are refused');
  }
  const content = encapsulatedContent(encapsulated, detachedContent);
  const infos = children(signerInfos, 'signerInfos', asn1.Type.SET);
  if (infos.length !== 1) throw policy(`exactly one SignerInfo is allowed, found ${infos.length}`);
  const [infoVersion, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signatureValue, ...unsigned] = children(infos[0], 'SignerInfo');
  if (![1, 3].includes(intOf(infoVersion, 'SignerInfo version'))) throw policy('SignerInfo version must be 1 or 3');
  if (algorithmOf(digestAlgorithm, 'SignerInfo digest algorithm') !== OID.sha256) throw policy('the SignerInfo digest algorithm must be SHA-256 (SHA-1 is refused)');
  if (!isContext(signedAttrs, 0)) throw policy('signed attributes are required');
  const keyType = SIGNATURE_KEY_TYPES[algorithmOf(signatureAlgorithm, 'signature algorithm')];
  if (keyType === undefined) throw policy('the signature algorithm must be RSA or ECDSA with SHA-256');
  if (unsigned.length > 1 || (unsigned[0] && !isContext(unsigned[0], 1))) throw policy('SignerInfo has unexpected fields');

  const attributes = children(signedAttrs, 'signed attributes', 0, asn1.Class.CONTEXT_SPECIFIC);
  if (oidOf(singleAttribute(attributes, OID.contentType, 'contentType'), 'contentType') !== OID.data) throw policy('the contentType attribute must be id-data');
  const messageDigest = octetsOf(singleAttribute(attributes, OID.messageDigest, 'messageDigest'), 'messageDigest');
  if (!messageDigest.equals(createHash('sha256').update(content).digest())) throw invalid('messageDigest does not match the content');

  const signed = der(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, attributes));
  const signature = octetsOf(signatureValue, 'signature');
  const pinned = candidates(sid, trusted);
  if (pinned.length === 0) throw invalid('the signer is not one of the pinned certificates');
  const signer = pinned.find((cert) => signatureVerifies(cert, keyType, signed, signature));
  if (!signer) throw invalid('the signature does not verify with the pinned certificate');
  return { content, signer };
}
