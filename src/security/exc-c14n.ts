// Exclusive XML Canonicalization 1.0 without comments, written as a document is scanned: one writer per apex element.
import type { NamespaceScope, XmlAttribute, XmlElement } from './strict-xml-scanner.js';
import type { CanonicalListener } from './xml-content-builder.js';

/**
 * The rules of W3C exc-c14n (and Canonical XML 1.0, which it builds on) that apply to a subtree with
 * comments removed and no partial node-sets (the enveloped signature is removed as a whole subtree):
 * - an element renders the namespace declarations it visibly utilizes (its own prefix, or the default
 *   namespace when unprefixed, and the prefixes of its attributes; never `xml`) unless its nearest output
 *   ancestor already rendered the same binding; an unprefixed element in no namespace renders `xmlns=""`
 *   only when an output ancestor rendered a non-empty default namespace;
 * - the apex has no output ancestor: it renders everything it utilizes from the bindings in scope, and
 *   `xml:*` attributes of ancestors are not imported (that is inclusive c14n);
 * - namespace declarations come first, sorted by prefix (the default first), then attributes sorted by
 *   namespace URI (none first) then local name, both in code point order;
 * - empty elements become start/end pairs; text escapes `& < >` and CR, attribute values `& < "` TAB LF CR.
 */

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTRIBUTE_SPECIAL = /[&<"\t\n\r]/g;

const textEscape = (c: string): string => TEXT_ESCAPES[c] as string;
const attributeEscape = (c: string): string => ATTRIBUTE_ESCAPES[c] as string;

function escapeText(value: string): string {
  TEXT_SPECIAL.lastIndex = 0;
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL, textEscape) : value;
}

function escapeAttribute(value: string): string {
  ATTRIBUTE_SPECIAL.lastIndex = 0;
  return ATTRIBUTE_SPECIAL.test(value) ? value.replace(ATTRIBUTE_SPECIAL, attributeEscape) : value;
}

/** Rank of a UTF-16 code unit in code point order: surrogates (U+D800–U+DFFF) stand for code points above every BMP character. */
function codePointRank(c: number): number {
  return c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c;
}

/**
 * Compares strings by Unicode code point, as c14n orders names (JavaScript's `<` compares UTF-16 code
 * units, which puts U+10000 and above before U+E000–U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let k = 0; k < length; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  return a.uri === b.uri ? compareCodePoints(a.local, b.local) : compareCodePoints(a.uri, b.uri);
}

/** Writes the exc-c14n form of one subtree from the scanner's events; feed it the apex and everything inside it. */
export class ExcC14nWriter {
  private out = '';
  /** prefix → stack of URIs rendered by output ancestors; `rendered` lists the prefixes pushed, `marks` per open element. */
  private readonly inEffect = new Map<string, string[]>();
  private readonly rendered: string[] = [];
  private readonly marks: number[] = [];

  /** @param listener told of every element, declaration and text as rendered (to build the content in the same pass) */
  constructor(private readonly listener?: CanonicalListener) {}

  /** Renders a start tag; `scope` gives the bindings in scope at the element (its ancestors' included). */
  startElement(element: XmlElement, scope: NamespaceScope): void {
    this.marks.push(this.rendered.length);
    let declarations = this.utilize(element.prefix, scope, undefined);
    for (const attribute of element.attributes) if (attribute.prefix !== '') declarations = this.utilize(attribute.prefix, scope, declarations);
    let tag = `<${element.qname}`;
    const bindings: Array<readonly [string, string]> = [];
    if (declarations) {
      if (declarations.length > 1) declarations.sort(compareCodePoints);
      for (const prefix of declarations) {
        const uri = scope.uriOf(prefix) ?? '';
        tag += prefix === '' ? ` xmlns="${escapeAttribute(uri)}"` : ` xmlns:${prefix}="${escapeAttribute(uri)}"`;
        bindings.push([prefix, uri]);
        let stack = this.inEffect.get(prefix);
        if (!stack) this.inEffect.set(prefix, (stack = []));
        stack.push(uri);
        this.rendered.push(prefix);
      }
    }
    const attributes = element.attributes.length > 1 ? [...element.attributes].sort(compareAttributes) : element.attributes;
    for (const attribute of attributes) tag += ` ${attribute.qname}="${escapeAttribute(attribute.value)}"`;
    this.out += `${tag}>`;
    this.listener?.start(element.qname, bindings, attributes);
  }

  /** Adds `prefix` to the declarations the element must render when its binding differs from the one in effect. */
  private utilize(prefix: string, scope: NamespaceScope, declarations: string[] | undefined): string[] | undefined {
    if (prefix === 'xml' || declarations?.includes(prefix)) return declarations;
    const uri = scope.uriOf(prefix) ?? '';
    const stack = this.inEffect.get(prefix);
    const effective = stack && stack.length > 0 ? stack[stack.length - 1] : prefix === '' ? '' : undefined;
    if (effective === uri) return declarations;
    return declarations ? [...declarations, prefix] : [prefix];
  }

  /** Renders character data. */
  text(data: string): void {
    this.out += escapeText(data);
    this.listener?.text(data);
  }

  /** Renders an end tag and forgets the bindings the element rendered. */
  endElement(element: XmlElement): void {
    this.out += `</${element.qname}>`;
    const mark = this.marks.pop() ?? 0;
    while (this.rendered.length > mark) this.inEffect.get(this.rendered.pop() as string)?.pop();
    this.listener?.end();
  }

  /** The canonical form written so far. */
  result(): string {
    return this.out;
  }
}
