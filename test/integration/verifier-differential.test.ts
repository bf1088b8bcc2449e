// Differential test of the strict verifier against xmlsec1 (libxml2) over a generated hostile corpus and random byte mutations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { XmlContent } from '../../src/codec/document-tree.js';
import { parseXml } from '../../src/codec/xml-parse.js';
import { renderXmlString } from '../../src/codec/xml-render.js';
import { GatewayError } from '../../src/errors.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { createXmlVerifier, type Verifier } from '../../src/security/xml-verifier.js';
import { skipWithout } from '../support/external-tool.js';
import { buildHostileCorpus, type VariantBase } from '../support/hostile-xmldsig-corpus.js';
import { CorpusSigner, loadCorpusKey, type CorpusCase, type CorpusSubject, type SignerName } from '../support/hostile-xmldsig-subject.js';
import { tempDevCertificates } from '../support/project.js';
import { seeded } from '../support/random-xml-document.js';
import { EQUIVALENT, TAMPERED } from '../support/signed-xml-variants.js';
import { xmlsec1Workspace, type Xmlsec1Outcome, type Xmlsec1Workspace } from '../support/xmlsec1-oracle.js';
import { policyOf, POLICY_REFUSALS } from '../support/xmldsig-policy-refusals.js';

const skipOracle = skipWithout('verifier differential against xmlsec1', { tools: ['xmlsec1'] });

interface Outcome {
  /** Our verifier: the returned xml, or the error code (a crash is recorded as `crash: …`). */
  ours: { xml: string; content: XmlContent } | { code: string };
  xmlsec1: Xmlsec1Outcome;
}

// ---------------------------------------------------------------------------------------------------
// Base documents: canonical bytes (renderXml output or written by hand in canonical form)

function goodsItems(count: number): XmlContent[] {
  return Array.from({ length: count }, (_, i) => ({
    '@seq': String(i + 1),
    '@hs': `8471${String(300000 + i)}`,
    Description: `Goods item ${i + 1}: parts & accessories <boxed> "${i % 3 === 0 ? 'fragile' : 'standard'}"`,
    Weight: { '@unit': 'kg', '#text': (12.5 + i).toFixed(3) },
    Value: { '@currency': i % 2 ? 'EUR' : 'USD', '#text': (1000 + i * 17.25).toFixed(2) },
  }));
}

const BASES: Record<string, string> = {
  plain: renderXmlString({
    Declaration: {
      '@xmlns': 'urn:example:customs',
      '@ID': 'msg-1',
      Header: { Lrn: 'LRN-0001', Office: 'KZ000001', Sent: '2026-12-02T08:30:00Z' },
      Goods: { '@ID': 'g1', Item: { '@value': '100', '@currency': 'EUR', '#text': 'Widgets' }, Packages: '3' },
      Empty: '',
      Remarks: { Remark: ['first remark', 'second remark'] },
    },
  }),
  escaping: renderXmlString({
    'c:Declaration': {
      '@xmlns:c': 'urn:example:customs',
      '@ID': 'msg-1',
      '@remark': 'line1\nline2\tcol2\rend & "q" <lt> >gt \'s\'',
      'c:Text': 'a & b < c > d',
      'c:More': 'CR\r\nLF\nTAB\t"quoted" and \'single\'',
      'c:Empty': '',
    },
  }),
  namespaces: renderXmlString({
    Message: {
      '@xmlns': 'urn:example:message',
      '@xmlns:c': 'urn:example:customs',
      '@xmlns:m': 'urn:m-sorts-last',
      '@xmlns:y': 'urn:a-sorts-first',
      '@ID': 'msg-1',
      Routing: { '@m:from': 'KZ', '@y:to': 'UZ', '@b': '3', '@B': '4', 'c:Ref': 'R-1' },
      Payload: {
        'c:Declaration': {
          '@xml:lang': 'kk',
          'c:Line': [{ '@c:no': '1', '#text': 'first' }, { '@c:no': '2', '#text': 'second' }],
          Trader: { '@xmlns': 'urn:example:trader', Name: 'Exporter', Plain: { '@xmlns': '', Note: 'no namespace', Back: { '@xmlns': 'urn:example:trader', '#text': 'again' } } },
          'c:Version': { '@xmlns:c': 'urn:example:customs-v2', 'c:Inner': 'rebound prefix' },
          Level1: { Level2: { 'q:Late': { '@xmlns:q': 'urn:q', '@q:attr': 'v', '#text': 'late declaration' } } },
        },
      },
    },
  }),
  undeclared: renderXmlString({
    Declaration: {
      '@xmlns': 'urn:example:customs',
      '@ID': 'msg-1',
      Party: { '@xmlns': '', Name: 'no namespace', Address: { Line: ['Street 1', 'City'], Back: { '@xmlns': 'urn:example:customs', Inner: { '@xmlns': '', '#text': 'out again' } } } },
    },
  }),
  // Written by hand (the renderer refuses U+2028/U+0085 and non-ASCII names): attributes in code point order,
  // U+FF21 (a BMP character above the surrogates) before U+1D49C (above U+FFFF), which UTF-16 order would swap.
  unicode:
    '<Declaration xmlns="urn:example:customs" ID="msg-1" a\uFF21="bmp" a\u{1D49C}="astral">' +
    '<Text>Таможенная декларация — 中文 😀 \u00a0nbsp</Text><Separators>first\u2028second\u0085third</Separators>' +
    '<Имя атрибут="значение">ü</Имя></Declaration>',
  long: renderXmlString({ Declaration: { '@xmlns': 'urn:example:customs', '@ID': 'msg-1', Header: { Lrn: 'LRN-LONG' }, Item: goodsItems(28) } }),
  huge: renderXmlString({ Declaration: { '@xmlns': 'urn:example:customs', '@ID': 'msg-1', Item: goodsItems(400) } }),
};

