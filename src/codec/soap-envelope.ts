// SOAP 1.1 and 1.2 envelopes: wraps header and body content as canonical bytes, and reads answers (faults included) by namespace, not prefix.
import type { XmlContent } from './document-tree.js';
import { parseXml } from './xml-parse.js';
import { renderXml } from './xml-render.js';
import { childElement, childText, qnameValue } from './xml-navigate.js';
import { GatewayError } from '../errors.js';

/** SOAP 1.1 envelope namespace. */
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** SOAP 1.2 envelope namespace. */
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

/** SOAP version. */
export type SoapVersion = '1.1' | '1.2';

const NAMESPACE: Record<SoapVersion, string> = { '1.1': SOAP11_NS, '1.2': SOAP12_NS };

/** A SOAP fault of either version, read the same way. */
export interface SoapFault {
  /** `faultcode` (1.1) or `Code/Value` (1.2) as sent, e.g. `soap:Client` or `env:Sender`. */
  code: string;
  /** Local part of the code when it is in the envelope namespace: `Client`, `Server`, `Sender`, `Receiver`, `VersionMismatch`, `MustUnderstand`; '' otherwise. */
  kind: string;
  /** SOAP 1.2 `Subcode/Value`s, outermost first, resolved to namespace and local name (empty for 1.1). */
  subcodes: Array<{ namespace: string; local: string }>;
  /** `faultstring` (1.1) or the first `Reason/Text` (1.2). */
  message: string;
}

/** A parsed SOAP message. */
export interface SoapMessage {
  version: SoapVersion;
  /** Content of `Header` (declarations in scope carried along), when there is one. */
  header?: XmlContent;
  /**
   * Content of `Body`, carrying every namespace declaration in scope there, so it can be read with
   * `childElement` and `childText` without the envelope.
   */
  body: XmlContent;
  /** Present when the Body holds a `Fault`. */
  fault?: SoapFault;
  /** Namespaces the Envelope element declares besides its own prefix (see {@link SoapEnvelopeParts.contextNamespaces}), when it declares any. */
  contextNamespaces?: Record<string, string>;
}

/** What goes into an envelope. */
export interface SoapEnvelopeParts {
  /** Default 1.1. */
  version?: SoapVersion;
  /** Header blocks, each with its namespace declarations (leave out for no Header). */
  header?: XmlContent;
  /** The Body's content: usually one key, the payload element with its namespace declaration. */
  body: XmlContent;
  /**
   * Namespaces only QNames in content use (an `xsi:type="p:T"` value), by prefix: declared on the
   * Envelope, since the canonical rendering of the content leaves out a declaration no element or
   * attribute name uses.
   */
  contextNamespaces?: Readonly<Record<string, string>>;
}

/** ` xmlns:p="uri"` for each context namespace, in prefix order. */
export function contextDeclarations(namespaces: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(namespaces ?? {})
    .sort()
    .map((prefix) => ` xmlns:${prefix}="${(namespaces?.[prefix] ?? '').replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`)
    .join('');
}

/**
 * Builds a SOAP envelope around body (and header) content, rendered canonically (UTF-8, no XML declaration).
 * The envelope prefix is `soap`.
 * @throws GatewayError as renderXml, for names or characters XML cannot carry.
 */
export function buildSoapEnvelope({ version = '1.1', header, body, contextNamespaces }: SoapEnvelopeParts): Buffer {
  const rendered = renderXml({ 'soap:Envelope': { '@xmlns:soap': NAMESPACE[version], ...(header ? { 'soap:Header': header } : {}), 'soap:Body': body } });
  const extra = contextDeclarations(contextNamespaces);
  if (!extra) return rendered;
  const head = `<soap:Envelope xmlns:soap="${NAMESPACE[version]}"`;
  return Buffer.concat([Buffer.from(head + extra), rendered.subarray(Buffer.byteLength(head))]);
}

/**
 * Builds a fault envelope. `sender` says the request is at fault (1.1 `Client`, 1.2 `Sender`), otherwise
 * the server is (`Server`, `Receiver`). A 1.2 fault may carry one subcode (a QName with its namespace).
 */
