// Re-checking a logged document's signature: a CMS signature of ours verifies, a changed byte or another certificate does not, EDIFACT has none, no certificate means unverifiable.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recheckSignature } from '../../src/audit/signature-recheck.js';
import { buildCmsSignedData } from '../../src/security/cms-signed-data.js';
import { initDevCertificates } from '../../src/security/dev-certificates.js';
import { loadKeyCapabilities } from '../../src/security/key-capabilities.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-recheck-'));
initDevCertificates(dir, ['other']);
const ours = loadKeyCapabilities(join(dir, 'gateway.key.pem'), join(dir, 'gateway.cert.pem'));
const other = new X509Certificate(readFileSync(join(dir, 'partners', 'other.cert.pem')));

describe('signature re-check', () => {
  const cms = buildCmsSignedData(Buffer.from('<Declaration>DX25123456</Declaration>'), ours, { detached: false });

  it('finds a CMS signature of the certificate valid, and not of another certificate', () => {
    expect(recheckSignature(cms, [ours.certificate])).toMatchObject({ result: 'valid', kind: 'cms' });
    expect(recheckSignature(cms, [other])).toMatchObject({ result: 'invalid', kind: 'cms' });
  });

  it('finds a CMS document with one byte changed invalid', () => {
    const changed = Buffer.from(cms);
    const at = changed.indexOf('DX25123456');
    changed[at + 2] = '9'.charCodeAt(0);
    expect(recheckSignature(changed, [ours.certificate]).result).toBe('invalid');
  });

  it('reports an EDIFACT interchange unsigned, and anything unverifiable without a certificate', () => {
    expect(recheckSignature(Buffer.from("UNB+UNOC:3+KZ+UZ'"), [ours.certificate])).toMatchObject({ result: 'unsigned', kind: null });
    expect(recheckSignature(cms, [])).toMatchObject({ result: 'unverifiable' });
  });
});
