// Proves CMS SignedData interoperates with openssl both ways (RSA and EC, attached and detached) and that the verifier refuses tampering, unpinned signers, SHA-1 and other shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../../src/errors.js';
import { buildCmsSignedData, verifyCmsSignedData } from '../../src/security/cms-signed-data.js';
import { cmsSigningProfile } from '../../src/security/cms-signing-profile.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities, readCertificate, type KeyCapabilities } from '../../src/security/key-capabilities.js';
import { skipWithout } from '../support/external-tool.js';
import { opensslIn } from '../support/openssl-run.js';

const skip = skipWithout('CMS openssl oracle', { tools: ['openssl'] });

/** EDIFACT-like bytes with CRLF, a NUL and non-ASCII: binary content must come out byte for byte. */
const CONTENT = Buffer.concat([Buffer.from("UNB+UNOC:3+SENDER+RECEIVER+261201:1200+1'\r\nUNH+1+CUSDEC:D:96B:UN'\r\n", 'latin1'), Buffer.from([0, 0xff, 0xd0, 0x9a])]);

let dir: string;
const { file, openssl } = opensslIn(() => dir);
let keys: Record<'rsa' | 'ec' | 'partner' | 'stranger', KeyCapabilities>;
let files: Record<'rsa' | 'ec' | 'partner' | 'stranger', { key: string; cert: string }>;
let pinned: Record<'rsa' | 'ec' | 'partner', X509Certificate[]>;

beforeAll(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'gw-cms-'));
  initDevCertificates(dir, ['partner-a', 'stranger']);
  const pair = (name: string): { key: string; cert: string } => ({ key: join(dir, `${name}.key.pem`), cert: join(dir, `${name}.cert.pem`) });
  files = { rsa: pair('gateway'), ec: pair('gateway-ec'), partner: pair('partners/partner-a'), stranger: pair('partners/stranger') };
  const load = (f: { key: string; cert: string }): KeyCapabilities => loadKeyCapabilities(f.key, f.cert);
  keys = { rsa: load(files.rsa), ec: load(files.ec), partner: load(files.partner), stranger: load(files.stranger) };
  pinned = { rsa: [readCertificate(files.rsa.cert)], ec: [readCertificate(files.ec.cert)], partner: [readCertificate(files.partner.cert)] };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `openssl cms -verify` of DER SignedData, trusting the dev CA (dev certificates carry no S/MIME purpose). */
function opensslVerify(der: Buffer, detached?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const args = ['cms', '-verify', '-inform', 'DER', '-binary', '-purpose', 'any', '-CAfile', join(dir, 'ca.cert.pem'), '-in', file(der)];
  return openssl(detached ? [...args, '-content', file(detached)] : args);
}

/** SignedData made by `openssl cms -sign` over CONTENT with the given key files and extra options. */
function opensslSign(signer: { key: string; cert: string }, extra: string[]): Buffer {
  const run = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', file(CONTENT), '-signer', signer.cert, '-inkey', signer.key, ...extra]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** The error code a call throws (undefined when it does not throw). */
function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  return undefined;
}

describe.skipIf(skip)('CMS SignedData: openssl verifies ours', () => {
  it.each([
    ['rsa', false],
    ['rsa', true],
    ['ec', false],
    ['ec', true],
  ] as const)('openssl cms -verify accepts our %s SignedData (detached: %s) and outputs the exact content', (key, detached) => {
    const der = buildCmsSignedData(CONTENT, keys[key], { detached });
    const run = opensslVerify(der, detached ? CONTENT : undefined);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.equals(CONTENT)).toBe(true);
    expect(verifyCmsSignedData(der, pinned[key], detached ? CONTENT : undefined).content.equals(CONTENT)).toBe(true);
  });

  it('openssl refuses our detached SignedData with other content (the oracle is not vacuous)', () => {
    const der = buildCmsSignedData(CONTENT, keys.rsa, { detached: true });
    expect(opensslVerify(der, Buffer.concat([CONTENT, Buffer.from('x')])).status).not.toBe(0);
  });

  it('writes signed attributes in DER SET order with the signing time given', () => {
    const der = buildCmsSignedData(CONTENT, keys.rsa, { detached: true, signingTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file(der)]).stdout.toString();
    const order = ['contentType', 'signingTime', 'messageDigest'].map((name) => printed.indexOf(`object: ${name}`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(printed).toContain('UTCTIME:Jan  2 03:04:05 2026 GMT');
  });

  it('the cms signing profile makes attached SignedData that openssl verifies', () => {
    const run = opensslVerify(cmsSigningProfile.sign(CONTENT, keys.ec));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.equals(CONTENT)).toBe(true);
  });
});

