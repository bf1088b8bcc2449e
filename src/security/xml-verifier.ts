// Strict enveloped-XMLDSig verification in one scan: pinned partner keys, allow-listed algorithms, one signature over the whole document.
import { isUtf8 } from 'node:buffer';
import { hash, verify as cryptoVerify, type KeyObject, type X509Certificate } from 'node:crypto';
import type { XmlContent } from '../codec/document-tree.js';
import { SOAP11_NS, SOAP12_NS } from '../codec/soap-envelope.js';
import { parseXml } from '../codec/xml-parse.js';
import { GatewayError } from '../errors.js';
import { checkSignatureProfile } from './signature-profile.js';
import { readSignedDocument, type SignaturePlacement } from './signed-document-reader.js';
import { verifyWsSecurity } from './ws-security-verify.js';
import { SIGNATURE_METHODS } from './xmldsig-algorithms.js';

/**
 * Why not xml-crypto: a general library builds a DOM, runs XPath and canonicalizes node by node (about 3 ms
 * for a 5 KB document); the gateway's profile allows one shape only, so one strict scan of the bytes can
 * write the canonical document (signature removed) and the canonical SignedInfo at once, and Node's crypto
 * does the rest. The scanner refuses what it does not understand instead of guessing, and a differential
 * test holds the canonical bytes equal to xmlsec1's (libxml2's) on a hostile corpus.
 */

/** What verification proved: who signed, and the only bytes that may be read. */
export interface SignedContent {
  /** Partner whose pinned key verified the signature. */
  partner: string;
  /** The canonical bytes the signature covers (signature removed); parse these, never the input. */
  xml: string;
  /** Signature method URI that was verified. */
  signatureMethod: string;
  /** The pinned key that verified it (which one, during a rollover). */
  key: KeyObject;
}

/** Verifies partner signatures; returns only what was signed. */
export interface Verifier {
  /**
   * Verifies with the keys pinned for `partner`, the signature looked for at `placement` (default the partner's own).
   * @throws GatewayError GW_ERR_SIGNATURE_MISSING, GW_ERR_SIGNATURE_POLICY, GW_ERR_SIGNATURE_INVALID, GW_ERR_PARTNER_UNKNOWN or a GW_ERR_XML_* code.
   */
  verify(xml: Buffer, partner: string, placement?: SignatureLocation): SignedContent;
  /**
   * {@link verify}, with the signed content also as XmlContent, built in the same scan: exactly what
   * `parseXml(xml)` of the canonical bytes gives, without parsing them again.
   * @throws GatewayError as {@link verify}
   */
  read(xml: Buffer, partner: string): SignedContent & { content: XmlContent };
}

/** Looks up the public keys pinned for a partner (several during a key rollover). */
export type PinnedKeys = (partner: string) => readonly KeyObject[];

/**
 * Where a document carries its signature: enveloped (a {@link SignaturePlacement}), or `ws-security`, a
 * WS-Security header of a SOAP envelope signing its Body by wsu:Id (then the signed Body is what is read).
 */
export type SignatureLocation = SignaturePlacement | 'ws-security';

/** Where a partner's documents carry their signature (default `root` for every partner). */
export type PlacementOf = (partner: string) => SignatureLocation;

/** Looks up the certificates pinned for a partner, in the order of its {@link PinnedKeys} (a WS-Security token must be one of them). */
export type PinnedCertificates = (partner: string) => readonly X509Certificate[];

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const MIN_RSA_BITS = 2048;

/** The signature method each pinned key can verify, worked out once per key (reading key details allocates). */
const methodOfKey = new WeakMap<KeyObject, string | null>();

/** The method a key fits; a key of another type is never tried (no cross-algorithm confusion), nor RSA under 2048 bits. */
function methodFor(key: KeyObject): string | null {
  let method = methodOfKey.get(key);
  if (method === undefined) {
    const details = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS) method = SIGNATURE_METHODS['rsa-sha256'];
    else if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') method = SIGNATURE_METHODS['ecdsa-p256-sha256'];
    else method = null;
    methodOfKey.set(key, method);
  }
  return method;
}

/** RSA PKCS#1 v1.5 or ECDSA with a raw r‖s value (XMLDSig 1.1; a DER value does not verify), both over SHA-256. */
function signatureHolds(method: string, key: KeyObject, signedInfo: Buffer, value: Buffer): boolean {
  const ecdsa = method === SIGNATURE_METHODS['ecdsa-p256-sha256'];
  try {
    return cryptoVerify('sha256', signedInfo, ecdsa ? { key, dsaEncoding: 'ieee-p1363' } : key, value);
  } catch {
    return false;
  }
}

/** Decodes the input, which must be UTF-8 (a UTF-8 BOM is allowed). */
function decodeUtf8(xml: Buffer): string {
  if (!isUtf8(xml)) throw new GatewayError('GW_ERR_XML_MALFORMED', 'document is not UTF-8 (the only encoding accepted)');
  return xml.toString('utf8');
}

