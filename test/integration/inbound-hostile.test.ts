// The hostile XMLDSig corpus pushed to the inbound endpoint as FTS: every refusal with the verifier's code, status and a signed receipt, never logged; valid serializations accepted.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_NS } from '../../adapters/ru-fcs/namespaces.js';
import { readReceipt } from '../../adapters/ru-fcs/receipt.js';
import { buildNotification, type NotificationOptions } from '../../adapters/ru-fcs/sim/notification-builder.js';
import { errorSpec, GatewayError } from '../../src/errors.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { createXmlVerifier } from '../../src/security/xml-verifier.js';
import { skipWithout } from '../support/external-tool.js';
import { buildHostileCorpus, type VariantBase } from '../support/hostile-xmldsig-corpus.js';
import { CorpusSigner, loadCorpusKey, type CorpusCase, type CorpusSubject } from '../support/hostile-xmldsig-subject.js';
import { inboundClient, type InboundClient, type PushResult } from '../support/inbound-client.js';
import { PROJECT_PARTNERS, tempDevCertificates } from '../support/project.js';
import { seeded } from '../support/random-xml-document.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';
import { pool } from '../support/task-pool.js';
import { xmlsec1Workspace, type Xmlsec1Workspace } from '../support/xmlsec1-oracle.js';
import { policyOf } from '../support/xmldsig-policy-refusals.js';

const skip = skipWithout('hostile corpus through the inbound endpoint (xmlsec1 signs cases and checks receipts)', { tools: ['xmlsec1'] });

/** Pushes in flight at once. */
const CONNECTIONS = 6;

let certsDir: string;
let gw: RunningGateway;
let client: InboundClient;
let xmlsec1: Xmlsec1Workspace;

/** Every transit declaration number built, in order: each notification has its own (and its own EnvelopeID). */
const built: string[] = [];

/** A fresh FTS notification in canonical form, found in the log by its own transit declaration number. */
function notification(options: NotificationOptions = {}): string {
  const tdn = `10216100/021226/${String(built.length + 1).padStart(7, '0')}`;
  built.push(tdn);
  return buildNotification({ ...options, transitDeclarationNumber: tdn }).toString('utf8');
}

/**
 * A fresh notification as attacks see it: ids on the envelope (for references by id), on the
 * TransitNotification and on the first goods item (the element an attacker wants replaced by one of
 * its own), which neither the envelope reader nor the mapping reads.
 */
function ftsSubject(): CorpusSubject {
  const canonical = notification()
    .replace(/^<env:Envelope ([^>]*)>/, '<env:Envelope $1 ID="envelope">')
    .replace(`<TransitNotification xmlns="${NOTIFICATION_NS}">`, `<TransitNotification xmlns="${NOTIFICATION_NS}" ID="notification">`)
    .replace('<GoodsItem>', '<GoodsItem ID="goods-1">');
  return {
    canonical,
    rootId: 'envelope',
    target: { name: 'GoodsItem', id: 'goods-1', namespace: NOTIFICATION_NS, forgedContent: '<ItemNumber>1</ItemNumber><HSCode>930190</HSCode>' },
    bare: 'env:Header',
    text: 'TransAvto-Sibir LLC',
    attributes: [`xmlns="${NOTIFICATION_NS}"`, 'ID="notification"'],
    prefixedRoot: canonical,
  };
}

/** Notifications whose serializations and tampering are pushed: the attacked form, and the shapes FTS sends. */
const VARIANTS: VariantBase[] = [
  { name: 'with-ids', signer: 'rsa', canonical: () => ftsSubject().canonical },
  { name: 'tir-border-exit', signer: 'rsa', canonical: () => notification() },
  { name: 'minimal-eaeu-departure', signer: 'rsa', canonical: () => notification({ minimal: true, procedure: 'eaeu-transit', event: 'departure' }) },
  { name: 'national-transit-three-items', signer: 'rsa', canonical: () => notification({ procedure: 'national-transit', goodsItems: 3, transitOffices: 2, event: 'border-entry' }) },
  { name: 'answer-arrival', signer: 'rsa', canonical: () => notification({ event: 'arrival', answers: randomUUID() }) },
];

/** One push and what must come of it. */
interface Trial {
  name: string;
  body: Buffer;
  /** The case's category in the corpus (`signer-mismatch` for the document signed with IRU's key). */
  expect: CorpusCase['expect'] | 'signer-mismatch';
  /** The verifier alone, with FTS's pinned key: the canonical bytes it returns, or its code. */
  verifier: { xml: string } | { code: string };
  /** What the endpoint must answer: accepted, or refused with this code. */
  expected: { accepted: true } | { accepted: false; code: string };
  answer: PushResult;
}

let trials: Trial[];