describe.skipIf(skip)('CMS SignedData: we verify openssl’s', () => {
  it.each([
    ['attached', ['-nodetach']],
    ['attached, streamed as indefinite-length BER', ['-nodetach', '-stream']],
  ])('accepts %s SignedData from openssl cms -sign -md sha256', (_name, extra) => {
    const der = opensslSign(files.partner, ['-md', 'sha256', ...extra]);
    const verified = verifyCmsSignedData(der, pinned.partner);
    expect(verified.content.equals(CONTENT)).toBe(true);
    expect(verified.signer.fingerprint256).toBe(pinned.partner[0]?.fingerprint256);
  });

  it('accepts detached SignedData from openssl, RSA and EC', () => {
    expect(verifyCmsSignedData(opensslSign(files.partner, ['-md', 'sha256']), pinned.partner, CONTENT).content.equals(CONTENT)).toBe(true);
    expect(verifyCmsSignedData(opensslSign(files.ec, ['-md', 'sha256']), pinned.ec, CONTENT).content.equals(CONTENT)).toBe(true);
  });

  it('accepts a signer identified by subjectKeyIdentifier (openssl -keyid) only with its certificate pinned', () => {
    const ski = { key: join(dir, 'ski.key.pem'), cert: join(dir, 'ski.cert.pem') };
    const made = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=ski-signer', '-days', '2', '-keyout', ski.key, '-out', ski.cert]);
    expect(made.status, made.stderr).toBe(0);
    const der = opensslSign(ski, ['-md', 'sha256', '-nodetach', '-keyid']);
    expect(verifyCmsSignedData(der, [...pinned.partner, readCertificate(ski.cert)]).content.equals(CONTENT)).toBe(true);
    expect(codeOf(() => verifyCmsSignedData(der, pinned.partner))).toBe('GW_ERR_SIGNATURE_INVALID');
  });

  it('picks the pinned certificate that signed from several (a rollover)', () => {
    const der = opensslSign(files.partner, ['-md', 'sha256', '-nodetach']);
    expect(verifyCmsSignedData(der, [...pinned.rsa, ...pinned.partner]).signer.fingerprint256).toBe(pinned.partner[0]?.fingerprint256);
  });
});

