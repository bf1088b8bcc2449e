// The document hostile XMLDSig cases are built around (its anchors), the keys that sign them, and a case's signed forms of it.
import { readFileSync } from 'node:fs';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { loadTestKey, type TestKey } from './test-keys.js';
import { envelope, type EnvelopeOptions } from './xmldsig-forge.js';
import type { Expectation } from './xmldsig-policy-refusals.js';
import { afterRootTag } from './xml-markup-rewrite.js';

/** Whose pinned key verifies a case: the RSA key every subject case is signed with, or the EC key. */
export type SignerName = 'rsa' | 'ec';

/** A key the corpus signs with: the key (and its capabilities), its PEM file for xmlsec1, and the certificate verifiers pin. */
export interface CorpusKey {
  key: TestKey;
  keyFile: string;
  certFile: string;
}

/** Loads a PEM key and its certificate as a {@link CorpusKey}. */
export function loadCorpusKey(keyFile: string, certFile: string): CorpusKey {
  return { key: loadTestKey(keyFile, certFile), keyFile, certFile };
}

/** The keys of a corpus: `rsa` (pinned), `ec` (pinned; without it ECDSA cases are left out) and the attacker's (pinned nowhere). */
export interface CorpusKeys {
  rsa: CorpusKey;
  ec?: CorpusKey;
  attacker: CorpusKey;
}

/**
 * The document the wrapping, profile and xmlsec1-signed cases attack, and the places in it they use. Each
 * anchor is found by its first occurrence, so it must be written where the cases expect it.
 */
export interface CorpusSubject {
  /** The document in canonical form (exc-c14n of itself), unsigned; its document element carries `ID="<rootId>"` after its namespace declarations. */
  canonical: string;
  /** The id of the document element. */
  rootId: string;
  /**
   * The element the attacker wants read instead of the signed one: its name, written `<name ID="<id>"…>`
   * as the first `<name ` of the document; the namespace its unprefixed name is in; and the content of the
   * attacker's copy (the forged element is written `<name …>forgedContent</name>`).
   */
  target: { name: string; id: string; namespace: string; forgedContent: string };
  /** The name of an element written with a bare start tag `<bare>` (no attributes): attributes, ids, children and markup go there. */
  bare: string;
  /** The whole text content of an element (at least four characters): `>text<`. */
  text: string;
  /** Two attributes written one after the other on one element, `first second`; attacks change the second's value. */
  attributes: readonly [string, string];
  /** A document in canonical form with a prefixed document element, in which a default namespace declared on that element reaches no element name. */
  prefixedRoot: string;
}

/** A hostile document and what it must do. */
export interface CorpusCase {
  /** Family/name, unique. */
  name: string;
  xml: Buffer;
  /** Whose pinned key verifies it. */
  signer: SignerName;
  expect: Expectation;
  /** Canonical bytes an accepted case must return (the signed document); checked when given. */
  canonical?: string;
}

/** One case of a family, built around a subject: `[name, build, expect, options]`. */
export type CaseRow = readonly [
  name: string,
  build: (d: SubjectForms) => string | Buffer,
  expect: Expectation,
  options?: {
    /** Default `rsa`. */
    signer?: SignerName;
    /** The case needs the EC key although `rsa` verifies it (left out of a corpus without one). */
    needsEc?: boolean;
    /** The canonical bytes an accepted case returns, when not the family's default. */
    canonical?: (d: SubjectForms) => string;
  },
];

/** Signs for a corpus: the gateway's signer, memoized by key and document as a partner signs a document once, and the forge with the RSA key. */
export class CorpusSigner {
  private readonly signed = new Map<string, string>();

  constructor(readonly keys: CorpusKeys) {}

  /** A key of the corpus; asking for the EC key of a corpus without one is a bug in the case list. */
  key(name: SignerName | 'attacker'): CorpusKey {
    const key = this.keys[name];
    if (!key) throw new Error(`the corpus has no ${name} key`);
    return key;
  }

  /** `canonical` signed by the gateway's own signer with a key of the corpus. */
  sign(name: SignerName | 'attacker', canonical: string): string {
    const memo = `${name}\u0000${canonical}`;
    let signed = this.signed.get(memo);
    if (signed === undefined) {
      signed = createXmlSigner(this.key(name).key).sign(Buffer.from(canonical, 'utf8')).toString('utf8');
      this.signed.set(memo, signed);
    }
    return signed;
  }