/**
 * Creates a verifier that trusts only the keys pinned per partner; KeyInfo in the document is ignored.
 * @param pinned lookup of a partner's public keys
 * @param maxBytes largest document accepted (default 4 MiB)
 * @param placementOf where each partner's signature sits (default: a direct child of the root)
 * @param certificates the pinned certificates, for partners whose signature is WS-Security (its token must be one)
 */
export function createXmlVerifier(pinned: PinnedKeys, maxBytes = DEFAULT_MAX_BYTES, placementOf: PlacementOf = () => 'root', certificates: PinnedCertificates = () => []): Verifier {
  const check = (xml: Buffer, partner: string, withContent: boolean, placement = placementOf(partner)): SignedContent & { content: XmlContent | undefined } => {
    if (xml.length > maxBytes) throw new GatewayError('GW_ERR_XML_TOO_LARGE', `${xml.length} bytes exceeds the limit of ${maxBytes}`);
    const keys = pinned(partner);
    if (keys.length === 0) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `no signing key is pinned for partner "${partner}"`);
    if (placement === 'ws-security') return checkWsSecurity(xml, partner, keys, certificates(partner), withContent, maxBytes);
    const document = readSignedDocument(decodeUtf8(xml), withContent, placement);
    const signature = checkSignatureProfile(document, placement);
    const signedInfo = Buffer.from(signature.signedInfo, 'utf8');
    const holds = (key: KeyObject): boolean => methodFor(key) === signature.method && signatureHolds(signature.method, key, signedInfo, signature.value);
    const key = hash('sha256', document.canonical, 'buffer').equals(signature.digest) ? keys.find(holds) : undefined;
    if (!key) throw new GatewayError('GW_ERR_SIGNATURE_INVALID', `signature does not verify with the key pinned for "${partner}"`);
    return { partner, xml: document.canonical, signatureMethod: signature.method, key, content: document.content };
  };
  return {
    verify(xml, partner, placement) {
      const { content: _none, ...signed } = check(xml, partner, false, placement);
      return signed;
    },
    read(xml, partner) {
      const signed = check(xml, partner, true);
      if (!signed.content) throw new GatewayError('GW_ERR_XML_MALFORMED', 'the document has no element');
      return { ...signed, content: signed.content };
    },
  };
}

/** The SOAP version the document element declares (the Envelope's own namespace), or undefined when it is no SOAP Envelope. */
function soapVersionOf(text: string): '1.1' | '1.2' | undefined {
  const root = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*<(?:([A-Za-z_][\w.-]*):)?Envelope\b([^>]*)>/.exec(text);
  if (!root) return undefined;
  const declared = new RegExp(`\\sxmlns${root[1] ? `:${root[1]}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(root[2] ?? '')?.[1];
  if (declared === SOAP11_NS) return '1.1';
  return declared === SOAP12_NS ? '1.2' : undefined;
}

/** The pinned certificate the envelope's BinarySecurityToken is, byte for byte, with its index; undefined when it is none of them. */
function tokenCertificate(text: string, pinned: readonly X509Certificate[]): { certificate: X509Certificate; index: number } | undefined {
  const token = /<(?:[A-Za-z_][\w.-]*:)?BinarySecurityToken\b[^>]*>([^<]*)</.exec(text)?.[1]?.replace(/\s+/g, '');
  if (!token) return undefined;
  const der = Buffer.from(token, 'base64');
  const index = pinned.findIndex((c) => c.raw.equals(der));
  const certificate = pinned[index];
  return certificate ? { certificate, index } : undefined;
}

/**
 * A WS-Security signed SOAP envelope, by verifyWsSecurity's strict profile (no Timestamp or WS-Addressing
 * required) with the pinned certificate its token is (the others of a rollover, of another key type
 * perhaps, are not tried); the signed Body, as digested, is the content.
 */
function checkWsSecurity(xml: Buffer, partner: string, keys: readonly KeyObject[], pinned: readonly X509Certificate[], withContent: boolean, maxBytes: number): SignedContent & { content: XmlContent | undefined } {
  if (pinned.length === 0) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `no signing certificate is pinned for partner "${partner}"`);
  const text = decodeUtf8(xml);
  const version = soapVersionOf(text);
  if (!version) throw new GatewayError('GW_ERR_SIGNATURE_POLICY', 'a WS-Security signed message must be a SOAP 1.1 or 1.2 Envelope');
  const signer = tokenCertificate(text, pinned);
  if (!signer) throw new GatewayError('GW_ERR_SIGNATURE_INVALID', `the security token is no certificate pinned for "${partner}"`);
  const verified = verifyWsSecurity(xml, signer.certificate, new Date(), { version, requireTimestamp: false, requiredAddressing: [], maxBytes });
  const key = keys[signer.index] ?? signer.certificate.publicKey;
  const method = key.asymmetricKeyType === 'ec' ? SIGNATURE_METHODS['ecdsa-p256-sha256'] : SIGNATURE_METHODS['rsa-sha256'];
  return { partner, xml: verified.body, signatureMethod: method, key, content: withContent ? parseXml(verified.body, { maxBytes }) : undefined };
}