const sha256 = (body: Buffer, encoding: 'hex' | 'base64'): string => createHash('sha256').update(body).digest(encoding);
const tdnOf = (xml: string): string | undefined => /<TransitDeclarationNumber>([^<]+)</.exec(xml)?.[1];
const refused = (): Array<Trial & { expected: { accepted: false } }> => trials.filter((t): t is Trial & { expected: { accepted: false } } => !t.expected.accepted);
const accepted = (): Trial[] => trials.filter((t) => t.expected.accepted);

describe.skipIf(skip)('the hostile corpus pushed by FTS over mutual TLS', () => {
  beforeAll(async () => {
    certsDir = tempDevCertificates(PROJECT_PARTNERS);
    initDevCertificates(join(certsDir, 'attacker'), []);
    mkdirSync(join(certsDir, 'work'));
    const partnerKey = (id: string) => loadCorpusKey(join(certsDir, 'partners', `${id}.key.pem`), join(certsDir, 'partners', `${id}.cert.pem`));
    const fts = partnerKey('ru-fcs');
    const signer = new CorpusSigner({ rsa: fts, attacker: loadCorpusKey(join(certsDir, 'attacker', 'gateway.key.pem'), join(certsDir, 'attacker', 'gateway.cert.pem')) });
    xmlsec1 = xmlsec1Workspace(join(certsDir, 'work'));
    const corpus = await buildHostileCorpus({ signer, xmlsec1, random: seeded('inbound-hostile'), subject: ftsSubject, variants: VARIANTS, tampering: 'all' });
    const iru = partnerKey('iru-safetir');
    const byIru = { name: 'keys/signed-by-iru', xml: createXmlSigner(iru.key).sign(Buffer.from(notification(), 'utf8')), expect: 'signer-mismatch' as const };

    const pinned = [new X509Certificate(readFileSync(fts.certFile)).publicKey];
    const verifier = createXmlVerifier(() => pinned);
    const verdict = (xml: Buffer): Trial['verifier'] => {
      try {
        return { xml: verifier.verify(xml, 'ru-fcs').xml };
      } catch (err) {
        return { code: err instanceof GatewayError ? err.code : `crash: ${String(err)}` };
      }
    };

    gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir });
    const url = gw.gateway.inboundUrl();
    if (!url) throw new Error('the inbound listener is not running');
    client = inboundClient(url, certsDir);
    trials = await pool(
      [...corpus, byIru].map((c) => async (): Promise<Trial> => {
        const v = verdict(c.xml);
        const expected: Trial['expected'] = c.expect === 'signer-mismatch' ? { accepted: false, code: 'GW_ERR_INBOUND_SIGNER_MISMATCH' } : 'xml' in v ? { accepted: true } : { accepted: false, code: v.code };
        const answer = await client.push({ tlsAs: 'ru-fcs', partner: 'ru-fcs', body: c.xml });
        return { name: c.name, body: c.xml, expect: c.expect, verifier: v, expected, answer };
      }),
      CONNECTIONS,
    );
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await gw?.stop();
    if (certsDir) rmSync(certsDir, { recursive: true, force: true });
  });

  it('around FTS notifications the corpus keeps its categories: the verifier with FTS\'s pinned key accepts, refuses, or refuses by policy as each case says', () => {
    expect(trials.length).toBeGreaterThanOrEqual(200);
    const families = new Set(trials.map((t) => t.name.split('/').slice(0, t.name.startsWith('profile/') ? 2 : 1).join('/')));
    for (const family of ['wrapping', 'profile/ids', 'profile/reference', 'profile/keys', 'profile/algorithm', 'profile/transforms', 'profile/signatures', 'profile/doctype', 'profile/pi', 'profile/namespaces', 'profile/encoding', 'profile/malformed', 'xmlsec1-signed']) {
      expect(families, family).toContain(family);
    }
    const problems = trials.flatMap((t) => {
      const got = 'xml' in t.verifier ? 'accepted' : t.verifier.code;
      const policy = t.expect === 'signer-mismatch' ? undefined : policyOf(t.expect);
      const fits = t.expect === 'accept' ? got === 'accepted' : policy ? got === policy.code : got !== 'accepted' && !got.startsWith('crash');
      return fits ? [] : [`${t.name} (${t.expect}): verifier ${got}`];
    });
    expect(problems).toEqual([]);
  });

  it('every push is answered with a receipt that xmlsec1 verifies with the gateway certificate, carrying the digest of the bytes received', async () => {
    const verdicts = await xmlsec1.verifyAll(trials.map((t) => ({ xml: t.answer.body, certFile: join(certsDir, 'gateway.cert.pem'), likelyValid: true })));
    expect(trials.filter((_, k) => verdicts[k]?.status !== 0).map((t) => `${t.name}: HTTP ${t.answer.status} ${t.answer.body.toString('utf8').slice(0, 200)}`)).toEqual([]);
    expect(trials.filter((t) => readReceipt(t.answer.body)?.payloadDigest !== sha256(t.body, 'base64')).map((t) => t.name)).toEqual([]);
  });

  it('every case the verifier refuses is answered with its code and the HTTP status of the error table, in a REJECTED receipt', () => {
    expect(refused().length).toBeGreaterThanOrEqual(100);
    const problems = refused().flatMap((t) => {
      const receipt = readReceipt(t.answer.body);
      const status = errorSpec(t.expected.code)?.httpStatus;
      const right = t.answer.status === status && receipt?.result === 'REJECTED' && receipt.errorCode === t.expected.code;
      return right ? [] : [`${t.name}: HTTP ${t.answer.status} ${receipt?.result} ${receipt?.errorCode}, not ${status} REJECTED ${t.expected.code}`];
    });
    expect(problems).toEqual([]);
  });

  it('every case the verifier accepts (equivalent serializations of a valid notification) is accepted and logged once, signed by FTS\'s certificate', async () => {
    expect(accepted().length).toBeGreaterThanOrEqual(80);
    const fingerprint = new X509Certificate(readFileSync(join(certsDir, 'partners', 'ru-fcs.cert.pem'))).fingerprint256.replace(/:/g, '').toLowerCase();
    const problems = await pool(
      accepted().map((t) => async (): Promise<string[]> => {
        const receipt = readReceipt(t.answer.body);
        if (t.answer.status !== 200 || receipt?.result !== 'ACCEPTED' || !receipt.receiptId) return [`${t.name}: HTTP ${t.answer.status} ${receipt?.result} ${receipt?.errorCode ?? ''}`];
        const tdn = tdnOf('xml' in t.verifier ? t.verifier.xml : '') ?? '';
        const logged = await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`);
        const ids = logged.body.items.map((i: { id: string; direction: string }) => `${i.direction} ${i.id}`);
        if (ids.join() !== `in ${receipt.receiptId}`) return [`${t.name}: the log under ${tdn} holds [${ids.join(', ')}], not this push alone`];
        const detail = await gw.api('GET', `/v1/messages/${receipt.receiptId}`);
        return detail.body.signerCertificate === fingerprint && detail.body.payloadSha256 === sha256(t.body, 'hex') ? [] : [`${t.name}: detail signer ${detail.body.signerCertificate}, payload ${detail.body.payloadSha256}`];
      }),
      CONNECTIONS,
    );
    expect(problems.flat()).toEqual([]);
  });

  it('nothing refused reaches the message log: no other notification built is found by its number, and the inbound log holds the accepted pushes only', async () => {
    const acceptedNumbers = new Set(accepted().map((t) => tdnOf('xml' in t.verifier ? t.verifier.xml : '')));
    const others = built.filter((tdn) => !acceptedNumbers.has(tdn));
    expect(others.length).toBeGreaterThanOrEqual(refused().length);
    const found = await pool(
      others.map((tdn) => async () => ((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`)).body.items.length > 0 ? [tdn] : [])),
      CONNECTIONS,
    );
    expect(found.flat()).toEqual([]);
    let inbound = 0;
    for (let cursor: string | undefined = '', page = 0; cursor !== undefined && page < 20; page++) {
      const listed = await gw.api('GET', `/v1/messages?direction=in&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      inbound += listed.body.items.length;
      cursor = listed.body.nextCursor;
    }
    expect(inbound).toBe(accepted().length);
  });

  it('every refusal is listed for auditors with its code and the digest of the bytes received', async () => {
    const listed = await gw.api('GET', '/v1/inbound/refusals?partner=ru-fcs&limit=500');
    expect(listed.status).toBe(200);
    const entries = new Set(listed.body.items.map((r: { payloadSha256: string; code: string }) => `${r.payloadSha256} ${r.code}`));
    expect(listed.body.items).toHaveLength(refused().length);
    expect(refused().filter((t) => !entries.has(`${sha256(t.body, 'hex')} ${t.expected.code}`)).map((t) => t.name)).toEqual([]);
  });

  it('a notification signed with IRU\'s pinned key is GW_ERR_INBOUND_SIGNER_MISMATCH (403), where the verifier alone says GW_ERR_SIGNATURE_INVALID', () => {
    const byIru = trials.find((t) => t.expect === 'signer-mismatch') as Trial;
    expect(byIru.verifier).toEqual({ code: 'GW_ERR_SIGNATURE_INVALID' });
    expect(byIru.answer.status).toBe(403);
    expect(readReceipt(byIru.answer.body)).toMatchObject({ result: 'REJECTED', errorCode: 'GW_ERR_INBOUND_SIGNER_MISMATCH' });
  });
});
