// Deterministic randomness and random XML documents: namespace scoping, attributes, text and escaping written non-canonically.
import { hash } from 'node:crypto';

/** Numbers in [0, 1) from SHA-256 of a seed and a counter: every run builds the same documents and the same mutations. */
export function seeded(seed: string): () => number {
  let counter = 0;
  return () => hash('sha256', `${seed}:${counter++}`, 'buffer').readUInt32BE(0) / 2 ** 32;
}

const RANDOM_URIS = ['urn:example:one', 'urn:example:two', 'http://example.com/ns/three?v=1', 'urn:x', 'urn:example:%C3%A9'];
const RANDOM_PREFIXES = ['a', 'b', 'p', 'ns1', 'z'];
const RANDOM_NAMES = ['Item', 'b', 'Z', 'a', 'é', 'a\uFF21', 'a\u{1D49C}', 'Имя', 'x.y', '_u', 'n-1'];
const RANDOM_TEXT = ['plain', 'a & b', '<tag>', 'x > y', '"quoted"', "'apos'", 'tab\there', 'line\nbreak', 'cr\rcr', 'Таможня', '中文 😀', '  spaced  ', 'ls\u2028nel\u0085', ']]', '\u00a0', '', '\uFFFD'];

/** One random document (no signature yet; the document element keeps an end tag for one), written non-canonically; `random` decides everything. */
export function randomDocument(random: () => number): string {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const text = (value: string): string =>
    [...value].map((c) => ({ '&': '&amp;', '<': '&lt;', '>': random() < 0.5 ? '&gt;' : '>', '\r': '&#13;' })[c] ?? (random() < 0.1 ? `&#x${(c.codePointAt(0) ?? 0).toString(16)};` : c)).join('');
  const attribute = (value: string): string =>
    [...value].map((c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': random() < 0.5 ? '&#9;' : '\t', '\n': random() < 0.5 ? '&#10;' : '\n', '\r': '&#xD;' })[c] ?? c).join('');
  const element = (depth: number, scope: ReadonlyMap<string, string>): string => {
    const inner = new Map(scope);
    const declarations: string[] = [];
    if (random() < 0.3) {
      const uri = random() < 0.25 ? '' : pick(RANDOM_URIS);
      inner.set('', uri);
      declarations.push(` xmlns="${uri}"`);
    }
    for (const prefix of RANDOM_PREFIXES) {
      if (random() < 0.15) {
        const uri = pick(RANDOM_URIS);
        inner.set(prefix, uri);
        declarations.push(` xmlns:${prefix}="${uri}"`);
      }
    }
    const prefixes = [...inner.keys()].filter((p) => p !== '');
    const prefix = prefixes.length > 0 && random() < 0.4 ? pick(prefixes) : '';
    const name = `${prefix ? `${prefix}:` : ''}${pick(RANDOM_NAMES)}`;
    const attributes = new Map<string, string>();
    for (let k = Math.floor(random() * 4); k > 0; k--) {
      const attributePrefix = prefixes.length > 0 && random() < 0.4 ? pick(prefixes) : random() < 0.1 ? 'xml' : '';
      const local = attributePrefix === 'xml' ? pick(['lang', 'space']) : pick(RANDOM_NAMES);
      const expanded = `${attributePrefix === 'xml' ? 'xml' : attributePrefix ? inner.get(attributePrefix) : ''} ${local}`;
      if (![...attributes.keys()].some((n) => n.split('\u0000')[1] === expanded)) attributes.set(`${attributePrefix ? `${attributePrefix}:` : ''}${local}\u0000${expanded}`, pick(RANDOM_TEXT));
    }
    const quote = random() < 0.8 ? '"' : "'";
    const written = [...attributes].map(([n, v]) => ` ${n.split('\u0000')[0]}=${quote}${attribute(v).replace(/'/g, quote === "'" ? '&apos;' : "'")}${quote}`);
    const items = [...declarations, ...written].sort(() => random() - 0.5).join(random() < 0.2 ? '\n  ' : '');
    let content = '';
    for (let k = depth < 4 ? Math.floor(random() * 4) : 0; k > 0; k--) {
      const kind = random();
      if (kind < 0.45) content += element(depth + 1, inner);
      else if (kind < 0.75) content += text(pick(RANDOM_TEXT));
      else if (kind < 0.85) content += `<![CDATA[${pick(RANDOM_TEXT).replace(/\r/g, '')}]]>`;
      else content += '<!-- comment -->';
    }
    // The document element keeps an end tag: the signature goes before it.
    return content === '' && depth > 0 && random() < 0.5 ? `<${name}${items}/>` : `<${name}${items}>${content}</${name}>`;
  };
  return element(0, new Map());
}
