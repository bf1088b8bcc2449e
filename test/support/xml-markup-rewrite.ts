// A small markup walker for tests that rewrite signed XML (never the verifier's code): tags, text, and where the signature and document element are.

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /\s+([^\s=]+)\s*=\s*("[^"]*"|'[^']*')/g;

/** A start tag as the walker meets it. */
export interface StartTag {
  name: string;
  /** [name, quoted value] pairs as written. */
  attributes: Array<[string, string]>;
  selfClosing: boolean;
  /** Bindings in scope from the ancestors (prefix '' for the default namespace). */
  scope: ReadonlyMap<string, string>;
  /** Open element names, outermost first. */
  path: readonly string[];
}

/** What to write instead of each start tag, end tag and text; what is not given is kept. */
export interface Rewrite {
  tag?: (tag: StartTag) => string;
  endTag?: (name: string) => string;
  /** Text between markup inside the document element; `path` names the open elements. */
  text?: (text: string, path: readonly string[]) => string;
}

/** Writes a start tag with `attributes` (default its own), each preceded by `space`. */
export function writeTag(tag: StartTag, attributes = tag.attributes, space = ' '): string {
  return `<${tag.name}${attributes.map(([n, v]) => `${space}${n}=${v}`).join('')}${tag.selfClosing ? '/>' : '>'}`;
}

/** Rewrites start tags, end tags and text of a document; comments and CDATA sections are kept as they are. */
export function rewrite(xml: string, edit: Rewrite): string {
  const path: string[] = [];
  const scopes: Array<Map<string, string>> = [new Map()];
  let out = '';
  let last = 0;
  for (const match of xml.matchAll(TOKEN)) {
    const between = xml.slice(last, match.index);
    out += path.length > 0 && edit.text ? edit.text(between, path) : between;
    last = match.index + match[0].length;
    const [whole, endName, name, attributeText = '', slash] = match;
    if (endName !== undefined) {
      path.pop();
      scopes.pop();
      out += edit.endTag ? edit.endTag(endName) : whole;
    } else if (name !== undefined) {
      const attributes = [...attributeText.matchAll(ATTRIBUTE)].map((a) => [a[1], a[2]] as [string, string]);
      const scope = scopes[scopes.length - 1] as Map<string, string>;
      const tag: StartTag = { name, attributes, selfClosing: slash === '/', scope, path: [...path] };
      out += edit.tag ? edit.tag(tag) : whole;
      if (!tag.selfClosing) {
        const inner = new Map(scope);
        for (const [n, v] of attributes) if (n === 'xmlns' || n.startsWith('xmlns:')) inner.set(n.slice(6), v.slice(1, -1));
        path.push(name);
        scopes.push(inner);
      }
    } else out += whole;
  }
  return out + xml.slice(last);
}

/** True inside a Signature element, whatever its prefix. */
export const inSignature = (path: readonly string[]): boolean => path.some((n) => /(^|:)Signature$/.test(n));

/** Where the document element's start tag ends (its attribute values may hold ">"). */
export function afterRootTag(xml: string): number {
  for (const match of xml.matchAll(TOKEN)) if (match[2] !== undefined) return match.index + match[0].length;
  return 0;
}

/** Inserts `insert` right after the document element's start tag. */
export function intoRoot(xml: string, insert: string): string {
  const at = afterRootTag(xml);
  return xml.slice(0, at) + insert + xml.slice(at);
}

/** Inserts `insert` as the last child of the document element (before the last end tag). */
export function lastChild(xml: string, insert: string): string {
  const close = xml.lastIndexOf('</');
  return xml.slice(0, close) + insert + xml.slice(close);
}

/** The ds:Signature element of a document signed with the `ds` prefix (ours, or xmlsec1 from our templates). */
export function signatureOf(signed: string): string {
  return /<ds:Signature [\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
}
