// An independent enveloped-XMLDSig writer for hostile tests: any algorithm, reference, transform chain, prefix or placement, and xmlsec1 templates.
import { createHmac, hash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { DSIG_NS, ENVELOPED, EXC_C14N, SHA256, SIGNATURE_METHODS } from '../../src/security/xmldsig-algorithms.js';
import { lastChild } from './xml-markup-rewrite.js';

/** Algorithms outside the profile, for downgrade and policy cases. */
export const OTHER = {
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  inclusiveC14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  hmacSha256: 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256',
} as const;
/** The profile's RSA signature method. */
export const RSA_SHA256 = SIGNATURE_METHODS['rsa-sha256'];
/** The profile's ECDSA signature method. */
export const ECDSA_SHA256 = SIGNATURE_METHODS['ecdsa-p256-sha256'];

/** What a forged signature is made with: a private key, and the certificate (PEM bytes) an HMAC key-confusion attack keys with. */
export interface ForgeKey {
  privateKey: KeyObject;
  certificatePem: Buffer;
}

/** How {@link envelope} writes its signature; every part defaults to the profile's. */
export interface EnvelopeOptions {
  /** Default: ECDSA-SHA256 for an EC key, RSA-SHA256 otherwise. */
  method?: string;
  c14n?: string;
  /** Reference attributes in canonical order (default ` URI=""`). */
  referenceAttributes?: string;
  transforms?: readonly string[];
  digestMethod?: string;
  /** Signature prefix; '' puts the signature in the default namespace. */
  prefix?: string;
  /** Turns the canonical SignedInfo into the form written in the document (default: drop its namespace declaration). */
  written?: (canonicalSignedInfo: string) => string;
  /** Inserts the signature into the document (default: last child of the document element). */
  place?: (canonical: string, signature: string) => string;
}

const DIGESTS: Record<string, string> = { [SHA256]: 'sha256', [OTHER.sha1]: 'sha1', [OTHER.sha512]: 'sha512' };

function signatureValue(method: string, data: Buffer, key: ForgeKey): string {
  if (method === OTHER.hmacSha256) return createHmac('sha256', key.certificatePem).update(data).digest('base64');
  if (method === ECDSA_SHA256) return cryptoSign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
  const hashName = method === OTHER.rsaSha1 ? 'sha1' : method === OTHER.rsaSha512 ? 'sha512' : 'sha256';
  return cryptoSign(hashName, data, key.privateKey).toString('base64');
}

/**
 * Signs `canonical` (which must be in canonical form) with a signature built from `options`: a second
 * signer, independent of the gateway's, that can write what the gateway's never would.
 */
export function envelope(canonical: string, key: ForgeKey, options: EnvelopeOptions = {}): string {
  const prefix = options.prefix ?? 'ds';
  const p = prefix ? `${prefix}:` : '';
  const declaration = prefix ? ` xmlns:${prefix}="${DSIG_NS}"` : ` xmlns="${DSIG_NS}"`;
  const el = (name: string, attributes: string, content = ''): string => `<${p}${name}${attributes}>${content}</${p}${name}>`;
  const method = options.method ?? (key.privateKey.asymmetricKeyType === 'ec' ? ECDSA_SHA256 : RSA_SHA256);
  const digestMethod = options.digestMethod ?? SHA256;
  const digest = hash(DIGESTS[digestMethod] ?? 'sha256', canonical, 'base64');
  const transforms = (options.transforms ?? [ENVELOPED, EXC_C14N]).map((t) => el('Transform', ` Algorithm="${t}"`)).join('');
  const content =
    el('CanonicalizationMethod', ` Algorithm="${options.c14n ?? EXC_C14N}"`) +
    el('SignatureMethod', ` Algorithm="${method}"`) +
    el('Reference', options.referenceAttributes ?? ' URI=""', el('Transforms', '', transforms) + el('DigestMethod', ` Algorithm="${digestMethod}"`) + el('DigestValue', '', digest));
  const canonicalInfo = `<${p}SignedInfo${declaration}>${content}</${p}SignedInfo>`;
  const value = signatureValue(method, Buffer.from(canonicalInfo, 'utf8'), key);
  const written = (options.written ?? ((info: string) => info.replace(declaration, '')))(canonicalInfo);
  const signature = `<${p}Signature${declaration}>${written}${el('SignatureValue', '', value)}</${p}Signature>`;
  return (options.place ?? lastChild)(canonical, signature);
}

/** A signature template for xmlsec1 --sign: `signedInfo` is the SignedInfo content with an empty DigestValue. */
export function template(document: string, signedInfo: string, where = lastChild): string {
  return where(document, `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo>${signedInfo}</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue></ds:Signature>`);
}

/** The usual SignedInfo content for a template, with parts replaced. */
export function templateInfo(parts: { c14n?: string; reference?: string; transforms?: string; method?: string } = {}): string {
  return (
    `<ds:CanonicalizationMethod Algorithm="${EXC_C14N}">${parts.c14n ?? ''}</ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${parts.method ?? RSA_SHA256}"/>` +
    `<ds:Reference ${parts.reference ?? 'URI=""'}><ds:Transforms>${parts.transforms ?? `<ds:Transform Algorithm="${ENVELOPED}"/><ds:Transform Algorithm="${EXC_C14N}"/>`}</ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue></ds:DigestValue></ds:Reference>`
  );
}
