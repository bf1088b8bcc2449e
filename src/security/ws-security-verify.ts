// Strict verification of WS-Security signed SOAP messages against a pinned certificate: one shape, allow-listed algorithms, only signed parts returned.
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { SOAP11_NS, SOAP12_NS, type SoapVersion } from '../codec/soap-envelope.js';
import { checkWellFormed, parseXml } from '../codec/xml-parse.js';
import { childElement, childText } from '../codec/xml-navigate.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import { parseStrictDom } from './strict-dom.js';
import { BASE64_BINARY, DEFAULT_TIMESTAMP_LIFETIME_MS, WSA_NS, WSSE_NS, WSU_NS, X509V3_TOKEN, type WsAddressing } from './ws-security.js';
import { EcdsaSha256 } from './xml-crypto-ecdsa.js';
import { DSIG_NS, EXC_C14N, SIGNATURE_METHODS, WS_SECURITY_DIGESTS, WS_SECURITY_RSA_METHODS, type WsSecurityHash } from './xmldsig-algorithms.js';

const DEFAULT_CLOCK_SKEW_MS = 60_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const SAFE_ID = /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** WS-Addressing headers that must be signed whenever present. */
const ADDRESSING_HEADERS = ['To', 'Action', 'MessageID', 'ReplyTo', 'FaultTo', 'RelatesTo', 'From'] as const;
/** The ones a request must carry unless the policy says otherwise. */
const REQUIRED_ADDRESSING = ['To', 'Action', 'MessageID'] as const;

/**
 * WS-Security fault codes (WSS 1.0 SOAP Message Security §12, namespace {@link WSSE_NS}) that a
 * verification failure maps to; thrown errors carry one as `detail.wsseFault`.
 */
export type WsseFault = 'InvalidSecurity' | 'UnsupportedAlgorithm' | 'InvalidSecurityToken' | 'FailedAuthentication' | 'FailedCheck' | 'MessageExpired';

/** What verification proved; read business data from `body` only. */
export interface WsSecurityVerification {
  /** The signed `soap:Body`, exactly as digested (exclusive canonical form, comments removed). */
  body: string;
  /** SOAP version of the envelope. */
  version: SoapVersion;
  /** Values of the signed WS-Addressing headers (empty strings for To, Action, MessageID when absent and not required). */
  addressing: WsAddressing;
  /** Signed `wsu:Created`, as written, when there is a Timestamp. */
  created?: string;
  /** Signed `wsu:Expires`, as written, when there is a Timestamp. */
  expires?: string;
}

/** Limits of {@link verifyWsSecurity}. */
export interface WsSecurityPolicy {
  /** How far `wsu:Created` may lie in the future of `now` (default 60 s). */
  clockSkewMs?: number;
  /** Longest accepted Expires − Created (default 5 min). */
  maxLifetimeMs?: number;
  /** Largest accepted message (default 4 MiB). */
  maxBytes?: number;
  /** The SOAP version the binding uses; an envelope of the other version is refused. */
  version: SoapVersion;
  /** Whether a signed Timestamp must be present (default true). */
  requireTimestamp?: boolean;
  /** The suite's hash: SHA-256 (default) or SHA-1 (RSA-SHA1 with SHA-1 digests, WCF Basic128Rsa15); the other is refused. */
  hash?: WsSecurityHash;
  /** WS-Addressing headers that must be present (default To, Action, MessageID). */
  requiredAddressing?: ReadonlyArray<(typeof ADDRESSING_HEADERS)[number]>;
}

function refuse(code: ErrorCode, fault: WsseFault, reason: string): GatewayError {
  return new GatewayError(code, reason, { wsseFault: fault });
}

function invalid(reason: string): GatewayError {
  return refuse('GW_ERR_SIGNATURE_POLICY', 'InvalidSecurity', reason);
}

/** The WS-Security fault code a verification error carries, if it is one. */
export function wsseFaultOf(err: unknown): WsseFault | undefined {
  if (!(err instanceof GatewayError)) return undefined;
  const fault = err.detail.wsseFault;
  return typeof fault === 'string' ? (fault as WsseFault) : undefined;
}

function elements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function is(el: Element | undefined, ns: string, localName: string): el is Element {
  return el !== undefined && el.namespaceURI === ns && el.localName === localName;
}

