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
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<"\t\n\r]/;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?$/;

/** Namespace bindings in scope: prefix ('' for default) → URI. */
type Scope = ReadonlyMap<string, string>;

function checkChars(value: string, where: string): void {
  if (FORBIDDEN_CHAR.test(value)) {
    throw new GatewayError('GW_ERR_XML_CHAR', `${where} contains a character XML 1.0 cannot carry`, { pointer: where });
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

function checkName(name: string, where: string): void {
  if (!NAME.test(name)) throw new GatewayError('GW_ERR_XML_FORBIDDEN_NAME', `${where}: "${name}" is not an XML name`, { pointer: where });
}

function isScalar(value: unknown): value is XmlScalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function scalarText(value: unknown, where: string): string {
  if (!isScalar(value)) throw new GatewayError('GW_ERR_XML_CHAR', `${where} must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`, { pointer: where });
  return String(value);
}

interface SplitContent {
  declarations: Map<string, string>;
  attributes: Array<[string, string]>;
  text: string | undefined;
  children: Array<[string, XmlValue]>;
}

function split(content: XmlContent, where: string): SplitContent {
  const out: SplitContent = { declarations: new Map(), attributes: [], text: undefined, children: [] };
  for (const key of Object.keys(content)) {
    const value = content[key];
    if (value === undefined || value === null) continue;
    if (key === '#text') {
      out.text = scalarText(value, `${where}/#text`);
    } else if (key === '@xmlns' || key.startsWith('@xmlns:')) {
      out.declarations.set(key === '@xmlns' ? '' : key.slice(7), String(value));
    } else if (key.startsWith('@')) {
      out.attributes.push([key.slice(1), scalarText(value, `${where}/${key}`)]);
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

function renderElement(name: string, content: XmlContent | XmlScalar, scope: Scope, rendered: Scope, where: string, out: string[]): void {
  checkName(name, where);
  const parts = isScalar(content) ? { declarations: new Map(), attributes: [], text: String(content), children: [] } : split(content, where);
  let innerScope = scope;
  if (parts.declarations.size > 0) {
    const merged = new Map(scope);
    for (const [prefix, uri] of parts.declarations) merged.set(prefix, uri);
    innerScope = merged;
  }
  // exc-c14n: declare exactly the namespaces this element visibly uses that the output has not bound yet.
  const used = new Set<string>([prefixOf(name)]);
  for (const [attr] of parts.attributes) {
    const p = prefixOf(attr);
    if (p !== '' && p !== 'xml') used.add(p);
  }
  const emitted: Array<[string, string]> = [];
  let innerRendered = rendered;
  for (const prefix of used) {
    const uri = namespaceOf(prefix, innerScope, where);
    if ((rendered.get(prefix) ?? '') !== uri) emitted.push([prefix, uri]);
  }
  if (emitted.length > 0) {
    emitted.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const next = new Map(rendered);
    for (const [p, uri] of emitted) next.set(p, uri);
    innerRendered = next;
  }
  out.push('<', name);
  for (const [prefix, uri] of emitted) {
    checkChars(uri, where);
    out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(uri), '"');
  }
  for (const [attr, value] of sortAttributes(parts.attributes, innerScope, where)) {
    checkName(attr, `${where}/@${attr}`);
    checkChars(value, `${where}/@${attr}`);
    out.push(' ', attr, '="', escapeAttribute(value), '"');
  }
  out.push('>');
  if (parts.text !== undefined) {
    checkChars(parts.text, where);
    out.push(escapeText(parts.text));
  }
  for (const [childName, value] of parts.children) renderValue(childName, value, innerScope, innerRendered, `${where}/${childName}`, out);
  out.push('</', name, '>');
}

function renderValue(name: string, value: XmlValue, scope: Scope, rendered: Scope, where: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => renderElement(name, item, scope, rendered, `${where}/${i}`, out));
  } else {
    renderElement(name, value, scope, rendered, where, out);
  }
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
  const out: string[] = [];
  renderElement(name, root[name] as XmlContent | XmlScalar, new Map(), new Map(), `/${name}`, out);
  return out.join('');
}

/** Renders a document root as canonical UTF-8 bytes (see {@link renderXmlString}). */
export function renderXml(root: XmlContent): Buffer {
  return Buffer.from(renderXmlString(root), 'utf8');
}
