// Proves the as2 transport with openssl as the partner: openssl verifies our signed request, we read openssl-signed MDNs (dispositions, MIC, unpinned signers), and openAs2Message/buildAs2Mdn interoperate with the transport and with openssl.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, type X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { As2Request } from '../../src/partners/partner-definition.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities, readCertificate, type KeyCapabilities } from '../../src/security/key-capabilities.js';
import { buildAs2Mdn, openAs2Message, type As2Message } from '../../src/transport/as2-mdn.js';
import { as2Transport } from '../../src/transport/as2-transport.js';
import { createPartnerHttpClient } from '../../src/transport/http-client.js';
import type { PartnerHttpClient, TransportChannel } from '../../src/transport/transport.js';
import { skipWithout } from '../support/external-tool.js';

const OPENSSL = 'openssl';
const skip = skipWithout('AS2 openssl partner', { tools: ['openssl'] });

/**
 * An EDIFACT interchange with CRLF segment ends, a NUL and non-ASCII bytes. No bare LF or CR: openssl's S/MIME
 * reader rewrites every line end of the signed part as CRLF, so it cannot check content that has other line ends.
 */
const DOCUMENT = Buffer.concat([Buffer.from("UNB+UNOC:3+KZCUSTOMS+PARTNER+261201:1200+42'\r\nUNH+1+CUSRES:D:96B:UN'\r\n", 'latin1'), Buffer.from([0, 0xff, 0xd0, 0x9a])]);
const AS2_FROM = 'CUSTOMS GW';
const AS2_TO = 'PARTNER-AS2';
const REQUEST: As2Request = { transport: 'as2', content: DOCUMENT, contentType: 'application/EDIFACT', fileName: 'cusres 42.edi', subject: 'CUSRES 42', messageId: 'msg-42' };
const MESSAGE_ID = '<msg-42@CUSTOMS_GW>';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}
interface KeyFiles {
  key: string;
  cert: string;
}

let dir: string;
let counter = 0;
let files: Record<'partner' | 'stranger', KeyFiles>;
let ours: KeyCapabilities;
let partner: KeyCapabilities;
let ourCert: X509Certificate;
let partnerCert: X509Certificate;
let client: PartnerHttpClient;
let server: http.Server;
let url: string;
/** What the partner answers the next request with (set by each test). */
let answer: (request: Received) => Answer;
let received: Received[];

beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'gw-as2-'));
  initDevCertificates(dir, ['partner-as2', 'stranger']);
  const pair = (name: string): KeyFiles => ({ key: join(dir, `${name}.key.pem`), cert: join(dir, `${name}.cert.pem`) });
  files = { partner: pair('partners/partner-as2'), stranger: pair('partners/stranger') };
  ours = loadKeyCapabilities(pair('gateway').key, pair('gateway').cert);
  partner = loadKeyCapabilities(files.partner.key, files.partner.cert);
  ourCert = readCertificate(pair('gateway').cert);
  partnerCert = readCertificate(files.partner.cert);
  client = createPartnerHttpClient({ connections: 2 });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks) };
      received.push(request);
      let reply: Answer;
      try {
        reply = answer(request);
      } catch (err) {
        reply = { status: 599, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from(String(err)) };
      }
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
});

afterAll(async () => {
  await client?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
});

function channel(overrides: Partial<TransportChannel> = {}): TransportChannel {
  return {
    partner: 'partner-as2',
    url,
    timeoutMs: 10_000,
    maxResponseBytes: 1 << 20,
    http: client,
    identity: ours,
    partnerCertificates: [partnerCert],
    participants: { as2From: AS2_FROM, as2To: AS2_TO },
    ...overrides,
  };
}

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

/** Runs openssl on a fresh input file; a binary that did not run must not count as "openssl refused it". */
function openssl(args: string[], input: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const path = join(dir, `in-${++counter}`);
  writeFileSync(path, input);
  const run = spawnSync(OPENSSL, [...args, '-in', path]);
  expect(run.error, 'openssl could not be run').toBeUndefined();
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.toString() };
}

/** An HTTP body with its Content-Type as the MIME header openssl reads S/MIME from. */
const asMime = (contentType: string, body: Buffer): Buffer => Buffer.concat([Buffer.from(`Content-Type: ${contentType}\r\n\r\n`), body]);
const VERIFY = ['-verify', '-purpose', 'any', '-CAfile'];

