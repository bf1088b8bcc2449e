// Strict one-pass XML 1.0 + Namespaces scanner for signed partner documents: no DTD, no processing instructions; names resolved, text decoded.
import { GatewayError } from '../errors.js';
import { isAbsoluteUri } from './absolute-uri.js';
import { isNameCodePoint, nameEnd } from './xml-name-chars.js';

/**
 * Why a scanner of our own: a verifier must see exactly what libxml2 (xmlsec1) sees, in one pass, fast.
 * The subset a signed partner document may use is small (elements, attributes, text, CDATA, comments,
 * character and predefined entity references, an XML declaration), and everything outside it is refused
 * rather than interpreted: DOCTYPE and every other markup declaration, processing instructions, names that
 * are not namespace-well-formed, undeclared prefixes, relative namespace URIs, encodings other than UTF-8.
 * What the XML 1.0 spec says a processor must do is done here: line ends normalised to LF before parsing,
 * attribute values normalised (whitespace characters to spaces, references resolved), CDATA passed as text.
 */

/** The namespace the `xml` prefix is bound to. */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** An attribute after namespace resolution and attribute-value normalisation; namespace declarations are not attributes. */
export interface XmlAttribute {
  /** Name as written (`p:name` or `name`). */
  readonly qname: string;
  /** Prefix, '' when unprefixed. */
  readonly prefix: string;
  /** Local part of the name. */
  readonly local: string;
  /** Namespace URI, '' for an unprefixed attribute. */
  readonly uri: string;
  /** Normalised value. */
  readonly value: string;
}

/** An element after namespace resolution. */
export interface XmlElement {
  /** Name as written. */
  readonly qname: string;
  /** Prefix, '' when unprefixed. */
  readonly prefix: string;
  /** Local part of the name. */
  readonly local: string;
  /** Namespace URI, '' when in no namespace. */
  readonly uri: string;
  /** Attributes in document order, namespace declarations excluded. */
  readonly attributes: readonly XmlAttribute[];
}

/** Namespace bindings in scope at the element being reported. */
export interface NamespaceScope {
  /** URI bound to `prefix` ('' asks for the default namespace, which is '' when none is declared); undefined when unbound. */
  uriOf(prefix: string): string | undefined;
}

/** Receives a document's content in order; comments are dropped, CDATA sections and references arrive as text. */
export interface XmlHandler {
  /** A start tag (an empty-element tag is reported as start then end). `scope` is valid during the call only. */
  startElement(element: XmlElement, scope: NamespaceScope): void;
  /** Character data of the document element's content, references resolved. */
  text(data: string): void;
  /** The end of an element. */
  endElement(element: XmlElement): void;
}

// eslint-disable-next-line no-control-regex -- finding characters XML 1.0 forbids is the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const XML_DECLARATION =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.0"|'1\.0')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/y;
const MARKUP_DECLARATION = /<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/iy;
const PREDEFINED = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['apos', "'"], ['quot', '"']]);
const DECIMAL = /^[0-9]+$/;
const HEXADECIMAL = /^[0-9A-Fa-f]+$/;
const ATTRIBUTE_WORK = /[&\t\n<]/;
/** Beyond this many attributes on one element, duplicates are found with a set rather than by comparison. */
const LINEAR_LIMIT = 8;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** True when `values` holds a repeated string; linear for the usual few, a set beyond that. */
function hasRepeat(values: readonly string[]): boolean {
  if (values.length > LINEAR_LIMIT) return new Set(values).size !== values.length;
  for (let a = 1; a < values.length; a++) {
    for (let b = 0; b < a; b++) if (values[a] === values[b]) return true;
  }
  return false;
}

class Scanner implements NamespaceScope {
  private i = 0;
  /** prefix → stack of URIs bound to it; `declared` lists the prefixes bound per open element, `marks` where each element's start. */
  private readonly bindings = new Map<string, string[]>();
  private readonly declared: string[] = [];
  private readonly marks: number[] = [];
  private readonly open: XmlElement[] = [];
  /** Split of the last name checked by `splitName`. */
  private prefix = '';
  private local = '';

  constructor(
    private readonly s: string,
    private readonly handler: XmlHandler,
  ) {}

