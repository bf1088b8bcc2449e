// CMS EnvelopedData (RFC 5652 §6): content encrypted with AES-CBC for one recipient's RSA key (RSAES-OAEP with SHA-256), and opened with our keys.
import { createCipheriv, createDecipheriv, constants, publicEncrypt, randomBytes, type X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';
import { algorithm, algorithmOf, certificateParts, children, CMS_OID, der, explicit, fromBytes, int, isContext, octets, octetsOf, oid, oidOf, parseDer, seq, toBytes, type Asn1 } from './cms-der.js';
import type { DecryptCapability, KeyTransportPadding } from './key-capabilities.js';

const { asn1 } = forge;

/** Object identifiers this profile writes or recognises. */
const OID = {
  envelopedData: '1.2.840.113549.1.7.3',
  data: CMS_OID.data,
  rsaEncryption: CMS_OID.rsaEncryption,
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** Content encryption algorithms we open, with their key lengths; we write AES-256-CBC. */
const CIPHERS: Readonly<Record<string, { name: string; keyBytes: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyBytes: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyBytes: 32 },
};
const AES_256_CBC = '2.16.840.1.101.3.4.1.42';

/** A key of ours that may open what was encrypted for its certificate. */
export interface RecipientKey extends DecryptCapability {
  readonly certificate: X509Certificate;
}

function failed(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_DECRYPTION_FAILED', `CMS: ${reason}`, {}, cause === undefined ? undefined : { cause });
}

/** RSAES-OAEP-params for SHA-256: [0] hashAlgorithm SHA-256, [1] maskGenAlgorithm MGF1 with SHA-256, the default empty label. */
function oaepSha256(): Asn1 {
  return seq([oid(OID.rsaesOaep), seq([explicit(0, algorithm(OID.sha256, true)), explicit(1, seq([oid(OID.mgf1), algorithm(OID.sha256, true)]))])]);
}

/**
 * Encrypts content for one recipient: a DER ContentInfo holding an EnvelopedData (version 0) with one
 * KeyTransRecipientInfo (issuer and serial number of its certificate, the AES-256 key wrapped with
 * RSAES-OAEP SHA-256) and the content as id-data encrypted with AES-256-CBC under a fresh key and IV.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when the certificate's key is not RSA.
 */
export function buildCmsEnvelopedData(content: Buffer, recipient: X509Certificate): Buffer {
  if (recipient.publicKey.asymmetricKeyType !== 'rsa') throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'CMS: content is encrypted for RSA certificates only');
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(content), cipher.final()]);
  const wrapped = publicEncrypt({ key: recipient.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  const recipientInfo = seq([int(0), certificateParts(recipient).issuerAndSerial, oaepSha256(), octets(wrapped)]);
  const encryptedContent = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, toBytes(encrypted));
  const encryptedContentInfo = seq([oid(OID.data), seq([oid(AES_256_CBC), octets(iv)]), encryptedContent]);
  const envelopedData = seq([int(0), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [recipientInfo]), encryptedContentInfo]);
  return der(seq([oid(OID.envelopedData), explicit(0, envelopedData)]));
}

/** The key transport padding of a KeyTransRecipientInfo's algorithm: rsaEncryption (PKCS#1 v1.5) or RSAES-OAEP with SHA-1 (default) or SHA-256, MGF1 with the same hash. */
function paddingOf(node: Asn1 | undefined): KeyTransportPadding {
  const [id, params, ...rest] = children(node, 'keyEncryptionAlgorithm');
  const algorithmId = oidOf(id, 'keyEncryptionAlgorithm');
  if (algorithmId === OID.rsaEncryption) {
    if (rest.length > 0 || (params && !(params.tagClass === asn1.Class.UNIVERSAL && params.type === asn1.Type.NULL))) throw failed('rsaEncryption with parameters is not taken');
    return 'rsa-pkcs1-v1_5';
  }
  if (algorithmId !== OID.rsaesOaep) throw failed(`key encryption algorithm ${algorithmId} is not RSA`);
  // RFC 4055 §3: the parameters are present (a SEQUENCE, its fields defaulting to SHA-1).
  const fields = children(params, 'RSAES-OAEP-params');
  if (rest.length > 0 || fields.some((f) => !isContext(f, 0) && !isContext(f, 1))) throw failed('RSAES-OAEP with a label or other parameters is not taken');
  const inner = (tag: number): Asn1 | undefined => {
    const field = fields.find((f) => isContext(f, tag));
    return field ? children(field, 'OAEP parameter', tag, asn1.Class.CONTEXT_SPECIFIC)[0] : undefined;
  };
  const hashNode = inner(0);
  const hash = hashNode ? algorithmOf(hashNode, 'OAEP hash') : OID.sha1;
  const mgfNode = inner(1);
  let mgfHash: string = OID.sha1;
  if (mgfNode) {
    const [mgfId, mgfParams, ...more] = children(mgfNode, 'OAEP mask generation');
    if (more.length > 0 || oidOf(mgfId, 'OAEP mask generation') !== OID.mgf1) throw failed('RSAES-OAEP with a mask generation other than MGF1 is not taken');
    mgfHash = algorithmOf(mgfParams, 'MGF1 hash');
  }
  // Node's crypto takes one hash for both (so no SHA-256 with MGF1-SHA-1, as some Java providers write).
  if (hash !== mgfHash) throw failed('RSAES-OAEP with a mask generation hash other than its hash is not taken');
  if (hash === OID.sha1) return 'rsa-oaep-sha1';
  if (hash === OID.sha256) return 'rsa-oaep-sha256';
  throw failed(`RSAES-OAEP with hash ${hash} is not taken`);
}