/** `openssl smime -verify` and `openssl cms -verify -inform SMIME` of a multipart/signed; both print the signed entity. */
function opensslVerifySmime(contentType: string, body: Buffer): Array<{ status: number | null; stdout: Buffer; stderr: string }> {
  const ca = join(dir, 'ca.cert.pem');
  return [openssl(['smime', ...VERIFY, ca, '-binary'], asMime(contentType, body)), openssl(['cms', ...VERIFY, ca, '-inform', 'SMIME', '-binary', '-crlfeol'], asMime(contentType, body))];
}

/** Signs an entity as the partner's AS2 software would, with `openssl smime -sign`; returns the Content-Type and body. */
function opensslSign(entity: Buffer, signer: KeyFiles): { contentType: string; body: Buffer } {
  const run = openssl(['smime', '-sign', '-binary', '-crlfeol', '-md', 'sha256', '-signer', signer.cert, '-inkey', signer.key], entity);
  expect(run.status, run.stderr).toBe(0);
  const end = run.stdout.indexOf('\r\n\r\n');
  const contentType = /^Content-Type: (.*)$/im.exec(run.stdout.subarray(0, end).toString('latin1'))?.[1] ?? '';
  return { contentType, body: run.stdout.subarray(end + 4) };
}

/** A disposition-notification report as a partner writes it (the test's own text, independent of buildAs2Mdn). */
function report(originalMessageId: string, disposition: string, mic?: string): Buffer {
  return crlf([
    'Content-Type: multipart/report; report-type=disposition-notification; boundary="rpt-7"',
    '',
    '--rpt-7',
    'Content-Type: text/plain',
    '',
    'The message was received.',
    '--rpt-7',
    'Content-Type: message/disposition-notification',
    'Content-Transfer-Encoding: 7bit',
    '',
    'Reporting-UA: partner simulator',
    `Original-Recipient: rfc822; ${AS2_TO}`,
    `Final-Recipient: rfc822; ${AS2_TO}`,
    `Original-Message-ID: ${originalMessageId}`,
    ...(mic === undefined ? [] : [`Received-Content-MIC: ${mic}`]),
    `Disposition: automatic-action/MDN-sent-automatically; ${disposition}`,
    '',
    '--rpt-7--',
    '',
  ]);
}

/** The MIC the test computes itself over the entity openssl extracted. */
const sha256Mic = (entity: Buffer): string => `${createHash('sha256').update(entity).digest('base64')}, sha-256`;

/**
 * A partner that checks each request with openssl and answers with an MDN signed by `openssl smime -sign`
 * (by the pinned partner key unless `signer` says otherwise), its MIC from `mic` (default: over what openssl extracted).
 * @returns the openssl verifications of the requests, filled as they arrive
 */
function opensslPartner(disposition: string, options: { signer?: KeyFiles; mic?: (entity: Buffer) => string | undefined } = {}): Array<ReturnType<typeof opensslVerifySmime>> {
  const checks: Array<ReturnType<typeof opensslVerifySmime>> = [];
  answer = (request) => {
    const verified = opensslVerifySmime(String(request.headers['content-type']), request.body);
    checks.push(verified);
    const mic = (options.mic ?? sha256Mic)(verified[0]?.stdout ?? Buffer.alloc(0));
    const signed = opensslSign(report(String(request.headers['message-id']), disposition, mic), options.signer ?? files.partner);
    return { status: 200, headers: { 'Content-Type': signed.contentType, 'AS2-Version': '1.2', 'AS2-From': AS2_TO, 'AS2-To': '"CUSTOMS GW"' }, body: signed.body };
  };
  return checks;
}

