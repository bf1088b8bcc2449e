// A member added from configuration and mapping files alone: Kyrgyzstan joins a setup that has only Russia, and its documents, signatures and simulator work with no code.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { startPartnerHarness, type PartnerHarness } from '../../../test/support/partner-harness.js';
import { partnersSetup, ROOT, tempDir } from '../../../test/support/project.js';
import { xmlsec1Verify } from '../../../test/support/xmlsec1.js';
import { shippedProcesses } from '../process-table.js';
import { bodyOf, EEC_DATA_MODEL_DIR, eecXmllint } from './eec-oracles.js';

const skip = skipWithout('EAEU member from configuration (xmllint, xmlsec1 oracles)', { tools: ['xmllint', 'xmlsec1'], files: [EEC_DATA_MODEL_DIR] });

const RUSSIA = ['  - id: eaeu-ru', '    adapter: eaeu-iis', '    participants: { member: RU, us: KZ }'];
const KYRGYZSTAN = ['  - id: eaeu-kg', '    adapter: eaeu-iis', '    name: State Customs Service of Kyrgyzstan', '    participants: { member: KG, us: KZ }'];

/** A partners file and mapping folder holding these entries and these partners' mapping files. */
function setupWith(dir: string, entries: string[][], mappings: string[]): Record<string, string> {
  return partnersSetup(dir, ['partners:', ...entries.flat(), ''].join('\n'), mappings);
}

const toKyrgyzstan = (): Record<string, unknown> => ({
  ...(JSON.parse(readFileSync(join(ROOT, 'mappings', 'eaeu-kg', 'p-cp-01-from-movement.golden', 'departure-long-description.input.json'), 'utf8')) as Record<string, unknown>),
  recordId: `KZ-TM-NEW-MEMBER-${Date.now()}`,
});

describe.skipIf(skip)('a member added by configuration', () => {
  const harnesses: PartnerHarness[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('before: with Russia alone a transit to Kyrgyzstan has no EAEU document; after adding the entry and its mappings it has one that validates, verifies and the member\'s gateway takes', async () => {
    const before = await startPartnerHarness(setupWith(tempDir('gw-member-before-'), [RUSSIA], ['eaeu-ru']), []);
    harnesses.push(before);
    const refused = await before.translator.translate(toKyrgyzstan());
    expect(refused.ok).toBe(false);
    expect(refused.ok ? [] : refused.problems.map((p) => p.code)).toEqual(['GW_ERR_NO_ROUTE']);

    const after = await startPartnerHarness(setupWith(tempDir('gw-member-after-'), [RUSSIA, KYRGYZSTAN], ['eaeu-ru', 'eaeu-kg']), ['eaeu-kg']);
    harnesses.push(after);
    const translated = await after.translator.translate(toKyrgyzstan());
    if (!translated.ok) throw new Error(JSON.stringify(translated.problems));
    const [document] = translated.documents;
    expect(translated.documents.map((d) => `${d.partner}/${d.message}`)).toEqual(['eaeu-kg/p-cp-01-msg-010']);
    expect(document!.bytes.toString('utf8')).toContain('<wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">EAEU://KG/CP/P.CP.01/P.CP.01.ACT.001</wsa:To>');

    const xmllint = eecXmllint();
    try {
      const checked = xmllint.validate(shippedProcesses().route(document!.message).structure.schema, bodyOf(document!.bytes));
      expect(checked.status, checked.output).toBe(0);
    } finally {
      xmllint.close();
    }
    const certFile = join(tempDir('gw-member-cert-'), 'gateway.pem');
    writeFileSync(certFile, after.setup.identities.get('eaeu-kg')!.identity.certificate.toString());
    expect(xmlsec1Verify(document!.bytes, certFile).status).toBe(0);

    const { outcome, result } = await after.attempt('eaeu-kg', { id: 'new-member-1', payload: document!.bytes, messageType: document!.message });
    expect(outcome.verdict).toBe('delivered');
    expect(result.kind === 'response' ? result.status : 0).toBe(202);
    const received = after.sim('eaeu-kg').received.at(-1);
    expect(received).toMatchObject({ valid: true, problems: [] });
  });
});
