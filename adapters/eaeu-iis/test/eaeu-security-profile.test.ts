// The SOAP version and the security profile are configuration: an instance on SOAP 1.1 with the plain enveloped XMLDSig profile, and an unknown profile refused at load.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { partnersSetup, RECORD_FIXTURES, tempDir } from '../../../test/support/project.js';
import { xmlsec1Verify } from '../../../test/support/xmlsec1.js';

const skip = skipWithout('EAEU security profile (xmlsec1 oracle)', { tools: ['xmlsec1'] });

function setupWith(entry: string[]): Record<string, string> {
  return partnersSetup(tempDir('gw-eaeu-profile-'), ['partners:', ...entry, ''].join('\n'), ['eaeu-ru']);
}

describe.skipIf(skip)('EAEU envelope settings', () => {
  const harnesses: PartnerHarness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('soapVersion 1.1 and signing xmldsig: a SOAP 1.1 envelope whose signature follows the Body, verified by xmlsec1', async () => {
    const harness = await startPartnerHarness(setupWith(['  - id: eaeu-ru', '    adapter: eaeu-iis', '    participants: { member: RU, us: KZ }', '    signing: xmldsig', "    options: { soapVersion: '1.1' }"]), []);
    harnesses.push(harness);
    const record = { ...(JSON.parse(readFileSync(join(RECORD_FIXTURES, 'transit.movement.json'), 'utf8')) as Record<string, unknown>), recordId: 'KZ-TM-PROFILE-1' };
    const translated = await harness.translator.translate(record);
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const text = translated.documents[0]!.bytes.toString('utf8');
    expect(text.startsWith('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>')).toBe(true);
    expect(text).toMatch(/<\/soap:Body><ds:Signature /);
    const certFile = join(tempDir('gw-eaeu-profile-cert-'), 'gateway.pem');
    writeFileSync(certFile, harness.setup.identities.get('eaeu-ru')!.identity.certificate.toString());
    expect(xmlsec1Verify(translated.documents[0]!.bytes, certFile).status).toBe(0);
  });

  it('an unknown signing profile is refused when the setup loads, with its place', async () => {
    await expect(startPartnerHarness(setupWith(['  - id: eaeu-ru', '    adapter: eaeu-iis', '    participants: { member: RU, us: KZ }', '    signing: gost-2012']), [])).rejects.toThrow(
      /partner eaeu-ru: no signing profile "gost-2012"/,
    );
  });
});
