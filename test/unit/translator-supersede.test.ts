// A partner's rewrite of a corrected record (supersede) runs before signing: the signature covers what is sent.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Partner, PartnerRegistry } from '../../src/partners/partner-registry.js';
import { translatorOf } from '../../src/pipeline/build-translator.js';
import { createXmlVerifier } from '../../src/security/xml-verifier.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { configWithTempKeys, RECORD_FIXTURES } from '../support/project.js';

const config = configWithTempKeys();
afterAll(() => rmSync(config.certsDir, { recursive: true, force: true }));

describe('supersede before signing', () => {
  it('a later version is rewritten by the partner, then signed; the signature verifies over the rewritten document', async () => {
    const setup = await loadSoundSetup(config, { keys: true, urls: false });
    const seen: Array<{ next: string; previous: string }> = [];
    // Russia's EAEU partner signs its envelopes with XMLDSig; give it a supersede that changes the document, as a correction rewrite would.
    const partners: PartnerRegistry = Object.create(setup.partners) as PartnerRegistry;
    const signedPartner = setup.partners.get('eaeu-ru');
    const rewriting: Partner = {
      ...signedPartner,
      supersede(next, previous) {
        seen.push({ next: next.toString('utf8'), previous: previous.toString('utf8') });
        return Buffer.from(next.toString('utf8').replace(/(TIRPageOrdinal[^>]*>)4</, '$15<'));
      },
    };
    partners.get = (id) => (id === 'eaeu-ru' ? rewriting : setup.partners.get(id));
    const translator = translatorOf({ ...setup, partners }, async (_record, partner) => (partner === 'eaeu-ru' ? Buffer.from('<Previous></Previous>') : undefined));
    const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;

    const result = await translator.translate({ ...termination, version: 2 });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const doc = result.documents.find((d) => d.partner === 'eaeu-ru');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.next).not.toContain('ds:Signature');
    expect(seen[0]?.previous).toBe('<Previous></Previous>');
    expect(seen[0]?.next).toMatch(/TIRPageOrdinal[^>]*>4</);
    const verifier = createXmlVerifier(() => [setup.identities.get('eaeu-ru')!.identity.certificate.publicKey], undefined, () => 'soap-header');
    const signed = verifier.verify(doc!.bytes, 'eaeu-ru');
    expect(signed.xml).toMatch(/TIRPageOrdinal[^>]*>5</);

    const first = await translator.translate({ ...termination, recordId: 'KZ-TT-FIRST-1', version: 1 });
    expect(first.ok).toBe(true);
    expect(seen).toHaveLength(1);
  });
});
