// WS-Security X.509 signatures for SOAP 1.2 (RTS+): sign Body, Timestamp and WS-Addressing headers by wsu:Id; verify strictly against one pinned certificate.
import { hash, randomUUID, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { XmlContent } from '../codec/document-tree.js';
import { checkWellFormed, parseXml } from '../codec/xml-parse.js';
import { renderXmlString } from '../codec/xml-render.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import { childElement, childText } from '../transport/soap-envelope.js';
import { parseStrictDom } from './strict-dom.js';
import type { SigningKey } from './xml-signer.js';
import { DSIG_NS, EXC_C14N, SHA256, SIGNATURE_METHODS } from './xmldsig-algorithms.js';

/** SOAP 1.2 envelope namespace (TerminationService-1.wsdl binds with soap12). */
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
/** WS-Security 1.0 secext namespace (`wsse:`). */
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
/** WS-Security 1.0 utility namespace (`wsu:Id`, `wsu:Timestamp`). */
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
/** WS-Addressing 1.0 namespace (the WSDL's `wsa10`). */
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
/** BinarySecurityToken ValueType of an X.509 v3 certificate (X.509 Token Profile 1.0). */
export const X509V3_TOKEN = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
/** BinarySecurityToken EncodingType: base64 of the DER. */
export const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

const RSA_SHA256 = SIGNATURE_METHODS['rsa-sha256'];
/** Lifetime of the Timestamp we write, and the longest one the verifier accepts by default (WSS4J's default TTL). */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const DEFAULT_CLOCK_SKEW_MS = 60_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const SAFE_ID = /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** WS-Addressing headers that must be signed whenever present (the set IRU's RTS+ client signs). */
const ADDRESSING_HEADERS = ['To', 'Action', 'MessageID', 'ReplyTo', 'FaultTo', 'RelatesTo', 'From'] as const;
/** The three a request must carry. */
const REQUIRED_ADDRESSING = ['To', 'Action', 'MessageID'] as const;

/** WS-Addressing 1.0 headers of a request; each is written with a wsu:Id and signed. */
export interface WsAddressing {
  /** Endpoint address (`wsa:To`), e.g. IRU's `…/TerminationService-1.svc` URL. */
  to: string;
  /** Operation action (`wsa:Action`), the WSDL's wsaw:Action of the input. */
  action: string;
  /** Unique id of this transmission (`wsa:MessageID`), an absolute URI such as `urn:uuid:…`. */
  messageId: string;
}

/**
 * WS-Security fault codes (WSS 1.0 SOAP Message Security §12, namespace {@link WSSE_NS}) that a
 * verification failure maps to; thrown errors carry one as `detail.wsseFault`.
 */
export type WsseFault = 'InvalidSecurity' | 'UnsupportedAlgorithm' | 'InvalidSecurityToken' | 'FailedAuthentication' | 'FailedCheck' | 'MessageExpired';

/** What verification proved; read business data from `body` only. */
export interface WsSecurityVerification {
  /** The signed `soap:Body`, exactly as digested (exclusive canonical form, comments removed). */
  body: string;
  /** Values of the signed WS-Addressing headers. */
  addressing: WsAddressing;
  /** Signed `wsu:Created`, as written. */
  created: string;
  /** Signed `wsu:Expires`, as written. */
  expires: string;
}

/** Limits of {@link verifyWsSecurity}. */
export interface WsSecurityPolicy {
  /** How far `wsu:Created` may lie in the future of `now` (default 60 s). */
  clockSkewMs?: number;
  /** Longest accepted Expires − Created (default 5 min). */
  maxLifetimeMs?: number;
  /** Largest accepted message (default 4 MiB). */
  maxBytes?: number;
}

function part(name: string, content: XmlContent): string {
  return renderXmlString({ [name]: content });
}

function signingMaterial(key: SigningKey): X509Certificate {
  const { privateKey, certificate } = key;
  if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'WS-Security signing needs an RSA key of at least 2048 bits (RSA-SHA256)');
  }
  if (!certificate) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'WS-Security signing needs the certificate of the key for the BinarySecurityToken');
  if (!certificate.checkPrivateKey(privateKey)) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'the signing certificate does not belong to the signing key');
  return certificate;
}

