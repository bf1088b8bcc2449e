// Classic RTS sealing: round trip, the Body hash and thumbprint recomputed independently, the wire bytes against IRU's XSD, tampering and wrong keys.
import { GatewayError } from '../../../src/partners/kit.js';
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { ROOT, tempDevCertificates } from '../../../test/support/project.js';
import { loadTestKey } from '../../../test/support/test-keys.js';
import { openRtsPayload, rtsMessageTag, sealRtsPayload, type SealedRtsPayload } from '../rts-envelope.js';
import { IRU_RTS_DIR } from './rts-oracle.js';
import { withSubscriber } from '../upload-document.js';

const dir = tempDevCertificates(['iru-safetir']);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const iruCertPem = readFileSync(join(dir, 'partners', 'iru-safetir.cert.pem'), 'utf8');
const iruCert = new X509Certificate(iruCertPem);
const iruKeyPem = readFileSync(join(dir, 'partners', 'iru-safetir.key.pem'), 'utf8');
const iruKey = loadTestKey(join(dir, 'partners', 'iru-safetir.key.pem'), join(dir, 'partners', 'iru-safetir.cert.pem'));
const gatewayKey = loadTestKey(join(dir, 'gateway.key.pem'), join(dir, 'gateway.cert.pem'));
const ecCert = new X509Certificate(readFileSync(join(dir, 'gateway-ec.cert.pem')));

const GOLDEN = join(ROOT, 'mappings', 'iru-safetir', 'safetir-upload.golden');
const goldenNames = ['final-discharge', 'before-load-escaping'];
const golden = (name: string): string => readFileSync(join(GOLDEN, `${name}.expected.xml`), 'utf8');
const IV = Buffer.from([3, 1, 4, 1, 5, 9, 2, 6]);

/** The test's own reading of the scheme: Body text by plain string search, SHA-1 over UTF-16LE, base64. */
function expectedHash(document: string): string {
  const body = document.slice(document.indexOf('<Body>') + '<Body>'.length, document.lastIndexOf('</Body>'));
  return createHash('sha1').update(Buffer.from(body, 'utf16le')).digest('base64');
}