/** Options of {@link openCmsEnvelopedData}. */
export interface OpenEnvelopedOptions {
  /**
   * Take RSA PKCS#1 v1.5 key transport (rsaEncryption). Off by default: its decryption cannot be made
   * safe against padding oracles where a remote sender sees the outcome, and our decryption key is a
   * signing key too. Only RSAES-OAEP is taken otherwise.
   */
  allowPkcs1v15?: boolean;
}

/** What a structural refusal of the reader (GW_ERR_SIGNATURE_POLICY) means here: a broken or unsupported envelope. */
function asEnvelopeError(err: unknown): unknown {
  return err instanceof GatewayError && err.code === 'GW_ERR_SIGNATURE_POLICY' ? failed(err.message.replace(/^GW_ERR_\w+: CMS: /, ''), err) : err;
}

/**
 * Opens a ContentInfo holding an EnvelopedData with our keys: each of its KeyTransRecipientInfos for one
 * of our certificates (by issuer and serial number) is tried until one opens; RSAES-OAEP key transport
 * (PKCS#1 v1.5 only when allowed), AES-128/192/256-CBC content encryption. Recipients named by subject
 * key identifier are not matched.
 * @throws GatewayError GW_ERR_MIME_MALFORMED when it is not DER; GW_ERR_DECRYPTION_FAILED when it is for
 *   none of our keys, uses an algorithm or structure not taken here, or does not decrypt
 */
export function openCmsEnvelopedData(derBytes: Buffer, keys: readonly RecipientKey[], options: OpenEnvelopedOptions = {}): Buffer {
  try {
    return open(derBytes, keys, options);
  } catch (err) {
    throw asEnvelopeError(err);
  }
}

function open(derBytes: Buffer, keys: readonly RecipientKey[], options: OpenEnvelopedOptions): Buffer {
  const [type, wrapper] = children(parseDer(derBytes, 'enveloped data'), 'ContentInfo');
  if (oidOf(type, 'contentType') !== OID.envelopedData) throw failed('the content is not EnvelopedData');
  const fields = children(children(wrapper, 'content', 0, asn1.Class.CONTEXT_SPECIFIC)[0], 'EnvelopedData');
  if (isContext(fields[1], 0)) throw failed('EnvelopedData with originator information is not taken');
  const [, recipients, contentInfo] = fields;
  const [contentType, cipherAlgorithm, encrypted] = children(contentInfo, 'EncryptedContentInfo');
  if (oidOf(contentType, 'encrypted content type') !== OID.data) throw failed('the encrypted content is not id-data');
  const [cipherId, ivNode] = children(cipherAlgorithm, 'contentEncryptionAlgorithm');
  const cipher = CIPHERS[oidOf(cipherId, 'contentEncryptionAlgorithm')];
  if (!cipher) throw failed(`content encryption ${oidOf(cipherId, 'contentEncryptionAlgorithm')} is not AES-CBC`);
  const iv = octetsOf(ivNode, 'IV');
  if (!isContext(encrypted, 0)) throw failed('the encrypted content is missing (detached content is not taken)');
  // [0] IMPLICIT OCTET STRING: primitive, or constructed of segments (BER, as streaming writers make it).
  const ciphertext = Array.isArray(encrypted!.value) ? Buffer.concat(encrypted!.value.map((segment) => octetsOf(segment, 'encryptedContent'))) : fromBytes(encrypted!.value);
  // Every recipient for one of our keys, read before anything is decrypted.
  const ours = children(recipients, 'recipientInfos', asn1.Type.SET).flatMap((info) => {
    if (info.tagClass !== asn1.Class.UNIVERSAL || info.type !== asn1.Type.SEQUENCE) return [];
    const [, rid, keyAlgorithm, encryptedKey] = children(info, 'KeyTransRecipientInfo');
    if (!rid || rid.type !== asn1.Type.SEQUENCE || rid.tagClass !== asn1.Class.UNIVERSAL) return [];
    const ridDer = der(rid);
    const key = keys.find((k) => certificateParts(k.certificate).issuerAndSerialDer.equals(ridDer));
    if (!key) return [];
    const padding = paddingOf(keyAlgorithm);
    if (padding === 'rsa-pkcs1-v1_5' && options.allowPkcs1v15 !== true) throw failed('RSA PKCS#1 v1.5 key transport is not taken (RSAES-OAEP is)');
    return [{ key, padding, wrapped: octetsOf(encryptedKey, 'encryptedKey') }];
  });
  if (ours.length === 0) throw failed('the message is encrypted for none of our certificates');
  for (const { key, padding, wrapped } of ours) {
    let contentKey: Buffer;
    try {
      contentKey = key.decrypt(wrapped, padding);
    } catch {
      continue;
    }
    if (contentKey.length !== cipher.keyBytes) continue;
    try {
      const decipher = createDecipheriv(cipher.name, contentKey, iv);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      continue;
    }
  }
  // One answer for every way it failed: which step failed is not told.
  throw failed('the message does not decrypt with our keys');
}