/**
 * Builds a SOAP 1.2 request signed the WS-Security way (X.509 Token Profile, direct reference).
 *
 * Every signed part (Body, Timestamp, each WS-Addressing header) is rendered on its own by
 * `renderXmlString`, with every namespace it uses declared on itself, and spliced unchanged into the
 * envelope. Exclusive c14n of an element in context declares on the apex exactly the namespaces the
 * subtree visibly uses and decides every descendant declaration relative to that apex, which is
 * what the stand-alone rendering did; so the spliced bytes are the canonical form a verifier
 * computes in context, and the digests are hashes of bytes present verbatim on the wire. The
 * envelope declares only `soap:`; no default namespace is in scope of a signed part.
 *
 * Layout: `soap:Header` holds `wsa:To`, `wsa:Action`, `wsa:MessageID` (each with a wsu:Id) and
 * `wsse:Security[@soap:mustUnderstand=true]` with `wsu:Timestamp` (Created = now, Expires = now +
 * lifetime), `wsse:BinarySecurityToken` (X509v3, base64 DER of the certificate) and `ds:Signature`:
 * exc-c14n, RSA-SHA256, References `#Body`, `#Timestamp`, `#To`, `#Action`, `#MessageID`, each with
 * one exc-c14n transform and SHA-256, KeyInfo = `wsse:SecurityTokenReference/wsse:Reference` to the token.
 * @param body the Body's content: one key, the operation element, with its namespace declarations
 * @throws GatewayError GW_ERR_KEY_UNAVAILABLE for a key that is not RSA ≥ 2048 with its certificate,
 *   or the codes of renderXml for content XML cannot carry.
 */
export function buildSignedSoapRequest(body: XmlContent, addressing: WsAddressing, key: SigningKey, now: Date, lifetimeMs = DEFAULT_LIFETIME_MS): Buffer {
  const certificate = signingMaterial(key);
  const suffix = randomUUID();
  const ids = { body: `Body-${suffix}`, timestamp: `TS-${suffix}`, token: `X509-${suffix}`, to: `To-${suffix}`, action: `Action-${suffix}`, messageId: `MessageID-${suffix}` };
  const wsa = (name: string, id: string, value: string): string => part(`wsa:${name}`, { '@xmlns:wsa': WSA_NS, '@xmlns:wsu': WSU_NS, '@wsu:Id': id, '#text': value });
  const signedBody = part('soap:Body', { '@xmlns:soap': SOAP12_NS, '@xmlns:wsu': WSU_NS, '@wsu:Id': ids.body, ...body });
  const timestamp = part('wsu:Timestamp', {
    '@xmlns:wsu': WSU_NS,
    '@wsu:Id': ids.timestamp,
    'wsu:Created': now.toISOString(),
    'wsu:Expires': new Date(now.getTime() + lifetimeMs).toISOString(),
  });
  const headers: Array<[string, string]> = [
    [ids.to, wsa('To', ids.to, addressing.to)],
    [ids.action, wsa('Action', ids.action, addressing.action)],
    [ids.messageId, wsa('MessageID', ids.messageId, addressing.messageId)],
  ];
  const references: Array<[string, string]> = [[ids.body, signedBody], [ids.timestamp, timestamp], ...headers];
  const signedInfo: XmlContent = {
    '@xmlns:ds': DSIG_NS,
    'ds:CanonicalizationMethod': { '@Algorithm': EXC_C14N },
    'ds:SignatureMethod': { '@Algorithm': RSA_SHA256 },
    'ds:Reference': references.map(([id, canonical]) => ({
      '@URI': `#${id}`,
      'ds:Transforms': { 'ds:Transform': { '@Algorithm': EXC_C14N } },
      'ds:DigestMethod': { '@Algorithm': SHA256 },
      'ds:DigestValue': hash('sha256', canonical, 'base64'),
    })),
  };
  // SignedInfo uses the ds prefix only, so its canonical form in the Signature is this stand-alone rendering.
  const signatureValue = cryptoSign('sha256', Buffer.from(part('ds:SignedInfo', signedInfo), 'utf8'), key.privateKey).toString('base64');
  const token = part('wsse:BinarySecurityToken', {
    '@xmlns:wsse': WSSE_NS,
    '@xmlns:wsu': WSU_NS,
    '@EncodingType': BASE64_BINARY,
    '@ValueType': X509V3_TOKEN,
    '@wsu:Id': ids.token,
    '#text': certificate.raw.toString('base64'),
  });
  const signature = part('ds:Signature', {
    '@xmlns:ds': DSIG_NS,
    'ds:SignedInfo': signedInfo,
    'ds:SignatureValue': signatureValue,
    'ds:KeyInfo': { 'wsse:SecurityTokenReference': { '@xmlns:wsse': WSSE_NS, 'wsse:Reference': { '@URI': `#${ids.token}`, '@ValueType': X509V3_TOKEN } } },
  });
  const security = `<wsse:Security xmlns:wsse="${WSSE_NS}" soap:mustUnderstand="true">${timestamp}${token}${signature}</wsse:Security>`;
  const header = `<soap:Header>${headers.map(([, xml]) => xml).join('')}${security}</soap:Header>`;
  return Buffer.from(`<soap:Envelope xmlns:soap="${SOAP12_NS}">${header}${signedBody}</soap:Envelope>`, 'utf8');
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
  signature: Element;
  /** Signed parts in the order of the References. */
  signed: Target[];
}

