// The one enveloped-signature shape the gateway accepts, checked on a scanned document before any cryptography.
import { GatewayError } from '../errors.js';
import type { SignatureNode, SignaturePlacement, SignedDocument } from './signed-document-reader.js';
import { DSIG_NS, ENVELOPED, EXC_C14N, SHA256, SIGNATURE_METHODS } from './xmldsig-algorithms.js';

/** What the profile lets the verifier check: method, expected digest of the canonical document, signature value, and the bytes it signs. */
export interface CheckedSignature {
  /** SignatureMethod URI (one of SIGNATURE_METHODS). */
  readonly method: string;
  /** DigestValue, decoded. */
  readonly digest: Buffer;
  /** SignatureValue, decoded. */
  readonly value: Buffer;
  /** Canonical SignedInfo, the bytes the signature value signs. */
  readonly signedInfo: string;
}

const ALLOWED_METHODS = new Set<string>(Object.values(SIGNATURE_METHODS));
const SAFE_ID = /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const XML_SPACE = /[ \t\n\r]+/g;
const NOT_XML_SPACE = /[^ \t\n\r]/;

function policy(reason: string): GatewayError {
  return new GatewayError('GW_ERR_SIGNATURE_POLICY', reason);
}

function attribute(node: SignatureNode, name: string): string | undefined {
  return node.attributes.find((a) => a.qname === name)?.value;
}

/**
 * The element children of `node`, which must be the ds elements `required` in this order, then at most
 * `optional`; any other element child, or character data other than whitespace, is refused.
 */
function children(node: SignatureNode, required: readonly string[], optional?: string): SignatureNode[] {
  if (NOT_XML_SPACE.test(node.text)) throw policy(`ds:${node.local} may not contain text`);
  const expected = optional === undefined ? required : [...required, optional];
  const found = node.children;
  const fits = found.length >= required.length && found.length <= expected.length && found.every((child, k) => child.uri === DSIG_NS && child.local === expected[k]);
  if (!fits) {
    const names = (list: readonly string[]): string => list.join(', ') || 'nothing';
    throw policy(`ds:${node.local} must contain ${names(required)}${optional ? ` and optionally ${optional}` : ''}; found ${names(found.map((c) => (c.uri === DSIG_NS ? c.local : `{${c.uri}}${c.local}`)))}`);
  }
  return found;
}

/** The Algorithm of a method or transform element, which may have no content of its own (no InclusiveNamespaces, no HMACOutputLength). */
function algorithm(node: SignatureNode): string {
  if (node.children.length > 0 || NOT_XML_SPACE.test(node.text)) throw policy(`ds:${node.local} may not have content`);
  return attribute(node, 'Algorithm') ?? '';
}

function base64Value(node: SignatureNode): Buffer {
  const compact = node.text.replace(XML_SPACE, '');
  if (node.children.length > 0 || compact === '' || !BASE64.test(compact)) {
    throw new GatewayError('GW_ERR_SIGNATURE_INVALID', `ds:${node.local} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

function checkReferenceUri(reference: SignatureNode, rootIds: readonly string[]): void {
  const uri = attribute(reference, 'URI');
  if (uri === undefined) throw policy('the Reference must have a URI ("" or #rootId)');
  if (uri === '') return;
  const id = uri.startsWith('#') ? uri.slice(1) : undefined;
  if (id === undefined || !SAFE_ID.test(id) || !rootIds.includes(id)) throw policy('the Reference must cover the document element (URI "" or #rootId)');
}

/**
 * Checks the profile: exactly one ds:Signature, a direct child of the document element, holding SignedInfo,
 * SignatureValue and an optional KeyInfo (ignored) and nothing else; SignedInfo holds exc-c14n, an allowed
 * SignatureMethod and one Reference to the whole document (URI "" or #id of the document element) with
 * Transforms enveloped-signature then exc-c14n and DigestMethod SHA-256; no ds:Object or ds:Manifest anywhere;
 * no id value twice in the document.
 * @throws GatewayError GW_ERR_SIGNATURE_MISSING when there is no signature, GW_ERR_SIGNATURE_POLICY for any
 *   other departure, GW_ERR_SIGNATURE_INVALID when a digest or signature value is not base64.
 */
export function checkSignatureProfile(document: SignedDocument, placement: SignaturePlacement = 'root'): CheckedSignature {
  if (document.signatureCount === 0) throw new GatewayError('GW_ERR_SIGNATURE_MISSING', 'document carries no ds:Signature');
  if (document.signatureCount !== 1) throw policy(`expected one ds:Signature, found ${document.signatureCount}`);
  const { signature, signedInfo } = document;
  if (!signature || signedInfo === undefined) {
    throw policy(placement === 'root' ? 'ds:Signature must be a direct child of the document element' : 'ds:Signature must be a header block of the SOAP Envelope that is the document element');
  }
  if (document.violation !== undefined) throw policy(document.violation);
  const [info, signatureValue] = children(signature, ['SignedInfo', 'SignatureValue'], 'KeyInfo') as [SignatureNode, SignatureNode];
  const [c14n, signatureMethod, reference] = children(info, ['CanonicalizationMethod', 'SignatureMethod', 'Reference']) as [SignatureNode, SignatureNode, SignatureNode];
  if (algorithm(c14n) !== EXC_C14N) throw policy('CanonicalizationMethod must be exclusive c14n without comments');
  const method = algorithm(signatureMethod);
  if (!ALLOWED_METHODS.has(method)) throw policy('SignatureMethod is not allowed');
  checkReferenceUri(reference, document.rootIds);
  const [transforms, digestMethod, digestValue] = children(reference, ['Transforms', 'DigestMethod', 'DigestValue']) as [SignatureNode, SignatureNode, SignatureNode];
  const steps = transforms.children.length === 2 ? children(transforms, ['Transform', 'Transform']).map(algorithm) : [];
  if (steps[0] !== ENVELOPED || steps[1] !== EXC_C14N) throw policy('Transforms must be enveloped-signature then exclusive c14n');
  if (algorithm(digestMethod) !== SHA256) throw policy('DigestMethod must be SHA-256');
  return { method, digest: base64Value(digestValue), value: base64Value(signatureValue), signedInfo };
}
