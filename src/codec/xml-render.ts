// Renders XML content straight into Exclusive XML Canonicalization (exc-c14n) form, so signing needs no re-parse.
import { GatewayError } from '../errors.js';
import type { XmlContent, XmlScalar, XmlValue } from './document-tree.js';

/**
 * Why not a general XML builder: the bytes we sign must be exactly the bytes a verifier's exc-c14n
 * produces. Writing them in canonical form directly (sorted attributes, `<a></a>` for empty
 * elements, c14n escaping, namespace declarations only where visibly used) makes the digest a hash of
 * what we render, and is several times faster than building a DOM first.
 */

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** Cheap first test: control characters, any surrogate, U+FFFE/U+FFFF. Only a hit runs the exact test. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SUSPECT_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0085\u2028\uD800-\uDFFF\uFFFE\uFFFF]/;
/**
 * NEL and LINE SEPARATOR are legal XML 1.0 text, but xmldom (inside xml-crypto, which many partners
 * verify with) reads them as line feeds, so a signature over them fails there. Refused rather than altered.
 */
const LINE_END_LOOKALIKE = /[\u0085\u2028]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<"\t\n\r]/;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?$/;

/** Namespace bindings in scope: prefix ('' for default) → URI. */
type Scope = ReadonlyMap<string, string>;

function checkChars(value: string, where: string): void {
  if (!SUSPECT_CHAR.test(value)) return;
  if (FORBIDDEN_CHAR.test(value)) throw new GatewayError('GW_ERR_XML_CHAR', `${where} contains a character XML 1.0 cannot carry`, { pointer: where });
  if (LINE_END_LOOKALIKE.test(value)) {
    throw new GatewayError('GW_ERR_XML_CHAR', `${where} contains U+0085 or U+2028, which some signature verifiers read as a line feed`, { pointer: where });
  }
}

