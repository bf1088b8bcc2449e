// Renames parsed XML by namespace: element and attribute names get the prefixes of a fixed table, whatever prefixes the sender chose.
import { GatewayError } from '../errors.js';
import type { XmlContent, XmlScalar, XmlValue } from './document-tree.js';

/** Prefix → namespace URI; the prefix '' stands for names written without a prefix. */
export type NamespaceTable = Readonly<Record<string, string | readonly string[]>>;

/** The namespace URIs a table entry names: one, or the versions of one vocabulary (SOAP 1.1 and 1.2 envelopes) read alike. */
export function urisOf(entry: string | readonly string[]): readonly string[] {
  return typeof entry === 'string' ? [entry] : entry;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Namespace bindings in scope in the document: prefix ('' for the default namespace) → URI. */
type Bindings = ReadonlyMap<string, string>;

/** How to write names: namespace URI → prefix ('' for a bare local name), and whether a bare name belongs to a namespace. */
interface Naming {
  prefixes: ReadonlyMap<string, string>;
  bareIsNamespaced: boolean;
}

type Item = XmlScalar | XmlContent;

function isDeclaration(key: string): boolean {
  return key === '@xmlns' || key.startsWith('@xmlns:');
}

function bindingsOf(item: Item, inherited: Bindings): Bindings {
  if (typeof item !== 'object') return inherited;
  let bindings: Map<string, string> | undefined;
  for (const key of Object.keys(item)) {
    if (!isDeclaration(key)) continue;
    bindings ??= new Map(inherited);
    bindings.set(key === '@xmlns' ? '' : key.slice(7), String(item[key]));
  }
  return bindings ?? inherited;
}

function split(name: string): { prefix: string; local: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: '', local: name } : { prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}

/**
 * The name to write for a namespace and local name: the table's prefix, a bare name for the table's ''
 * namespace, and Clark notation `{uri}local` for a namespace the table does not name. A name in no
 * namespace is bare, unless the table gives '' to a namespace: then it is `{}local`, so it never passes
 * for one of that namespace.
 */
function nameFor(uri: string, local: string, naming: Naming, attribute: boolean): string {
  if (uri === '') return naming.bareIsNamespaced && !attribute ? `{}${local}` : local;
  const prefix = naming.prefixes.get(uri);
  if (prefix === undefined || (prefix === '' && attribute)) return `{${uri}}${local}`;
  return prefix === '' ? local : `${prefix}:${local}`;
}

function resolve(name: string, bindings: Bindings, attribute: boolean): { uri: string; local: string } {
  const { prefix, local } = split(name);
  if (prefix === '' && attribute) return { uri: '', local };
  const uri = bindings.get(prefix);
  if (uri === undefined) {
    if (prefix === '') return { uri: '', local };
    throw new GatewayError('GW_ERR_XML_MALFORMED', `prefix "${prefix}" of <${name}> is not declared`, { name });
  }
  return { uri, local };
}

/** Text only, or nothing at all, becomes a plain value, as the parser gives an element without attributes or children. */
function collapse(out: XmlContent): XmlValue {
  const keys = Object.keys(out);
  if (keys.length === 0) return '';
  if (keys.length === 1 && keys[0] === '#text') return out['#text'] as XmlScalar;
  return out;
}

function normaliseItem(item: Item, bindings: Bindings, naming: Naming): XmlValue {
  if (typeof item !== 'object') return item;
  const out: XmlContent = {};
  const children = new Map<string, { values: XmlValue[]; repeated: boolean }>();
  let hasChildren = false;
  for (const [key, value] of Object.entries(item)) {
    if (value === undefined || isDeclaration(key) || key === '#text') continue;
    if (key.startsWith('@')) {
      const { uri, local } = resolve(key.slice(1), bindings, true);
      out[`@${nameFor(uri, local, naming, true)}`] = value;
      continue;
    }
    hasChildren = true;
    for (const child of Array.isArray(value) ? value : [value]) {
      const own = bindingsOf(child, bindings);
      const { uri, local } = resolve(key, own, false);
      const name = nameFor(uri, local, naming, false);
      const entry = children.get(name) ?? { values: [], repeated: false };
      entry.values.push(normaliseItem(child, own, naming));
      entry.repeated ||= Array.isArray(value) || entry.values.length > 1;
      children.set(name, entry);
    }
  }
  const text = item['#text'];
  if (text !== undefined && !(hasChildren && String(text).trim() === '')) out['#text'] = text;
  for (const [name, { values, repeated }] of children) out[name] = repeated ? (values as Item[]) : values[0];
  return collapse(out);
}

/**
 * Renames the elements and attributes of parsed XML ({@link XmlContent} as `parseXml` returns it) by the
 * namespace they are in, using `table`'s prefixes:
 * - an element of a namespace the table names gets the table's prefix (none for the table's '' entry);
 *   one of a namespace it does not name keeps the Clark name `{uri}local`, so a mapping never matches it
 *   by accident;
 * - `@xmlns` / `@xmlns:p` declarations are dropped; other attributes keep their names, a prefixed one
 *   renamed by the same table (`@xml:lang` stays as it is unless the table names the XML namespace);
 * - `#text` stays, except whitespace beside child elements (indentation); an element left with text
 *   only, or nothing, becomes that text, or '';
 * - repeated elements stay arrays, and elements that differ only by the prefix the sender gave them
 *   are one array (in the order the parser kept: by first appearance of each written name).
 * Documents that differ only in their prefixes and where they declare namespaces give the same result.
 * @throws GatewayError GW_ERR_XML_MALFORMED when the document uses a prefix it never declares.
 */
export function normaliseNamespaces(content: XmlContent, table: NamespaceTable): XmlContent {
  const prefixes = new Map<string, string>([[XML_NS, 'xml']]);
  for (const [prefix, entry] of Object.entries(table)) for (const uri of urisOf(entry)) prefixes.set(uri, prefix);
  const root = normaliseItem(content, new Map([['xml', XML_NS]]), { prefixes, bareIsNamespaced: Object.hasOwn(table, '') });
  return typeof root === 'object' && !Array.isArray(root) ? root : {};
}
