// The hostile XMLDSig corpus of security.md §1, built around given documents and keys: serializations, tampering, wrapping, profile, xmlsec1-signed, random.
import { ENVELOPED, EXC_C14N } from '../../src/security/xmldsig-algorithms.js';
import { PROFILE_CASES } from './hostile-xmldsig-profile-cases.js';
import { SubjectForms, type CaseRow, type CorpusCase, type CorpusSigner, type CorpusSubject, type SignerName } from './hostile-xmldsig-subject.js';
import { WRAPPING_CASES } from './hostile-xmldsig-wrapping-cases.js';
import { randomDocument } from './random-xml-document.js';
import { EQUIVALENT, TAMPERED } from './signed-xml-variants.js';
import { pool } from './task-pool.js';
import { lastChild } from './xml-markup-rewrite.js';
import { ECDSA_SHA256, OTHER, template, templateInfo } from './xmldsig-forge.js';
import type { Expectation } from './xmldsig-policy-refusals.js';
import type { Xmlsec1Workspace } from './xmlsec1-oracle.js';

/** A document whose serializations and tampering are tried: `canonical` (canonical form) is called once per case, so each case may get a document of its own. */
export interface VariantBase {
  name: string;
  signer: SignerName;
  canonical: () => string;
}

/** What the corpus is built from. */
export interface HostileCorpusInputs {
  /** The keys, and the gateway's signer and the forge over them. */
  signer: CorpusSigner;
  /** Signs the cases only another canonicalizer can sign. */
  xmlsec1: Xmlsec1Workspace;
  /** Decides the random parts of serializations and documents (seeded: the same corpus every run). */
  random: () => number;
  /** The document the wrapping, profile and xmlsec1-signed cases attack; called once per case, so each case may get a document of its own. */
  subject: () => CorpusSubject;
  /** The documents whose serializations and tampering are tried, each with its signer. */
  variants: readonly VariantBase[];
  /** Every kind of tampering on every variant base, or each kind on a third of them (xmlsec1 takes a process per refusal). */
  tampering: 'all' | 'a-third';
  /** A document with rich namespace scoping that xmlsec1 signs with the EC key (left out without it or without the EC key). */
  ecdsaInterop?: string;
  /** How many random documents xmlsec1 signs, each a case as signed and after one neutral rewrite (default none). */
  randomDocuments?: number;
}

const bytes = (xml: string): Buffer => Buffer.from(xml, 'utf8');

/** Serialization variants and tampering of every variant base, signed by our signer. */
function variantCases(inputs: HostileCorpusInputs): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const [index, base] of inputs.variants.entries()) {
    const add = (name: string, expect: Expectation, make: (signed: string) => string): void => {
      const canonical = base.canonical();
      const signed = inputs.signer.sign(base.signer, canonical);
      const xml = make(signed);
      // A tampering that finds nothing to change is no case.
      if (expect === 'refuse' && xml === signed) return;
      cases.push({ name: `${base.name}/${base.signer}/${name}`, xml: bytes(xml), signer: base.signer, expect, canonical });
    };
    add('as-signed', 'accept', (signed) => signed);
    for (const [name, make] of Object.entries(EQUIVALENT)) add(`equivalent/${name}`, 'accept', (signed) => make(signed, inputs.random));
    for (const [name, make] of Object.entries(TAMPERED).filter((_, k) => inputs.tampering === 'all' || (k + index) % 3 === 0)) add(`tampered/${name}`, 'refuse', make);
  }
  return cases;
}

/** True when the corpus has the keys a row needs. */
const feasible = (inputs: HostileCorpusInputs, [, , , options]: CaseRow): boolean => inputs.signer.keys.ec !== undefined || !(options?.needsEc || options?.signer === 'ec');

/** The rows of a family, each built around a subject of its own; `canonical` gives the bytes a case keeps when its row names none. */
function subjectCases(inputs: HostileCorpusInputs, family: string, rows: readonly CaseRow[], canonical: (expect: Expectation, d: SubjectForms) => string | undefined): CorpusCase[] {
  return rows
    .filter((row) => feasible(inputs, row))
    .map(([name, build, expect, options]) => {
      const d = new SubjectForms(inputs.subject(), inputs.signer);
      const xml = build(d);
      return { name: `${family}/${name}`, xml: typeof xml === 'string' ? bytes(xml) : xml, signer: options?.signer ?? 'rsa', expect, canonical: options?.canonical ? options.canonical(d) : canonical(expect, d) };
    });
}

const prettySignature = (c: string, s: string): string => lastChild(c, s.replace(/></g, '>\n    <').replace('</ds:Signature>', '\n</ds:Signature>'));
const INCLUSIVE = `<ec:InclusiveNamespaces xmlns:ec="${EXC_C14N}" PrefixList="unused"/>`;
/** The subject with an unused namespace declared on its document element. */
const unused = (d: SubjectForms): string => d.canonical.replace(`<${d.rootName} `, `<${d.rootName} xmlns:unused="urn:example:unused" `);
/** The subject with `attributes` added to the bare element's start tag, `content` as its first content and `insert` before the element. */
const atBare = (d: SubjectForms, attributes: string, content = '', insert = ''): string => d.canonical.replace(d.bareWith(''), `${insert}${d.bareWith(attributes)}${content}`);