function only(parent: Element, ns: string, localName: string, what: string): Element {
  const found = elements(parent).filter((el) => is(el, ns, localName));
  if (found.length !== 1 || !found[0]) throw invalid(`expected exactly one ${what}, found ${found.length}`);
  return found[0];
}

/** Checks that `parent` has exactly these element children, in this order. */
function exactChildren(parent: Element, expected: ReadonlyArray<readonly [string, string]>, what: string): Element[] {
  const found = elements(parent);
  const ok = found.length === expected.length && expected.every(([ns, local], i) => is(found[i], ns, local));
  if (!ok) throw invalid(`${what} must hold exactly ${expected.map(([, local]) => local).join(', ')}`);
  return found;
}

function algorithm(el: Element): string {
  return el.getAttribute('Algorithm') ?? '';
}


/** Every element carrying an Id, ID or id attribute in any namespace, by value: the lookup xml-crypto does (local-name match). */
function idIndex(root: Element): Map<string, Element[]> {
  const index = new Map<string, Element[]>();
  const all = root.getElementsByTagName('*');
  const visit = (el: Element): void => {
    for (let i = 0; i < el.attributes.length; i++) {
      const attr = el.attributes.item(i);
      if (!attr || !['Id', 'ID', 'id'].includes(attr.localName ?? attr.name)) continue;
      const list = index.get(attr.value) ?? [];
      list.push(el);
      index.set(attr.value, list);
    }
  };
  visit(root);
  for (let i = 0; i < all.length; i++) visit(all.item(i) as Element);
  return index;
}

/** A part that must be signed: the element, and what it is, for messages. */
interface Target {
  element: Element;
  name: string;
}

interface Shape {
  version: SoapVersion;
  signature: Element;
  /** Signed parts in the order of the References. */
  signed: Target[];
}

function checkReference(reference: Element, hashName: WsSecurityHash): string {
  const uri = reference.getAttribute('URI') ?? '';
  const id = uri.startsWith('#') ? uri.slice(1) : '';
  if (!SAFE_ID.test(id)) throw invalid(`Reference URI "${uri}" is not a same-document #id`);
  const [transforms, digestMethod, digestValue] = exactChildren(
    reference,
    [
      [DSIG_NS, 'Transforms'],
      [DSIG_NS, 'DigestMethod'],
      [DSIG_NS, 'DigestValue'],
    ],
    `ds:Reference ${uri}`,
  );
  const [transform] = exactChildren(transforms as Element, [[DSIG_NS, 'Transform']], `ds:Transforms of ${uri}`);
  if (algorithm(transform as Element) !== EXC_C14N || elements(transform as Element).length > 0) {
    throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', `the one Transform of ${uri} must be exclusive c14n without InclusiveNamespaces`);
  }
  if (algorithm(digestMethod as Element) !== WS_SECURITY_DIGESTS[hashName]) throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', `DigestMethod of ${uri} must be ${WS_SECURITY_DIGESTS[hashName]}`);
  if (!(digestValue as Element).textContent?.trim()) throw invalid(`DigestValue of ${uri} is empty`);
  return id;
}

/** The SOAP version of the root, if the policy allows it. */
function versionOf(root: Element, policy: WsSecurityPolicy): SoapVersion {
  const version = is(root, SOAP11_NS, 'Envelope') ? '1.1' : is(root, SOAP12_NS, 'Envelope') ? '1.2' : undefined;
  if (version !== policy.version) throw invalid(`the document is not a SOAP ${policy.version} Envelope`);
  return version;
}

