// S/MIME multipart/signed (RFC 1847, RFC 8551): a detached CMS signature over the exact bytes of a MIME entity, and the AS2 MIC.
import { createHash, type X509Certificate } from 'node:crypto';
import { buildMimeEntity, buildMultipart, decodeBody, encodeBase64Lines, formatParameterized, headerValue, parseMimeEntity, parseParameterized, splitMultipart } from '../codec/mime-entity.js';
import { GatewayError } from '../errors.js';
import { buildCmsSignedData, verifyCmsSignedData } from './cms-signed-data.js';
import type { SigningCapability } from './key-capabilities.js';

/** A signed multipart: the Content-Type header value (with its boundary) and the body. */
export interface SmimeSigned {
  contentType: string;
  body: Buffer;
}

/** The two parts of a multipart/signed: the signed entity's exact bytes and the DER signature. */
export interface SmimeParts {
  entity: Buffer;
  signature: Buffer;
}

/** Signature media types: the RFC 8551 name and the older x- name that some AS2 products still send. */
const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);

function policy(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_POLICY', `S/MIME: ${reason}`);
}

/**
 * Signs a MIME entity (headers and body, in canonical form) as
 * `multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256` with a detached CMS SignedData.
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE when the key cannot sign.
 */
export function signSmime(entity: Buffer, signer: SigningCapability): SmimeSigned {
  const signature = buildMimeEntity(
    [
      ['Content-Type', 'application/pkcs7-signature; name=smime.p7s'],
      ['Content-Transfer-Encoding', 'base64'],
      ['Content-Disposition', 'attachment; filename=smime.p7s'],
    ],
    encodeBase64Lines(buildCmsSignedData(entity, signer, { detached: true })),
  );
  const { boundary, body } = buildMultipart([entity, signature]);
  return { contentType: formatParameterized('multipart/signed', { protocol: 'application/pkcs7-signature', micalg: 'sha-256', boundary }), body };
}

/**
 * Splits a multipart/signed into the signed entity and the signature, WITHOUT verifying anything: for reading
 * what an unverifiable message claims (and saying so), never for trusting it.
 * @throws GatewayError GW_ERR_SIGNATURE_MISSING when it is not multipart/signed, GW_ERR_SIGNATURE_POLICY for another
 *   protocol, a micalg other than SHA-256 or a part count other than two, GW_ERR_MIME_MALFORMED for broken MIME.
 */
export function readSmimeParts(contentType: string, body: Buffer): SmimeParts {
  const { value, params } = parseParameterized(contentType);
  if (value !== 'multipart/signed') throw new GatewayError('GW_ERR_SIGNATURE_MISSING', `S/MIME: ${value || 'the entity'} is not multipart/signed`);
  const protocol = (params.protocol ?? '').toLowerCase();
  if (!SIGNATURE_TYPES.has(protocol)) throw policy(`protocol ${JSON.stringify(params.protocol ?? '')} is not application/pkcs7-signature`);
  if (params.micalg !== undefined && !['sha-256', 'sha256'].includes(params.micalg.toLowerCase())) throw policy(`micalg ${params.micalg} is not sha-256`);
  const parts = splitMultipart(contentType, body);
  if (parts.length !== 2) throw policy(`multipart/signed must have exactly two parts, found ${parts.length}`);
  const signaturePart = parseMimeEntity(parts[1] as Buffer);
  const signatureType = parseParameterized(headerValue(signaturePart.headers, 'content-type') ?? '').value;
  if (!SIGNATURE_TYPES.has(signatureType)) throw policy(`the second part is ${signatureType || 'untyped'}, not the signature`);
  return { entity: parts[0] as Buffer, signature: decodeBody(signaturePart) };
}

/**
 * Verifies a multipart/signed against pinned certificates and returns the signed entity's exact bytes (headers
 * and body: parse these, nothing else) and the certificate whose key signed it.
 * @throws GatewayError as {@link readSmimeParts}, and GW_ERR_SIGNATURE_INVALID / GW_ERR_SIGNATURE_POLICY from the CMS check.
 */
export function verifySmime(contentType: string, body: Buffer, trusted: readonly X509Certificate[]): { entity: Buffer; signer: X509Certificate } {
  const { entity, signature } = readSmimeParts(contentType, body);
  return { entity, signer: verifyCmsSignedData(signature, trusted, entity).signer };
}

/** The Received-Content-MIC of a signed entity as AS2 writes it (RFC 4130 §7.3.1): `base64 SHA-256 digest, sha-256`. */
export function computeMic(entity: Buffer): string {
  return `${createHash('sha256').update(entity).digest('base64')}, sha-256`;
}