/** Templates xmlsec1 signs, for what only an independent canonicalizer can sign: other c14n, PIs, namespace warnings, child references, ECDSA interop. */
function xmlsec1SignedRows(ecdsaInterop: string | undefined): CaseRow[] {
  const interop: CaseRow[] = ecdsaInterop === undefined ? [] : [['ecdsa-interop', () => template(ecdsaInterop, templateInfo({ method: ECDSA_SHA256 })), 'accept', { signer: 'ec' }]];
  return [
    ['pretty-printed-signature', (d) => template(d.canonical, templateInfo(), prettySignature), 'accept'],
    ...interop,
    ['child-reference', (d) => template(d.canonical, templateInfo({ reference: `URI="#${d.subject.target.id}"` })), 'reference-target'],
    ['inclusive-c14n-method', (d) => template(unused(d), templateInfo().replace(`Algorithm="${EXC_C14N}"`, `Algorithm="${OTHER.inclusiveC14n}"`)), 'canonicalization'],
    ['inclusive-namespaces-transform', (d) => template(unused(d), templateInfo({ transforms: `<ds:Transform Algorithm="${ENVELOPED}"/><ds:Transform Algorithm="${EXC_C14N}">${INCLUSIVE}</ds:Transform>` })), 'inclusive-namespaces'],
    ['inclusive-namespaces-method', (d) => template(unused(d), templateInfo({ c14n: INCLUSIVE })), 'inclusive-namespaces'],
    [
      'xpath-transform',
      (d) => template(d.canonical, templateInfo({ transforms: `<ds:Transform Algorithm="${OTHER.xpath}"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform><ds:Transform Algorithm="${EXC_C14N}"/>` })),
      'transforms',
    ],
    ['processing-instruction-signed', (d) => `<?xml-stylesheet href="style.xsl"?>${template(atBare(d, '', '', '<?note keep?>'), templateInfo())}`, 'processing-instruction'],
    ['undeclared-prefix', (d) => template(atBare(d, '', '<p:Note>x</p:Note>'), templateInfo()), 'namespace-well-formedness'],
    ['two-colons', (d) => template(atBare(d, '', '<a:b:c xmlns:a="urn:a">x</a:b:c>'), templateInfo()), 'namespace-well-formedness'],
    ['ampersand-in-namespace-uri', (d) => template(atBare(d, ' xmlns:r="urn:a?b=1&amp;c=2" r:a="1"'), templateInfo()), 'namespace-uri'],
    ['same-expanded-attribute', (d) => template(atBare(d, ' xmlns:p="urn:p" xmlns:q="urn:p" p:a="1" q:a="2"'), templateInfo()), 'namespace-well-formedness'],
  ];
}

/** Documents signed by xmlsec1 itself, as a partner running libxmlsec1 would. */
async function xmlsec1SignedCases(inputs: HostileCorpusInputs): Promise<CorpusCase[]> {
  const templates = subjectCases(inputs, 'xmlsec1-signed', xmlsec1SignedRows(inputs.ecdsaInterop), () => undefined);
  const signed = await pool(templates.map((c) => () => inputs.xmlsec1.sign(c.xml.toString('utf8'), inputs.signer.key(c.signer).keyFile)));
  return templates.map((c, k) => ({ name: c.name, xml: bytes(signed[k] as string), signer: c.signer, expect: c.expect }));
}

/** Random documents signed by xmlsec1, verified as signed and after one canonically neutral rewrite. */
async function randomCases(inputs: HostileCorpusInputs, count: number): Promise<CorpusCase[]> {
  const documents = Array.from({ length: count }, () => randomDocument(inputs.random));
  const signed = await inputs.xmlsec1.signAll(
    documents.map((d) => template(d, templateInfo())),
    inputs.signer.keys.rsa.keyFile,
  );
  const rewrites = ['attribute-order', 'tag-whitespace', 'redundant-declarations', 'character-references', 'crlf', 'single-quotes'];
  return signed.flatMap((xml, k) => {
    const rewriteName = rewrites[k % rewrites.length] as string;
    const rewritten = (EQUIVALENT[rewriteName] as (typeof EQUIVALENT)[string])(xml, inputs.random);
    return [
      { name: `random/${k}`, xml: bytes(xml), signer: 'rsa', expect: 'accept' },
      { name: `random/${k}/${rewriteName}`, xml: bytes(rewritten), signer: 'rsa', expect: 'accept' },
    ] satisfies CorpusCase[];
  });
}

/**
 * Builds the corpus, family by family: variants (`<base>/<signer>/as-signed`, `…/equivalent/*`, `…/tampered/*`),
 * `wrapping/*`, `profile/*`, `xmlsec1-signed/*`, `random/*`. Every case keeps the bytes it was built with;
 * an accepted case names the canonical bytes it must return where the family knows them.
 */
export async function buildHostileCorpus(inputs: HostileCorpusInputs): Promise<CorpusCase[]> {
  return [
    ...variantCases(inputs),
    ...subjectCases(inputs, 'wrapping', WRAPPING_CASES, (expect, d) => (expect === 'accept' ? undefined : d.canonical)),
    ...subjectCases(inputs, 'profile', PROFILE_CASES, (expect, d) => (expect === 'accept' ? d.canonical : undefined)),
    ...(await xmlsec1SignedCases(inputs)),
    ...(inputs.randomDocuments ? await randomCases(inputs, inputs.randomDocuments) : []),
  ];
}