/** Decrypts the wire payload without the module under test: forge for RSA, Node for 3DES. */
function wireBytes(sealed: SealedRtsPayload): { key: Buffer; plain: Buffer } {
  const key = Buffer.from(forge.pki.privateKeyFromPem(iruKeyPem).decrypt(sealed.eSessionKey.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
  const decipher = createDecipheriv('des-ede3-cbc', key, IV);
  return { key, plain: Buffer.concat([decipher.update(sealed.payload), decipher.final()]) };
}

function encrypt(key: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('des-ede3-cbc', key, IV);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GatewayError ? err.code : `not a GatewayError: ${String(err)}`;
  }
  return undefined;
}

describe('sealRtsPayload / openRtsPayload', () => {
  it.each(goldenNames)('%s: opens to the same document with Envelope/Hash filled and the hash verified', (name) => {
    const document = golden(name);
    const sealed = sealRtsPayload(Buffer.from(document), iruCert);
    const opened = openRtsPayload(sealed, iruKey);
    expect(opened.hashOk).toBe(true);
    expect(opened.document).toBe(`<?xml version="1.0" encoding="utf-16"?>${document.replace('<Hash></Hash>', `<Hash>${sealed.hash}</Hash>`)}`);
  });

  it.each(goldenNames)('%s: the hash is SHA-1 of the UTF-16LE Body text, whitespace and escapes as written', (name) => {
    const document = golden(name);
    const sealed = sealRtsPayload(Buffer.from(document), iruCert);
    expect(sealed.hash).toBe(expectedHash(document));
    expect(sealed.hash).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  it('MessageTag is the upper-case SHA-1 thumbprint of the certificate', () => {
    const thumbprint = new X509Certificate(iruCertPem).fingerprint.replace(/:/g, '');
    expect(sealRtsPayload(Buffer.from(golden('final-discharge')), iruCert).messageTag).toBe(thumbprint);
    expect(rtsMessageTag(iruCert)).toBe(thumbprint);
  });

  it('sends UTF-16LE with an encoding="utf-16" declaration and no BOM, under a fresh 24-byte odd-parity key', () => {
    const document = golden('final-discharge');
    const first = sealRtsPayload(Buffer.from(document), iruCert);
    const second = sealRtsPayload(Buffer.from(document), iruCert);
    const { key, plain } = wireBytes(first);
    expect(plain.subarray(0, 4)).toEqual(Buffer.from('<\0?\0'));
    expect(plain.toString('utf16le')).toBe(openRtsPayload(first, iruKey).document);
    expect(key).toHaveLength(24);
    for (const byte of key) expect(byte.toString(2).split('1').length % 2).toBe(0);
    expect(key.equals(wireBytes(second).key)).toBe(false);
    expect(first.payload.equals(second.payload)).toBe(false);
  });

  it('replaces a UTF-8 declaration instead of keeping two', () => {
    const document = `<?xml version="1.0" encoding="utf-8"?>\n${golden('final-discharge')}`;
    const opened = openRtsPayload(sealRtsPayload(Buffer.from(document), iruCert), iruKey);
    expect(opened.document.match(/<\?xml/g)).toHaveLength(1);
    expect(opened.document.startsWith('<?xml version="1.0" encoding="utf-16"?><SafeTIR')).toBe(true);
  });

  it('a Body changed after hashing opens with hashOk false', () => {
    const sealed = sealRtsPayload(Buffer.from(golden('final-discharge')), iruCert);
    const { key, plain } = wireBytes(sealed);
    const tampered = Buffer.from(plain.toString('utf16le').replace('seal intact', 'seal broken'), 'utf16le');
    const opened = openRtsPayload({ eSessionKey: sealed.eSessionKey, payload: encrypt(key, tampered) }, iruKey);
    expect(opened.document).toContain('seal broken');
    expect(opened.hashOk).toBe(false);
  });

  it('a flipped ciphertext byte inside the Body never opens as intact', () => {
    const sealed = sealRtsPayload(Buffer.from(golden('final-discharge')), iruCert);
    const text = wireBytes(sealed).plain.toString('utf16le');
    const [start, end] = [2 * text.indexOf('<Body>'), 2 * text.indexOf('</Body>')];
    for (const at of [start + 16, Math.floor((start + end) / 2), end - 20]) {
      const payload = Buffer.from(sealed.payload);
      payload[at] = (payload[at] as number) ^ 0x20;
      let hashOk = false;
      const code = codeOf(() => (hashOk = openRtsPayload({ eSessionKey: sealed.eSessionKey, payload }, iruKey).hashOk));
      expect(code === 'GW_ERR_XML_MALFORMED' || (code === undefined && !hashOk)).toBe(true);
    }
  });

  it('the wrong private key cannot unwrap the session key', () => {
    const sealed = sealRtsPayload(Buffer.from(golden('final-discharge')), iruCert);
    expect(codeOf(() => openRtsPayload(sealed, gatewayKey))).toBe('GW_ERR_KEY_UNAVAILABLE');
    expect(codeOf(() => sealRtsPayload(Buffer.from(golden('final-discharge')), undefined))).toBe('GW_ERR_KEY_UNAVAILABLE');
  });

  it('a payload that is not 3DES under the session key is refused as malformed', () => {
    const sealed = sealRtsPayload(Buffer.from(golden('final-discharge')), iruCert);
    expect(codeOf(() => openRtsPayload({ eSessionKey: sealed.eSessionKey, payload: Buffer.from('not encrypted!') }, iruKey))).toBe('GW_ERR_XML_MALFORMED');
  });

  it('refuses documents without one Body or without Envelope/Hash, and certificates that are not RSA', () => {
    const document = golden('final-discharge');
    expect(codeOf(() => sealRtsPayload(Buffer.from(document.replace(/<\/?Body>/g, '')), iruCert))).toBe('GW_ERR_XML_MALFORMED');
    expect(codeOf(() => sealRtsPayload(Buffer.from(document.replace('<Hash></Hash>', '')), iruCert))).toBe('GW_ERR_XML_MALFORMED');
    expect(codeOf(() => sealRtsPayload(Buffer.from([0x3c, 0xff, 0x3e]), iruCert))).toBe('GW_ERR_XML_MALFORMED');
    expect(codeOf(() => sealRtsPayload(Buffer.from(document), ecCert))).toBe('GW_ERR_KEY_UNAVAILABLE');
  });
});

const XSD = join(IRU_RTS_DIR, 'SafeTIRUpload.xsd');
const skipXsd = skipWithout('RTS payload against IRU SafeTIRUpload.xsd', { tools: ['xmllint'], files: [XSD] });

describe.skipIf(skipXsd)('the decrypted UTF-16LE payload against IRU SafeTIRUpload.xsd', () => {
  it.each(goldenNames)('%s validates as sent', (name) => {
    // As sent: with the SubscriberID the adapter writes from configuration.
    const { plain } = wireBytes(sealRtsPayload(withSubscriber(Buffer.from(golden(name)), 'KZ-CUSTOMS'), iruCert));
    const file = join(dir, `${name}.utf16.xml`);
    writeFileSync(file, plain);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('validates');
    expect(r.status).toBe(0);
  });
});
