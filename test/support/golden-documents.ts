// The documents a partner's golden cases produce, rendered as the gateway renders them (unsigned), for oracles such as a partner's XSD.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { GOLDEN_NOW, listGoldenCases } from '../../src/mapping/golden-tests.js';
import type { CaisRecord } from '../../src/records/record-types.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';

/** One golden case of a partner: its name, and the document its input renders to. */
export interface GoldenDocument {
  name: string;
  render(): Promise<Buffer>;
}

/** The golden cases of every mapping that targets `partner`, in the project's setup. */
export async function goldenDocuments(partner: string): Promise<GoldenDocument[]> {
  const setup = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
  return listGoldenCases(setup.mappings.mappings, setup.partners)
    .filter((c) => c.mapping.target.partner === partner)
    .map((c) => ({
      name: c.name,
      async render() {
        const record = JSON.parse(readFileSync(c.inputFile, 'utf8')) as CaisRecord;
        return c.codec.render((await c.mapping.apply(record, GOLDEN_NOW)).value, c.codecOptions);
      },
    }));
}