/** Checks envelope, header, security header and SignedInfo before any cryptography; the profile allows one shape. */
function checkShape(root: Element, pinned: X509Certificate, policy: WsSecurityPolicy): Shape {
  const version = versionOf(root, policy);
  const soapNs = version === '1.1' ? SOAP11_NS : SOAP12_NS;
  const [header, body] = exactChildren(root, [[soapNs, 'Header'], [soapNs, 'Body']], 'soap:Envelope') as [Element, Element];
  if (root.getElementsByTagNameNS(DSIG_NS, 'Signature').length !== 1) throw invalid('the message must carry exactly one ds:Signature');
  // xml-crypto looks InclusiveNamespaces up by local name in any namespace, so any namespace is refused.
  for (const [ns, name] of [[DSIG_NS, 'Object'], [DSIG_NS, 'Manifest'], ['*', 'InclusiveNamespaces']] as const) {
    if (root.getElementsByTagNameNS(ns, name).length > 0) throw invalid(`${name} is not allowed`);
  }
  const security = only(header, WSSE_NS, 'Security', 'wsse:Security header');
  const addressing = new Map<string, Element>();
  for (const el of elements(header)) {
    if (el === security) continue;
    const local = el.localName ?? '';
    if (el.namespaceURI !== WSA_NS || !(ADDRESSING_HEADERS as readonly string[]).includes(local)) throw invalid(`unexpected SOAP header {${el.namespaceURI ?? ''}}${local}`);
    if (addressing.has(local)) throw invalid(`wsa:${local} appears twice`);
    addressing.set(local, el);
  }
  for (const name of policy.requiredAddressing ?? REQUIRED_ADDRESSING) if (!addressing.has(name)) throw invalid(`the wsa:${name} header is missing`);
  const withTimestamp = policy.requireTimestamp !== false || is(elements(security)[0], WSU_NS, 'Timestamp');
  const securityParts: Array<[string, string]> = [
    ...(withTimestamp ? [[WSU_NS, 'Timestamp'] as [string, string]] : []),
    [WSSE_NS, 'BinarySecurityToken'],
    [DSIG_NS, 'Signature'],
  ];
  const found = exactChildren(security, securityParts, 'wsse:Security');
  const [timestamp, token, signature] = (withTimestamp ? found : [undefined, ...found]) as [Element | undefined, Element, Element];
  const [signedInfo, , keyInfo] = exactChildren(
    signature,
    [
      [DSIG_NS, 'SignedInfo'],
      [DSIG_NS, 'SignatureValue'],
      [DSIG_NS, 'KeyInfo'],
    ],
    'ds:Signature',
  ) as [Element, Element, Element];
  const infoChildren = elements(signedInfo);
  const [c14n, method, ...references] = infoChildren;
  if (!is(c14n, DSIG_NS, 'CanonicalizationMethod') || !is(method, DSIG_NS, 'SignatureMethod') || references.length === 0 || !references.every((r) => is(r, DSIG_NS, 'Reference'))) {
    throw invalid('ds:SignedInfo must hold CanonicalizationMethod, SignatureMethod and References only');
  }
  if (algorithm(c14n) !== EXC_C14N || elements(c14n).length > 0) throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', 'CanonicalizationMethod must be exclusive c14n without comments');
  if (policy.hash === 'sha1' && pinned.publicKey.asymmetricKeyType !== 'rsa') throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', 'a SHA-1 suite is RSA only');
  const expectedMethod = methodFor(pinned, policy.hash ?? 'sha256');
  if (algorithm(method) !== expectedMethod) throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', `SignatureMethod must be ${expectedMethod} for the pinned key`);

  // Each reference must name, by a unique id that is a wsu:Id, exactly one of the parts, and every part must be named.
  const required: Target[] = [
    { element: body, name: 'soap:Body' },
    ...(timestamp ? [{ element: timestamp, name: 'wsu:Timestamp' }] : []),
    ...[...addressing].map(([local, element]) => ({ element, name: `wsa:${local}` })),
  ];
  const index = idIndex(root);
  const signed: Target[] = [];
  for (const reference of references) {
    const id = checkReference(reference, policy.hash ?? 'sha256');
    const holders = index.get(id) ?? [];
    if (holders.length !== 1) throw invalid(`id "${id}" must identify exactly one element, found ${holders.length}`);
    const target = required.find((t) => t.element === holders[0]);
    if (!target || target.element.getAttributeNS(WSU_NS, 'Id') !== id) throw invalid(`Reference #${id} does not name a signable part by its wsu:Id`);
    if (signed.includes(target)) throw invalid(`${target.name} is referenced twice`);
    signed.push(target);
  }
  const unsigned = required.filter((t) => !signed.includes(t));
  if (unsigned.length > 0) throw invalid(`not signed: ${unsigned.map((t) => t.name).join(', ')}`);

  // The token is a direct reference target, X509v3 in base64, and must be the pinned certificate itself.
  const tokenId = token.getAttributeNS(WSU_NS, 'Id') ?? '';
  const str = only(keyInfo, WSSE_NS, 'SecurityTokenReference', 'wsse:SecurityTokenReference in ds:KeyInfo');
  if (elements(keyInfo).length !== 1) throw invalid('ds:KeyInfo may hold only the wsse:SecurityTokenReference');
  const [tokenReference] = exactChildren(str, [[WSSE_NS, 'Reference']], 'wsse:SecurityTokenReference');
  const valueType = (tokenReference as Element).getAttribute('ValueType');
  if (!SAFE_ID.test(tokenId) || (tokenReference as Element).getAttribute('URI') !== `#${tokenId}` || (valueType !== null && valueType !== X509V3_TOKEN)) {
    throw refuse('GW_ERR_SIGNATURE_POLICY', 'InvalidSecurityToken', 'KeyInfo must reference the BinarySecurityToken directly (#wsu:Id, X509v3)');
  }
  if (token.getAttribute('ValueType') !== X509V3_TOKEN || token.getAttribute('EncodingType') !== BASE64_BINARY) {
    throw refuse('GW_ERR_SIGNATURE_POLICY', 'InvalidSecurityToken', 'the BinarySecurityToken must be an X509v3 certificate in Base64Binary');
  }
  const der = Buffer.from((token.textContent ?? '').replace(/\s+/g, ''), 'base64');
  if (!der.equals(pinned.raw)) throw refuse('GW_ERR_SIGNATURE_INVALID', 'FailedAuthentication', 'the BinarySecurityToken is not the pinned certificate');
  return { version, signature, signed };
}

