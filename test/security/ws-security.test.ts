// The kit's WS-Security beyond one partner's use: SOAP 1.1 and 1.2, with and without a Timestamp, RSA and ECDSA, the ws-security signing profile; xmlsec1 as the oracle.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSoapEnvelope, SOAP11_NS, SOAP12_NS, type SoapVersion } from '../../src/codec/soap-envelope.js';
import { wsSecuritySigning } from '../../src/security/builtin-signing-profiles.js';
import { verifyWsSecurity, wsseFaultOf, type WsSecurityPolicy } from '../../src/security/ws-security-verify.js';
import { buildWsSecurityEnvelope, WSA_NS, WSU_NS } from '../../src/security/ws-security.js';
import { skipWithout } from '../support/external-tool.js';
import { tempDevCertificates } from '../support/project.js';
import { loadTestKey } from '../support/test-keys.js';

const certs = tempDevCertificates(['agency']);
afterAll(() => rmSync(certs, { recursive: true, force: true }));
const rsa = loadTestKey(join(certs, 'gateway.key.pem'), join(certs, 'gateway.cert.pem'));
const ec = loadTestKey(join(certs, 'gateway-ec.key.pem'), join(certs, 'gateway-ec.cert.pem'));
const other = loadTestKey(join(certs, 'partners', 'agency.key.pem'), join(certs, 'partners', 'agency.cert.pem'));
const noXmlsec = skipWithout('WS-Security xmlsec1 oracle', { tools: ['xmlsec1'] });

const body = { 'a:SendDocument': { '@xmlns:a': 'urn:agency:1', 'a:Id': 'doc-1', 'a:Text': 'Пломба цела' } };
const addressing = { to: 'https://agency.example/gw', action: 'urn:agency:1/SendDocument', messageId: 'urn:uuid:7d3b6c58-0a3f-4a7e-9b1e-5f0b8c2d6e11', relatesTo: 'urn:uuid:00000000-0000-4000-8000-000000000001' };

function outcome(bytes: Buffer, cert: string, policy: WsSecurityPolicy): string {
  try {
    verifyWsSecurity(bytes, readFileSync(cert, 'utf8'), new Date(), policy);
    return 'accepted';
  } catch (err) {
    return `${(err as { code?: string }).code} ${wsseFaultOf(err) ?? '-'}`;
  }
}

function xmlsec1(bytes: Buffer, cert: string, version: SoapVersion): number | null {
  const file = join(certs, `ws-${Math.random().toString(16).slice(2)}.xml`);
  writeFileSync(file, bytes);
  const soap = version === '1.1' ? SOAP11_NS : SOAP12_NS;
  const ids = [`${soap}:Body`, `${WSU_NS}:Timestamp`, ...['To', 'Action', 'MessageID', 'RelatesTo'].map((h) => `${WSA_NS}:${h}`)].flatMap((node) => ['--id-attr:Id', node]);
  return spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', cert, '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'same-doc', ...ids, file], { encoding: 'utf8' }).status;
}

