// The hostile XMLDSig corpus pushed to the inbound endpoint as Russia's member gateway: every refusal with the verifier's code, status and a signed technological error, never logged; valid serializations accepted.
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedProcesses } from '../../adapters/eaeu-iis/process-table.js';
import { memberEnvelope, type MemberPushOptions } from '../../adapters/eaeu-iis/sim/member-push.js';
import { errorSpec, GatewayError } from '../../src/errors.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { createXmlVerifier } from '../../src/security/xml-verifier.js';
import { MEMBER, readRefusal, SOAP_12 } from '../support/eaeu-push.js';
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

const skip = skipWithout('hostile corpus through the inbound endpoint (xmlsec1 signs cases and checks refusals)', { tools: ['xmlsec1'] });

/** Pushes in flight at once. */
const CONNECTIONS = 6;
/** The namespace of the goods item the attacks target. */
const CACDO = 'urn:EEC:M:CA:ComplexDataObjects:v1.8.1';

let certsDir: string;
let gw: RunningGateway;
let client: InboundClient;
let xmlsec1: Xmlsec1Workspace;

/** Every transit declaration number built, in order: each message has its own (and its own MessageID). */
const built: string[] = [];
const processes = shippedProcesses();

/** A fresh P.CP.01 envelope from Russia in canonical form, found in the log by its own transit declaration number. */
function message(options: Partial<MemberPushOptions> = {}): string {
  const tdn = `10216100/021226/${String(built.length + 1).padStart(7, '0')}`;
  built.push(tdn);
  return memberEnvelope(processes, { member: 'RU', us: 'KZ', ...options, transitDeclarationNumber: tdn }).envelope.toString('utf8');
}

/**
 * A fresh message as attacks see it: an id on the envelope (for references by id), and the goods item
 * (the element an attacker wants replaced by one of its own) written in its namespace as the default one,
 * with an id, which neither the envelope reader nor the mapping reads. Still its own canonical form.
 */
function memberSubject(): CorpusSubject {
  const canonical = message()
    .replace(/^<soap:Envelope ([^>]*)>/, '<soap:Envelope $1 ID="envelope">')
    .replace(/<cacdo:TDExchGoodsItemDetails xmlns:cacdo="([^"]+)">([\s\S]*?)<\/cacdo:TDExchGoodsItemDetails>/, (_, ns: string, content: string) =>
      // Its cacdo children now declare the prefix themselves, as the canonical form has it.
      `<TDExchGoodsItemDetails xmlns="${ns}" ID="goods-1">${content.replace('<cacdo:CargoPackagePalletDetails>', `<cacdo:CargoPackagePalletDetails xmlns:cacdo="${ns}">`)}</TDExchGoodsItemDetails>`,
    );
  return {
    canonical,
    rootId: 'envelope',
    target: { name: 'TDExchGoodsItemDetails', id: 'goods-1', namespace: CACDO, forgedContent: '<GoodsDescriptionText>Sporting rifles</GoodsDescriptionText>' },
    bare: 'soap:Header',
    text: 'Portable computers, in cartons',
    attributes: ['xmlns:casdo="urn:EEC:M:CA:SimpleDataObjects:v1.8.1"', 'codeListId="2016"'],
    prefixedRoot: canonical,
  };
}

/** Messages whose serializations and tampering are pushed: the attacked form, and the shapes Russia sends. */
const VARIANTS: VariantBase[] = [
  { name: 'with-ids', signer: 'rsa', canonical: () => memberSubject().canonical },
  { name: 'tir-border-exit', signer: 'rsa', canonical: () => message({ carnet: 'DX25123456', event: 'border-exit' }) },
  { name: 'departure-soap-1.1', signer: 'rsa', canonical: () => message({ version: '1.1', event: 'departure' }) },
  { name: 'three-items-border-entry', signer: 'rsa', canonical: () => message({ goodsItems: 3, event: 'border-entry' }) },
  { name: 'arrival', signer: 'rsa', canonical: () => message({ event: 'arrival' }) },
];

