// S/MIME enveloped data (RFC 8551 §3.3): a MIME entity (e.g. a signed multipart) encrypted as CMS EnvelopedData for the partner, and opened with our keys.
import type { X509Certificate } from 'node:crypto';
import { buildMimeEntity, headerValue, parseMimeEntity, parseParameterized } from '../codec/mime-entity.js';
import { GatewayError } from '../errors.js';
import { buildCmsEnvelopedData, openCmsEnvelopedData, type RecipientKey } from './cms-enveloped-data.js';
import type { SmimeSigned } from './smime-signed.js';

/** The Content-Type of an S/MIME encrypted entity. */
const ENVELOPED_CONTENT_TYPE = 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m';

/** True when a Content-Type names S/MIME enveloped data (`application/pkcs7-mime` or the older x- name, smime-type enveloped-data or none). */
export function isEnvelopedType(contentType: string): boolean {
  const { value, params } = parseParameterized(contentType);
  const type = (params['smime-type'] ?? 'enveloped-data').toLowerCase();
  return (value === 'application/pkcs7-mime' || value === 'application/x-pkcs7-mime') && type === 'enveloped-data';
}

/**
 * Encrypts a MIME entity (its Content-Type and body) for the recipient's certificate: the DER
 * EnvelopedData as the body of an `application/pkcs7-mime; smime-type=enveloped-data` entity.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when the certificate's key is not RSA.
 */
export function encryptSmime(entity: SmimeSigned, recipient: X509Certificate): SmimeSigned {
  return { contentType: ENVELOPED_CONTENT_TYPE, body: buildCmsEnvelopedData(buildMimeEntity([['Content-Type', entity.contentType]], entity.body), recipient) };
}

/**
 * Opens an S/MIME enveloped entity with the first of our keys it is encrypted for, and returns the
 * entity inside (its Content-Type and body).
 * @throws GatewayError GW_ERR_DECRYPTION_FAILED (not for our keys, an algorithm not taken, damaged) or
 *   GW_ERR_MIME_MALFORMED (not CMS, or no MIME entity inside).
 */
export function decryptSmime(body: Buffer, keys: readonly RecipientKey[]): SmimeSigned {
  const inner = parseMimeEntity(openCmsEnvelopedData(body, keys));
  const contentType = headerValue(inner.headers, 'content-type');
  if (!contentType) throw new GatewayError('GW_ERR_MIME_MALFORMED', 'S/MIME: the decrypted entity has no Content-Type');
  return { contentType, body: inner.body };
}