export function buildSoapFault(version: SoapVersion, sender: boolean, message: string, subcode?: { namespace: string; prefix: string; local: string }): Buffer {
  if (version === '1.1') return buildSoapEnvelope({ body: { 'soap:Fault': { faultcode: `soap:${sender ? 'Client' : 'Server'}`, faultstring: message } } });
  const code: XmlContent = { 'soap:Value': `soap:${sender ? 'Sender' : 'Receiver'}` };
  if (subcode) code['soap:Subcode'] = { 'soap:Value': { [`@xmlns:${subcode.prefix}`]: subcode.namespace, '#text': `${subcode.prefix}:${subcode.local}` } };
  return buildSoapEnvelope({ version, body: { 'soap:Fault': { 'soap:Code': code, 'soap:Reason': { 'soap:Text': { '@xml:lang': 'en', '#text': message } } } } });
}

/** The first text of a 1.2 `Reason` (there may be one per language). */
function firstReasonText(reason: XmlContent | undefined): string {
  for (const [key, value] of Object.entries(reason ?? {})) {
    if (key.startsWith('@')) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
    if (first && typeof first === 'object' && typeof first['#text'] === 'string') return first['#text'];
  }
  return '';
}

function readFault(fault: XmlContent, version: SoapVersion): SoapFault {
  const ns = NAMESPACE[version];
  if (version === '1.1') {
    // SOAP 1.1 fault children are unqualified; some stacks put them in the envelope namespace, which is accepted.
    const field = (name: string): string => childText(fault, '', name) ?? childText(fault, ns, name) ?? '';
    const code = field('faultcode').trim();
    const resolved = qnameValue({ ...fault, '#text': code });
    const kind = resolved?.namespace === ns ? (resolved.local.split('.')[0] ?? '') : '';
    return { code, kind, subcodes: [], message: field('faultstring') };
  }
  let codeElement = childElement(fault, ns, 'Code');
  const value = codeElement && childElement(codeElement, ns, 'Value');
  const top = qnameValue(value);
  const subcodes: SoapFault['subcodes'] = [];
  for (let sub = codeElement && childElement(codeElement, ns, 'Subcode'); sub; sub = childElement(sub, ns, 'Subcode')) {
    const q = qnameValue(childElement(sub, ns, 'Value'));
    if (q) subcodes.push(q);
    codeElement = sub;
  }
  return {
    code: typeof value?.['#text'] === 'string' ? value['#text'].trim() : '',
    kind: top?.namespace === ns ? top.local : '',
    subcodes,
    message: firstReasonText(childElement(fault, ns, 'Reason')),
  };
}

/** The namespaces the document element declares besides its own prefix, or undefined when none. */
function contextNamespacesOf(document: XmlContent): Record<string, string> | undefined {
  const [rootName, root] = Object.entries(document)[0] ?? [];
  if (rootName === undefined || typeof root !== 'object' || root === null || Array.isArray(root)) return undefined;
  const own = rootName.includes(':') ? rootName.slice(0, rootName.indexOf(':')) : '';
  const declared = Object.entries(root).filter(([key]) => key.startsWith('@xmlns:') && key.slice(7) !== own);
  return declared.length > 0 ? Object.fromEntries(declared.map(([key, value]) => [key.slice(7), String(value)])) : undefined;
}

/**
 * Parses a SOAP 1.1 or 1.2 message with the safe parser, whatever prefixes it uses.
 * @param expected the version the caller requires (any when left out)
 * @throws GatewayError GW_ERR_XML_MALFORMED when it is not a SOAP envelope of that version with one Body,
 *   or any code of parseXml for bytes that are not safe, well-formed XML.
 */