  uriOf(prefix: string): string | undefined {
    const stack = this.bindings.get(prefix);
    if (stack && stack.length > 0) return stack[stack.length - 1];
    if (prefix === '') return '';
    return prefix === 'xml' ? XML_NS : undefined;
  }

  run(): void {
    const s = this.s;
    const bad = s.search(FORBIDDEN_CHAR);
    if (bad >= 0) this.fail(`character U+${s.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML 1.0`, bad);
    this.i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (s.startsWith('<?xml', this.i) && isSpace(s.charCodeAt(this.i + 5))) this.declaration();
    this.misc();
    if (this.i >= s.length) this.fail('no document element', this.i);
    if (s.charCodeAt(this.i) !== 0x3c) this.fail('text before the document element', this.i);
    this.content();
    this.misc();
    if (this.i < s.length) this.fail('content after the document element', this.i);
  }

  private fail(reason: string, at: number): never {
    const before = this.s.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new GatewayError('GW_ERR_XML_MALFORMED', `${reason} (line ${line}, column ${column})`, { line, column });
  }

  private declaration(): void {
    XML_DECLARATION.lastIndex = this.i;
    const match = XML_DECLARATION.exec(this.s);
    if (!match) this.fail('malformed XML declaration (version 1.0 only)', this.i);
    const encoding = match[1] ?? match[2];
    if (encoding !== undefined && encoding.toUpperCase() !== 'UTF-8') this.fail(`encoding "${encoding}" is not accepted: UTF-8 only`, this.i);
    this.i = XML_DECLARATION.lastIndex;
  }

  /** Whitespace, comments and what must be refused, outside the document element. */
  private misc(): void {
    const s = this.s;
    for (;;) {
      while (isSpace(s.charCodeAt(this.i))) this.i++;
      if (s.startsWith('<!--', this.i)) this.comment();
      else if (s.startsWith('<?', this.i)) this.instruction();
      else if (s.startsWith('<!', this.i)) this.markupDeclaration();
      else return;
    }
  }

  private content(): void {
    const s = this.s;
    this.startTag();
    while (this.open.length > 0) {
      const lt = s.indexOf('<', this.i);
      if (lt < 0) this.fail(`element <${this.open[this.open.length - 1]?.qname}> is not closed`, s.length);
      if (lt > this.i) this.text(lt);
      const next = s.charCodeAt(lt + 1);
      if (next === 0x2f /* / */) this.endTag();
      else if (next === 0x21 /* ! */) {
        if (s.startsWith('<!--', lt)) this.comment();
        else if (s.startsWith('<![CDATA[', lt)) this.cdata();
        else this.markupDeclaration();
      } else if (next === 0x3f /* ? */) this.instruction();
      else this.startTag();
    }
  }

  private comment(): void {
    const end = this.s.indexOf('--', this.i + 4);
    if (end < 0 || this.s.charCodeAt(end + 2) !== 0x3e) this.fail('malformed comment ("--" inside, or not closed)', this.i);
    this.i = end + 3;
  }

  private cdata(): void {
    const start = this.i + 9;
    const end = this.s.indexOf(']]>', start);
    if (end < 0) this.fail('CDATA section is not closed', this.i);
    this.handler.text(this.s.slice(start, end));
    this.i = end + 3;
  }

  private markupDeclaration(): never {
    MARKUP_DECLARATION.lastIndex = this.i;
    if (MARKUP_DECLARATION.test(this.s)) throw new GatewayError('GW_ERR_XML_DOCTYPE', 'DOCTYPE and entity declarations are refused');
    this.fail('malformed markup', this.i);
  }

  private instruction(): never {
    const at = this.i;
    this.i += 2;
    if (this.name().toLowerCase() === 'xml') this.fail('an XML declaration is allowed only at the start of the document', at);
    throw new GatewayError('GW_ERR_SIGNATURE_POLICY', 'processing instructions are not allowed');
  }

  private text(end: number): void {
    const raw = this.s.slice(this.i, end);
    if (raw.includes(']]>')) this.fail('"]]>" is not allowed in text', this.i + raw.indexOf(']]>'));
    this.handler.text(raw.includes('&') ? this.decode(raw, this.i, false) : raw);
    this.i = end;
  }

