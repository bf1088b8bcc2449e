// The signing profiles every gateway has: none, enveloped XMLDSig, WS-Security on a SOAP envelope, and CMS SignedData.
import type { XmlContent } from '../codec/document-tree.js';
import { parseSoapEnvelope } from '../codec/soap-envelope.js';
import { childText } from '../codec/xml-navigate.js';
import { GatewayError } from '../errors.js';
import { cmsSigningProfile } from './cms-signing-profile.js';
import type { SigningCapability } from './key-capabilities.js';
import { defineSigningProfile, type SigningProfile } from './signing-profile.js';
import { buildWsSecurityEnvelope, WSA_NS, type WsAddressing } from './ws-security.js';
import type { SignaturePlacement } from './signed-document-reader.js';
import { createXmlSigner, type Signer } from './xml-signer.js';

/** Leaves the document as rendered (a partner whose protocol protects it otherwise). */
export const noSigning = defineSigningProfile({
  name: 'none',
  description: 'no signature: the document is sent as rendered',
  signs: false,
  sign: (document) => document,
});

const xmlSigners: Record<SignaturePlacement, WeakMap<SigningCapability, Signer>> = { root: new WeakMap(), 'soap-header': new WeakMap() };

/** The XML signer of a key for a placement, made once. */
function xmlSignerOf(signer: SigningCapability, placement: SignaturePlacement = 'root'): Signer {
  let xmlSigner = xmlSigners[placement].get(signer);
  if (!xmlSigner) {
    xmlSigner = createXmlSigner(signer, placement);
    xmlSigners[placement].set(signer, xmlSigner);
  }
  return xmlSigner;
}

/**
 * An enveloped XMLDSig profile (exc-c14n, SHA-256, RSA-SHA256 or ECDSA-P256-SHA256 by key, Reference URI
 * "") with the signature at `placement`: the last child of the root, or the last header block of a SOAP
 * Envelope. Adapters name their own (a partner whose envelope carries the signature in the Header).
 */
export function envelopedXmlSigning(name: string, description: string, placement: SignaturePlacement): SigningProfile {
  return defineSigningProfile({
    name,
    description,
    codecs: ['xml'],
    signs: true,
    placement,
    sign: (document, signer) => xmlSignerOf(signer, placement).sign(document),
    signAsync: (document, signer) => xmlSignerOf(signer, placement).signAsync(document),
  });
}

/** Enveloped XMLDSig (exc-c14n, SHA-256, RSA-SHA256 or ECDSA-P256-SHA256 by key) as the last child of the root. */
export const xmldsigSigning = envelopedXmlSigning('xmldsig', 'enveloped XMLDSig over the whole document: exc-c14n, SHA-256, RSA-SHA256 or ECDSA-SHA256', 'root');

/** The WS-Addressing values of a parsed header; any other header block is refused, since it would go unsigned. */
function addressingOf(header: XmlContent | undefined): WsAddressing | undefined {
  if (!header) return undefined;
  const blocks = Object.keys(header).filter((k) => !k.startsWith('@') && k !== '#text');
  if (blocks.length === 0) return undefined;
  const text = (local: string): string | undefined => childText(header, WSA_NS, local);
  const [to, action, messageId] = [text('To'), text('Action'), text('MessageID')];
  const known = ['To', 'Action', 'MessageID', 'RelatesTo'];
  const unknown = blocks.filter((k) => !known.includes(k.slice(k.indexOf(':') + 1)));
  if (unknown.length > 0 || to === undefined || action === undefined || messageId === undefined) {
    throw new GatewayError('GW_ERR_SIGNATURE_POLICY', `ws-security signs a Header of wsa:To, wsa:Action, wsa:MessageID and wsa:RelatesTo only (found ${blocks.join(', ')})`);
  }
  const relatesTo = text('RelatesTo');
  return { to, action, messageId, ...(relatesTo === undefined ? {} : { relatesTo }) };
}

/**
 * WS-Security over a SOAP envelope the gateway rendered: Body and WS-Addressing headers signed, our
 * certificate as BinarySecurityToken, the Envelope's context namespaces kept on it, no Timestamp (the document is logged and may be sent again
 * later; a per-attempt Timestamp is the adapter's, with buildWsSecurityEnvelope).
 */
export const wsSecuritySigning = defineSigningProfile({
  name: 'ws-security',
  description: 'WS-Security X.509 token profile over a SOAP 1.1/1.2 envelope: Body and WS-Addressing headers signed',
  codecs: ['xml'],
  signs: true,
  placement: 'ws-security',
  sign(document, signer) {
    // A fault is signed too: a partner must be able to trust our refusals as much as our receipts.
    const message = parseSoapEnvelope(document);
    const addressing = addressingOf(message.header);
    const { contextNamespaces } = message;
    return buildWsSecurityEnvelope({ version: message.version, body: message.body, ...(addressing ? { addressing } : {}), ...(contextNamespaces ? { contextNamespaces } : {}) }, signer);
  },
});

/** The built-in signing profiles. */
export const BUILTIN_SIGNING_PROFILES: readonly SigningProfile[] = [noSigning, xmldsigSigning, wsSecuritySigning, cmsSigningProfile];