export function parseSoapEnvelope(bytes: Buffer, expected?: SoapVersion): SoapMessage {
  const document = parseXml(bytes);
  const versions: SoapVersion[] = expected ? [expected] : ['1.1', '1.2'];
  for (const version of versions) {
    const ns = NAMESPACE[version];
    const envelope = childElement(document, ns, 'Envelope');
    if (!envelope) continue;
    const body = childElement(envelope, ns, 'Body');
    if (!body) throw new GatewayError('GW_ERR_XML_MALFORMED', `the SOAP ${version} envelope needs exactly one Body`);
    const header = childElement(envelope, ns, 'Header');
    const fault = childElement(body, ns, 'Fault');
    const context = contextNamespacesOf(document);
    return { version, body, ...(header ? { header } : {}), ...(fault ? { fault: readFault(fault, version) } : {}), ...(context ? { contextNamespaces: context } : {}) };
  }
  throw new GatewayError('GW_ERR_XML_MALFORMED', `not a SOAP ${expected ?? '1.1 or 1.2'} envelope (root ${Object.keys(document).join(', ')})`);
}

/** How our signer opens an XMLDSig signature (xml-signer.ts): the element our own logged envelopes carry. */
const OUR_SIGNATURE = Buffer.from('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">');
const OUR_SIGNATURE_END = Buffer.from('</ds:Signature>');

/**
 * The version and Header of an envelope this gateway rendered and logged itself, read without parsing
 * its Body: the bytes up to the end of the envelope's Header, closed with an empty Body, are parsed
 * as {@link parseSoapEnvelope} would. Our own XMLDSig signature, when it is the Header's last block, is
 * left out of what is parsed (it is most of the Header's bytes, and readers of the head want its other
 * blocks). For our own logged envelopes only (their Header holds no comment or CDATA that spells the
 * closing tag), where re-reading a large signed Body at every attempt costs more than the attempt's own
 * work; a received envelope is read with parseSoapEnvelope. Falls back to parsing the whole envelope when
 * the Header's closing tag is not where expected.
 * @throws GatewayError as parseSoapEnvelope does
 */
export function ownSoapEnvelopeHead(bytes: Buffer): Pick<SoapMessage, 'version' | 'header'> {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<(?:([A-Za-z_][\w.-]*):)?Envelope[\s>]/.exec(bytes.subarray(0, 512).toString('latin1'));
  const prefix = root?.[1] ? `${root[1]}:` : '';
  const close = Buffer.from(`</${prefix}Header>`);
  const end = root ? bytes.indexOf(close) : -1;
  if (end < 0) return headOf(parseSoapEnvelope(bytes));
  // Our signature as the last header block: only whitespace between its end and the Header's.
  const signature = bytes.subarray(0, end).lastIndexOf(OUR_SIGNATURE);
  const signatureEnd = signature < 0 ? -1 : bytes.indexOf(OUR_SIGNATURE_END, signature);
  const last = signatureEnd >= 0 && bytes.subarray(signatureEnd + OUR_SIGNATURE_END.length, end).toString('latin1').trim() === '';
  const head = last ? bytes.subarray(0, signature) : bytes.subarray(0, end);
  return headOf(parseSoapEnvelope(Buffer.concat([head, close, Buffer.from(`<${prefix}Body/></${prefix}Envelope>`)])));
}

function headOf({ version, header }: SoapMessage): Pick<SoapMessage, 'version' | 'header'> {
  return { version, ...(header ? { header } : {}) };
}

/** `Content-Type` (and for 1.1 the `SOAPAction` header) of a request with this action. */
export function soapHeaders(version: SoapVersion, action: string): Record<string, string> {
  return version === '1.1'
    ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
    : { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"` };
}

/** The SOAP version and action of a request from its headers; undefined when it is neither SOAP 1.1 nor 1.2. */
export function soapCallOf(headers: Readonly<Record<string, string | string[] | undefined>>): { version: SoapVersion; action: string } | undefined {
  const contentType = String(headers['content-type'] ?? '');
  if (/^text\/xml\b/i.test(contentType)) return { version: '1.1', action: String(headers.soapaction ?? '').replace(/^"|"$/g, '') };
  if (/^application\/soap\+xml\b/i.test(contentType)) return { version: '1.2', action: /;\s*action="?([^";]*)"?/i.exec(contentType)?.[1] ?? '' };
  return undefined;
}
