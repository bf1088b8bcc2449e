// A member's signing-key rollover (Russia's) at the inbound endpoint: with both certificates pinned either key is accepted and the log names the one that verified; with the new alone, the old key is refused.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevPartnerCertificates } from '../../src/security/dev-certificates.js';
import { inboundIdOf, MEMBER, readRefusal, signedPush, SOAP_12 } from '../support/eaeu-push.js';
import { inboundClient, type InboundClient, type PushResult } from '../support/inbound-client.js';
import { tempDevCertificates } from '../support/project.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';

/** Russia's current key pair, and the one it rolls over to (issued by the same development CA, so it can be its TLS identity too). */
const OLD = MEMBER;
const NEW = `${MEMBER}-next`;

let certsDir: string;
let pushes = 0;

const certFile = (id: string): string => join(certsDir, 'partners', `${id}.cert.pem`);
const fingerprint = (id: string): string => new X509Certificate(readFileSync(certFile(id))).fingerprint256.replace(/:/g, '').toLowerCase();

/** A fresh P.CP.01 message signed with the key pair `id`, its MessageID and its transit declaration number. */
function signedWith(id: string): { body: Buffer; messageId: string; tdn: string } {
  const tdn = `10216100/031226/${String(++pushes).padStart(7, '0')}`;
  return { ...signedPush(certsDir, { transitDeclarationNumber: tdn }, id), tdn };
}

/** A gateway pinning `signingCerts` for Russia, and a client of its inbound listener. */
async function gatewayPinning(signingCerts: readonly string[]): Promise<{ gw: RunningGateway; client: InboundClient }> {
  const gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_EAEU_RU_SIGNING_CERTS: signingCerts.map(certFile).join(',') });
  const url = gw.gateway.inboundUrl();
  if (!url) throw new Error('the inbound listener is not running');
  return { gw, client: inboundClient(url, certsDir) };
}

/** The signer certificate the log holds for an accepted push; fails the test, naming the answer, unless it was accepted. */
async function loggedSigner(gw: RunningGateway, messageId: string, answer: PushResult): Promise<string> {
  expect({ status: answer.status, refusal: readRefusal(answer.body) }).toEqual({ status: 202, refusal: undefined });
  const detail = await gw.api('GET', `/v1/messages/${await inboundIdOf(gw.api, messageId)}`);
  expect(detail.status).toBe(200);
  return detail.body.signerCertificate as string;
}

beforeAll(() => {
  certsDir = tempDevCertificates(['iru-safetir', OLD]);
  addDevPartnerCertificates(certsDir, [NEW]);
});

afterAll(() => {
  rmSync(certsDir, { recursive: true, force: true });
});

describe('Russia rolling over: both signing certificates pinned (GATEWAY_PARTNER_EAEU_RU_SIGNING_CERTS=<old>,<new>)', () => {
  let gw: RunningGateway;
  let client: InboundClient;

  beforeAll(async () => {
    ({ gw, client } = await gatewayPinning([OLD, NEW]));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await gw?.stop();
  });

  it('the two certificates are different keys', () => {
    expect(fingerprint(NEW)).not.toBe(fingerprint(OLD));
  });

  it.each([OLD, NEW])('a message signed with the %s key is accepted, and the log names that certificate (SHA-256, lower-case hex) as the signer', async (id) => {
    const { body, messageId, tdn } = signedWith(id);
    expect(await loggedSigner(gw, messageId, await client.push({ tlsAs: OLD, partner: MEMBER, body, contentType: SOAP_12 }))).toBe(fingerprint(id));
    expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`)).body.items).toHaveLength(1);
  });
});

describe('Russia rolled over: the new signing certificate alone (GATEWAY_PARTNER_EAEU_RU_SIGNING_CERTS=<new>)', () => {
  let gw: RunningGateway;
  let client: InboundClient;

  beforeAll(async () => {
    // TLS client certificates default to the pinned signing certificates: Russia connects with its new one.
    ({ gw, client } = await gatewayPinning([NEW]));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await gw?.stop();
  });

  it('a message signed with the old key is refused GW_ERR_SIGNATURE_INVALID (401) and not logged', async () => {
    const { body, tdn } = signedWith(OLD);
    const answer = await client.push({ tlsAs: NEW, partner: MEMBER, body, contentType: SOAP_12 });
    expect(answer.status).toBe(401);
    expect(readRefusal(answer.body)).toMatchObject({ fault: 'int:DataError', code: 'GW_ERR_SIGNATURE_INVALID' });
    expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`)).body.items).toEqual([]);
  });

  it('a message signed with the new key is accepted, the new certificate named as the signer', async () => {
    const { body, messageId } = signedWith(NEW);
    expect(await loggedSigner(gw, messageId, await client.push({ tlsAs: NEW, partner: MEMBER, body, contentType: SOAP_12 }))).toBe(fingerprint(NEW));
  });
});
