// Classic Real-Time SafeTIR payload protection: SHA-1 Body hash, UTF-16LE text, 3DES session key wrapped for a certificate.
import { createCipheriv, createDecipheriv, createHash, publicEncrypt, randomBytes, constants, type X509Certificate } from 'node:crypto';
import { GatewayError, type DecryptCapability } from '../../src/partners/kit.js';

/**
 * Facts of the classic RTS scheme (shared reference formats.md §1.4, IRU's Java and .NET clients):
 * the payload is the XML text as UTF-16LE, without a byte order mark (both clients encode the string
 * with a BOM-less UTF-16LE encoder, and IRU's .NET side decodes the same way, so a BOM would become a
 * stray U+FEFF before the root). We write the declaration `encoding="utf-16"`: a reader that gets the
 * bytes rather than a string (xmllint, a Java DocumentBuilder) finds the encoding from `<?xml` in
 * UTF-16LE; without it such readers take the bytes for UTF-8.
 */
const DECLARATION = '<?xml version="1.0" encoding="utf-16"?>';
const LEADING_DECLARATION = /^\s*<\?xml\s[^?]*\?>\s*/;
/** 3DES-CBC with PKCS#5 padding, under IRU's fixed IV. */
const CIPHER = 'des-ede3-cbc';
const IV = Buffer.from([0x03, 0x01, 0x04, 0x01, 0x05, 0x09, 0x02, 0x06]);
const SESSION_KEY_BYTES = 24;
/** Opening or closing Body/Hash tags, with any prefix; IRU's clients allow no attributes on them either. */
const BODY_OPEN = /<(?:[A-Za-z_][\w.-]*:)?Body>/g;
const BODY_CLOSE = /<\/(?:[A-Za-z_][\w.-]*:)?Body>/g;
const HASH_ELEMENT = /<((?:[A-Za-z_][\w.-]*:)?)Hash(?:\s*\/>|>([^<]*)<\/\1Hash>)/;

/** A payload sealed for one certificate: the four values a classic RTS request carries. */
export interface SealedRtsPayload {
  /** base64 SHA-1 of the UTF-16LE Body content, as written into `Envelope/Hash`. */
  hash: string;
  /** Upper-case hex SHA-1 thumbprint of the certificate the session key was wrapped for. */
  messageTag: string;
  /** The 24-byte 3DES session key, RSA PKCS#1 v1.5-encrypted for the certificate. */
  eSessionKey: Buffer;
  /** The UTF-16LE document, 3DES-CBC encrypted under the session key. */
  payload: Buffer;
}

/** A payload opened with the recipient's private key. */
export interface OpenedRtsPayload {
  /** The decrypted document text, XML declaration included. */
  document: string;
  /** True when `Envelope/Hash` equals the SHA-1 of the Body content that arrived. */
  hashOk: boolean;
}

function malformed(reason: string): GatewayError {
  return new GatewayError('GW_ERR_XML_MALFORMED', reason);
}

function keyProblem(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_KEY_UNAVAILABLE', reason, {}, cause === undefined ? undefined : { cause });
}

/** The text between `<Body>` and `</Body>`; undefined unless the document has exactly one of each, in that order. */
function bodyText(document: string): { start: number; text: string } | undefined {
  const opens = [...document.matchAll(BODY_OPEN)];
  const closes = [...document.matchAll(BODY_CLOSE)];
  const open = opens[0];
  const close = closes[0];
  if (opens.length !== 1 || closes.length !== 1 || !open || !close || close.index < open.index) return undefined;
  const start = open.index + open[0].length;
  return { start: open.index, text: document.slice(start, close.index) };
}

/** base64 SHA-1 of the UTF-16LE bytes of a Body's content: the value of `Envelope/Hash`. */
function hashOf(body: string): string {
  return createHash('sha1').update(Buffer.from(body, 'utf16le')).digest('base64');
}

function rsaCertificate(cert: X509Certificate | undefined): X509Certificate {
  if (!cert) throw keyProblem('classic RTS needs the partner certificate to encrypt for');
  if (cert.publicKey.asymmetricKeyType !== 'rsa') throw keyProblem(`classic RTS needs an RSA certificate, got ${cert.publicKey.asymmetricKeyType ?? 'unknown'}`);
  return cert;
}

/**
 * The MessageTag of a certificate: hex SHA-1 of its DER bytes, upper case as IRU's .NET client sends it
 * (the Java client sends lower case; receivers compare without case).
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when it is not an RSA certificate.
 */
export function rtsMessageTag(cert: X509Certificate | undefined): string {
  return createHash('sha1').update(rsaCertificate(cert).raw).digest('hex').toUpperCase();
}

/** Sets the DES parity bit of every byte (odd parity), as Java's and .NET's key generators do. */
function withOddParity(key: Buffer): Buffer {
  for (let i = 0; i < key.length; i++) {
    const high = (key[i] as number) & 0xfe;
    let ones = 0;
    for (let bits = high; bits !== 0; bits >>= 1) ones += bits & 1;
    key[i] = high | (ones % 2 === 0 ? 1 : 0);
  }
  return key;
}

