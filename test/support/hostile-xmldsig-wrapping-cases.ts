// XML signature wrapping (XSW 1–8 of security.md §1.2) around a subject, with Reference URI="" and URI="#<root id>".
import { SHA256 } from '../../src/security/xmldsig-algorithms.js';
import type { CaseRow, SubjectForms } from './hostile-xmldsig-subject.js';
import { lastChild } from './xml-markup-rewrite.js';

/** The attacker's document around a signed form: its content changed, the ids of the genuine one (xmlsec1 refuses duplicate ids, as the gateway does) moved away. */
function evilRoot(d: SubjectForms, signed: string): string {
  return d.evil(signed).replace(`ID="${d.subject.rootId}"`, 'ID="evil"').replace(`ID="${d.subject.target.id}"`, 'ID="g-evil"');
}

/** A genuine copy that does not repeat the signed ids (xmlsec1 would refuse duplicates before looking further). */
const withoutIds = (d: SubjectForms): string => d.canonical.replace(/ ID="[^"]*"/g, '');
const beforeSignature = (signed: string, insert: string): string => signed.replace('<ds:Signature ', `${insert}<ds:Signature `);
const insideSignature = (signed: string, insert: string): string => signed.replace('</ds:Signature>', `${insert}</ds:Signature>`);
/** The attacker's document element around `content`. */
const evilRootAround = (d: SubjectForms, content: string): string => `${d.rootTag.replace(`ID="${d.subject.rootId}"`, 'ID="evil"')}${content}</${d.rootName}>`;

/** XSW 1–8 and references by id; a refused case keeps the subject's canonical bytes, which it must never return. */
export const WRAPPING_CASES: readonly CaseRow[] = [
  ['xsw1/genuine-copy-in-signature', (d) => insideSignature(d.evil(d.signed), d.canonical), 'refuse'],
  ['xsw1/by-id', (d) => insideSignature(evilRoot(d, d.byId), d.canonical), 'refuse'],
  ['xsw1/genuine-copy-without-ids', (d) => insideSignature(d.evil(d.signed), withoutIds(d)), 'refuse'],
  ['xsw2/genuine-sibling-before-signature', (d) => beforeSignature(d.evil(d.signed), d.canonical), 'refuse'],
  ['xsw2/genuine-sibling-without-ids', (d) => beforeSignature(d.evil(d.signed), withoutIds(d)), 'refuse'],
  ['xsw2/by-id', (d) => beforeSignature(evilRoot(d, d.byId), d.canonical), 'reference-target'],
  ['xsw3/evil-goods-before-signed-goods', (d) => d.signed.replace(d.targetTag, `${d.forged(' ID="evil"')}${d.targetTag}`), 'refuse'],
  ['xsw4/evil-root-around-signed-document', (d) => evilRootAround(d, `${d.forged('')}${d.signed}`), 'refuse'],
  ['xsw4/by-id', (d) => evilRootAround(d, `${d.forged('')}${d.byId}`), 'signature-placement'],
  ['xsw5/genuine-copy-appended', (d) => lastChild(d.evil(d.signed), d.canonical), 'refuse'],
  ['xsw5/genuine-copy-without-ids-appended', (d) => lastChild(d.evil(d.signed), withoutIds(d)), 'refuse'],
  ['xsw5/by-id', (d) => lastChild(evilRoot(d, d.byId), d.canonical), 'reference-target'],
  ['xsw6/modified-original-genuine-in-signature', (d) => insideSignature(evilRoot(d, d.signed), `<${d.subject.target.name} xmlns="${d.subject.target.namespace}">${d.canonical}</${d.subject.target.name}>`), 'refuse'],
  ['xsw7/extensions-container', (d) => beforeSignature(evilRoot(d, d.byId), `<Extensions>${d.canonical}</Extensions>`), 'reference-target'],
  ['xsw7/extensions-before-goods', (d) => d.signed.replace(d.targetTag, `<Extensions>${d.forged(' ID="evil"')}</Extensions>${d.targetTag}`), 'refuse'],
  ['xsw8/genuine-copy-in-object', (d) => insideSignature(d.evil(d.signed), `<ds:Object>${d.canonical}</ds:Object>`), 'refuse'],
  ['xsw8/genuine-copy-without-ids-in-object', (d) => insideSignature(d.evil(d.signed), `<ds:Object>${withoutIds(d)}</ds:Object>`), 'refuse'],
  ['xsw8/object-beside-genuine-root', (d) => insideSignature(d.signed, `<ds:Object><Item xmlns="${d.subject.target.namespace}">Evil</Item></ds:Object>`), 'ds-object'],
  // The enveloped transform removes the signature and so the copy inside it: xmlsec1 digests nothing.
  ['xsw8/by-id', (d) => insideSignature(evilRoot(d, d.byId), `<ds:Object>${d.canonical}</ds:Object>`), 'refuse'],
  ['xsw8/manifest', (d) => insideSignature(d.signed, `<ds:Object><ds:Manifest><ds:Reference URI=""><ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:Manifest></ds:Object>`), 'ds-object'],
  ['by-id/control', (d) => d.byId, 'accept'],
  ['by-id/Id-attribute', (d) => byAttribute(d, 'Id'), 'accept'],
  ['by-id/id-attribute', (d) => byAttribute(d, 'id'), 'accept'],
];

/** The document with its id attribute spelt `name`, referenced by it. */
function byAttribute(d: SubjectForms, name: string): string {
  const { rootId } = d.subject;
  return d.signer.forge(d.canonical.replace(`ID="${rootId}"`, `${name}="${rootId}"`), { referenceAttributes: ` URI="#${rootId}"` });
}
