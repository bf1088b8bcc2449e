// Strict XMLDSig verification on xml-crypto: pinned partner keys, allow-listed algorithms, one enveloped signature.
import type { KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { checkWellFormed } from '../codec/xml-parse.js';
import { GatewayError } from '../errors.js';
import { parseStrictDom } from './strict-dom.js';
import { EcdsaSha256 } from './xml-crypto-ecdsa.js';
import { DSIG_NS, ENVELOPED, EXC_C14N, SHA256, SIGNATURE_METHODS } from './xmldsig-algorithms.js';

/** What verification proved: who signed, and the only bytes that may be read. */
export interface SignedContent {
  /** Partner whose pinned key verified the signature. */
  partner: string;
  /** The canonical bytes the signature covers (signature removed); parse these, never the input. */
  xml: string;
  /** Signature method URI that was verified. */
  signatureMethod: string;
}

/** Verifies partner signatures; returns only what was signed. */
export interface Verifier {
  /** @throws GatewayError GW_ERR_SIGNATURE_MISSING, GW_ERR_SIGNATURE_POLICY, GW_ERR_SIGNATURE_INVALID or a GW_ERR_XML_* code. */
  verify(xml: Buffer, partner: string): SignedContent;
}

/** Looks up the public keys pinned for a partner (several during a key rollover). */
export type PinnedKeys = (partner: string) => readonly KeyObject[];

const ALLOWED_METHODS = new Set<string>(Object.values(SIGNATURE_METHODS));
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const SAFE_ID = /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/;

function policy(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_POLICY', reason);
}

function dsChildren(parent: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === DSIG_NS && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}

function exactlyOne(parent: Element, localName: string): Element {
  const found = dsChildren(parent, localName);
  if (found.length !== 1 || !found[0]) throw policy(`expected exactly one ds:${localName} in ds:${parent.localName}, found ${found.length}`);
  return found[0];
}

function algorithmOf(el: Element): string {
  return el.getAttribute('Algorithm') ?? '';
}


/** Checks the signature's shape before any cryptography: the profile allows one shape only. */
function checkShape(root: Element): Element {
  const all = root.getElementsByTagNameNS(DSIG_NS, 'Signature');
  if (all.length === 0) throw new GatewayError('GW_ERR_SIGNATURE_MISSING', 'document carries no ds:Signature');
  if (all.length !== 1) throw policy(`expected one ds:Signature, found ${all.length}`);
  const signature = all.item(0) as Element;
  if (signature.parentNode !== root) throw policy('ds:Signature must be a direct child of the document element');
  for (const forbidden of ['Object', 'Manifest']) {
    if (root.getElementsByTagNameNS(DSIG_NS, forbidden).length > 0) throw policy(`ds:${forbidden} is not allowed`);
  }
  const info = exactlyOne(signature, 'SignedInfo');
  if (algorithmOf(exactlyOne(info, 'CanonicalizationMethod')) !== EXC_C14N) throw policy('CanonicalizationMethod must be exclusive c14n without comments');
  if (!ALLOWED_METHODS.has(algorithmOf(exactlyOne(info, 'SignatureMethod')))) throw policy('SignatureMethod is not allowed');
  const reference = exactlyOne(info, 'Reference');
  if (!reference.hasAttribute('URI')) throw policy('the Reference must have a URI ("" or #rootId)');
  const uri = reference.getAttribute('URI');
  if (uri !== '') {
    const id = uri?.startsWith('#') ? uri.slice(1) : undefined;
    const rootId = root.getAttribute('Id') || root.getAttribute('ID') || root.getAttribute('id');
    if (id === undefined || !SAFE_ID.test(id) || id !== rootId) throw policy('the Reference must cover the document element (URI "" or #rootId)');
  }
  const transforms = dsChildren(exactlyOne(reference, 'Transforms'), 'Transform').map(algorithmOf);
  if (transforms.length !== 2 || transforms[0] !== ENVELOPED || transforms[1] !== EXC_C14N) throw policy('Transforms must be enveloped-signature then exclusive c14n');
  if (algorithmOf(exactlyOne(reference, 'DigestMethod')) !== SHA256) throw policy('DigestMethod must be SHA-256');
  return signature;
}

function restrictRegistries(sig: SignedXml): void {
  for (const uri of Object.keys(sig.SignatureAlgorithms)) if (!ALLOWED_METHODS.has(uri)) delete sig.SignatureAlgorithms[uri as keyof typeof sig.SignatureAlgorithms];
  sig.SignatureAlgorithms[SIGNATURE_METHODS['ecdsa-p256-sha256']] = EcdsaSha256;
  for (const uri of Object.keys(sig.HashAlgorithms)) if (uri !== SHA256) delete sig.HashAlgorithms[uri as keyof typeof sig.HashAlgorithms];
  for (const uri of Object.keys(sig.CanonicalizationAlgorithms)) {
    if (uri !== EXC_C14N && uri !== ENVELOPED) delete sig.CanonicalizationAlgorithms[uri as keyof typeof sig.CanonicalizationAlgorithms];
  }
}

/** The key type each signature method needs; a key of another type is never tried (no cross-algorithm confusion). */
function keyFits(method: string, key: KeyObject): boolean {
  if (method === SIGNATURE_METHODS['rsa-sha256']) return key.asymmetricKeyType === 'rsa';
  if (method === SIGNATURE_METHODS['ecdsa-p256-sha256']) return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  return false;
}

function tryKey(text: string, signature: Element, key: KeyObject): string | undefined {
  const sig = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  restrictRegistries(sig);
  sig.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
  try {
    if (!sig.checkSignature(text)) return undefined;
  } catch {
    return undefined;
  }
  const refs = sig.getSignedReferences();
  return refs.length === 1 ? refs[0] : undefined;
}

/**
 * Creates a verifier that trusts only the keys pinned per partner; KeyInfo in the document is ignored.
 * @param pinned lookup of a partner's public keys
 * @param maxBytes largest document accepted (default 4 MiB)
 */
export function createXmlVerifier(pinned: PinnedKeys, maxBytes = DEFAULT_MAX_BYTES): Verifier {
  return {
    verify(xml: Buffer, partner: string): SignedContent {
      if (xml.length > maxBytes) throw new GatewayError('GW_ERR_XML_TOO_LARGE', `${xml.length} bytes exceeds the limit of ${maxBytes}`);
      const text = xml.toString('utf8');
      if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new GatewayError('GW_ERR_XML_DOCTYPE', 'DOCTYPE and entity declarations are refused');
      if (/<\?(?!xml[\s?])/.test(text)) throw policy('processing instructions are not allowed');
      const keys = pinned(partner);
      if (keys.length === 0) throw new GatewayError('GW_ERR_PARTNER_UNKNOWN', `no signing key is pinned for partner "${partner}"`);
      checkWellFormed(text);
      const signature = checkShape(parseStrictDom(text));
      const method = algorithmOf(exactlyOne(exactlyOne(signature, 'SignedInfo'), 'SignatureMethod'));
      for (const key of keys.filter((k) => keyFits(method, k))) {
        const signed = tryKey(text, signature, key);
        if (signed !== undefined) return { partner, xml: signed, signatureMethod: method };
      }
      throw new GatewayError('GW_ERR_SIGNATURE_INVALID', `signature does not verify with the key pinned for "${partner}"`);
    },
  };
}