describe.skipIf(skip)('as2 transport against an openssl partner', () => {
  it('sends a request openssl verifies, and reads the openssl-signed MDN: verified, processed, its message, MIC matching', async () => {
    const checks = opensslPartner('processed');
    const result = await as2Transport.send(REQUEST, channel());

    expect(checks).toHaveLength(1);
    for (const run of checks[0] ?? []) {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.subarray(run.stdout.indexOf('\r\n\r\n') + 4).equals(DOCUMENT)).toBe(true);
    }
    const entityHead = checks[0]?.[0]?.stdout.toString('latin1') ?? '';
    expect(entityHead).toMatch(/^Content-Type: application\/EDIFACT\r\nContent-Transfer-Encoding: binary\r\nContent-Disposition: attachment; filename="cusres 42.edi"\r\n\r\n/);
    const headers = received[0]?.headers ?? {};
    expect(headers).toMatchObject({
      'as2-version': '1.2',
      'as2-from': '"CUSTOMS GW"',
      'as2-to': 'PARTNER-AS2',
      'message-id': MESSAGE_ID,
      subject: 'CUSRES 42',
      'mime-version': '1.0',
      'disposition-notification-options': 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
    });
    expect(headers['disposition-notification-to']).toBeTruthy();
    expect(new Date(String(headers.date)).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(headers['content-type']).toMatch(/^multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256; boundary=/);

    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect(result.kind === 'response' ? result.receipt : undefined).toEqual({
      signed: true,
      verified: true,
      originalMessageId: MESSAGE_ID,
      disposition: 'automatic-action/MDN-sent-automatically; processed',
      dispositionType: 'processed',
      receivedMic: expect.stringMatching(/^[A-Za-z0-9+/]{43}=, sha-256$/),
      micMatches: true,
      problems: [],
    });
  });

  it('sends the same Message-ID on every attempt', async () => {
    opensslPartner('processed');
    await as2Transport.send(REQUEST, channel());
    await as2Transport.send(REQUEST, channel());
    expect(received.map((r) => r.headers['message-id'])).toEqual([MESSAGE_ID, MESSAGE_ID]);
  });

  it('does not trust an MDN signed by a key that is not pinned, but still reports what it says', async () => {
    opensslPartner('processed', { signer: files.stranger });
    const result = await as2Transport.send(REQUEST, channel());
    const receipt = result.kind === 'response' ? result.receipt : undefined;
    expect(receipt).toMatchObject({ signed: true, verified: false, dispositionType: 'processed', micMatches: true });
    expect(receipt?.problems).toEqual([expect.stringMatching(/signature does not verify with a pinned certificate.*GW_ERR_SIGNATURE_INVALID/)]);
  });

  it('reports processed/error: decryption-failed as type processed with an error modifier', async () => {
    opensslPartner('processed/error: decryption-failed', { mic: () => undefined });
    const result = await as2Transport.send(REQUEST, channel());
    expect(result.kind === 'response' ? result.receipt : undefined).toMatchObject({
      verified: true,
      dispositionType: 'processed',
      modifier: { kind: 'error', description: 'decryption-failed' },
      micMatches: false,
      problems: [],
    });
  });

  it('reports a MIC that is not the one of what was sent', async () => {
    opensslPartner('processed', { mic: () => sha256Mic(Buffer.from('something else')) });
    const result = await as2Transport.send(REQUEST, channel());
    const receipt = result.kind === 'response' ? result.receipt : undefined;
    expect(receipt).toMatchObject({ verified: true, dispositionType: 'processed', micMatches: false });
    expect(receipt?.problems).toEqual([expect.stringMatching(/Received-Content-MIC is not the MIC of what was sent/)]);
  });

  it('reports an MDN that answers another message', async () => {
    answer = () => {
      const signed = opensslSign(report('<other@CUSTOMS_GW>', 'processed'), files.partner);
      return { status: 200, headers: { 'Content-Type': signed.contentType }, body: signed.body };
    };
    const result = await as2Transport.send(REQUEST, channel());
    expect(result.kind === 'response' ? result.receipt?.problems : undefined).toEqual([
      `the MDN answers <other@CUSTOMS_GW>, not ${MESSAGE_ID}`,
      'the MDN reports processed without a Received-Content-MIC',
    ]);
  });

  it('reports an MDN it cannot read instead of throwing', async () => {
    answer = () => ({ status: 200, headers: { 'Content-Type': 'multipart/signed; protocol="application/pkcs7-signature"' }, body: Buffer.from('no parts') });
    const result = await as2Transport.send(REQUEST, channel());
    expect(result.kind === 'response' ? result.receipt : undefined).toMatchObject({
      signed: true,
      verified: false,
      dispositionType: '',
      problems: [expect.stringMatching(/^the MDN cannot be read \(GW_ERR_MIME_MALFORMED: multipart\/signed has no boundary parameter\)$/)],
    });
  });

  it('returns a non-MDN answer as a plain response without receipt', async () => {
    answer = () => ({ status: 500, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('internal error') });
    const result = await as2Transport.send(REQUEST, channel());
    expect(result).toMatchObject({ kind: 'response', status: 500 });
    expect(result.kind === 'response' && 'receipt' in result).toBe(false);
  });

  it('returns the http client’s connect error for an unreachable URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await as2Transport.send(REQUEST, channel({ url: `http://127.0.0.1:${port}/as2` }));
    expect(result).toMatchObject({ kind: 'error', error: 'connect' });
  });

  it('refuses to send without the as2To participant code, naming it', async () => {
    await expect(as2Transport.send(REQUEST, channel({ participants: { as2From: AS2_FROM } }))).rejects.toThrow(/GW_ERR_CONFIG_INVALID: partner partner-as2: .*participant codes as2To$/);
    expect(received).toEqual([]);
  });
});

