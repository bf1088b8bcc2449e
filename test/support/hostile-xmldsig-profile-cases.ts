// Profile cases around a subject: duplicate ids, references, keys, algorithms, signatures, declarations, namespaces, encodings, malformed XML.
import { DSIG_NS, ENVELOPED, EXC_C14N } from '../../src/security/xmldsig-algorithms.js';
import type { CaseRow, SubjectForms } from './hostile-xmldsig-subject.js';
import { intoRoot, lastChild, signatureOf } from './xml-markup-rewrite.js';
import { ECDSA_SHA256, OTHER } from './xmldsig-forge.js';

/** An ECDSA value (raw r‖s, P-256) as the DER SEQUENCE of two INTEGERs that XMLDSig 1.1 does not allow. */
function derValue(raw: Buffer): Buffer {
  const integer = (v: Buffer): Buffer => {
    let body = v.subarray(v.findIndex((b) => b !== 0));
    if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const sequence = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, sequence.length]), sequence]);
}

/** The signed form with its ECDSA value DER-encoded. */
function derEncoded(signedEc: string): string {
  const value = /<ds:SignatureValue>([^<]+)</.exec(signedEc)?.[1] ?? '';
  return signedEc.replace(value, derValue(Buffer.from(value, 'base64')).toString('base64'));
}

/** The signed form with the certificate in KeyInfo replaced. */
const swapCertificate = (d: SubjectForms, signed: string, from: 'rsa' | 'attacker', to: 'rsa' | 'attacker'): string => signed.replace(d.signer.certificateBase64(from), d.signer.certificateBase64(to));

/** The signed form with `insert` before the first character of the text. */
const inText = (d: SubjectForms, insert: string): string => d.signed.replace(d.subject.text, d.textWith(insert));

/** A namespace URI with every absolute-URI part: user, port, path parameters, query, fragment. */
const ABSOLUTE_URI = "http://user@example.com:8080/p/a;x=1?q=1=%20'#frag";

