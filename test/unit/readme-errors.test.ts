// The READMEs are the operator's error catalogue: the project README lists every core code, each adapter README its own, with status and retry flag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CORE_ERRORS, errorCatalogue } from '../../src/errors.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { ROOT } from '../support/project.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
// Loading the adapters registers their codes in the catalogue.
const { partners } = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const catalogue = errorCatalogue();

function row(code: string, spec: { httpStatus: number; retryable: boolean; message: string }): string {
  return `| \`${code}\` | ${spec.httpStatus} | ${spec.retryable ? 'yes' : 'no'} | ${spec.message} |`;
}

function listed(text: string): string[] {
  return [...text.matchAll(/^\| `(GW_ERR_\w+)`/gm)].map((m) => m[1] as string);
}

describe('README error tables', () => {
  it.each(Object.entries(CORE_ERRORS))('the project README lists %s with its status and retry flag', (code, spec) => {
    expect(readme).toContain(row(code, spec));
  });

  it('the project README lists no code that is not the core catalogue', () => {
    expect(listed(readme).filter((c) => !(c in CORE_ERRORS))).toEqual([]);
  });

  it.each([...partners.adapters.keys()])('the README of adapter %s lists exactly the codes it registers', (adapter) => {
    const own = catalogue.filter((e) => e.owner === adapter);
    const text = readFileSync(join(ROOT, 'adapters', adapter, 'README.md'), 'utf8');
    for (const entry of own) expect(text).toContain(row(entry.code, entry));
    expect(listed(text).filter((c) => !(c in CORE_ERRORS)).sort()).toEqual(own.map((e) => e.code).sort());
  });
});