  /** Reads an XML Name at the cursor. */
  private name(): string {
    const start = this.i;
    this.i = nameEnd(this.s, start);
    if (this.i === start) this.fail('a name is expected', start);
    return this.s.slice(start, this.i);
  }

  /** Splits a QName into `prefix` and `local`, refusing names that are not namespace-well-formed. */
  private splitName(qname: string, at: number): void {
    const colon = qname.indexOf(':');
    if (colon < 0) {
      this.prefix = '';
      this.local = qname;
      return;
    }
    if (colon === 0 || qname.indexOf(':', colon + 1) >= 0 || !isNameCodePoint(qname.codePointAt(colon + 1) ?? 0, true)) {
      this.fail(`"${qname}" is not a namespace-well-formed name`, at);
    }
    this.prefix = qname.slice(0, colon);
    this.local = qname.slice(colon + 1);
  }

  private startTag(): void {
    const s = this.s;
    const at = this.i;
    this.i++;
    const qname = this.name();
    const names: string[] = [];
    const values: string[] = [];
    let selfClosing = false;
    for (;;) {
      const before = this.i;
      while (isSpace(s.charCodeAt(this.i))) this.i++;
      const c = s.charCodeAt(this.i);
      if (c === 0x3e /* > */) {
        this.i++;
        break;
      }
      if (c === 0x2f /* / */ && s.charCodeAt(this.i + 1) === 0x3e) {
        this.i += 2;
        selfClosing = true;
        break;
      }
      if (this.i === before) this.fail(`malformed start tag <${qname}>`, this.i);
      names.push(this.name());
      values.push(this.attributeValue());
    }
    if (hasRepeat(names)) this.fail(`repeated attribute in <${qname}>`, at);
    this.marks.push(this.declared.length);
    for (let k = 0; k < names.length; k++) {
      const name = names[k] as string;
      if (name === 'xmlns' || name.startsWith('xmlns:')) this.declare(name, values[k] as string, at);
    }
    const element = this.resolve(qname, names, values, at);
    this.handler.startElement(element, this);
    if (selfClosing) this.close(element);
    else this.open.push(element);
  }

  private attributeValue(): string {
    const s = this.s;
    while (isSpace(s.charCodeAt(this.i))) this.i++;
    if (s.charCodeAt(this.i) !== 0x3d /* = */) this.fail('"=" expected after an attribute name', this.i);
    this.i++;
    while (isSpace(s.charCodeAt(this.i))) this.i++;
    const quote = s.charAt(this.i);
    if (quote !== '"' && quote !== "'") this.fail('attribute value must be quoted', this.i);
    const end = s.indexOf(quote, this.i + 1);
    if (end < 0) this.fail('attribute value is not closed', this.i);
    const raw = s.slice(this.i + 1, end);
    const value = ATTRIBUTE_WORK.test(raw) ? this.decode(raw, this.i + 1, true) : raw;
    this.i = end + 1;
    return value;
  }

  /** Binds a namespace declared by attribute `name` (`xmlns` or `xmlns:p`) for the element being opened. */
  private declare(name: string, uri: string, at: number): void {
    let prefix = '';
    if (name !== 'xmlns') {
      this.splitName(name, at);
      prefix = this.local;
    }
    if (prefix === 'xmlns') this.fail('the xmlns prefix must not be declared', at);
    if (prefix === 'xml') {
      if (uri !== XML_NS) this.fail('the xml prefix may only be bound to its own namespace', at);
      return;
    }
    if (uri === XML_NS || uri === XMLNS_NS) this.fail(`namespace ${uri} may not be bound to ${prefix ? `prefix ${prefix}` : 'the default namespace'}`, at);
    if (uri === '' && prefix !== '') this.fail(`prefix ${prefix} cannot be undeclared (Namespaces in XML 1.0)`, at);
    if (uri !== '' && !isAbsoluteUri(uri)) this.fail(`namespace URI "${uri}" is not an absolute URI`, at);
    let stack = this.bindings.get(prefix);
    if (!stack) this.bindings.set(prefix, (stack = []));
    stack.push(uri);
    this.declared.push(prefix);
  }

