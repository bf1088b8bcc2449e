// Reads parsed XML by namespace and local name, whatever prefixes the sender chose.
import type { XmlContent, XmlValue } from './document-tree.js';

/** Namespace bindings: prefix ('' for the default namespace) → URI. */
type Scope = ReadonlyMap<string, string>;

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
 * The child elements of `parent` with this namespace and local name, in document order. `parent` must
 * carry the declarations in scope (a parsed document, a SOAP body, or a result of this function); so
 * does each child.
 */
export function childElements(parent: XmlContent, namespace: string, localName: string): XmlContent[] {
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

/** A QName value such as `soap:Sender` resolved against the declarations in scope on its element. */
export function qnameValue(element: XmlContent | undefined): { namespace: string; local: string } | undefined {
  const text = element?.['#text'];
  if (!element || typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const prefix = colon < 0 ? '' : trimmed.slice(0, colon);
  const ns = element[prefix === '' ? '@xmlns' : `@xmlns:${prefix}`];
  return { namespace: typeof ns === 'string' ? ns : '', local: trimmed.slice(colon + 1) };
}
