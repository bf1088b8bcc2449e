// Proves CMS EnvelopedData interoperates with openssl both ways (RSAES-OAEP and PKCS#1 v1.5 key transport, AES-CBC) and that opening refuses what is not for our keys or is damaged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../../src/errors.js';
import { buildCmsEnvelopedData, openCmsEnvelopedData } from '../../src/security/cms-enveloped-data.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities, type KeyCapabilities } from '../../src/security/key-capabilities.js';
import { skipWithout } from '../support/external-tool.js';
import { opensslIn } from '../support/openssl-run.js';

const skip = skipWithout('CMS enveloped data openssl oracle', { tools: ['openssl'] });

/** A signed MIME entity's bytes: CRLF, a NUL and non-ASCII must come out byte for byte. */
const CONTENT = Buffer.concat([Buffer.from('Content-Type: multipart/signed; boundary="b"\r\n\r\n--b\r\nUNB+UNOC:3+A+B\'\r\n', 'latin1'), Buffer.from([0, 0xff, 0xd0, 0x9a]), Buffer.from('\r\n--b--\r\n')]);

let dir: string;
const { file, openssl } = opensslIn(() => dir);
let ours: KeyCapabilities;
let stranger: KeyCapabilities;
let files: Record<'ours' | 'stranger', { key: string; cert: string }>;

beforeAll(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'gw-cms-env-'));
  initDevCertificates(dir, ['stranger']);
  files = { ours: { key: join(dir, 'gateway.key.pem'), cert: join(dir, 'gateway.cert.pem') }, stranger: { key: join(dir, 'partners', 'stranger.key.pem'), cert: join(dir, 'partners', 'stranger.cert.pem') } };
  ours = loadKeyCapabilities(files.ours.key, files.ours.cert);
  stranger = loadKeyCapabilities(files.stranger.key, files.stranger.cert);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function decryptionFailure(action: () => unknown): GatewayError {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('GW_ERR_DECRYPTION_FAILED');
    return err as GatewayError;
  }
  throw new Error('expected GW_ERR_DECRYPTION_FAILED');
}

describe.skipIf(skip)('CMS EnvelopedData and openssl', () => {
  it('openssl cms -decrypt opens what we encrypt (AES-256-CBC, RSAES-OAEP SHA-256), byte for byte', () => {
    const run = openssl(['cms', '-decrypt', '-inform', 'DER', '-binary', '-recip', files.ours.cert, '-inkey', files.ours.key, '-in', file(buildCmsEnvelopedData(CONTENT, ours.certificate))]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.equals(CONTENT)).toBe(true);
    // openssl reports the algorithms it found.
    const shown = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file(buildCmsEnvelopedData(CONTENT, ours.certificate))]).stdout.toString();
    expect(shown).toContain('rsaesOaep');
    expect(shown).toContain('aes-256-cbc');
  });

  // -keyopt applies to the -recip before it.
  it.each([
    ['RSAES-OAEP SHA-256 and AES-128-CBC', '-aes128', ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256']],
    ['RSAES-OAEP SHA-1 and AES-192-CBC', '-aes192', ['-keyopt', 'rsa_padding_mode:oaep']],
    ['RSAES-OAEP SHA-256 and AES-256-CBC', '-aes256', ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256']],
  ])('we open what openssl cms -encrypt made with %s', (_label, cipher, keyOptions) => {
    const run = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', cipher, '-recip', files.ours.cert, ...keyOptions, '-in', file(CONTENT)]);
    expect(run.status, run.stderr).toBe(0);
    expect(openCmsEnvelopedData(run.stdout, [stranger, ours]).equals(CONTENT)).toBe(true);
  });

  it('refuses PKCS#1 v1.5 key transport (openssl\'s default) unless asked to take it', () => {
    const run = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes256', '-recip', files.ours.cert, '-in', file(CONTENT)]);
    expect(run.status, run.stderr).toBe(0);
    expect(decryptionFailure(() => openCmsEnvelopedData(run.stdout, [ours])).message).toContain('PKCS#1 v1.5 key transport is not taken');
    expect(openCmsEnvelopedData(run.stdout, [ours], { allowPkcs1v15: true }).equals(CONTENT)).toBe(true);
  });

  it('refuses what is encrypted for another certificate, a damaged key, and what is not enveloped data', () => {
    expect(decryptionFailure(() => openCmsEnvelopedData(buildCmsEnvelopedData(CONTENT, stranger.certificate), [ours])).message).toContain('none of our certificates');
    const built = buildCmsEnvelopedData(CONTENT, ours.certificate);
    // The wrapped key is the one OCTET STRING of 256 bytes (RSA-2048): change its last byte.
    const at = built.indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00])) + 4 + 255;
    const damaged = Buffer.from(built);
    damaged[at] = damaged[at]! ^ 0x01;
    decryptionFailure(() => openCmsEnvelopedData(damaged, [ours]));
    expect(() => openCmsEnvelopedData(Buffer.from('not DER'), [ours])).toThrow(/GW_ERR_MIME_MALFORMED|not readable DER/);
  });
});
