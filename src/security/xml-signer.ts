// Enveloped XMLDSig over canonical bytes the gateway rendered itself, signed on Node's crypto with a pre-parsed key.
import { hash } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { SigningCapability } from './key-capabilities.js';
import type { SignaturePlacement } from './signed-document-reader.js';
import { DSIG_NS, ENVELOPED, EXC_C14N, SHA256, SIGNATURE_METHODS, type SignatureAlgorithm } from './xmldsig-algorithms.js';

/** Signs XML documents; never returns unsigned bytes. */
export interface Signer {
  /** Algorithm this signer produces. */
  readonly algorithm: SignatureAlgorithm;
  /**
   * Returns the document with an enveloped `ds:Signature` as the last child of its root (or, placed
   * `soap-header`, as the last header block of its SOAP Envelope).
   * @param xml canonical bytes as produced by `renderXml` (exc-c14n form, no XML declaration).
   */
  sign(xml: Buffer): Buffer;
  /** {@link sign} with the signature value computed on libuv's thread pool. */
  signAsync(xml: Buffer): Promise<Buffer>;
}

/** SignedInfo's content; exc-c14n of SignedInfo is `<ds:SignedInfo xmlns:ds="…">` + this (the namespace is declared on the apex). */
function signedInfoContent(methodUri: string, digest: string): string {
  return (
    `<ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${methodUri}"></ds:SignatureMethod>` +
    `<ds:Reference URI=""><ds:Transforms>` +
    `<ds:Transform Algorithm="${ENVELOPED}"></ds:Transform><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform>` +
    `</ds:Transforms><ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod>` +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
  );
}

const CANONICAL_SIGNED_INFO_START = `<ds:SignedInfo xmlns:ds="${DSIG_NS}">`;

/** Where the signature goes: before the root's end tag, or before the end tag of the Envelope's Header (`<p:Envelope …><p:Header>`). */
function insertionPoint(xml: Buffer, placement: SignaturePlacement): number {
  if (placement === 'root') return xml.lastIndexOf('</');
  const prefix = /^<([A-Za-z_][\w.-]*):Envelope[\s>]/.exec(xml.subarray(0, 200).toString('latin1'))?.[1];
  const close = prefix === undefined ? -1 : xml.indexOf(`</${prefix}:Header>`);
  if (close < 0) throw new GatewayError('GW_ERR_SIGNATURE_POLICY', 'signer expects a SOAP Envelope with a Header to place the signature in');
  return close;
}

/**
 * Creates a signer for a key. The reference is `URI=""` (the whole document), transforms are
 * enveloped-signature then exc-c14n, digest SHA-256; ECDSA values are raw r||s as XMLDSig 1.1 requires.
 * The certificate goes into KeyInfo for the partner's information.
 */
export function createXmlSigner(key: SigningCapability, placement: SignaturePlacement = 'root'): Signer {
  const algorithm = key.algorithm;
  const methodUri = SIGNATURE_METHODS[algorithm];
  const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${key.certificate.raw.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  /** Digests the document and writes its SignedInfo; `assemble` puts the signature value in. */
  const prepare = (xml: Buffer): { canonical: Buffer; assemble(value: Buffer): Buffer } => {
    const close = insertionPoint(xml, placement);
    if (xml[0] !== 0x3c || close <= 0 || xml[xml.length - 1] !== 0x3e) {
      throw new GatewayError('GW_ERR_SIGNATURE_POLICY', 'signer expects a canonical document with an explicit end tag');
    }
    const content = signedInfoContent(methodUri, hash('sha256', xml, 'base64'));
    return {
      canonical: Buffer.from(CANONICAL_SIGNED_INFO_START + content, 'utf8'),
      assemble(value) {
        const signature =
          `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo>${content}` +
          `<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>${keyInfo}</ds:Signature>`;
        return Buffer.concat([xml.subarray(0, close), Buffer.from(signature, 'utf8'), xml.subarray(close)]);
      },
    };
  };
  return {
    algorithm,
    sign(xml) {
      const { canonical, assemble } = prepare(xml);
      return assemble(key.sign(canonical));
    },
    async signAsync(xml) {
      const { canonical, assemble } = prepare(xml);
      return assemble(await key.signAsync(canonical));
    },
  };
}
