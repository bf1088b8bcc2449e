// CMS EnvelopedData (RFC 5652 §6): content encrypted with AES-CBC for one recipient's RSA key (RSAES-OAEP with SHA-256), and opened with our keys.
import { createCipheriv, createDecipheriv, constants, publicEncrypt, randomBytes, type X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { GatewayError } from '../errors.js';
import { algorithm, certificateParts, children, CMS_OID, der, explicit, fromBytes, int, isContext, octets, octetsOf, oid, oidOf, parseDer, seq, toBytes, type Asn1 } from './cms-der.js';
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

/** The key transport padding of a KeyTransRecipientInfo's algorithm: rsaEncryption (PKCS#1 v1.5) or RSAES-OAEP with SHA-1 (default) or SHA-256. */
function paddingOf(node: Asn1 | undefined): KeyTransportPadding {
  const [id, params] = children(node, 'keyEncryptionAlgorithm');
  const algorithmId = oidOf(id, 'keyEncryptionAlgorithm');
  if (algorithmId === OID.rsaEncryption) return 'rsa-pkcs1-v1_5';
  if (algorithmId !== OID.rsaesOaep) throw failed(`key encryption algorithm ${algorithmId} is not RSA`);
  const fields = params && params.type === asn1.Type.SEQUENCE ? children(params, 'RSAES-OAEP-params') : [];
  const hashOf = (tag: number): string | undefined => {
    const field = fields.find((f) => isContext(f, tag));
    if (!field) return undefined;
    const inner = children(field, 'OAEP parameter', tag, asn1.Class.CONTEXT_SPECIFIC)[0];
    const [hashId, mgfParams] = children(inner, 'OAEP algorithm');
    if (tag === 0) return oidOf(hashId, 'OAEP hash');
    // [1] maskGenAlgorithm is MGF1 whose parameter names the hash.
    if (oidOf(hashId, 'OAEP mask generation') !== OID.mgf1) throw failed('RSAES-OAEP with a mask generation other than MGF1 is not taken');
    return oidOf(children(mgfParams, 'MGF1 hash')[0], 'MGF1 hash');
  };
  if (fields.some((f) => isContext(f, 2))) throw failed('RSAES-OAEP with a label is not taken');
  const hash = hashOf(0) ?? OID.sha1;
  const mgf = hashOf(1) ?? OID.sha1;
  if (hash !== mgf) throw failed('RSAES-OAEP with a mask generation hash other than its hash is not taken');
  if (hash === OID.sha1) return 'rsa-oaep-sha1';
  if (hash === OID.sha256) return 'rsa-oaep-sha256';
  throw failed(`RSAES-OAEP with hash ${hash} is not taken`);
}

/**
 * Opens a ContentInfo holding an EnvelopedData with the first of our keys one of its
 * KeyTransRecipientInfos is for (by issuer and serial number): RSA PKCS#1 v1.5 or RSAES-OAEP key
 * transport, AES-128/192/256-CBC content encryption.
 * @throws GatewayError GW_ERR_MIME_MALFORMED when it is not CMS; GW_ERR_DECRYPTION_FAILED when it is for
 *   none of our keys, uses an algorithm not taken here, or does not decrypt
 */
export function openCmsEnvelopedData(derBytes: Buffer, keys: readonly RecipientKey[]): Buffer {
  const [type, wrapper] = children(parseDer(derBytes, 'enveloped data'), 'ContentInfo');
  if (oidOf(type, 'contentType') !== OID.envelopedData) throw failed('the content is not EnvelopedData');
  const fields = children(children(wrapper, 'content', 0, asn1.Class.CONTEXT_SPECIFIC)[0], 'EnvelopedData');
  if (isContext(fields[1], 0)) throw failed('EnvelopedData with originator information is not taken');
  const [, recipients, contentInfo] = fields;
  const candidates = children(recipients, 'recipientInfos', asn1.Type.SET).filter((info) => info.tagClass === asn1.Class.UNIVERSAL && info.type === asn1.Type.SEQUENCE);
  let contentKey: Buffer | undefined;
  for (const info of candidates) {
    const [, rid, keyAlgorithm, encryptedKey] = children(info, 'KeyTransRecipientInfo');
    if (!rid || rid.type !== asn1.Type.SEQUENCE || rid.tagClass !== asn1.Class.UNIVERSAL) continue;
    const ridDer = der(rid);
    const key = keys.find((k) => certificateParts(k.certificate).issuerAndSerialDer.equals(ridDer));
    if (!key) continue;
    try {
      contentKey = key.decrypt(octetsOf(encryptedKey, 'encryptedKey'), paddingOf(keyAlgorithm));
    } catch (err) {
      throw err instanceof GatewayError && err.code === 'GW_ERR_DECRYPTION_FAILED' ? err : failed('the content key does not decrypt with our key', err);
    }
    break;
  }
  if (!contentKey) throw failed('the message is encrypted for none of our certificates');
  const [contentType, cipherAlgorithm, encrypted] = children(contentInfo, 'EncryptedContentInfo');
  if (oidOf(contentType, 'encrypted content type') !== OID.data) throw failed('the encrypted content is not id-data');
  const [cipherId, ivNode] = children(cipherAlgorithm, 'contentEncryptionAlgorithm');
  const cipher = CIPHERS[oidOf(cipherId, 'contentEncryptionAlgorithm')];
  if (!cipher) throw failed(`content encryption ${oidOf(cipherId, 'contentEncryptionAlgorithm')} is not AES-CBC`);
  if (contentKey.length !== cipher.keyBytes) throw failed(`the content key has ${contentKey.length} bytes, ${cipher.name} needs ${cipher.keyBytes}`);
  if (!isContext(encrypted, 0)) throw failed('the encrypted content is missing (detached content is not taken)');
  // [0] IMPLICIT OCTET STRING: primitive, or constructed of segments (BER, as streaming writers make it).
  const ciphertext = Array.isArray(encrypted!.value) ? Buffer.concat(encrypted!.value.map((segment) => octetsOf(segment, 'encryptedContent'))) : fromBytes(encrypted!.value);
  try {
    const decipher = createDecipheriv(cipher.name, contentKey, octetsOf(ivNode, 'IV'));
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (err) {
    throw failed('the content does not decrypt', err);
  }
}