  private resolve(qname: string, names: readonly string[], values: readonly string[], at: number): XmlElement {
    const attributes: XmlAttribute[] = [];
    const expanded: string[] = [];
    for (let k = 0; k < names.length; k++) {
      const name = names[k] as string;
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      this.splitName(name, at);
      const { prefix, local } = this;
      const uri = prefix === '' ? '' : this.uriOf(prefix);
      if (uri === undefined) this.fail(`prefix ${prefix} of attribute ${name} is not declared`, at);
      if (prefix !== '') expanded.push(`${uri} ${local}`);
      attributes.push({ qname: name, prefix, local, uri, value: values[k] as string });
    }
    if (hasRepeat(expanded)) this.fail(`<${qname}> has two attributes with the same namespace and local name`, at);
    this.splitName(qname, at);
    const { prefix, local } = this;
    if (prefix === 'xmlns') this.fail('the xmlns prefix is reserved', at);
    const uri = this.uriOf(prefix);
    if (uri === undefined) this.fail(`prefix ${prefix} of element ${qname} is not declared`, at);
    return { qname, prefix, local, uri, attributes };
  }

  private endTag(): void {
    const at = this.i;
    this.i += 2;
    const qname = this.name();
    while (isSpace(this.s.charCodeAt(this.i))) this.i++;
    if (this.s.charCodeAt(this.i) !== 0x3e) this.fail(`malformed end tag </${qname}>`, this.i);
    this.i++;
    const element = this.open.pop() as XmlElement;
    if (element.qname !== qname) this.fail(`end tag </${qname}> does not match <${element.qname}>`, at);
    this.close(element);
  }

  private close(element: XmlElement): void {
    this.handler.endElement(element);
    const mark = this.marks.pop() as number;
    while (this.declared.length > mark) this.bindings.get(this.declared.pop() as string)?.pop();
  }

  /** Resolves references in text or an attribute value; in an attribute, literal TAB and LF become spaces (XML 1.0 §3.3.3). */
  private decode(raw: string, offset: number, attribute: boolean): string {
    let out = '';
    let last = 0;
    for (let k = 0; k < raw.length; k++) {
      const c = raw.charCodeAt(k);
      if (c === 0x26 /* & */) {
        const semi = raw.indexOf(';', k + 1);
        if (semi < 0) this.fail('unterminated reference', offset + k);
        out += raw.slice(last, k) + this.reference(raw.slice(k + 1, semi), offset + k);
        k = semi;
        last = semi + 1;
      } else if (attribute && (c === 0x09 || c === 0x0a)) {
        out += `${raw.slice(last, k)} `;
        last = k + 1;
      } else if (attribute && c === 0x3c) {
        this.fail('"<" is not allowed in an attribute value', offset + k);
      }
    }
    return out + raw.slice(last);
  }

  private reference(body: string, at: number): string {
    if (body.charCodeAt(0) === 0x23 /* # */) {
      const hex = body.charCodeAt(1) === 0x78; /* x */
      const digits = body.slice(hex ? 2 : 1);
      const cp = (hex ? HEXADECIMAL : DECIMAL).test(digits) ? parseInt(digits, hex ? 16 : 10) : -1;
      if (!isXmlChar(cp)) this.fail(`&${body}; is not a reference to an XML character`, at);
      return String.fromCodePoint(cp);
    }
    const char = PREDEFINED.get(body);
    if (char === undefined) this.fail(`entity &${body}; is not defined (no DTD is accepted)`, at);
    return char;
  }
}

/**
 * Scans `text` (already decoded from UTF-8, a leading BOM allowed) and reports its content to `handler`.
 * Line ends are normalised first, as XML 1.0 §2.11 requires of every processor.
 * @throws GatewayError GW_ERR_XML_MALFORMED (not well-formed or not namespace-well-formed, relative namespace
 *   URI, encoding other than UTF-8), GW_ERR_XML_DOCTYPE (any markup declaration), GW_ERR_SIGNATURE_POLICY
 *   (a processing instruction: exc-c14n of a whole document would sign it, so none is accepted).
 */
export function scanXml(text: string, handler: XmlHandler): void {
  new Scanner(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text, handler).run();
}
