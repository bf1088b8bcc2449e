// Every adapter found in adapters/ passes one suite: its README tables match its code, its simulator answers every documented code, and classify judges each as documented.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { listGoldenCases } from '../../src/mapping/golden-tests.js';
import type { AcknowledgementCode } from '../../src/partners/partner-definition.js';
import type { Partner } from '../../src/partners/partner-registry.js';
import { partnerEnvPrefix } from '../../src/partners/partner-settings.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { startPartnerHarness, type PartnerHarness } from '../support/partner-harness.js';
import { ROOT } from '../support/project.js';
import { codeTables, plain, readmeTables } from '../support/readme-tables.js';

const setup = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const goldenCases = listGoldenCases(setup.mappings.mappings, setup.partners);

/** A code of the same shape as the documented ones that none of them is (digits → 9, letters → Z). */
function unknownCode(codes: readonly string[]): string {
  const template = [...codes].sort((a, b) => b.length - a.length)[0] ?? '999';
  const candidate = template.replace(/[0-9]/g, '9').replace(/[A-Za-z]/g, 'Z');
  return codes.includes(candidate) ? `${candidate}9` : candidate;
}

/** The codes each profile documents in code: the adapter's own, and each alternative profile's. */
function declaredCodes(instance: Partner): Map<string, Readonly<Record<string, AcknowledgementCode>>> {
  const out = new Map<string, Readonly<Record<string, AcknowledgementCode>>>();
  if (instance.definition.codes) out.set('default', instance.definition.codes);
  for (const [name, profile] of Object.entries(instance.definition.profiles ?? {})) if (profile.codes) out.set(name, profile.codes);
  return out;
}

for (const [adapter, definition] of setup.partners.adapters) {
  describe(`adapter ${adapter}`, () => {
    const readme = join(ROOT, 'adapters', adapter, 'README.md');
    const instance = setup.partners.partners.find((p) => p.adapter === adapter);
    const cases = goldenCases.filter((c) => c.mapping.target.partner === instance?.id);

    it('has a README and a partner instance in the partners file to run with', () => {
      expect(existsSync(readme)).toBe(true);
      expect(instance?.id).toBeDefined();
    });

    it('its README messages table names every message with its codec and signing profile, and nothing else', () => {
      const table = readmeTables(readme).find((t) => plain(t.header[0] ?? '') === 'message');
      const rows = new Map((table?.rows ?? []).map((r) => [plain(r[0] ?? ''), r]));
      const codec = table?.header.indexOf('codec') ?? -1;
      const signing = table?.header.indexOf('signing') ?? -1;
      expect([...rows.keys()].sort()).toEqual(Object.keys(definition.messages).sort());
      for (const [name, spec] of Object.entries(definition.messages)) {
        expect(plain(rows.get(name)?.[codec] ?? '')).toBe(spec.codec);
        expect(plain(rows.get(name)?.[signing] ?? '').split(/\s/)[0]).toBe(spec.signing);
      }
    });

    it('its README code tables are exactly the codes and verdicts it declares, per profile, the main one with an "any other" row', () => {
      expect(codeTables(readme).find((t) => t.profile === 'default')?.otherwise).toMatch(/^(delivered|retry|failed|needs-human)$/);
      const documented = new Map(codeTables(readme).map((t) => [t.profile, Object.fromEntries(t.codes)]));
      const declared = new Map([...(instance ? declaredCodes(instance) : [])].map(([p, codes]) => [p, Object.fromEntries(Object.entries(codes).map(([c, a]) => [c, a.verdict]))]));
      expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(declared));
    });

    it('the documents its golden inputs render survive its codec: parsed and rendered again, the same bytes', async () => {
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases) {
        const record = JSON.parse(readFileSync(c.inputFile, 'utf8')) as never;
        const bytes = c.codec.render((await c.mapping.apply(record)).value, c.codecOptions);
        expect(c.codec.render(c.codec.parse(bytes, c.codecOptions), c.codecOptions).equals(bytes)).toBe(true);
      }
    });

    if (!instance) return;
    const partner: Partner = instance;
    for (const [profile, codes] of declaredCodes(partner)) {
      describe(`profile ${profile}: the simulator answers every documented code and classify judges it as documented`, () => {
        const env = profile === 'default' ? {} : { [`${partnerEnvPrefix(partner.id)}PROFILE`]: profile };
        const table = codeTables(readme).find((t) => t.profile === profile);
        let harness: PartnerHarness;
        let serial = 0;

        beforeAll(async () => {
          harness = await startPartnerHarness(env, [partner.id]);
        });
        afterAll(async () => {
          await harness?.close();
        });

        /**
         * A fresh, valid document for the partner, as the gateway would log it, from the first of its golden
         * inputs this profile takes (a profile may refuse what another carries, e.g. RTS+ a before-load termination).
         */
        async function payload(): Promise<Buffer> {
          const refusals: string[] = [];
          for (const c of cases) {
            const record = JSON.parse(readFileSync(c.inputFile, 'utf8')) as Record<string, unknown>;
            const translated = await harness.translator.translate({ ...record, recordId: `${String(record.recordId)}-CONF-${++serial}` });
            const document = translated.ok ? translated.documents.find((d) => d.partner === partner.id && d.message === c.mapping.target.message) : undefined;
            if (document) return document.bytes;
            refusals.push(`${c.inputFile}: ${translated.ok ? 'no document for the partner' : JSON.stringify(translated.problems)}`);
          }
          throw new Error(`no golden input gives a document for ${partner.id} (profile ${profile}): ${refusals.join('; ')}`);
        }

        it.each(Object.entries(codes))('%s → %o', async (code, expected) => {
          harness.sim(partner.id).faults.partnerErrorNext(1, code);
          const { outcome } = await harness.attempt(partner.id, { id: `conformance-${code}-${serial}`, payload: await payload() });
          expect(outcome).toMatchObject({ verdict: expected.verdict, partnerCode: code });
        });

        const otherwise = table?.otherwise;
        if (otherwise !== undefined) {
          it('a code it does not document → the README\'s "any other" verdict', async () => {
            const code = unknownCode(Object.keys(codes));
            harness.sim(partner.id).faults.partnerErrorNext(1, code);
            const { outcome } = await harness.attempt(partner.id, { id: `conformance-unknown-${serial}`, payload: await payload() });
            expect(outcome).toMatchObject({ verdict: otherwise, partnerCode: code });
          });
        }
      });
    }
  });
}