/** Duplicate ids, references, keys, algorithms, signatures, declarations and encodings: each a genuinely valid signature under its own rules. */
export const PROFILE_CASES: readonly CaseRow[] = [
  ['ids/duplicate-of-root-id', (d) => d.signer.forge(d.canonical.replace(d.bareWith(''), d.bareWith(` ID="${d.subject.rootId}"`)), { referenceAttributes: ` URI="#${d.subject.rootId}"` }), 'refuse'],
  ['ids/duplicate-with-empty-uri', (d) => d.signer.forge(d.canonical.replace(d.bareWith(''), d.bareWith(` ID="${d.subject.target.id}"`))), 'refuse'],
  ['ids/duplicate-prefixed', (d) => d.signer.forge(d.canonical.replace(d.bareWith(''), d.bareWith(` xmlns:w="urn:w" w:Id="${d.subject.target.id}"`))), 'refuse'],
  ['ids/duplicate-inside-signature', (d) => d.signed.replace('<ds:KeyInfo>', `<ds:KeyInfo Id="${d.subject.target.id}">`), 'refuse'],
  ['ids/distinct-ids-in-signature', (d) => d.signed.replace('<ds:KeyInfo>', '<ds:KeyInfo Id="key-info">'), 'accept'],
  ['reference/xpointer-root', (d) => d.signer.forge(d.canonical, { referenceAttributes: ' URI="#xpointer(/)"' }), 'reference-target'],
  ['reference/xpointer-id', (d) => d.signer.forge(d.canonical, { referenceAttributes: ` URI="#xpointer(id('${d.subject.rootId}'))"` }), 'reference-target'],
  ['reference/no-uri', (d) => d.signer.forge(d.canonical, { referenceAttributes: '' }), 'reference-target'],
  ['reference/external', (d) => d.signer.forge(d.canonical, { referenceAttributes: ' URI="http://attacker.example/doc.xml"' }), 'refuse'],
  ['reference/quoted', (d) => d.signer.forge(d.canonical, { referenceAttributes: ` URI="#${d.subject.rootId}' or '1'='1"` }), 'refuse'],
  ['reference/unknown-id', (d) => d.signer.forge(d.canonical, { referenceAttributes: ' URI="#nowhere"' }), 'refuse'],
  ['reference/extra-attributes', (d) => d.signer.forge(d.canonical, { referenceAttributes: ' Id="ref-1" Type="urn:example:type" URI=""' }), 'accept'],
  ['keys/attacker-signature', (d) => d.signer.sign('attacker', d.canonical), 'refuse'],
  ['keys/attacker-certificate-in-key-info', (d) => swapCertificate(d, d.signed, 'rsa', 'attacker'), 'accept'],
  ['keys/attacker-signature-genuine-certificate', (d) => swapCertificate(d, d.signer.sign('attacker', d.canonical), 'attacker', 'rsa'), 'refuse'],
  ['keys/ecdsa-value-der-encoded', (d) => derEncoded(d.signedEc), 'refuse', { signer: 'ec' }],
  ['keys/rsa-value-labelled-ecdsa', (d) => d.signer.forge(d.canonical, { method: ECDSA_SHA256 }), 'refuse'],
  ['keys/ecdsa-under-rsa-pin', (d) => d.signedEc, 'refuse', { needsEc: true }],
  ['keys/value-with-line-breaks', (d) => d.signed.replace(/<ds:SignatureValue>([^<]+)</, (_, v: string) => `<ds:SignatureValue>\n${v.replace(/.{64}/g, '$&\n')}\n<`), 'accept'],
  ['keys/value-without-padding', (d) => d.signed.replace(/=*<\/ds:SignatureValue>/, '</ds:SignatureValue>'), 'refuse'],
  ['keys/value-not-base64', (d) => d.signed.replace('<ds:SignatureValue>', '<ds:SignatureValue>*'), 'refuse'],
  ['keys/foreign-element-in-key-info', (d) => d.signed.replace('</ds:KeyInfo>', `${d.forged(` xmlns="${d.subject.target.namespace}"`)}</ds:KeyInfo>`), 'accept'],
  ['algorithm/rsa-sha1', (d) => d.signer.forge(d.canonical, { method: OTHER.rsaSha1 }), 'algorithm'],
  ['algorithm/rsa-sha512', (d) => d.signer.forge(d.canonical, { method: OTHER.rsaSha512 }), 'algorithm'],
  ['algorithm/digest-sha1', (d) => d.signer.forge(d.canonical, { digestMethod: OTHER.sha1 }), 'algorithm'],
  ['algorithm/digest-sha512', (d) => d.signer.forge(d.canonical, { digestMethod: OTHER.sha512 }), 'algorithm'],
  ['algorithm/hmac-keyed-with-certificate', (d) => d.signer.forge(d.canonical, { method: OTHER.hmacSha256 }), 'refuse'],
  ['canonicalization/exc-with-comments', (d) => d.signer.forge(d.canonical, { c14n: OTHER.excC14nWithComments }), 'canonicalization'],
  ['transforms/with-comments', (d) => d.signer.forge(d.canonical, { transforms: [ENVELOPED, OTHER.excC14nWithComments] }), 'transforms'],
  ['transforms/inclusive', (d) => d.signer.forge(d.canonical, { transforms: [ENVELOPED, OTHER.inclusiveC14n] }), 'transforms'],
  ['transforms/c14n-twice', (d) => d.signer.forge(d.canonical, { transforms: [ENVELOPED, EXC_C14N, EXC_C14N] }), 'transforms'],
  ['transforms/enveloped-only', (d) => d.signer.forge(d.canonical, { transforms: [ENVELOPED] }), 'transforms'],
  ['transforms/reversed', (d) => d.signer.forge(d.canonical, { transforms: [EXC_C14N, ENVELOPED] }), 'refuse'],
  // xmlsec1's enveloped transform removes only the signature it verifies: a second copy breaks its digest…
  ['signatures/two-copies', (d) => lastChild(d.signed, signatureOf(d.signed)), 'refuse'],
  // …but a first signature over a document that already holds another one verifies there.
  ['signatures/first-covers-second', (d) => d.signer.forge(lastChild(d.canonical, signatureOf(d.second)), { place: intoRoot }), 'signature-count'],
  ['signatures/second-inside-goods', (d) => d.signed.replace(`</${d.subject.target.name}>`, `${signatureOf(d.second)}</${d.subject.target.name}>`), 'refuse'],
  ['signatures/moved-into-goods', (d) => d.signed.replace(signatureOf(d.signed), '').replace(`</${d.subject.target.name}>`, `${signatureOf(d.signed)}</${d.subject.target.name}>`), 'signature-placement'],
  ['signatures/text-in-signature', (d) => d.signed.replace('<ds:SignedInfo>', 'hello<ds:SignedInfo>'), 'signature-text'],
  ['signatures/text-in-signed-info', (d) => d.signed.replace('<ds:SignatureMethod', 'x<ds:SignatureMethod'), 'refuse'],
  ['signatures/foreign-element-in-signature', (d) => d.signed.replace('</ds:Signature>', `${d.forged(` xmlns="${d.subject.target.namespace}"`)}</ds:Signature>`), 'refuse'],
  ['signatures/two-signed-info', (d) => d.signed.replace('</ds:SignedInfo>', `</ds:SignedInfo>${/<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(d.signed)?.[0]}`), 'refuse'],
  ['signatures/wrapped-signed-info', (d) => d.signed.replace(/<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/, (m) => `<ds:Wrapper>${m}</ds:Wrapper>`), 'refuse'],
  ['signatures/other-namespace', (d) => d.signed.replace(`xmlns:ds="${DSIG_NS}"`, 'xmlns:ds="urn:not-dsig"'), 'refuse'],
  ['signatures/default-namespace', (d) => d.signer.forge(d.canonical, { prefix: '' }), 'accept'],
  ['signatures/other-prefix', (d) => d.signer.forge(d.canonical, { prefix: 'dsig' }), 'accept'],
  ['signatures/dsig-default-declared-on-root', (d) => dsigDefaultOnRoot(d), 'accept', { canonical: (d) => d.subject.prefixedRoot }],
  [
    'signatures/reference-attribute-prefix-from-root',
    (d) =>
      d.signer.forge(d.canonical, {
        referenceAttributes: ' xmlns:e="urn:example:extension" URI="" e:note="x"',
        written: (info) => info.replace(` xmlns:ds="${DSIG_NS}"`, '').replace(' xmlns:e="urn:example:extension"', ''),
        place: (c, sig) => lastChild(c.replace(`<${d.rootName} `, `<${d.rootName} xmlns:e="urn:example:extension" `), sig),
      }),
    'accept',
  ],
  ['doctype/plain', (d) => `<!DOCTYPE ${d.rootName}>${d.signed}`, 'doctype'],
  ['doctype/attribute-default', (d) => `<!DOCTYPE ${d.rootName} [<!ATTLIST ${d.subject.target.name} status CDATA "released">]>${d.signed}`, 'doctype'],
  ['doctype/internal-entity', (d) => `<!DOCTYPE ${d.rootName} [<!ENTITY w "${d.subject.text}">]>${d.signed.replace(`>${d.subject.text}<`, '>&w;<')}`, 'refuse'],
  ['doctype/external-entity', (d) => `<!DOCTYPE ${d.rootName} [<!ENTITY w SYSTEM "file:///etc/hostname">]>${d.signed.replace(`>${d.subject.text}<`, '>&w;<')}`, 'refuse'],
  ['pi/after-root', (d) => `${d.signed}<?evil x?>`, 'refuse'],
  ['pi/inside-root', (d) => d.signed.replace(d.bareWith(''), `<?evil x?>${d.bareWith('')}`), 'refuse'],
  ['pi/misplaced-declaration', (d) => `\n<?xml version="1.0"?>${d.signed}`, 'refuse'],
  ['namespaces/relative-uri', (d) => d.signer.forge(d.withNamespace('relative/path')), 'refuse'],
  ['namespaces/relative-uri-in-signature', (d) => d.signed.replace('<ds:KeyInfo>', '<ds:KeyInfo xmlns:r="relative">'), 'refuse'],
  ['namespaces/uri-with-space', (d) => d.signer.forge(d.withNamespace('urn:a b')), 'refuse'],
  ['namespaces/non-ascii-uri', (d) => d.signer.forge(d.withNamespace('urn:é')), 'refuse'],
  ['namespaces/absolute-uri-forms', (d) => d.signer.forge(d.withNamespace(ABSOLUTE_URI)), 'accept', { canonical: (d) => d.withNamespace(ABSOLUTE_URI) }],
  ['namespaces/empty-port', (d) => d.signer.forge(d.withNamespace('http://example.com:/p')), 'refuse'],
  ['namespaces/bad-percent-escape', (d) => d.signer.forge(d.withNamespace('urn:a%2x')), 'refuse'],
  ['namespaces/ampersand-in-uri', (d) => d.signer.forge(d.withNamespace('urn:a?b=1&amp;c=2')), 'refuse'],
  [
    'namespaces/prefix-undeclared',
    (d) => d.signed.replace(`<${d.rootName} `, `<${d.rootName} xmlns:unused="urn:example:unused" `).replace(d.bareWith(''), d.bareWith(' xmlns:unused=""')),
    'namespace-well-formedness',
  ],
  ['encoding/iso-8859-1-declared', (d) => `<?xml version="1.0" encoding="ISO-8859-1"?>${d.signed}`, 'encoding'],
  ['encoding/latin-1-bytes', (d) => Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${d.signer.forge(d.canonical.replace(d.subject.text, 'Café'))}`, 'latin1'), 'encoding'],
  ['encoding/utf-16', (d) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${d.signed}`, 'utf16le')]), 'encoding'],
  ['encoding/invalid-utf-8', (d) => invalidUtf8(d), 'refuse'],
  ['malformed/duplicate-attribute', (d) => d.signed.replace(d.subject.attributes[1], `${d.subject.attributes[1]} ${d.secondAttribute()}`), 'refuse'],
  ['malformed/mismatched-end-tag', (d) => d.signed.replace(`</${d.subject.bare}>`, `</${d.subject.bare.slice(0, 2)}${d.subject.bare.slice(3)}>`), 'refuse'],
  ['malformed/two-roots', (d) => `${d.signed}<${d.rootName}/>`, 'refuse'],
  ['malformed/text-after-root', (d) => `${d.signed}text`, 'refuse'],
  ['malformed/cdata-end-in-text', (d) => inText(d, ']]>'), 'refuse'],
  ['malformed/nul-reference', (d) => inText(d, '&#0;'), 'refuse'],
  ['malformed/control-character', (d) => inText(d, '\u0001'), 'refuse'],
  ['malformed/fffe-reference', (d) => inText(d, '&#xFFFE;'), 'refuse'],
  ['malformed/undefined-entity', (d) => inText(d, '&nbsp;'), 'refuse'],
  ['malformed/bare-ampersand', (d) => inText(d, ' & '), 'refuse'],
  ['malformed/lt-in-attribute', (d) => d.signed.replace(d.subject.attributes[1], d.secondAttribute('<')), 'refuse'],
  ['malformed/double-hyphen-comment', (d) => d.signed.replace(d.bareWith(''), `<!-- a -- b -->${d.bareWith('')}`), 'refuse'],
  ['malformed/unclosed', (d) => d.signed.replace(`</${d.rootName}>`, ''), 'refuse'],
  ['malformed/no-space-between-attributes', (d) => d.signed.replace(d.subject.attributes.join(' '), d.subject.attributes.join('')), 'refuse'],
  ['malformed/upper-case-hex-reference', (d) => d.signed.replace(d.subject.text, `&#X${(d.subject.text.codePointAt(0) ?? 0).toString(16).toUpperCase()};${d.subject.text.slice(1)}`), 'refuse'],
];

/** The prefixed-root document with the DSig namespace as default on its document element, and the signature relying on it. */
function dsigDefaultOnRoot(d: SubjectForms): string {
  const document = d.subject.prefixedRoot;
  const root = /^<([^\s/>]+)/.exec(document)?.[1] ?? '';
  return d.signer.forge(document, {
    prefix: '',
    written: (info) => info.replace(` xmlns="${DSIG_NS}"`, ''),
    place: (c, sig) => lastChild(c.replace(`<${root} `, `<${root} xmlns="${DSIG_NS}" `), sig.replace(` xmlns="${DSIG_NS}"`, '')),
  });
}

/** The signed form with the text's first byte replaced by a byte sequence that is not UTF-8. */
function invalidUtf8(d: SubjectForms): Buffer {
  const { text } = d.subject;
  const at = d.signed.indexOf(text);
  return Buffer.concat([Buffer.from(d.signed.slice(0, at), 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from(d.signed.slice(at + text.length), 'utf8')]);
}
