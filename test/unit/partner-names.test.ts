// The core knows no partner: no partner id, adapter name or partner's own name appears anywhere under src/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { ROOT } from '../support/project.js';

/** Words of ids that name no partner on their own (an id such as `uz-customs` forbids the whole id, not "customs"). */
const GENERIC = new Set(['customs', 'gateway', 'agency', 'service', 'services', 'partner', 'exchange', 'national', 'state']);
/** Names partners go by that their ids do not spell out. */
const KNOWN_NAMES = ['IRU', 'SafeTIR', 'FTS', 'FCS'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const { partners } = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const ids = [...new Set([...partners.partners.map((p) => p.id), ...partners.adapters.keys()])];
const words = [...new Set([...ids, ...ids.flatMap((id) => id.split('-')).filter((w) => w.length >= 3 && !GENERIC.has(w)), ...KNOWN_NAMES])];

describe('no partner knowledge in src/', () => {
  it('has partner names to look for', () => {
    expect(ids.length).toBeGreaterThanOrEqual(2);
  });

  it.each(words)('"%s" appears in no file under src/', (word) => {
    const pattern = new RegExp(`(?<![A-Za-z0-9])${word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![A-Za-z0-9])`, 'i');
    const hits = files(join(ROOT, 'src')).filter((file) => pattern.test(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));
    expect(hits).toEqual([]);
  });
});