/** The one signature method a pinned key may have made: RSA with the suite's hash for RSA, ECDSA-SHA256 for EC P-256. */
function methodFor(certificate: X509Certificate, hashName: WsSecurityHash): string {
  return certificate.publicKey.asymmetricKeyType === 'ec' ? SIGNATURE_METHODS['ecdsa-p256-sha256'] : WS_SECURITY_RSA_METHODS[hashName];
}

/** xml-crypto with only what the profile allows registered: the key's method, the suite's digest, exclusive c14n. */
function strictSignedXml(certificate: X509Certificate, hashName: WsSecurityHash): SignedXml {
  const sig = new SignedXml({ publicCert: certificate.publicKey, getCertFromKeyInfo: () => null });
  const method = methodFor(certificate, hashName);
  for (const uri of Object.keys(sig.SignatureAlgorithms)) if (uri !== method) delete sig.SignatureAlgorithms[uri as keyof typeof sig.SignatureAlgorithms];
  if (method === SIGNATURE_METHODS['ecdsa-p256-sha256']) sig.SignatureAlgorithms[method] = EcdsaSha256;
  for (const uri of Object.keys(sig.HashAlgorithms)) if (uri !== WS_SECURITY_DIGESTS[hashName]) delete sig.HashAlgorithms[uri as keyof typeof sig.HashAlgorithms];
  for (const uri of Object.keys(sig.CanonicalizationAlgorithms)) if (uri !== EXC_C14N) delete sig.CanonicalizationAlgorithms[uri as keyof typeof sig.CanonicalizationAlgorithms];
  return sig;
}

function signedText(canonical: string, ns: string, localName: string): string {
  const text = childText(parseXml(canonical), ns, localName);
  if (text === undefined) throw invalid(`the signed ${localName} is not a text element`);
  return text.trim();
}

function checkTimestamp(canonical: string, now: Date, policy: WsSecurityPolicy): { created: string; expires: string } {
  const timestamp = childElement(parseXml(canonical), WSU_NS, 'Timestamp');
  const keys = timestamp && Object.keys(timestamp).filter((k) => !k.startsWith('@'));
  const created = timestamp && childText(timestamp, WSU_NS, 'Created')?.trim();
  const expires = timestamp && childText(timestamp, WSU_NS, 'Expires')?.trim();
  if (keys?.length !== 2 || !created || !expires || !DATE_TIME.test(created) || !DATE_TIME.test(expires)) {
    throw invalid('wsu:Timestamp must hold one Created and one Expires, dateTimes with a time zone');
  }
  const from = Date.parse(created);
  const until = Date.parse(expires);
  if (Number.isNaN(from) || Number.isNaN(until) || until <= from) throw invalid('wsu:Timestamp Expires must be a date after Created');
  const expired = (reason: string): GatewayError => refuse('GW_ERR_SIGNATURE_POLICY', 'MessageExpired', reason);
  if (until - from > (policy.maxLifetimeMs ?? DEFAULT_TIMESTAMP_LIFETIME_MS)) throw expired(`the Timestamp lives ${until - from} ms, longer than allowed`);
  if (from > now.getTime() + (policy.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS)) throw expired(`the Timestamp was created in the future (${created})`);
  if (now.getTime() >= until) throw expired(`the Timestamp expired at ${expires}`);
  return { created, expires };
}

