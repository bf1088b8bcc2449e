// CMS SignedData (RFC 5652) with one SHA-256 signer: built with our key capability, verified strictly against pinned certificates.
import { createHash, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { algorithm, algorithmOf, attribute, certificateParts, children, CMS_OID, der, derSet, explicit, int, intOf, invalid, isContext, octets, octetsOf, oid, oidOf, parseDer, policy, seq, time, type Asn1 } from './cms-der.js';
import type { SigningCapability } from './key-capabilities.js';

const { asn1 } = forge;

/** Object identifiers this profile writes or recognises. */
const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: CMS_OID.data,
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: CMS_OID.rsaEncryption,
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
