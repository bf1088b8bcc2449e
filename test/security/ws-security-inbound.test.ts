// The inbound verifier's WS-Security location (a partner pushing WS-Security signed SOAP): the pinned certificate the token is, the signed Body the only content, rollovers across key types, and what is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderXmlString } from '../../src/codec/xml-render.js';
import { GatewayError } from '../../src/errors.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities, type KeyCapabilities } from '../../src/security/key-capabilities.js';
import { buildWsSecurityEnvelope } from '../../src/security/ws-security.js';
import { createXmlVerifier, type Verifier } from '../../src/security/xml-verifier.js';

const BODY = { 'n:notice': { '@xmlns:n': 'urn:example:notice', state: 'DELIVERED', id: '{3f2a}' } };

let dir: string;
let keys: Record<'rsa' | 'ec' | 'other', KeyCapabilities>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-wss-inbound-'));
  initDevCertificates(dir, ['partner-a']);
  keys = {
    rsa: loadKeyCapabilities(join(dir, 'gateway.key.pem'), join(dir, 'gateway.cert.pem')),
    ec: loadKeyCapabilities(join(dir, 'gateway-ec.key.pem'), join(dir, 'gateway-ec.cert.pem')),
    other: loadKeyCapabilities(join(dir, 'partners', 'partner-a.key.pem'), join(dir, 'partners', 'partner-a.cert.pem')),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A verifier pinning these certificates for partner `p` (and `q` pinning the other key), WS-Security for both. */
function verifierFor(certificates: readonly X509Certificate[]): Verifier {
  const pinned: Record<string, readonly X509Certificate[]> = { p: certificates, q: [keys.other.certificate] };
  return createXmlVerifier((partner) => (pinned[partner] ?? []).map((c) => c.publicKey), 1024 * 1024, () => 'ws-security', (partner) => pinned[partner] ?? []);
}

const signed = (key: KeyCapabilities, version: '1.1' | '1.2' = '1.1'): Buffer => buildWsSecurityEnvelope({ version, body: BODY }, key);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof GatewayError ? err.code : `not a GatewayError: ${String(err)}`;
  }
}

describe('WS-Security pushes through the inbound verifier', () => {
  it('verifies with the pinned certificate its token is; the content is the signed Body alone', () => {
    const read = verifierFor([keys.rsa.certificate]).read(signed(keys.rsa), 'p');
    expect(Object.keys(read.content)).toEqual(['soap:Body']);
    expect(renderXmlString(read.content)).toContain('<state>DELIVERED</state>');
    expect(read.xml).toMatch(/^<soap:Body [^>]*wsu:Id="Body-/);
  });

  it.each([
    ['EC then RSA, signed by RSA', () => [keys.ec.certificate, keys.rsa.certificate], () => keys.rsa],
    ['RSA then EC, signed by EC', () => [keys.rsa.certificate, keys.ec.certificate], () => keys.ec],
  ] as const)('a rollover across key types: %s', (_name, pins, signer) => {
    const read = verifierFor(pins()).read(signed(signer()), 'p');
    expect(read.key.asymmetricKeyType).toBe(signer().certificate.publicKey.asymmetricKeyType);
  });

  it('reads the SOAP version from the Envelope, not from a comment before it', () => {
    const envelope = Buffer.concat([Buffer.from('<!-- http://www.w3.org/2003/05/soap-envelope -->'), signed(keys.rsa, '1.1')]);
    expect(codeOf(() => verifierFor([keys.rsa.certificate]).verify(envelope, 'p'))).toBeUndefined();
    expect(codeOf(() => verifierFor([keys.rsa.certificate]).verify(signed(keys.rsa, '1.2'), 'p'))).toBeUndefined();
  });

  it.each([
    ['a token that is no pinned certificate (another partner signed)', () => signed(keys.other), 'GW_ERR_SIGNATURE_INVALID'],
    ['one changed byte of the Body', () => Buffer.from(signed(keys.rsa).toString('utf8').replace('DELIVERED', 'DELIVEREE')), 'GW_ERR_SIGNATURE_INVALID'],
    ['no signature at all', () => Buffer.from(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${renderXmlString(BODY)}</soap:Body></soap:Envelope>`), 'GW_ERR_SIGNATURE_INVALID'],
    ['no SOAP envelope', () => Buffer.from(renderXmlString(BODY)), 'GW_ERR_SIGNATURE_POLICY'],
  ] as const)('refuses %s', (_name, document, code) => {
    expect(codeOf(() => verifierFor([keys.rsa.certificate]).read(document(), 'p'))).toBe(code);
  });

  it('a push signed by another pinned partner verifies for that partner, not for this one (the pipeline names the real signer)', () => {
    const push = signed(keys.other);
    expect(codeOf(() => verifierFor([keys.rsa.certificate]).verify(push, 'p'))).toBe('GW_ERR_SIGNATURE_INVALID');
    expect(verifierFor([keys.rsa.certificate]).verify(push, 'q').partner).toBe('q');
  });
});
