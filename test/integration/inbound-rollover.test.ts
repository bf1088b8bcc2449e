// FTS signing-key rollover at the inbound endpoint: with both certificates pinned either key is accepted and the log names the one that verified; with the new alone, the old key is refused.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReceipt } from '../../adapters/ru-fcs/receipt.js';
import { buildNotification } from '../../adapters/ru-fcs/sim/notification-builder.js';
import { addDevPartnerCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';
import { createXmlSigner } from '../../src/security/xml-signer.js';
import { inboundClient, type InboundClient, type PushResult } from '../support/inbound-client.js';
import { tempDevCertificates } from '../support/project.js';
import { startTestGateway, type RunningGateway } from '../support/running-gateway.js';

/** FTS's current key pair, and the one it rolls over to (issued by the same development CA, so it can be FTS's TLS identity too). */
const OLD = 'ru-fcs';
const NEW = 'ru-fcs-next';

let certsDir: string;
let pushes = 0;

const certFile = (id: string): string => join(certsDir, 'partners', `${id}.cert.pem`);
const fingerprint = (id: string): string => new X509Certificate(readFileSync(certFile(id))).fingerprint256.replace(/:/g, '').toLowerCase();

/** A fresh notification signed with the key pair `id`, and its transit declaration number. */
function signedWith(id: string): { body: Buffer; tdn: string } {
  const tdn = `10216100/031226/${String(++pushes).padStart(7, '0')}`;
  const key = loadKeyCapabilities(join(certsDir, 'partners', `${id}.key.pem`), certFile(id));
  return { body: createXmlSigner(key).sign(buildNotification({ transitDeclarationNumber: tdn })), tdn };
}

/** A gateway pinning `signingCerts` for FTS, and a client of its inbound listener. */
async function gatewayPinning(signingCerts: readonly string[]): Promise<{ gw: RunningGateway; client: InboundClient }> {
  const gw = await startTestGateway({ GATEWAY_CERTS_DIR: certsDir, GATEWAY_PARTNER_RU_FCS_SIGNING_CERTS: signingCerts.map(certFile).join(',') });
  const url = gw.gateway.inboundUrl();
  if (!url) throw new Error('the inbound listener is not running');
  return { gw, client: inboundClient(url, certsDir) };
}

/** The signer certificate the log holds for an accepted push; fails the test, naming the answer, unless it was accepted. */
async function loggedSigner(gw: RunningGateway, answer: PushResult): Promise<string> {
  const receipt = readReceipt(answer.body);
  expect({ status: answer.status, result: receipt?.result, errorCode: receipt?.errorCode }).toEqual({ status: 200, result: 'ACCEPTED', errorCode: undefined });
  const detail = await gw.api('GET', `/v1/messages/${receipt?.receiptId as string}`);
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

describe('FTS rolling over: both signing certificates pinned (GATEWAY_PARTNER_RU_FCS_SIGNING_CERTS=<old>,<new>)', () => {
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

  it.each([OLD, NEW])('a notification signed with the %s key is accepted, and the log names that certificate (SHA-256, lower-case hex) as the signer', async (id) => {
    const { body, tdn } = signedWith(id);
    expect(await loggedSigner(gw, await client.push({ tlsAs: OLD, partner: 'ru-fcs', body }))).toBe(fingerprint(id));
    expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`)).body.items).toHaveLength(1);
  });
});

describe('FTS rolled over: the new signing certificate alone (GATEWAY_PARTNER_RU_FCS_SIGNING_CERTS=<new>)', () => {
  let gw: RunningGateway;
  let client: InboundClient;

  beforeAll(async () => {
    // TLS client certificates default to the pinned signing certificates: FTS connects with its new one.
    ({ gw, client } = await gatewayPinning([NEW]));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await gw?.stop();
  });

  it('a notification signed with the old key is refused GW_ERR_SIGNATURE_INVALID (401) and not logged', async () => {
    const { body, tdn } = signedWith(OLD);
    const answer = await client.push({ tlsAs: NEW, partner: 'ru-fcs', body });
    expect(answer.status).toBe(401);
    expect(readReceipt(answer.body)).toMatchObject({ result: 'REJECTED', errorCode: 'GW_ERR_SIGNATURE_INVALID' });
    expect((await gw.api('GET', `/v1/messages?key=${encodeURIComponent(tdn)}`)).body.items).toEqual([]);
  });

  it('a notification signed with the new key is accepted, the new certificate named as the signer', async () => {
    expect(await loggedSigner(gw, await client.push({ tlsAs: NEW, partner: 'ru-fcs', body: signedWith(NEW).body }))).toBe(fingerprint(NEW));
  });
});