function checkReference(reference: Element): string {
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
  if (algorithm(digestMethod as Element) !== SHA256) throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', `DigestMethod of ${uri} must be SHA-256`);
  if (!(digestValue as Element).textContent?.trim()) throw invalid(`DigestValue of ${uri} is empty`);
  return id;
}

/** Checks envelope, header, security header and SignedInfo before any cryptography; the profile allows one shape. */
function checkShape(root: Element, pinned: Buffer): Shape {
  if (!is(root, SOAP12_NS, 'Envelope')) throw invalid('the document is not a SOAP 1.2 Envelope');
  const [header, body] = exactChildren(root, [[SOAP12_NS, 'Header'], [SOAP12_NS, 'Body']], 'soap:Envelope') as [Element, Element];
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
  for (const name of REQUIRED_ADDRESSING) if (!addressing.has(name)) throw invalid(`the wsa:${name} header is missing`);
  const [timestamp, token, signature] = exactChildren(
    security,
    [
      [WSU_NS, 'Timestamp'],
      [WSSE_NS, 'BinarySecurityToken'],
      [DSIG_NS, 'Signature'],
    ],
    'wsse:Security',
  ) as [Element, Element, Element];
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
  if (algorithm(method) !== RSA_SHA256) throw refuse('GW_ERR_SIGNATURE_POLICY', 'UnsupportedAlgorithm', 'SignatureMethod must be RSA-SHA256');

  // Each reference must name, by a unique id that is a wsu:Id, exactly one of the parts, and every part must be named.
  const required: Target[] = [
    { element: body, name: 'soap:Body' },
    { element: timestamp, name: 'wsu:Timestamp' },
    ...[...addressing].map(([local, element]) => ({ element, name: `wsa:${local}` })),
  ];
  const index = idIndex(root);
  const signed: Target[] = [];
  for (const reference of references) {
    const id = checkReference(reference);
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
  if (!der.equals(pinned)) throw refuse('GW_ERR_SIGNATURE_INVALID', 'FailedAuthentication', 'the BinarySecurityToken is not the pinned certificate');
  return { signature, signed };
}

/** xml-crypto with only what the profile allows registered: RSA-SHA256, SHA-256, exclusive c14n. */
function strictSignedXml(certificate: X509Certificate): SignedXml {
  const sig = new SignedXml({ publicCert: certificate.publicKey, getCertFromKeyInfo: () => null });
  for (const uri of Object.keys(sig.SignatureAlgorithms)) if (uri !== RSA_SHA256) delete sig.SignatureAlgorithms[uri as keyof typeof sig.SignatureAlgorithms];
  for (const uri of Object.keys(sig.HashAlgorithms)) if (uri !== SHA256) delete sig.HashAlgorithms[uri as keyof typeof sig.HashAlgorithms];
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
  if (until - from > (policy.maxLifetimeMs ?? DEFAULT_LIFETIME_MS)) throw expired(`the Timestamp lives ${until - from} ms, longer than allowed`);
  if (from > now.getTime() + (policy.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS)) throw expired(`the Timestamp was created in the future (${created})`);
  if (now.getTime() >= until) throw expired(`the Timestamp expired at ${expires}`);
  return { created, expires };
}

/**
 * Verifies a WS-Security signed SOAP 1.2 request against one pinned certificate and returns only
 * what the signature covers. Refused, before any cryptography: anything but Envelope(Header, Body);
 * a header other than one wsse:Security and WS-Addressing headers (To, Action, MessageID required);
 * a Security header other than Timestamp, BinarySecurityToken, Signature; a second ds:Signature,
 * ds:Object, ds:Manifest or InclusiveNamespaces anywhere; algorithms other than exc-c14n,
 * RSA-SHA256, SHA-256 and one exc-c14n transform per Reference; a Reference URI that is not
 * `#id`, an id held by more than one element (Id/ID/id in any namespace, as xml-crypto looks up),
 * a reference to anything but Body, Timestamp or a WS-Addressing header by its wsu:Id, one of those
 * left unsigned or signed twice; a KeyInfo other than a direct reference to the token; a token
 * that is not byte for byte the pinned certificate. Then xml-crypto checks digests and the
 * signature with the pinned key (KeyInfo ignored), and the signed Timestamp must be current.
 * @returns the canonical signed Body (parse this, never the input) and the signed header values
 * @throws GatewayError with `detail.wsseFault` ({@link wsseFaultOf}): GW_ERR_SIGNATURE_POLICY
 *   (InvalidSecurity, UnsupportedAlgorithm, InvalidSecurityToken, MessageExpired),
 *   GW_ERR_SIGNATURE_INVALID (FailedAuthentication, FailedCheck); or a GW_ERR_XML_* code without one.
 */
export function verifyWsSecurity(bytes: Buffer, trustedCertPem: string, now: Date, policy: WsSecurityPolicy = {}): WsSecurityVerification {
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) throw new GatewayError('GW_ERR_XML_TOO_LARGE', `${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  const text = bytes.toString('utf8');
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) throw new GatewayError('GW_ERR_XML_DOCTYPE', 'DOCTYPE and entity declarations are refused');
  if (/<\?(?!xml[\s?])/.test(text)) throw invalid('processing instructions are not allowed');
  checkWellFormed(text);
  const pinned = new X509Certificate(trustedCertPem);
  const { signature, signed } = checkShape(parseStrictDom(text), pinned.raw);

  const sig = strictSignedXml(pinned);
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
  const times = checkTimestamp(signedPart('wsu:Timestamp'), now, policy);
  return {
    body: signedPart('soap:Body'),
    addressing: {
      to: signedText(signedPart('wsa:To'), WSA_NS, 'To'),
      action: signedText(signedPart('wsa:Action'), WSA_NS, 'Action'),
      messageId: signedText(signedPart('wsa:MessageID'), WSA_NS, 'MessageID'),
    },
    ...times,
  };
}