describe.skipIf(skip)('CMS SignedData: refusals', () => {
  it('refuses a changed content, attached or detached', () => {
    const attached = buildCmsSignedData(CONTENT, keys.rsa, { detached: false });
    const at = attached.indexOf(Buffer.from('CUSDEC'));
    const tampered = Buffer.from(attached);
    tampered[at] = 'X'.charCodeAt(0);
    expect(codeOf(() => verifyCmsSignedData(tampered, pinned.rsa))).toBe('GW_ERR_SIGNATURE_INVALID');
    expect(opensslVerify(tampered).status).not.toBe(0);
    const detached = buildCmsSignedData(CONTENT, keys.rsa, { detached: true });
    expect(codeOf(() => verifyCmsSignedData(detached, pinned.rsa, Buffer.from('other')))).toBe('GW_ERR_SIGNATURE_INVALID');
  });

  it('refuses a changed signed attribute (the signing time)', () => {
    const der = buildCmsSignedData(CONTENT, keys.ec, { detached: true, signingTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    const at = der.indexOf(Buffer.from('260102030405Z'));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(der);
    tampered.write('270102030405Z', at, 'latin1');
    expect(codeOf(() => verifyCmsSignedData(tampered, pinned.ec, CONTENT))).toBe('GW_ERR_SIGNATURE_INVALID');
    expect(opensslVerify(tampered, CONTENT).status).not.toBe(0);
  });

  it('refuses a signer that is not pinned, though its certificate is inside the message', () => {
    const der = opensslSign(files.stranger, ['-md', 'sha256', '-nodetach']);
    expect(opensslVerify(der).status).toBe(0); // a valid signature under the dev CA: only pinning refuses it
    expect(codeOf(() => verifyCmsSignedData(der, pinned.partner))).toBe('GW_ERR_SIGNATURE_INVALID');
    expect(codeOf(() => verifyCmsSignedData(der, []))).toBe('GW_ERR_SIGNATURE_INVALID');
  });

  it('refuses another key claiming a pinned certificate as its signer identifier', () => {
    const impostor = { ...keys.stranger, certificate: keys.partner.certificate };
    const der = buildCmsSignedData(CONTENT, impostor, { detached: false });
    expect(codeOf(() => verifyCmsSignedData(der, pinned.partner))).toBe('GW_ERR_SIGNATURE_INVALID');
  });

  it('refuses SHA-1', () => {
    expect(codeOf(() => verifyCmsSignedData(opensslSign(files.partner, ['-md', 'sha1', '-nodetach']), pinned.partner))).toBe('GW_ERR_SIGNATURE_POLICY');
  });

  it('refuses SignedData without signed attributes, and with two signers', () => {
    expect(codeOf(() => verifyCmsSignedData(opensslSign(files.partner, ['-md', 'sha256', '-nodetach', '-noattr']), pinned.partner))).toBe('GW_ERR_SIGNATURE_POLICY');
    const two = opensslSign(files.partner, ['-md', 'sha256', '-nodetach', '-signer', files.rsa.cert, '-inkey', files.rsa.key]);
    expect(codeOf(() => verifyCmsSignedData(two, [...pinned.partner, ...pinned.rsa]))).toBe('GW_ERR_SIGNATURE_POLICY');
  });

  it('refuses detached SignedData without its content, and attached SignedData with a second content', () => {
    expect(codeOf(() => verifyCmsSignedData(buildCmsSignedData(CONTENT, keys.rsa, { detached: true }), pinned.rsa))).toBe('GW_ERR_SIGNATURE_POLICY');
    expect(codeOf(() => verifyCmsSignedData(buildCmsSignedData(CONTENT, keys.rsa, { detached: false }), pinned.rsa, CONTENT))).toBe('GW_ERR_SIGNATURE_POLICY');
  });

  it('refuses every single-bit or byte change outside the certificate bag it ignores, always with a GatewayError', () => {
    const der = buildCmsSignedData(CONTENT, keys.rsa, { detached: false });
    const bag = der.indexOf(keys.rsa.certificate.raw);
    const accepted: number[] = [];
    for (let at = 0; at < der.length; at++) {
      if (at >= bag - 4 && at < bag + keys.rsa.certificate.raw.length) continue; // the [0] certificates and its header
      for (const flip of [0x01, 0x80, 0xff]) {
        const changed = Buffer.from(der);
        changed[at] = (changed[at] ?? 0) ^ flip;
        if (codeOf(() => verifyCmsSignedData(changed, pinned.rsa)) === undefined) accepted.push(at);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses bytes that are not DER, and DER that is not a SignedData', () => {
    expect(codeOf(() => verifyCmsSignedData(Buffer.from('not DER at all'), pinned.rsa))).toBe('GW_ERR_MIME_MALFORMED');
    expect(codeOf(() => verifyCmsSignedData(buildCmsSignedData(CONTENT, keys.rsa, { detached: true }).subarray(0, 100), pinned.rsa))).toBe('GW_ERR_MIME_MALFORMED');
    expect(codeOf(() => verifyCmsSignedData(keys.rsa.certificate.raw, pinned.rsa))).toBe('GW_ERR_SIGNATURE_POLICY');
  });
});