/** One push and what must come of it. */
interface Trial {
  name: string;
  body: Buffer;
  /** The case's category in the corpus (`signer-mismatch` for the document signed with IRU's key). */
  expect: CorpusCase['expect'] | 'signer-mismatch';
  /** The verifier alone, with Russia's pinned key: the canonical bytes it returns, or its code. */
  verifier: { xml: string } | { code: string };
  /** What the endpoint must answer: accepted, or refused with this code. */
  expected: { accepted: true } | { accepted: false; code: string };
  answer: PushResult;
}

let trials: Trial[];

const sha256 = (body: Buffer, encoding: 'hex' | 'base64'): string => createHash('sha256').update(body).digest(encoding);
/** The transit declaration number (office/DDMMYY/number) of a message's canonical text. */
function tdnOf(xml: string): string | undefined {
  const found = /TransitDeclarationIdDetails[^>]*>[\s\S]*?CustomsOfficeCode[^>]*>([^<]+)<[\s\S]*?DocCreationDate[^>]*>\d\d(\d\d)-(\d\d)-(\d\d)<[\s\S]*?CustomsDocumentId[^>]*>([^<]+)</.exec(xml);
  return found ? `${found[1]}/${found[4]}${found[3]}${found[2]}/${found[5]}` : undefined;
}
const refused = (): Array<Trial & { expected: { accepted: false } }> => trials.filter((t): t is Trial & { expected: { accepted: false } } => !t.expected.accepted);
const accepted = (): Trial[] => trials.filter((t) => t.expected.accepted);

