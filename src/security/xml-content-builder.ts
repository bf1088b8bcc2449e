// Builds the XmlContent of a canonical subtree while exc-c14n writes it, so a verified document is read without a second parse.
import type { XmlContent, XmlValue } from '../codec/document-tree.js';
import type { XmlAttribute } from './strict-xml-scanner.js';

/** What an exc-c14n writer reports of each element it renders, in the order it renders them. */
export interface CanonicalListener {
  /** A start tag: its name, the namespace declarations it renders (prefix, URI; '' the default) and its attributes, both in canonical order. */
  start(qname: string, declarations: ReadonlyArray<readonly [string, string]>, attributes: readonly XmlAttribute[]): void;
  text(data: string): void;
  end(): void;
}

/** An element being built: children by name in order of first appearance, its text, its attributes. */
interface Open {
  qname: string;
  children: Map<string, XmlValue[]>;
  text: string;
  attributes: Array<readonly [string, string]>;
}

/**
 * The canonical subtree as XmlContent, in the shape `parseXml` gives (see codec/document-tree.ts): an
 * element with neither attributes nor children is its text ('' when empty); otherwise an object with its
 * child elements (an array when repeated), `#text` when it has text, then `@xmlns…` declarations and
 * `@name` attributes. Only what the canonical bytes hold is there: the declarations exc-c14n renders
 * (those the signed content visibly uses), never one it leaves out.
 */
export class XmlContentBuilder implements CanonicalListener {
  private readonly open: Open[] = [];
  private root: XmlContent | undefined;

  start(qname: string, declarations: ReadonlyArray<readonly [string, string]>, attributes: readonly XmlAttribute[]): void {
    const named: Array<readonly [string, string]> = declarations.map(([prefix, uri]) => [prefix === '' ? '@xmlns' : `@xmlns:${prefix}`, uri] as const);
    for (const attribute of attributes) named.push([`@${attribute.qname}`, attribute.value]);
    this.open.push({ qname, children: new Map(), text: '', attributes: named });
  }

  text(data: string): void {
    const current = this.open[this.open.length - 1];
    if (current) current.text += data;
  }

  end(): void {
    const element = this.open.pop();
    if (!element) return;
    const value = valueOf(element);
    const parent = this.open[this.open.length - 1];
    if (!parent) {
      this.root = { [element.qname]: value };
      return;
    }
    const siblings = parent.children.get(element.qname);
    if (siblings) siblings.push(value);
    else parent.children.set(element.qname, [value]);
  }

  /** The document built; undefined until its element has ended. */
  result(): XmlContent | undefined {
    return this.root;
  }
}

function valueOf(element: Open): XmlValue {
  if (element.children.size === 0 && element.attributes.length === 0) return element.text;
  const content: XmlContent = {};
  for (const [name, values] of element.children) content[name] = values.length === 1 ? (values[0] as XmlValue) : (values as Array<XmlContent | string>);
  if (element.text !== '') content['#text'] = element.text;
  for (const [name, value] of element.attributes) content[name] = value;
  return content;
}