function escapeText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttribute(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  return value
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

function prefixOf(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? '' : qname.slice(0, colon);
}

/** Names already checked; templates reuse a few hundred names, so checking each once is enough. */
const checkedNames = new Set<string>();
const CHECKED_NAMES_MAX = 10_000;

function checkName(name: string, where: string): void {
  if (checkedNames.has(name)) return;
  if (checkedNames.size < CHECKED_NAMES_MAX && NAME.test(name)) {
    checkedNames.add(name);
    return;
  }
  if (!NAME.test(name)) throw new GatewayError('GW_ERR_XML_FORBIDDEN_NAME', `${where}: "${name}" is not an XML name`, { pointer: where });
}

function isScalar(value: unknown): value is XmlScalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function scalarText(value: unknown, where: string, key: string): string {
  if (!isScalar(value)) throw new GatewayError('GW_ERR_XML_CHAR', `${where}/${key} must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`, { pointer: `${where}/${key}` });
  return typeof value === 'string' ? value : String(value);
}

interface SplitContent {
  declarations: Array<[string, string]> | undefined;
  attributes: Array<[string, string]>;
  text: string | undefined;
  children: Array<[string, XmlValue]>;
}

function split(content: XmlContent, where: string): SplitContent {
  const out: SplitContent = { declarations: undefined, attributes: [], text: undefined, children: [] };
  for (const key in content) {
    const value = content[key];
    if (value === undefined || value === null) continue;
    if (key.charCodeAt(0) === 64 /* @ */) {
      if (key === '@xmlns' || key.startsWith('@xmlns:')) (out.declarations ??= []).push([key === '@xmlns' ? '' : key.slice(7), String(value)]);
      else out.attributes.push([key.slice(1), scalarText(value, where, key)]);
    } else if (key === '#text') {
      out.text = scalarText(value, where, key);
    } else {
      out.children.push([key, value]);
    }
  }
  return out;
}

function namespaceOf(prefix: string, scope: Scope, where: string): string {
  if (prefix === 'xml') return XML_NS;
  const uri = scope.get(prefix);
  if (uri === undefined && prefix !== '') {
    throw new GatewayError('GW_ERR_XML_NAMESPACE', `${where}: prefix "${prefix}" is not declared`, { pointer: where });
  }
  return uri ?? '';
}

/** Attribute order of c14n: unqualified attributes first (by name), then by namespace URI and local name. */
function sortAttributes(attributes: Array<[string, string]>, scope: Scope, where: string): Array<[string, string]> {
  if (attributes.length < 2) return attributes;
  const keyed = attributes.map(([name, value]) => {
    const prefix = prefixOf(name);
    const ns = prefix === '' ? '' : namespaceOf(prefix, scope, where);
    return { name, value, ns, local: prefix === '' ? name : name.slice(prefix.length + 1) };
  });
  keyed.sort((a, b) => (a.ns === b.ns ? (a.local < b.local ? -1 : a.local > b.local ? 1 : 0) : a.ns < b.ns ? -1 : 1));
  return keyed.map((k) => [k.name, k.value]);
}

/** exc-c14n: the namespace declarations this element must carry — those it visibly uses that the output has not bound yet. */
const NONE: Array<[string, string]> = [];

function declarationsToEmit(name: string, attributes: Array<[string, string]>, scope: Scope, rendered: Scope, where: string): Array<[string, string]> {
  const own = prefixOf(name);
  // Common case first: the element's own namespace is already bound in the output and no attribute is prefixed.
  if ((own === '' || scope.has(own)) && (rendered.get(own) ?? '') === (scope.get(own) ?? '') && !attributes.some(([attr]) => attr.includes(':'))) return NONE;
  const used = [own];
  for (const [attr] of attributes) {
    const p = prefixOf(attr);
    if (p !== '' && p !== 'xml' && !used.includes(p)) used.push(p);
  }
  const emitted: Array<[string, string]> = [];
  for (const prefix of used) {
    const uri = namespaceOf(prefix, scope, where);
    if ((rendered.get(prefix) ?? '') !== uri) emitted.push([prefix, uri]);
  }
  if (emitted.length > 1) emitted.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return emitted;
}

function renderElement(name: string, content: XmlContent | XmlScalar, scope: Scope, rendered: Scope, where: string): string {
  checkName(name, where);
  const parts: SplitContent = isScalar(content) ? { declarations: undefined, attributes: [], text: String(content), children: [] } : split(content, where);
  let innerScope = scope;
  if (parts.declarations) {
    const merged = new Map(scope);
    for (const [prefix, uri] of parts.declarations) merged.set(prefix, uri);
    innerScope = merged;
  }
  const emitted = declarationsToEmit(name, parts.attributes, innerScope, rendered, where);
  let innerRendered = rendered;
  let out = '<' + name;
  if (emitted.length > 0) {
    const next = new Map(rendered);
    for (const [prefix, uri] of emitted) {
      next.set(prefix, uri);
      checkChars(uri, where);
      out += (prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`) + escapeAttribute(uri) + '"';
    }
    innerRendered = next;
  }
  for (const [attr, value] of sortAttributes(parts.attributes, innerScope, where)) {
    checkName(attr, where);
    checkChars(value, where);
    out += ' ' + attr + '="' + escapeAttribute(value) + '"';
  }
  out += '>';
  if (parts.text !== undefined) {
    checkChars(parts.text, where);
    out += escapeText(parts.text);
  }
  for (const [childName, value] of parts.children) out += renderValue(childName, value, innerScope, innerRendered, where);
  return out + '</' + name + '>';
}

/**
 * A text-only element whose namespace the output already binds needs no attribute or namespace work:
 * the most common element of all, rendered directly.
 */
function renderTextElement(name: string, value: XmlScalar, scope: Scope, rendered: Scope, where: string): string | undefined {
  const prefix = prefixOf(name);
  if ((rendered.get(prefix) ?? '') !== (scope.get(prefix) ?? '') || !checkedNames.has(name)) return undefined;
  const text = typeof value === 'string' ? value : String(value);
  checkChars(text, where);
  return '<' + name + '>' + escapeText(text) + '</' + name + '>';
}

function renderValue(name: string, value: XmlValue, scope: Scope, rendered: Scope, parent: string): string {
  const where = parent + '/' + name;
  if (isScalar(value)) return renderTextElement(name, value, scope, rendered, where) ?? renderElement(name, value, scope, rendered, where);
  if (!Array.isArray(value)) return renderElement(name, value, scope, rendered, where);
  let out = '';
  for (let i = 0; i < value.length; i++) out += renderElement(name, value[i] as XmlContent | XmlScalar, scope, rendered, where + '/' + i);
  return out;
}

/**
 * Renders a document root (an object with exactly one key, the root element) as canonical XML text.
 * No XML declaration is written: the output is UTF-8 and is its own exc-c14n form.
 * @throws GatewayError GW_ERR_XML_CHAR, GW_ERR_XML_NAMESPACE or GW_ERR_XML_FORBIDDEN_NAME, naming the element path.
 */
export function renderXmlString(root: XmlContent): string {
  const keys = Object.keys(root).filter((k) => root[k] !== undefined);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || Array.isArray(root[name])) {
    throw new GatewayError('GW_ERR_XML_FORBIDDEN_NAME', `an XML document needs exactly one root element, got ${keys.length}`);
  }
  return renderElement(name, root[name] as XmlContent | XmlScalar, new Map(), new Map(), `/${name}`);
}

/** Renders a document root as canonical UTF-8 bytes (see {@link renderXmlString}). */
export function renderXml(root: XmlContent): Buffer {
  return Buffer.from(renderXmlString(root), 'utf8');
}
