// WS-Security X.509 signatures for SOAP 1.1 and 1.2: sign the Body, the WS-Addressing headers and an optional Timestamp by wsu:Id.
import { hash, randomUUID } from 'node:crypto';
import type { XmlContent } from '../codec/document-tree.js';
import { GatewayError } from '../errors.js';
import { contextDeclarations, SOAP11_NS, SOAP12_NS, type SoapVersion } from '../codec/soap-envelope.js';
import { renderXmlString } from '../codec/xml-render.js';
import type { SigningCapability } from './key-capabilities.js';
import { DSIG_NS, EXC_C14N, SIGNATURE_METHODS, WS_SECURITY_DIGESTS, WS_SECURITY_RSA_METHODS, type WsSecurityHash } from './xmldsig-algorithms.js';

/** WS-Security 1.0 secext namespace (`wsse:`). */
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
/** WS-Security 1.0 utility namespace (`wsu:Id`, `wsu:Timestamp`). */
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
/** WS-Addressing 1.0 namespace. */
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
/** BinarySecurityToken ValueType of an X.509 v3 certificate (X.509 Token Profile 1.0). */
export const X509V3_TOKEN = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
/** BinarySecurityToken EncodingType: base64 of the DER. */
export const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
/** Lifetime of the Timestamp we write, and the longest one the verifier accepts by default (WSS4J's default TTL). */
export const DEFAULT_TIMESTAMP_LIFETIME_MS = 5 * 60_000;

/** Envelope namespace of each SOAP version. */
export const SOAP_NAMESPACES: Readonly<Record<SoapVersion, string>> = { '1.1': SOAP11_NS, '1.2': SOAP12_NS };

/** WS-Addressing 1.0 headers of a message; each present one is written with a wsu:Id and signed. */
export interface WsAddressing {
  /** Endpoint address (`wsa:To`). */
  to: string;
  /** Operation action (`wsa:Action`). */
  action: string;
  /** Unique id of this transmission (`wsa:MessageID`), an absolute URI such as `urn:uuid:…`. */
  messageId: string;
  /** The message this one answers (`wsa:RelatesTo`). */
  relatesTo?: string;
  /** Where answers go (`wsa:ReplyTo/wsa:Address`). */
  replyTo?: string;
}

/** A SOAP message to sign. */
export interface WsSecurityMessage {
  version: SoapVersion;
  /** The Body's content: one key, the operation element, with its namespace declarations. */
  body: XmlContent;
  /** WS-Addressing headers to write and sign (none when left out). */
  addressing?: WsAddressing;
  /**
   * A signed `wsu:Timestamp` (Created = now, Expires = now + lifetime) for a message sent at once; leave
   * it out for a document that is signed once, logged, and may be sent again later.
   */
  timestamp?: { now: Date; lifetimeMs?: number };
  /** Hash of digests and signature (default SHA-256); SHA-1 only for an RSA key and a partner whose suite demands it. */
  hash?: WsSecurityHash;
  /**
   * Namespaces only QNames in the Body's content use (`xsi:type="p:T"`), declared on the Envelope: outside
   * every signed part, so exclusive c14n leaves them out of the digests (as any verifier computes them),
   * and in scope on the wire for whoever resolves the QName.
   */
  contextNamespaces?: Readonly<Record<string, string>>;
}

function part(name: string, content: XmlContent): string {
  return renderXmlString({ [name]: content });
}

/** The addressing headers in the order written: name, and the element's content (ReplyTo holds an Address). */
function addressingHeaders(addressing: WsAddressing | undefined): Array<[string, XmlContent]> {
  if (!addressing) return [];
  const text = (value: string): XmlContent => ({ '#text': value });
  const out: Array<[string, XmlContent]> = [
    ['To', text(addressing.to)],
    ['Action', text(addressing.action)],
    ['MessageID', text(addressing.messageId)],
  ];
  if (addressing.relatesTo !== undefined) out.push(['RelatesTo', text(addressing.relatesTo)]);
  if (addressing.replyTo !== undefined) out.push(['ReplyTo', { 'wsa:Address': addressing.replyTo }]);
  return out;
}