/** The text of a signed addressing header, or of ReplyTo's Address. */
function addressingValue(canonical: string, local: string): string | undefined {
  if (canonical === '') return undefined;
  if (local !== 'ReplyTo') return signedText(canonical, WSA_NS, local);
  const replyTo = childElement(parseXml(canonical), WSA_NS, 'ReplyTo');
  const address = replyTo && childText(replyTo, WSA_NS, 'Address');
  if (address === undefined) throw invalid('the signed ReplyTo holds no Address');
  return address.trim();
}

/**
 * Verifies a WS-Security signed SOAP 1.1 or 1.2 message against one pinned certificate and returns only
 * what the signature covers. Refused, before any cryptography: anything but Envelope(Header, Body);
 * a header other than one wsse:Security and WS-Addressing headers (those of the policy required,
 * by default To, Action, MessageID); a Security header other than [Timestamp], BinarySecurityToken,
 * Signature (the Timestamp required unless the policy says otherwise); a second ds:Signature,
 * ds:Object, ds:Manifest or InclusiveNamespaces anywhere; algorithms other than exc-c14n, the pinned
 * key's method (RSA with the policy's hash, or ECDSA-SHA256), the policy's digest (SHA-256 unless it
 * says SHA-1) and one exc-c14n transform per Reference; a
 * Reference URI that is not `#id`, an id held by more than one element (Id/ID/id in any namespace, as
 * xml-crypto looks up), a reference to anything but Body, Timestamp or a WS-Addressing header by its
 * wsu:Id, one of those left unsigned or signed twice; a KeyInfo other than a direct reference to the
 * token; a token that is not byte for byte the pinned certificate. Then xml-crypto checks digests and
 * the signature with the pinned key (KeyInfo ignored), and a signed Timestamp must be current.
 * @returns the canonical signed Body (parse this, never the input) and the signed header values
 * @throws GatewayError with `detail.wsseFault` ({@link wsseFaultOf}): GW_ERR_SIGNATURE_POLICY
 *   (InvalidSecurity, UnsupportedAlgorithm, InvalidSecurityToken, MessageExpired),
 *   GW_ERR_SIGNATURE_INVALID (FailedAuthentication, FailedCheck); or a GW_ERR_XML_* code without one.
 */
export function verifyWsSecurity(bytes: Buffer, trusted: X509Certificate | string, now: Date, policy: WsSecurityPolicy): WsSecurityVerification {
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) throw new GatewayError('GW_ERR_XML_TOO_LARGE', `${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  const text = bytes.toString('utf8');
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new GatewayError('GW_ERR_XML_DOCTYPE', 'DOCTYPE and entity declarations are refused');
  if (/<\?(?!xml[\s?])/.test(text)) throw invalid('processing instructions are not allowed');
  checkWellFormed(text);
  const pinned = typeof trusted === 'string' ? new X509Certificate(trusted) : trusted;
  const { version, signature, signed } = checkShape(parseStrictDom(text), pinned, policy);

  const sig = strictSignedXml(pinned, policy.hash ?? 'sha256');
  let valid = false;
  try {
    sig.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
    valid = sig.checkSignature(text);
  } catch {
    valid = false;
  }
  const canonical = valid ? sig.getSignedReferences() : [];
  if (canonical.length !== signed.length) throw refuse('GW_ERR_SIGNATURE_INVALID', 'FailedCheck', 'a digest or the signature value does not verify with the pinned certificate');

  const byName = new Map(signed.map((target, i) => [target.name, canonical[i] ?? '']));
  const signedPart = (name: string): string => byName.get(name) ?? '';
  const timestamp = signedPart('wsu:Timestamp');
  const value = (local: string): string | undefined => addressingValue(signedPart(`wsa:${local}`), local);
  const relatesTo = value('RelatesTo');
  const replyTo = value('ReplyTo');
  return {
    version,
    body: signedPart('soap:Body'),
    addressing: {
      to: value('To') ?? '',
      action: value('Action') ?? '',
      messageId: value('MessageID') ?? '',
      ...(relatesTo === undefined ? {} : { relatesTo }),
      ...(replyTo === undefined ? {} : { replyTo }),
    },
    ...(timestamp === '' ? {} : checkTimestamp(timestamp, now, policy)),
  };
}