/** A fresh 3DES key whose three DES keys differ pairwise, which .NET's TripleDES insists on. */
function sessionKey(): Buffer {
  for (;;) {
    const key = withOddParity(randomBytes(SESSION_KEY_BYTES));
    const [k1, k2, k3] = [key.subarray(0, 8), key.subarray(8, 16), key.subarray(16, 24)];
    if (!k1.equals(k2) && !k2.equals(k3) && !k1.equals(k3)) return key;
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new GatewayError('GW_ERR_XML_MALFORMED', 'the document is not valid UTF-8', {}, { cause: err });
  }
}

/**
 * Seals an RTS document (SafeTIR or another with `Envelope/Hash` and `Body`) for the partner's certificate:
 * fills `Envelope/Hash` with the SHA-1 of the Body content, re-encodes the whole document as UTF-16LE
 * with an `encoding="utf-16"` declaration and no BOM, encrypts it with a fresh 3DES key under the fixed
 * IV, and wraps that key with RSA PKCS#1 v1.5. The Body text is left exactly as given.
 * @param documentUtf8 the document as logged (UTF-8, with or without XML declaration)
 * @param partnerCertificate the certificate to encrypt for (IRU's)
 * @throws GatewayError GW_ERR_XML_MALFORMED when the document has no single Body or no Envelope/Hash before it;
 *   GW_ERR_KEY_UNAVAILABLE when the certificate is missing or not RSA.
 */
export function sealRtsPayload(documentUtf8: Buffer, partnerCertificate: X509Certificate | undefined): SealedRtsPayload {
  const cert = rsaCertificate(partnerCertificate);
  const document = decodeUtf8(documentUtf8).replace(LEADING_DECLARATION, '');
  const body = bodyText(document);
  if (!body) throw malformed('an RTS document needs exactly one <Body> … </Body>');
  const hashElement = HASH_ELEMENT.exec(document);
  if (!hashElement || hashElement.index > body.start) throw malformed('an RTS document needs an Envelope/Hash before its Body');
  const hash = hashOf(body.text);
  const [whole, prefix = ''] = hashElement;
  const sealed =
    DECLARATION +
    document.slice(0, hashElement.index) +
    `<${prefix}Hash>${hash}</${prefix}Hash>` +
    document.slice(hashElement.index + whole.length);
  const key = sessionKey();
  const cipher = createCipheriv(CIPHER, key, IV);
  const payload = Buffer.concat([cipher.update(Buffer.from(sealed, 'utf16le')), cipher.final()]);
  const eSessionKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, key);
  return { hash, messageTag: rtsMessageTag(cert), eSessionKey, payload };
}

/** Unwraps the session key with the recipient's key (RSA PKCS#1 v1.5, as IRU's clients wrap it). */
function unwrapSessionKey(eSessionKey: Buffer, key: DecryptCapability): Buffer {
  const sessionKey = key.decrypt(eSessionKey, 'rsa-pkcs1-v1_5');
  if (sessionKey.length !== SESSION_KEY_BYTES) throw keyProblem(`the session key has ${sessionKey.length} bytes, expected ${SESSION_KEY_BYTES}`);
  return sessionKey;
}

function decryptText(payload: Buffer, key: Buffer): string {
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(CIPHER, key, IV);
    plain = Buffer.concat([decipher.update(payload), decipher.final()]);
  } catch (err) {
    throw new GatewayError('GW_ERR_XML_MALFORMED', 'the payload does not decrypt with the session key', {}, { cause: err });
  }
  let text: string;
  try {
    // A BOM, should a sender add one, is dropped by the decoder.
    text = new TextDecoder('utf-16le', { fatal: true }).decode(plain);
  } catch (err) {
    throw new GatewayError('GW_ERR_XML_MALFORMED', 'the decrypted payload is not UTF-16LE text', {}, { cause: err });
  }
  if (!text.replace(LEADING_DECLARATION, '').startsWith('<')) throw malformed('the decrypted payload is not an XML document');
  return text;
}

/**
 * Opens a classic RTS payload with the recipient's key and checks `Envelope/Hash` against the Body.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when the key does not decrypt the session key;
 *   GW_ERR_XML_MALFORMED when the payload does not decrypt to UTF-16LE XML text.
 */
export function openRtsPayload(sealed: Pick<SealedRtsPayload, 'eSessionKey' | 'payload'>, key: DecryptCapability): OpenedRtsPayload {
  const document = decryptText(sealed.payload, unwrapSessionKey(sealed.eSessionKey, key));
  const body = bodyText(document);
  const hashElement = HASH_ELEMENT.exec(document);
  const claimed = hashElement?.[2]?.trim();
  const hashOk = body !== undefined && hashElement !== null && hashElement.index < body.start && claimed === hashOf(body.text);
  return { document, hashOk };
}
