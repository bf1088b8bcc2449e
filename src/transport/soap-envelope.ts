// SOAP 1.1 envelopes: wraps a body element as canonical bytes, and reads answers (faults included) by namespace, not prefix.
import type { XmlContent, XmlValue } from '../codec/document-tree.js';
import { parseXml } from '../codec/xml-parse.js';
import { renderXml } from '../codec/xml-render.js';
import { GatewayError } from '../errors.js';

/** SOAP 1.1 envelope namespace. */
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A SOAP 1.1 fault. */
export interface SoapFault {
  /** `faultcode` as sent, e.g. `soap:Client` or `soap:Server.Timeout`. */
  code: string;
  /** `faultstring`. */
  message: string;
}

/** A parsed SOAP message. */
export interface SoapMessage {
  /**
   * Content of `Body`, carrying every namespace declaration in scope there, so it can be read with
   * {@link childElement} and {@link childText} without the envelope.
   */
  body: XmlContent;
  /** Present when the Body holds a `Fault`. */
  fault?: SoapFault;
}

/** Namespace bindings: prefix ('' for the default namespace) → URI. */
type Scope = ReadonlyMap<string, string>;

/**
 * Builds a SOAP 1.1 envelope around a body element, rendered canonically (UTF-8, no XML declaration).
 * @param bodyElement the Body's content: one key, the payload element, e.g. `{ WSST: { '@xmlns': …, su: … } }`
 * @throws GatewayError as renderXml, for names or characters XML cannot carry.
 */
export function buildSoapEnvelope(bodyElement: XmlContent): Buffer {
  return renderXml({ 'soap:Envelope': { '@xmlns:soap': SOAP11_NS, 'soap:Body': bodyElement } });
}

/** Builds a SOAP 1.1 fault envelope: `Client` when the request is at fault, `Server` otherwise. */
export function buildSoapFault(code: 'Client' | 'Server', message: string): Buffer {
  return buildSoapEnvelope({ 'soap:Fault': { faultcode: `soap:${code}`, faultstring: message } });
}

function scopeOf(content: XmlContent, inherited: Scope): Scope {
  let scope: Map<string, string> | undefined;
  for (const key of Object.keys(content)) {
    if (key !== '@xmlns' && !key.startsWith('@xmlns:')) continue;
    scope ??= new Map(inherited);
    scope.set(key === '@xmlns' ? '' : key.slice(7), String(content[key]));
  }
  return scope ?? inherited;
}

/** Element content with the declarations of `scope` written onto it (its own declarations win). */
function withScope(value: XmlValue, scope: Scope): XmlContent {
  const content: XmlContent = typeof value === 'object' && !Array.isArray(value) ? value : { '#text': String(value) };
  const out: XmlContent = {};
  for (const [prefix, uri] of scope) out[prefix === '' ? '@xmlns' : `@xmlns:${prefix}`] = uri;
  return Object.assign(out, content);
}

function split(name: string): { prefix: string; local: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: '', local: name } : { prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}

/** Namespace of an element name under the bindings of its own content. */
function namespaceOf(name: string, value: XmlValue, parentScope: Scope): string {
  const own = typeof value === 'object' && !Array.isArray(value) ? scopeOf(value, parentScope) : parentScope;
  return own.get(split(name).prefix) ?? '';
}

/**
 * The child elements of `parent` with this namespace and local name, in document order. `parent` must carry
 * the declarations in scope (a {@link SoapMessage} body, or a result of this function); so does each child.
 */
function childElements(parent: XmlContent, namespace: string, localName: string): XmlContent[] {
  const scope = scopeOf(parent, new Map());
  const found: XmlContent[] = [];
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || name.startsWith('@') || name === '#text' || split(name).local !== localName) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (namespaceOf(name, item, scope) !== namespace) continue;
      found.push(withScope(item, scope));
    }
  }
  return found;
}

/** The one child element with this namespace and local name; undefined when absent or repeated. */
export function childElement(parent: XmlContent, namespace: string, localName: string): XmlContent | undefined {
  const found = childElements(parent, namespace, localName);
  return found.length === 1 ? found[0] : undefined;
}

/** Text of the one child element with this namespace and local name; undefined when absent, repeated or not text-only. */
export function childText(parent: XmlContent, namespace: string, localName: string): string | undefined {
  const child = childElement(parent, namespace, localName);
  if (!child || Object.keys(child).some((key) => !key.startsWith('@') && key !== '#text')) return undefined;
  const text = child['#text'];
  return text === undefined ? '' : String(text);
}

/** SOAP 1.1 fault children are unqualified; some stacks put them in the envelope namespace, which is accepted. */
function faultField(fault: XmlContent, name: string): string {
  return childText(fault, '', name) ?? childText(fault, SOAP11_NS, name) ?? '';
}

/**
 * Parses a SOAP 1.1 message with the safe parser, whatever prefixes it uses.
 * @throws GatewayError GW_ERR_XML_MALFORMED when it is not a SOAP 1.1 envelope with one Body, or any
 *   code of parseXml for bytes that are not safe, well-formed XML.
 */
export function parseSoapEnvelope(bytes: Buffer): SoapMessage {
  const document = parseXml(bytes);
  const envelope = childElement(document, SOAP11_NS, 'Envelope');
  if (!envelope) throw new GatewayError('GW_ERR_XML_MALFORMED', `not a SOAP 1.1 envelope (root ${Object.keys(document).join(', ')})`);
  const body = childElement(envelope, SOAP11_NS, 'Body');
  if (!body) throw new GatewayError('GW_ERR_XML_MALFORMED', 'the SOAP envelope needs exactly one Body');
  const fault = childElement(body, SOAP11_NS, 'Fault');
  return fault ? { body, fault: { code: faultField(fault, 'faultcode'), message: faultField(fault, 'faultstring') } } : { body };
}