  /** `canonical` signed by the independent forge with the RSA key (an HMAC is keyed with the RSA certificate). */
  forge(canonical: string, options: EnvelopeOptions = {}): string {
    const { key, certFile } = this.keys.rsa;
    return envelope(canonical, { privateKey: key.privateKey, certificatePem: readFileSync(certFile) }, options);
  }

  /** The base64 DER of a key's certificate, as KeyInfo carries it. */
  certificateBase64(name: SignerName | 'attacker'): string {
    return readFileSync(this.key(name).certFile, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  }
}

/** The forms of one subject a case is built from: signed documents, anchors as written, and the attacker's edits. */
export class SubjectForms {
  constructor(
    readonly subject: CorpusSubject,
    readonly signer: CorpusSigner,
  ) {}

  get canonical(): string {
    return this.subject.canonical;
  }

  /** Signed by the gateway's signer with the RSA key (Reference URI=""). */
  get signed(): string {
    return this.signer.sign('rsa', this.canonical);
  }

  /** Signed by the forge with a Reference to the document element's id. */
  get byId(): string {
    return this.signer.forge(this.canonical, { referenceAttributes: ` URI="#${this.subject.rootId}"` });
  }

  /** Signed with the EC key. */
  get signedEc(): string {
    return this.signer.sign('ec', this.canonical);
  }

  /** Signed with a second key: the EC key when the corpus has one, the attacker's otherwise (a second signature, whoever made it). */
  get second(): string {
    return this.signer.sign(this.signer.keys.ec ? 'ec' : 'attacker', this.canonical);
  }

  /** The name of the document element. */
  get rootName(): string {
    return /^<([^\s/>]+)/.exec(this.canonical)?.[1] ?? '';
  }

  /** The document element's start tag. */
  get rootTag(): string {
    return this.canonical.slice(0, afterRootTag(this.canonical));
  }

  /** The start of the target's start tag (`<name `): what goes before it becomes its preceding sibling. */
  get targetTag(): string {
    return `<${this.subject.target.name} `;
  }

  /** The attacker's element in place of the target, with `attributes` (each with its leading space). */
  forged(attributes: string): string {
    const { name, forgedContent } = this.subject.target;
    return `<${name}${attributes}>${forgedContent}</${name}>`;
  }

  /** The bare element's start tag with `attributes` added. */
  bareWith(attributes: string): string {
    return `<${this.subject.bare}${attributes}>`;
  }

  /** The second attribute with another value: its first character, then `insert`, then the rest (default: the value "1"). */
  secondAttribute(insert?: string): string {
    const [, name = '', value = ''] = /^([^=]+)="([^"]*)"$/.exec(this.subject.attributes[1]) ?? [];
    return insert === undefined ? `${name}="1"` : `${name}="${value.slice(0, 1)}${insert}${value.slice(1)}"`;
  }

  /** The text with `insert` after its third character. */
  textWith(insert: string): string {
    const { text } = this.subject;
    return `${text.slice(0, 3)}${insert}${text.slice(3)}`;
  }

  /** The attacker's change of content: the text becomes "Evil", the second attribute's value "1". */
  evil(xml: string): string {
    return xml.replace(this.subject.text, 'Evil').replace(this.subject.attributes[1], this.secondAttribute());
  }

  /** The document with prefix r bound to `uri` on the document element and used by an attribute there, in canonical form (declarations in prefix order). */
  withNamespace(uri: string): string {
    const tag = this.rootTag.replace(/^(<[^\s>]+)((?: xmlns(?::[^=]+)?="[^"]*")*)([^>]*)>$/, (_, name: string, declarations: string, attributes: string) => {
      const sorted = [...declarations.split(' ').filter(Boolean), `xmlns:r="${uri}"`].sort((a, b) => (a.split('=')[0]! < b.split('=')[0]! ? -1 : 1));
      return `${name} ${sorted.join(' ')}${attributes} r:a="1">`;
    });
    return tag + this.canonical.slice(this.rootTag.length);
  }
}