/**
 * Builds a SOAP envelope signed the WS-Security way (X.509 Token Profile, direct reference), with our
 * key for the partner: RSA-SHA256 or ECDSA-SHA256 (r‖s) by key type, SHA-256 digests, exc-c14n; or,
 * with `hash: 'sha1'`, RSA-SHA1 and SHA-1 digests (WCF's Basic128Rsa15 suite).
 *
 * Every signed part (Body, Timestamp, each WS-Addressing header) is rendered on its own by
 * `renderXmlString`, with every namespace it uses declared on itself, and spliced unchanged into the
 * envelope. Exclusive c14n of an element in context declares on the apex exactly the namespaces the
 * subtree visibly uses and decides every descendant declaration relative to that apex, which is
 * what the stand-alone rendering did; so the spliced bytes are the canonical form a verifier
 * computes in context, and the digests are hashes of bytes present verbatim on the wire. The
 * envelope declares only `soap:`; no default namespace is in scope of a signed part.
 *
 * Layout: `soap:Header` holds the WS-Addressing headers (each with a wsu:Id) and
 * `wsse:Security[@soap:mustUnderstand]` with the optional `wsu:Timestamp`, `wsse:BinarySecurityToken`
 * (X509v3, base64 DER of our certificate) and `ds:Signature` with one Reference per signed part, each
 * with one exc-c14n transform, and KeyInfo = `wsse:SecurityTokenReference/wsse:Reference` to the token.
 * @throws GatewayError the codes of renderXml for content XML cannot carry; GW_ERR_KEY_UNAVAILABLE for SHA-1 with an EC key.
 */
export function buildWsSecurityEnvelope(message: WsSecurityMessage, signer: SigningCapability): Buffer {
  const hashName = message.hash ?? 'sha256';
  if (hashName === 'sha1' && signer.keyType !== 'rsa') throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'a SHA-1 WS-Security suite signs with RSA only');
  const method = hashName === 'sha1' ? WS_SECURITY_RSA_METHODS.sha1 : SIGNATURE_METHODS[signer.algorithm];
  const soapNs = SOAP_NAMESPACES[message.version];
  const suffix = randomUUID();
  const ids = { body: `Body-${suffix}`, timestamp: `TS-${suffix}`, token: `X509-${suffix}` };
  const signedBody = part('soap:Body', { '@xmlns:soap': soapNs, '@xmlns:wsu': WSU_NS, '@wsu:Id': ids.body, ...message.body });
  const headers = addressingHeaders(message.addressing).map(([name, content]): [string, string] => {
    const id = `${name}-${suffix}`;
    return [id, part(`wsa:${name}`, { '@xmlns:wsa': WSA_NS, '@xmlns:wsu': WSU_NS, '@wsu:Id': id, ...content })];
  });
  const references: Array<[string, string]> = [[ids.body, signedBody]];
  let timestamp = '';
  if (message.timestamp) {
    const { now, lifetimeMs = DEFAULT_TIMESTAMP_LIFETIME_MS } = message.timestamp;
    timestamp = part('wsu:Timestamp', {
      '@xmlns:wsu': WSU_NS,
      '@wsu:Id': ids.timestamp,
      'wsu:Created': now.toISOString(),
      'wsu:Expires': new Date(now.getTime() + lifetimeMs).toISOString(),
    });
    references.push([ids.timestamp, timestamp]);
  }
  references.push(...headers);
  const signedInfo: XmlContent = {
    '@xmlns:ds': DSIG_NS,
    'ds:CanonicalizationMethod': { '@Algorithm': EXC_C14N },
    'ds:SignatureMethod': { '@Algorithm': method },
    'ds:Reference': references.map(([id, canonical]) => ({
      '@URI': `#${id}`,
      'ds:Transforms': { 'ds:Transform': { '@Algorithm': EXC_C14N } },
      'ds:DigestMethod': { '@Algorithm': WS_SECURITY_DIGESTS[hashName] },
      'ds:DigestValue': hash(hashName, canonical, 'base64'),
    })),
  };
  // SignedInfo uses the ds prefix only, so its canonical form in the Signature is this stand-alone rendering.
  const signatureValue = signer.sign(part('ds:SignedInfo', signedInfo), { hash: hashName }).toString('base64');
  const token = part('wsse:BinarySecurityToken', {
    '@xmlns:wsse': WSSE_NS,
    '@xmlns:wsu': WSU_NS,
    '@EncodingType': BASE64_BINARY,
    '@ValueType': X509V3_TOKEN,
    '@wsu:Id': ids.token,
    '#text': signer.certificate.raw.toString('base64'),
  });
  const signature = part('ds:Signature', {
    '@xmlns:ds': DSIG_NS,
    'ds:SignedInfo': signedInfo,
    'ds:SignatureValue': signatureValue,
    'ds:KeyInfo': { 'wsse:SecurityTokenReference': { '@xmlns:wsse': WSSE_NS, 'wsse:Reference': { '@URI': `#${ids.token}`, '@ValueType': X509V3_TOKEN } } },
  });
  const mustUnderstand = message.version === '1.2' ? 'true' : '1';
  const security = `<wsse:Security xmlns:wsse="${WSSE_NS}" soap:mustUnderstand="${mustUnderstand}">${timestamp}${token}${signature}</wsse:Security>`;
  const header = `<soap:Header>${headers.map(([, xml]) => xml).join('')}${security}</soap:Header>`;
  return Buffer.from(`<soap:Envelope xmlns:soap="${soapNs}"${contextDeclarations(message.contextNamespaces)}>${header}${signedBody}</soap:Envelope>`, 'utf8');
}
