// Rewrites of a signed document: canonically equivalent serializations (must verify) and tampering inside what is signed (must not).
import { afterRootTag, inSignature, intoRoot, rewrite, signatureOf, writeTag } from './xml-markup-rewrite.js';

/** Makes one serialization of a document signed with the `ds` prefix; `random` decides what a rewrite leaves to chance. */
export type SignedRewrite = (signed: string, random: () => number) => string;

/** Canonically equivalent serializations: each must verify everywhere and return the same bytes. */
export const EQUIVALENT: Readonly<Record<string, SignedRewrite>> = {
  declaration: (s) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`,
  'lower-case-encoding': (s) => `<?xml version='1.0' encoding='utf-8'?>${s}`,
  bom: (s) => `\uFEFF<?xml version="1.0"?>\n${s}`,
  'outer-comments-and-space': (s) => `<!-- transport -->\n\n${s}\n<!-- trailer -->\n \t\n`,
  crlf: (s) => `<?xml version="1.0"?>\r\n${s.replace(/\n/g, '\r\n')}\r\n`,
  cr: (s) => `<?xml version="1.0"?>\r${s.replace(/\n/g, '\r')}\r`,
  'single-quotes': (s) => rewrite(s, { tag: (t) => writeTag(t, t.attributes.map(([n, v]) => [n, `'${v.slice(1, -1).replace(/'/g, '&apos;')}'`])) }),
  'self-closing': (s) => s.replace(/<([^\s/>!?]+)((?:\s+[^\s=]+="[^"]*")*)><\/\1>/g, '<$1$2/>'),
  'tag-whitespace': (s) =>
    rewrite(s, { tag: (t) => writeTag(t, t.attributes.map(([n, v]) => [n, v]), '\n\t ').replace(/(\/?>)$/, ' \n$1'), endTag: (n) => `</${n}\n >` }),
  'attribute-order': (s) => rewrite(s, { tag: (t) => writeTag(t, [...t.attributes].reverse()) }),
  'unused-namespaces': (s) => rewrite(s, { tag: (t) => writeTag(t, [...t.attributes, ['xmlns:unused', '"urn:example:unused"']]) }),
  'redundant-declarations': (s) =>
    rewrite(s, {
      tag: (t) => {
        const own = new Set(t.attributes.map(([n]) => n));
        const repeated = [...t.scope].map(([p, u]) => [p ? `xmlns:${p}` : 'xmlns', `"${u}"`] as [string, string]).filter(([n]) => !own.has(n));
        return writeTag(t, [...repeated, ...t.attributes]);
      },
    }),
  'character-references': (s, random) =>
    rewrite(s, {
      tag: (t) => writeTag(t, t.attributes.map(([n, v]) => [n, n.startsWith('xmlns') ? v : v.replace(/&[^;]+;|[A-Za-z ]/g, (c) => (c.length === 1 && random() < 0.3 ? `&#x${c.charCodeAt(0).toString(16)};` : c))])),
      text: (t, path) =>
        inSignature(path) ? t : t.replace(/&[^;]+;|[A-Za-zА-я0-9]/g, (c) => (c === '&gt;' ? '>' : c === '&amp;' ? '&#38;' : c.length === 1 && random() < 0.3 ? `&#${c.charCodeAt(0)};` : c)),
    }),
  cdata: (s) =>
    rewrite(s, {
      text: (t, path) =>
        inSignature(path) || t === '' || t.includes('&#x') ? t : `<![CDATA[${t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')}]]>`,
    }),
  'attribute-whitespace': (s, random) =>
    rewrite(s, { tag: (t) => writeTag(t, t.attributes.map(([n, v]) => [n, v.replace(/ /g, () => ['\t', '\n', '\r\n', '\r', ' '][Math.floor(random() * 5)] as string)])) }),
  'comment-injection': (s) =>
    rewrite(s, { text: (t, path) => (inSignature(path) || t.length < 2 ? t : `${t.slice(0, 1)}<!---->${t.slice(1, -1)}<!-- x -->${t.slice(-1)}`), endTag: (n) => `</${n}><!--c-->` }),
  'signed-info-comments': (s) => s.replace(/(<\/ds:(?:CanonicalizationMethod|SignatureMethod|Transform)>)/g, '$1<!-- note -->').replace(/<ds:DigestValue>/, '<ds:DigestValue><!--x-->'),
  'signature-first': (s) => intoRoot(s.replace(signatureOf(s), ''), signatureOf(s)),
  'signature-xml-lang': (s) => s.replace('<ds:Signature ', '<ds:Signature xml:lang="en" '),
  'key-info-removed': (s) => s.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, ''),
};

/** Changes inside what is signed: each must be refused everywhere. A change that finds nothing to change returns the document as it was. */
export const TAMPERED: Readonly<Record<string, (signed: string) => string>> = {
  text: (s) => rewrite(s, { text: (t, path) => (inSignature(path) ? t : t.replace(/[A-Za-z]/, (c) => (c === 'x' ? 'y' : 'x'))) }),
  'attribute-value': (s) => s.replace(/ (value|seq|remark|ID|m:from|атрибут)="/, (m) => `${m}0`),
  'added-attribute': (s) => s.replace(/^(<[^\s>]+)/, '$1 status="released"'),
  /** The first child of the document element, with its content. */
  'removed-element': (s) => {
    const at = afterRootTag(s);
    return s.slice(0, at) + s.slice(at).replace(/^<([^\s/>!?]+)[ >][\s\S]*?<\/\1>/, '');
  },
  'whitespace-inside': (s) => intoRoot(s, '\n  '),
  'digest-value': (s) => s.replace(/<ds:DigestValue>./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`),
  'signature-value': (s) => s.replace(/<ds:SignatureValue>./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`),
  'space-in-empty-element': (s) => s.replace(/<([^\s/>!?]+)((?:\s+[^\s=]+="[^"]*")*)><\/\1>/, '<$1$2> </$1>'),
};