/** The document wrapping, profile and xmlsec1-signed cases attack: the plain declaration, whose goods the attacker wants read as "Evil". */
const PLAIN: CorpusSubject = {
  canonical: BASES['plain'] as string,
  rootId: 'msg-1',
  target: { name: 'Goods', id: 'g1', namespace: 'urn:example:customs', forgedContent: '<Item value="1">Evil</Item>' },
  bare: 'Header',
  text: 'Widgets',
  attributes: ['currency="EUR"', 'value="100"'],
  prefixedRoot: BASES['escaping'] as string,
};

/** Every base signed with RSA, four also with ECDSA. */
const VARIANTS: VariantBase[] = [
  ...Object.keys(BASES).map((name): VariantBase => ({ name, signer: 'rsa', canonical: () => BASES[name] as string })),
  ...['plain', 'namespaces', 'unicode', 'escaping'].map((name): VariantBase => ({ name, signer: 'ec', canonical: () => BASES[name] as string })),
];

// ---------------------------------------------------------------------------------------------------
// Keys, verifier, oracle

let certsDir: string;
let signer: CorpusSigner;
let verifier: Verifier;
let xmlsec1: Xmlsec1Workspace;

function ours(xml: Buffer, name: SignerName): Outcome['ours'] {
  try {
    const read = verifier.read(xml, name);
    return { xml: read.xml, content: read.content };
  } catch (error) {
    return { code: error instanceof GatewayError ? error.code : `crash: ${String(error)}` };
  }
}

/** xmlsec1's verdicts on documents, each with its signer's pinned certificate. */
function oracle(items: ReadonlyArray<{ xml: Buffer; signer: SignerName; likelyValid: boolean }>): Promise<Xmlsec1Outcome[]> {
  return xmlsec1.verifyAll(items.map((item) => ({ xml: item.xml, certFile: signer.key(item.signer).certFile, likelyValid: item.likelyValid })));
}

const bytes = (xml: string): Buffer => Buffer.from(xml, 'utf8');

// ---------------------------------------------------------------------------------------------------
// Random byte mutations

/** Bytes worth inserting: markup, quotes, references, whitespace, and invalid or multi-byte UTF-8. */
const INTERESTING = Buffer.from('<>&;"\'/=!?-:# \t\r\nx\u00e9', 'utf8');