describe.skipIf(skip)('openAs2Message and buildAs2Mdn', () => {
  it('round-trip with the transport: the receiver opens our message and its signed MDN verifies', async () => {
    const opened: As2Message[] = [];
    answer = (request) => {
      const message = openAs2Message(request.headers, request.body, [ourCert]);
      opened.push(message);
      const mdn = buildAs2Mdn({ originalMessageId: message.messageId, as2From: message.as2To, as2To: message.as2From, mic: message.mic, disposition: 'processed', signer: partner });
      return { status: 200, headers: mdn.headers, body: mdn.body };
    };
    const result = await as2Transport.send(REQUEST, channel());
    expect(opened[0]).toMatchObject({ content: DOCUMENT, contentType: 'application/EDIFACT', fileName: 'cusres 42.edi', as2From: AS2_FROM, as2To: AS2_TO, messageId: MESSAGE_ID, signedReceiptRequested: true });
    expect(opened[0]?.signer.fingerprint256).toBe(ourCert.fingerprint256);
    expect(result.kind === 'response' ? result.receipt : undefined).toMatchObject({ signed: true, verified: true, dispositionType: 'processed', originalMessageId: MESSAGE_ID, micMatches: true, problems: [] });
  });

  it("encrypts the signed entity for the partner's certificate when asked: openssl decrypts it with the partner's key and verifies our signature inside; the receiver opens it, the MDN's MIC is the signed entity's", async () => {
    const requests: Array<{ headers: Received['headers']; body: Buffer }> = [];
    const opened: As2Message[] = [];
    answer = (request) => {
      requests.push(request);
      const message = openAs2Message(request.headers, request.body, [ourCert], [partner]);
      opened.push(message);
      const mdn = buildAs2Mdn({ originalMessageId: message.messageId, as2From: message.as2To, as2To: message.as2From, mic: message.mic, disposition: 'processed', signer: partner });
      return { status: 200, headers: mdn.headers, body: mdn.body };
    };
    const result = await as2Transport.send({ ...REQUEST, encrypt: true }, channel());
    expect(String(requests[0]?.headers['content-type'])).toMatch(/^application\/pkcs7-mime; smime-type=enveloped-data/);
    const decrypted = openssl(['cms', '-decrypt', '-inform', 'DER', '-binary', '-recip', files.partner.cert, '-inkey', files.partner.key], requests[0]!.body);
    expect(decrypted.status, decrypted.stderr).toBe(0);
    const [verified] = opensslVerifySmime(/^Content-Type: (.*)\r\n/.exec(decrypted.stdout.toString('latin1'))![1]!, decrypted.stdout.subarray(decrypted.stdout.indexOf('\r\n\r\n') + 4));
    expect(verified!.status, verified!.stderr).toBe(0);
    expect(verified!.stdout.includes(DOCUMENT)).toBe(true);
    expect(opened[0]).toMatchObject({ content: DOCUMENT, encrypted: true, messageId: MESSAGE_ID });
    expect(result.kind === 'response' ? result.receipt : undefined).toMatchObject({ verified: true, dispositionType: 'processed', micMatches: true, problems: [] });
    // Without the partner's key it does not open.
    expect(() => openAs2Message(requests[0]!.headers, requests[0]!.body, [ourCert], [ours])).toThrow(/GW_ERR_DECRYPTION_FAILED|none of our certificates/);
  });

  it('round-trip an unsigned failure MDN: read, but flagged as not signed', async () => {
    answer = (request) => {
      const mdn = buildAs2Mdn({ originalMessageId: String(request.headers['message-id']), as2From: AS2_TO, as2To: AS2_FROM, disposition: { kind: 'failure', description: 'unsupported format' } });
      return { status: 200, headers: mdn.headers, body: mdn.body };
    };
    const result = await as2Transport.send(REQUEST, channel());
    expect(result.kind === 'response' ? result.receipt : undefined).toMatchObject({
      signed: false,
      verified: false,
      dispositionType: 'failed',
      modifier: { kind: 'failure', description: 'unsupported format' },
      problems: ['the MDN is not signed, though a signed receipt was requested'],
    });
  });

  it('builds a signed MDN that openssl verifies', () => {
    const mdn = buildAs2Mdn({ originalMessageId: MESSAGE_ID, as2From: AS2_TO, as2To: AS2_FROM, mic: 'abc=, sha-256', disposition: { kind: 'warning', description: 'duplicate-document' }, signer: partner });
    expect(mdn.headers).toMatchObject({ 'AS2-Version': '1.2', 'AS2-From': AS2_TO, 'AS2-To': '"CUSTOMS GW"', 'MIME-Version': '1.0' });
    expect(mdn.headers['Message-ID']).toMatch(/^<[0-9a-f-]{36}@PARTNER-AS2>$/);
    for (const run of opensslVerifySmime(mdn.headers['Content-Type'] ?? '', mdn.body)) {
      expect(run.status, run.stderr).toBe(0);
      const text = run.stdout.toString();
      expect(text).toMatch(/^Content-Type: multipart\/report; report-type=disposition-notification; boundary=/);
      expect(text).toContain(`\r\nOriginal-Message-ID: ${MESSAGE_ID}\r\n`);
      expect(text).toContain('\r\nReceived-Content-MIC: abc=, sha-256\r\n');
      expect(text).toContain('\r\nDisposition: automatic-action/MDN-sent-automatically; processed/warning: duplicate-document\r\n');
    }
  });

  it('opens a message signed by openssl, with the MIC of the exact signed entity', () => {
    const entity = crlf(['Content-Type: application/EDIFACT', 'Content-Disposition: attachment; filename="in.edi"', '', "UNB+UNOC:3+PARTNER+KZCUSTOMS'"]);
    const signed = opensslSign(entity, files.partner);
    const headers = { 'content-type': signed.contentType, 'as2-from': AS2_TO, 'as2-to': '"CUSTOMS GW"', 'message-id': '<m-1@PARTNER-AS2>' };
    const message = openAs2Message(headers, signed.body, [partnerCert]);
    expect(message).toMatchObject({ content: Buffer.from("UNB+UNOC:3+PARTNER+KZCUSTOMS'"), contentType: 'application/EDIFACT', fileName: 'in.edi', as2From: AS2_TO, as2To: AS2_FROM, messageId: '<m-1@PARTNER-AS2>', signedReceiptRequested: false });
    expect(message.mic).toBe(`${createHash('sha256').update(entity).digest('base64')}, sha-256`);
  });

  it('refuses a message signed by a key that is not pinned, an unsigned one, and one without AS2 headers', () => {
    const entity = crlf(['Content-Type: text/plain', '', 'x']);
    const headers = { 'as2-from': AS2_TO, 'as2-to': AS2_FROM, 'message-id': '<m-2@PARTNER-AS2>' };
    const byStranger = opensslSign(entity, files.stranger);
    expect(() => openAs2Message({ ...headers, 'content-type': byStranger.contentType }, byStranger.body, [partnerCert])).toThrow(/^GW_ERR_SIGNATURE_INVALID/);
    expect(() => openAs2Message({ ...headers, 'content-type': 'application/EDIFACT' }, Buffer.from('x'), [partnerCert])).toThrow(/^GW_ERR_SIGNATURE_MISSING/);
    const byPartner = opensslSign(entity, files.partner);
    expect(() => openAs2Message({ 'content-type': byPartner.contentType, 'message-id': '<m-3@x>' }, byPartner.body, [partnerCert])).toThrow(/^GW_ERR_MIME_MALFORMED: the AS2 message has no AS2-From header/);
  });
});