describe.skipIf(skip)("the hostile corpus pushed by Russia's member gateway over mutual TLS (instance signing plain xmldsig: the signature is the Envelope's last child)", () => {
  beforeAll(async () => {
    certsDir = tempDevCertificates(PROJECT_PARTNERS);
    initDevCertificates(join(certsDir, 'attacker'), []);
    mkdirSync(join(certsDir, 'work'));
    const partnerKey = (id: string) => loadCorpusKey(join(certsDir, 'partners', `${id}.key.pem`), join(certsDir, 'partners', `${id}.cert.pem`));
    const russia = partnerKey(MEMBER);
    const signer = new CorpusSigner({ rsa: russia, attacker: loadCorpusKey(join(certsDir, 'attacker', 'gateway.key.pem'), join(certsDir, 'attacker', 'gateway.cert.pem')) });
    xmlsec1 = xmlsec1Workspace(join(certsDir, 'work'));
    const corpus = await buildHostileCorpus({ signer, xmlsec1, random: seeded('inbound-hostile'), subject: memberSubject, variants: VARIANTS, tampering: 'all' });
    const iru = partnerKey('iru-safetir');
    const byIru = { name: 'keys/signed-by-iru', xml: createXmlSigner(iru.key).sign(Buffer.from(message(), 'utf8')), expect: 'signer-mismatch' as const };

    const pinned = [new X509Certificate(readFileSync(russia.certFile)).publicKey];
    const verifier = createXmlVerifier(() => pinned);
    const verdict = (xml: Buffer): Trial['verifier'] => {
      try {
        return { xml: verifier.verify(xml, MEMBER).xml };
      } catch (err) {
        return { code: err instanceof GatewayError ? err.code : `crash: ${String(err)}` };
      }
    };

    // Russia's instance on the plain enveloped profile: the corpus's signatures sit where it puts them.
    gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_EAEU_RU_SIGNING_PROFILE: 'xmldsig' });
    const url = gw.gateway.inboundUrl();
    if (!url) throw new Error('the inbound listener is not running');
    client = inboundClient(url, certsDir);
    trials = await pool(
      [...corpus, byIru].map((c) => async (): Promise<Trial> => {
        const v = verdict(c.xml);
        const expected: Trial['expected'] = c.expect === 'signer-mismatch' ? { accepted: false, code: 'GW_ERR_INBOUND_SIGNER_MISMATCH' } : 'xml' in v ? { accepted: true } : { accepted: false, code: v.code };
        const answer = await client.push({ tlsAs: MEMBER, partner: MEMBER, body: c.xml, contentType: SOAP_12 });
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

  it("around Russia's messages the corpus keeps its categories: the verifier with Russia's pinned key accepts, refuses, or refuses by policy as each case says", () => {
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

  it('every push taken is answered 202 with no body; every refusal is a technological error that xmlsec1 verifies with the gateway certificate', async () => {
    expect(accepted().filter((t) => t.answer.status !== 202 || t.answer.body.length > 0).map((t) => `${t.name}: HTTP ${t.answer.status} ${t.answer.body.toString('utf8').slice(0, 200)}`)).toEqual([]);
    const verdicts = await xmlsec1.verifyAll(refused().map((t) => ({ xml: t.answer.body, certFile: join(certsDir, 'gateway.cert.pem'), likelyValid: true })));
    expect(refused().filter((_, k) => verdicts[k]?.status !== 0).map((t) => `${t.name}: HTTP ${t.answer.status} ${t.answer.body.toString('utf8').slice(0, 200)}`)).toEqual([]);
  });

  it('every case the verifier refuses is answered with its code and the HTTP status of the error table, in a technological error', () => {
    expect(refused().length).toBeGreaterThanOrEqual(100);
    const problems = refused().flatMap((t) => {
      const refusal = readRefusal(t.answer.body);
      const status = errorSpec(t.expected.code)?.httpStatus;
      const right = t.answer.status === status && refusal?.code === t.expected.code;
      return right ? [] : [`${t.name}: HTTP ${t.answer.status} ${refusal?.fault} ${refusal?.code}, not ${status} ${t.expected.code}`];
    });
    expect(problems).toEqual([]);
  });

  it("every case the verifier accepts (equivalent serializations of a valid message) is accepted and logged once, signed by Russia's certificate", async () => {
    expect(accepted().length).toBeGreaterThanOrEqual(80);
    const fingerprint = new X509Certificate(readFileSync(join(certsDir, 'partners', `${MEMBER}.cert.pem`))).fingerprint256.replace(/:/g, '').toLowerCase();
    const problems = await pool(
      accepted().map((t) => async (): Promise<string[]> => {
        if (t.answer.status !== 202) return [`${t.name}: HTTP ${t.answer.status} ${t.answer.body.toString('utf8').slice(0, 200)}`];
        const tdn = tdnOf('xml' in t.verifier ? t.verifier.xml : '') ?? '';
        const logged = await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`);
        const items = logged.body.items as Array<{ id: string; direction: string }>;
        if (items.length !== 1 || items[0]?.direction !== 'in') return [`${t.name}: the log under ${tdn} holds [${items.map((i) => `${i.direction} ${i.id}`).join(', ')}], not this push alone`];
        const detail = await gw.api('GET', `/v1/messages/${items[0].id}`);
        return detail.body.signerCertificate === fingerprint && detail.body.payloadSha256 === sha256(t.body, 'hex') ? [] : [`${t.name}: detail signer ${detail.body.signerCertificate}, payload ${detail.body.payloadSha256}`];
      }),
      CONNECTIONS,
    );
    expect(problems.flat()).toEqual([]);
  });

  it('nothing refused reaches the message log: no other message built is found by its number, and the inbound log holds the accepted pushes only', async () => {
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
    const listed = await gw.api('GET', `/v1/inbound/refusals?partner=${MEMBER}&limit=500`);
    expect(listed.status).toBe(200);
    const entries = new Set(listed.body.items.map((r: { payloadSha256: string; code: string }) => `${r.payloadSha256} ${r.code}`));
    expect(listed.body.items).toHaveLength(refused().length);
    expect(refused().filter((t) => !entries.has(`${sha256(t.body, 'hex')} ${t.expected.code}`)).map((t) => t.name)).toEqual([]);
  });

  it("a message signed with IRU's pinned key is GW_ERR_INBOUND_SIGNER_MISMATCH (403), where the verifier alone says GW_ERR_SIGNATURE_INVALID", () => {
    const byIru = trials.find((t) => t.expect === 'signer-mismatch') as Trial;
    expect(byIru.verifier).toEqual({ code: 'GW_ERR_SIGNATURE_INVALID' });
    expect(byIru.answer.status).toBe(403);
    expect(readRefusal(byIru.answer.body)).toMatchObject({ code: 'GW_ERR_INBOUND_SIGNER_MISMATCH' });
  });
});