function mutate(base: Buffer, random: () => number): Buffer {
  let out = Buffer.from(base);
  const operations = 1 + Math.floor(random() * 3);
  for (let k = 0; k < operations; k++) {
    const at = Math.floor(random() * out.length);
    const kind = random();
    if (kind < 0.35) out[at] = (out[at] ?? 0) ^ (1 << Math.floor(random() * 8));
    else if (kind < 0.65) {
      const byte = random() < 0.8 ? (INTERESTING[Math.floor(random() * INTERESTING.length)] as number) : Math.floor(random() * 256);
      out = Buffer.concat([out.subarray(0, at), Buffer.from([byte]), out.subarray(at)]);
    } else if (kind < 0.9) out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(random() * 4))]);
    else {
      const from = Math.floor(random() * out.length);
      out = Buffer.concat([out.subarray(0, at), out.subarray(from, from + 1 + Math.floor(random() * 16)), out.subarray(at)]);
    }
  }
  return out;
}

interface Mutant {
  name: string;
  xml: Buffer;
  signer: SignerName;
  canonical: string;
  ours: Outcome['ours'];
}

function mutants(random: () => number, perBase: number): Mutant[] {
  const sources: Array<[string, SignerName, string]> = [
    ['plain', 'rsa', signer.sign('rsa', BASES['plain'] as string)],
    ['escaping', 'ec', signer.sign('ec', BASES['escaping'] as string)],
    ['namespaces', 'rsa', (EQUIVALENT['tag-whitespace'] as (typeof EQUIVALENT)[string])(`<?xml version="1.0"?>\n${signer.sign('rsa', BASES['namespaces'] as string)}`, random)],
    ['unicode', 'rsa', signer.sign('rsa', BASES['unicode'] as string)],
  ];
  const out: Mutant[] = [];
  for (const [base, name, signed] of sources) {
    const source = bytes(signed);
    for (let k = 0; k < perBase; k++) {
      const xml = mutate(source, random);
      if (xml.equals(source)) continue;
      out.push({ name: `${base}#${k}`, xml, signer: name, canonical: BASES[base] as string, ours: ours(xml, name) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The test

function describeOurs(outcome: Outcome['ours']): string {
  return 'xml' in outcome ? 'accepted' : outcome.code;
}

describe.skipIf(skipOracle)('verifier against xmlsec1 on a generated hostile corpus (skipped off CI without xmlsec1; CI=true requires it)', () => {
  let corpus: CorpusCase[];
  let outcomes: Outcome[];
  let fuzz: Mutant[];
  let fuzzOracle: Map<Mutant, Outcome['xmlsec1']>;

  beforeAll(async () => {
    certsDir = tempDevCertificates([]);
    initDevCertificates(join(certsDir, 'attacker'), []);
    const work = join(certsDir, 'work');
    mkdirSync(work);
    const pem = (name: string): [string, string] => [join(certsDir, `${name}.key.pem`), join(certsDir, `${name}.cert.pem`)];
    signer = new CorpusSigner({ rsa: loadCorpusKey(...pem('gateway')), ec: loadCorpusKey(...pem('gateway-ec')), attacker: loadCorpusKey(...pem(join('attacker', 'gateway'))) });
    const pinned = { rsa: [new X509Certificate(readFileSync(signer.key('rsa').certFile)).publicKey], ec: [new X509Certificate(readFileSync(signer.key('ec').certFile)).publicKey] };
    verifier = createXmlVerifier((partner) => pinned[partner as SignerName] ?? []);
    xmlsec1 = xmlsec1Workspace(work);

    const random = seeded('verifier-differential');
    corpus = await buildHostileCorpus({ signer, xmlsec1, random, subject: () => PLAIN, variants: VARIANTS, tampering: 'a-third', ecdsaInterop: BASES['namespaces'], randomDocuments: 60 });
    const oursOutcomes = corpus.map((c) => ours(c.xml, c.signer));
    const verdicts = await oracle(corpus.map((c, k) => ({ xml: c.xml, signer: c.signer, likelyValid: 'xml' in (oursOutcomes[k] as Outcome['ours']) })));
    outcomes = corpus.map((_, k) => ({ ours: oursOutcomes[k] as Outcome['ours'], xmlsec1: verdicts[k] as Outcome['xmlsec1'] }));

    fuzz = mutants(random, 250);
    // xmlsec1 checks every mutant ours accepts, and a fixed sample of those it refuses.
    const refused = fuzz.filter((m) => !('xml' in m.ours));
    const checked = [...fuzz.filter((m) => 'xml' in m.ours), ...refused.filter((_, k) => k % Math.ceil(refused.length / 40) === 0)];
    const results = await oracle(checked.map((m) => ({ xml: m.xml, signer: m.signer, likelyValid: 'xml' in m.ours })));
    fuzzOracle = new Map(checked.map((m, k) => [m, results[k] as Outcome['xmlsec1']]));
    if (process.env.DIFFERENTIAL_TABLE) {
      const tally = new Map<string, number>();
      for (const m of fuzz) tally.set(describeOurs(m.ours), (tally.get(describeOurs(m.ours)) ?? 0) + 1);
      console.log(`mutants: ${fuzz.length}, xmlsec1-checked: ${fuzzOracle.size}, outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
      for (const [k, c] of corpus.entries()) console.log(`${c.name.padEnd(70)} ${c.expect.padEnd(26)} ours=${describeOurs(outcomes[k]!.ours).padEnd(26)} xmlsec1=${outcomes[k]!.xmlsec1.status} ${outcomes[k]!.xmlsec1.status ? outcomes[k]!.xmlsec1.output.slice(0, 160) : ''}`);
    }
  }, 180_000);

  afterAll(() => {
    if (certsDir) rmSync(certsDir, { recursive: true, force: true });
  });

  /** Each (case, outcome) pair that breaks `rule`, as readable lines. */
  function violations(rule: (c: CorpusCase, o: Outcome) => string | undefined): string[] {
    return corpus.flatMap((c, k) => {
      const problem = rule(c, outcomes[k] as Outcome);
      return problem === undefined ? [] : [`${c.name}: ${problem}`];
    });
  }

  it('the corpus has hundreds of documents and every category of security.md §1', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const prefixes = new Set(corpus.map((c) => c.name.split('/').slice(0, c.name.startsWith('profile/') ? 2 : 1).join('/')));
    for (const expected of ['wrapping', 'profile/ids', 'profile/reference', 'profile/keys', 'profile/algorithm', 'profile/canonicalization', 'profile/transforms', 'profile/signatures', 'profile/doctype', 'profile/pi', 'profile/namespaces', 'profile/encoding', 'profile/malformed', 'xmlsec1-signed']) {
      expect(prefixes, expected).toContain(expected);
    }
    for (const name of [...Object.keys(EQUIVALENT).map((n) => `equivalent/${n}`), ...Object.keys(TAMPERED).map((n) => `tampered/${n}`)]) {
      expect(corpus.some((c) => c.name.includes(`/${name}`)), name).toBe(true);
    }
    for (const refusal of Object.keys(POLICY_REFUSALS)) expect(corpus.some((c) => c.expect === refusal), refusal).toBe(true);
  });

  it('our verifier never throws anything but a GatewayError', () => {
    expect(violations((_, o) => ('code' in o.ours && o.ours.code.startsWith('crash') ? o.ours.code : undefined))).toEqual([]);
  });

  it('whatever ours accepts, xmlsec1 accepts, and its PreDigest bytes equal the returned xml byte for byte', () => {
    const problems = violations((c, o) => {
      if (!('xml' in o.ours)) return undefined;
      if (o.xmlsec1.status !== 0) return `xmlsec1 refused: ${o.xmlsec1.output}`;
      if (!o.xmlsec1.preDigest?.equals(bytes(o.ours.xml))) return `PreDigest differs:\n  xmlsec1: ${o.xmlsec1.preDigest?.toString('utf8')}\n  ours:    ${o.ours.xml}`;
      if (c.canonical !== undefined && o.ours.xml !== c.canonical) return 'returned bytes are not the signed base document';
      return undefined;
    });
    expect(problems).toEqual([]);
  });

  it('the content read in the same scan is what parseXml makes of the returned bytes, key order included', () => {
    // fast-xml-parser refuses names with characters beyond U+FFFF, which XML 1.0 allows; those cases have nothing to compare with.
    const parsedOf = (xml: string): string | undefined => {
      try {
        return JSON.stringify(parseXml(xml));
      } catch {
        return undefined;
      }
    };
    let compared = 0;
    const differs = (result: Outcome['ours']): string | undefined => {
      if (!('xml' in result)) return undefined;
      const parsed = parsedOf(result.xml);
      if (parsed === undefined) return undefined;
      compared++;
      const read = JSON.stringify(result.content);
      return read === parsed ? undefined : `read ${read}\n  parseXml ${parsed}`;
    };
    expect(violations((_, o) => differs(o.ours))).toEqual([]);
    expect(fuzz.filter((m) => differs(m.ours) !== undefined).map((m) => m.name)).toEqual([]);
    expect(compared).toBeGreaterThan(400);
  });

  it('whatever xmlsec1 refuses, ours refuses', () => {
    expect(violations((_, o) => (o.xmlsec1.status !== 0 && 'xml' in o.ours ? `accepted, xmlsec1 said ${o.xmlsec1.output}` : undefined))).toEqual([]);
  });

  it('where ours refuses what xmlsec1 accepts, the case is a documented policy refusal with its code', () => {
    const problems = violations((c, o) => {
      if ('xml' in o.ours || o.xmlsec1.status !== 0) return undefined;
      const policy = policyOf(c.expect);
      if (!policy) return `refused with ${o.ours.code} although xmlsec1 accepts it and no policy says so`;
      return o.ours.code === policy.code ? undefined : `refused with ${o.ours.code}, policy "${c.expect}" says ${policy.code}`;
    });
    expect(problems).toEqual([]);
  });

  it('every case does what its category says (so the corpus cannot quietly lose its teeth)', () => {
    const problems = violations((c, o) => {
      const got = 'xml' in o.ours ? 'accepted' : 'refused';
      if (c.expect === 'accept') return got === 'accepted' && o.xmlsec1.status === 0 ? undefined : `expected both to accept; ours ${describeOurs(o.ours)}, xmlsec1 ${o.xmlsec1.status} ${o.xmlsec1.output}`;
      if (c.expect === 'refuse') return got === 'refused' && o.xmlsec1.status !== 0 ? undefined : `expected both to refuse; ours ${describeOurs(o.ours)}, xmlsec1 ${o.xmlsec1.status}`;
      return got === 'refused' && o.xmlsec1.status === 0 ? undefined : `expected a policy refusal (${c.expect}) of what xmlsec1 accepts; ours ${describeOurs(o.ours)}, xmlsec1 ${o.xmlsec1.status} ${o.xmlsec1.output}`;
    });
    expect(problems).toEqual([]);
  });

  describe('random byte mutations of signed documents', () => {
    it('never crash the verifier with anything but a GatewayError', () => {
      expect(fuzz.length).toBeGreaterThanOrEqual(900);
      expect(fuzz.filter((m) => 'code' in m.ours && m.ours.code.startsWith('crash')).map((m) => `${m.name}: ${describeOurs(m.ours)}`)).toEqual([]);
    });

    it('are never accepted with canonical bytes other than the original', () => {
      expect(fuzz.filter((m) => 'xml' in m.ours && m.ours.xml !== m.canonical).map((m) => m.name)).toEqual([]);
    });

    it('that ours accepts, xmlsec1 accepts with the same PreDigest bytes; a sample ours refuses, xmlsec1 refuses or policy explains', () => {
      const problems: string[] = [];
      for (const [m, x] of fuzzOracle) {
        if ('xml' in m.ours && (x.status !== 0 || !x.preDigest?.equals(bytes(m.ours.xml)))) problems.push(`${m.name}: accepted, xmlsec1 ${x.status} ${x.output}`);
        if ('code' in m.ours && x.status === 0) problems.push(`${m.name}: refused ${m.ours.code}, xmlsec1 accepts: ${JSON.stringify(m.xml.toString('utf8'))}`);
      }
      expect(problems).toEqual([]);
    });
  });
});
