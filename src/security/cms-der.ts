// DER for CMS (RFC 5652) on node-forge's ASN.1: writing nodes, strict reading (types checked, unknown parameters refused), and a certificate's IssuerAndSerialNumber.
import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';

const { asn1 } = forge;
/** A node of forge's ASN.1 tree. */
export type Asn1 = forge.asn1.Asn1;
/** Object identifiers both CMS content types name: id-data and rsaEncryption. */
export const CMS_OID = { data: '1.2.840.113549.1.7.1', rsaEncryption: '1.2.840.113549.1.1.1' } as const;

/** forge's fromDer takes an options object that its type definitions leave out. */
const fromDer = asn1.fromDer as unknown as (bytes: string, options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => Asn1;

// ---------------------------------------------------------------- DER writing

/** Bytes as forge's binary string. */
export const toBytes = (b: Buffer): string => b.toString('binary');
/** forge's binary string as bytes. */
export const fromBytes = (s: string): Buffer => Buffer.from(s, 'binary');
/** The DER encoding of a node. */
export const der = (node: Asn1): Buffer => fromBytes(asn1.toDer(node).getBytes());
/** A SEQUENCE of the nodes. */
export const seq = (items: Asn1[]): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
/** An OBJECT IDENTIFIER. */
export const oid = (id: string): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
/** A small INTEGER. */
export const int = (n: number): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
/** An OCTET STRING of the bytes. */
export const octets = (b: Buffer): Asn1 => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, toBytes(b));
/** `[tag] EXPLICIT` around a node. */
export const explicit = (tag: number, inner: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);
/** An AlgorithmIdentifier, with NULL parameters when asked. */
export const algorithm = (id: string, nullParams = false): Asn1 =>
  seq(nullParams ? [oid(id), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')] : [oid(id)]);

/** A SET OF (or [n] IMPLICIT SET OF) with its elements in DER order: ascending by their encodings (X.690 §11.6). */
export function derSet(items: Asn1[], tagClass = asn1.Class.UNIVERSAL, tag: number = asn1.Type.SET): Asn1 {
  if (items.length < 2) return asn1.create(tagClass, tag, true, items);
  const sorted = items.map((item) => ({ item, bytes: der(item) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return asn1.create(tagClass, tag, true, sorted.map((s) => s.item));
}

/** An Attribute with one value. */
export function attribute(type: string, value: Asn1): Asn1 {
  return seq([oid(type), derSet([value])]);
}

/** UTCTime for 1950–2049 and GeneralizedTime otherwise (RFC 5652 §11.3). */
export function time(date: Date): Asn1 {
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

// ---------------------------------------------------------------- DER reading

/** Bytes that are not the CMS they claim to be (GW_ERR_MIME_MALFORMED). */
export function malformed(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_MIME_MALFORMED', `CMS: ${reason}`, {}, cause === undefined ? undefined : { cause });
}

/** A structure or algorithm this profile does not take (GW_ERR_SIGNATURE_POLICY). */
export function policy(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_POLICY', `CMS: ${reason}`);
}

/** A signature that does not verify (GW_ERR_SIGNATURE_INVALID). */
export function invalid(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_INVALID', `CMS: ${reason}`);
}

/** Parses strict DER (every byte read). @throws GatewayError GW_ERR_MIME_MALFORMED */
export function parseDer(bytes: Buffer, what: string): Asn1 {
  try {
    return fromDer(toBytes(bytes), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (err) {
    throw malformed(`${what} is not readable DER`, err);
  }
}

/** Children of a constructed node, checked for its universal type (or context tag). */
export function children(node: Asn1 | undefined, what: string, type: number = asn1.Type.SEQUENCE, tagClass = asn1.Class.UNIVERSAL): Asn1[] {
  if (!node || node.tagClass !== tagClass || node.type !== type || !Array.isArray(node.value)) throw policy(`${what} is not of the expected ASN.1 type`);
  return node.value;
}

/** The value of a primitive node of the universal type. @throws GatewayError GW_ERR_SIGNATURE_POLICY for another type */
export function primitive(node: Asn1 | undefined, type: number, what: string): string {
  if (!node || node.tagClass !== asn1.Class.UNIVERSAL || node.type !== type || typeof node.value !== 'string') throw policy(`${what} is not of the expected ASN.1 type`);
  return node.value;
}

/** An OBJECT IDENTIFIER. */
export const oidOf = (node: Asn1 | undefined, what: string): string => asn1.derToOid(primitive(node, asn1.Type.OID, what));

/** A small INTEGER (a version); anything longer than four bytes is refused before forge would throw on it. */
export function intOf(node: Asn1 | undefined, what: string): number {
  const bytes = primitive(node, asn1.Type.INTEGER, what);
  if (bytes.length > 4) throw policy(`${what} is out of range`);
  return asn1.derToInteger(bytes);
}

/** An AlgorithmIdentifier's OID; parameters must be absent or NULL (true of every algorithm allowed here). */
export function algorithmOf(node: Asn1 | undefined, what: string): string {
  const [id, params, ...rest] = children(node, what);
  if (rest.length > 0 || (params && !(params.tagClass === asn1.Class.UNIVERSAL && params.type === asn1.Type.NULL))) throw policy(`${what} has parameters this profile does not allow`);
  return oidOf(id, what);
}

/** An OCTET STRING's bytes, primitive or (BER) constructed from segments. */
export function octetsOf(node: Asn1 | undefined, what: string): Buffer {
  if (node && node.tagClass === asn1.Class.UNIVERSAL && node.type === asn1.Type.OCTETSTRING && Array.isArray(node.value)) {
    return Buffer.concat(node.value.map((segment) => octetsOf(segment, what)));
  }
  return fromBytes(primitive(node, asn1.Type.OCTETSTRING, what));
}

/** True for a context-specific node with this tag. */
export function isContext(node: Asn1 | undefined, tag: number): boolean {
  return node !== undefined && node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}

// ---------------------------------------------------------------- certificates

/** A certificate's DER tree and its IssuerAndSerialNumber (tree and DER), read once per X509Certificate object. */
export interface CertificateParts {
  tree: Asn1;
  issuerAndSerial: Asn1;
  issuerAndSerialDer: Buffer;
}

const certificateCache = new WeakMap<X509Certificate, CertificateParts>();

/** A certificate's DER tree and IssuerAndSerialNumber, read once per certificate object. */
export function certificateParts(certificate: X509Certificate): CertificateParts {
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