describe.each(['1.1', '1.2'] as const)('SOAP %s', (version) => {
  it.each([
    ['RSA-SHA256', rsa, 'gateway.cert.pem'],
    ['ECDSA-SHA256', ec, 'gateway-ec.cert.pem'],
  ] as const)('%s with a Timestamp: our verifier and xmlsec1 accept it, returning the signed Body and headers', (_name, key, cert) => {
    const signed = buildWsSecurityEnvelope({ version, body, addressing, timestamp: { now: new Date() } }, key);
    const verified = verifyWsSecurity(signed, readFileSync(join(certs, cert), 'utf8'), new Date(), { version });
    expect(verified).toMatchObject({ version, addressing });
    expect(verified.body).toContain('<a:Text>Пломба цела</a:Text>');
    if (!noXmlsec) expect(xmlsec1(signed, join(certs, cert), version)).toBe(0);
  });

  it('refuses it as the other SOAP version, under another pinned key, and without a Timestamp unless the policy allows that', () => {
    const stamped = buildWsSecurityEnvelope({ version, body, addressing, timestamp: { now: new Date() } }, rsa);
    const bare = buildWsSecurityEnvelope({ version, body, addressing }, rsa);
    expect(outcome(stamped, join(certs, 'gateway.cert.pem'), { version: version === '1.1' ? '1.2' : '1.1' })).toBe('GW_ERR_SIGNATURE_POLICY InvalidSecurity');
    expect(outcome(stamped, join(certs, 'partners', 'agency.cert.pem'), { version })).toBe('GW_ERR_SIGNATURE_INVALID FailedAuthentication');
    expect(outcome(stamped, join(certs, 'gateway-ec.cert.pem'), { version })).toBe('GW_ERR_SIGNATURE_POLICY UnsupportedAlgorithm');
    expect(outcome(bare, join(certs, 'gateway.cert.pem'), { version })).toBe('GW_ERR_SIGNATURE_POLICY InvalidSecurity');
    expect(outcome(bare, join(certs, 'gateway.cert.pem'), { version, requireTimestamp: false })).toBe('accepted');
    if (!noXmlsec) expect(xmlsec1(bare, join(certs, 'gateway.cert.pem'), version)).toBe(0);
  });

  it('the SHA-1 suite (RSA-SHA1, SHA-1 digests) verifies only under a SHA-1 policy, and xmlsec1 accepts it; SHA-256 is refused under that policy; an EC key cannot make it', () => {
    const sha1 = buildWsSecurityEnvelope({ version, body, addressing, timestamp: { now: new Date() }, hash: 'sha1' }, rsa);
    const sha256 = buildWsSecurityEnvelope({ version, body, addressing, timestamp: { now: new Date() } }, rsa);
    const cert = join(certs, 'gateway.cert.pem');
    expect(outcome(sha1, cert, { version, hash: 'sha1' })).toBe('accepted');
    expect(outcome(sha1, cert, { version })).toBe('GW_ERR_SIGNATURE_POLICY UnsupportedAlgorithm');
    expect(outcome(sha256, cert, { version, hash: 'sha1' })).toBe('GW_ERR_SIGNATURE_POLICY UnsupportedAlgorithm');
    if (!noXmlsec) expect(xmlsec1(sha1, cert, version)).toBe(0);
    expect(() => buildWsSecurityEnvelope({ version, body, addressing, hash: 'sha1' }, ec)).toThrow(/RSA only/);
    const ecSigned = buildWsSecurityEnvelope({ version, body, addressing, timestamp: { now: new Date() } }, ec);
    expect(outcome(ecSigned, join(certs, 'gateway-ec.cert.pem'), { version, hash: 'sha1' })).toBe('GW_ERR_SIGNATURE_POLICY UnsupportedAlgorithm');
  });

  it('the ws-security signing profile signs an envelope we rendered: Body and WS-Addressing headers, no Timestamp', () => {
    const header = { 'wsa:To': { '@xmlns:wsa': WSA_NS, '#text': addressing.to }, 'wsa:Action': { '@xmlns:wsa': WSA_NS, '#text': addressing.action }, 'wsa:MessageID': { '@xmlns:wsa': WSA_NS, '#text': addressing.messageId } };
    const signed = wsSecuritySigning.sign(buildSoapEnvelope({ version, header, body }), other);
    const verified = verifyWsSecurity(signed, readFileSync(join(certs, 'partners', 'agency.cert.pem'), 'utf8'), new Date(), { version, requireTimestamp: false });
    expect(verified.addressing).toEqual({ to: addressing.to, action: addressing.action, messageId: addressing.messageId });
    expect(verified.body).toContain('<a:Id>doc-1</a:Id>');
    if (!noXmlsec) expect(xmlsec1(signed, join(certs, 'partners', 'agency.cert.pem'), version)).toBe(0);
    const tampered = Buffer.from(signed.toString('utf8').replace('doc-1', 'doc-2'));
    expect(outcome(tampered, join(certs, 'partners', 'agency.cert.pem'), { version, requireTimestamp: false })).toBe('GW_ERR_SIGNATURE_INVALID FailedCheck');
    expect(() => wsSecuritySigning.sign(buildSoapEnvelope({ version, header: { 'x:Other': { '@xmlns:x': 'urn:x', '#text': 'unsigned' } }, body }), other)).toThrow(/signs a Header of wsa/);
  });
});
