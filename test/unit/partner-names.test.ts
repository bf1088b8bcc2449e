// The core knows no partner: no partner id, adapter name or partner's own name appears anywhere under src/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadSoundSetup } from '../../src/setup/load-setup.js';
import { ROOT } from '../support/project.js';

/**
 * Words of ids that name no partner on their own (an id such as `uz-customs` forbids the whole id, not
 * "customs"); `eaeu` names the Union, whose transit regime CAIS records name; `stat` (of `shep-stat`,
 * the statistics bureau's instance) is also the file system's call (`statSync`).
 */
const GENERIC = new Set(['customs', 'gateway', 'agency', 'service', 'services', 'partner', 'exchange', 'national', 'state', 'eaeu', 'stat']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const { partners } = await loadSoundSetup(loadConfig({}), { keys: false, urls: false });
const ids = [...new Set([...partners.partners.map((p) => p.id), ...partners.adapters.keys()])];
/** What partners' human names spell that is theirs alone: acronyms (IRU) and coined words (SafeTIR). */
const coined = [...partners.partners.map((p) => p.name), ...[...partners.adapters.values()].map((d) => d.name)].flatMap((name) => name.split(/[^A-Za-z]+/).filter((w) => (/^[A-Z]{3,}$/.test(w) || /[a-z][A-Z]/.test(w)) && !GENERIC.has(w.toLowerCase())));
const candidates = [...ids, ...ids.flatMap((id) => id.split('-')).filter((w) => w.length >= 3 && !GENERIC.has(w)), ...coined];
const words = candidates.filter((w, i) => candidates.findIndex((other) => other.toLowerCase() === w.toLowerCase()) === i);

const letter = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const upper = (c: string | undefined): boolean => c !== undefined && /[A-Z]/.test(c);
const lower = (c: string | undefined): boolean => c !== undefined && /[a-z]/.test(c);

/** Whether `word` stands in `text` as a word of its own, also inside camelCase (`iruCodes`, `iisHeaders`, `SafeTIRUpload`). */
function mentions(text: string, word: string): boolean {
  const pattern = new RegExp(word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'), 'gi');
  for (const m of text.matchAll(pattern)) {
    const at = m.index;
    const [before, first, last, after, next] = [text[at - 1], text[at], text[at + word.length - 1], text[at + word.length], text[at + word.length + 1]];
    const starts = !letter(before) || (lower(before) && upper(first));
    const ends = !letter(after) || (upper(after) && (lower(last) || lower(next)));
    if (starts && ends) return true;
  }
  return false;
}

describe('no partner knowledge in src/', () => {
  it('has partner names to look for, and finds them wherever they stand', () => {
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const text of ['const iruReturnCodes = 1', 'safetirUploadNamespace', 'iisHeaderBlocks', 'SafeTIRUpload', 'the IIS envelope', 'adapters/iru-safetir', 'partner eaeu-kg']) {
      expect(words.some((word) => mentions(text, word))).toBe(true);
    }
    expect(words.some((word) => mentions('circuit breaker, airUpload, defcs', word))).toBe(false);
  });

  it.each(words)('"%s" appears in no file under src/', (word) => {
    const hits = files(join(ROOT, 'src')).filter((file) => mentions(readFileSync(file, 'utf8'), word)).map((file) => relative(ROOT, file));
    expect(hits).toEqual([]);
  });
});
