// Free text for IRU's Windows-1252 back end: the transliteration, checked with iconv as the independent judge of what Windows-1252 can carry.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { skipWithout } from '../../../test/support/external-tool.js';
import { isWindows1252, toWindows1252 } from '../windows-1252-text.js';

const noIconv = skipWithout('Windows-1252 oracle', { tools: ['iconv'] });

/** iconv's verdict: does the text convert to Windows-1252 without loss? */
function iconvTakes(text: string): boolean {
  return spawnSync('iconv', ['-f', 'UTF-8', '-t', 'WINDOWS-1252'], { input: text }).status === 0;
}

const ok = (text: string, max = 126): string => {
  const result = toWindows1252(text, max);
  if (!result.ok) throw new Error(result.problem);
  return result.text;
};

describe('text for IRU in Windows-1252', () => {
  it.each([
    ['Пломба цела', 'Plomba tsela'],
    ['ЖД НАКЛАДНАЯ № 12', 'ZHD NAKLADNAIA No. 12'],
    ['Жанна, Щукин, Юрий, Ёлка', 'Zhanna, Shchukin, Iurii, Elka'],
    ['Қазақстан, Өскемен, Үштөбе, Ғалым, Ұлы, Әлем, Һ, Іле, Ңы', 'Kazakstan, Oskemen, Ushtobe, Galym, Uly, Alem, H, Ile, Ny'],
    ['объём подъезда', 'obieem podieezda'],
    ['Grüße, café, €5 — “ok”', 'Grüße, café, €5 — “ok”'],
  ])('%s → %s', (input, expected) => {
    expect(ok(input)).toBe(expected);
  });

  it('breaks up IRU\'s CIF delimiters, chained ones too', () => {
    expect(ok('seal *broken* :+: see ledger')).toBe('seal -broken- : + : see ledger');
    expect(ok('a:+:+:b')).toBe('a: + : + :b');
  });

  it('changes nothing on a second pass (a correction\'s cancel repeats the record as sent)', () => {
    for (const text of ['Пломба № 7 цела', 'a:+:+:b *x*', 'Щ'.repeat(126), 'Grüße — “ok”']) expect(ok(ok(text))).toBe(ok(text));
  });

  it('cuts a Latin spelling longer than the attribute with an ellipsis, within the length', () => {
    const text = ok('Щ'.repeat(126));
    expect([...text]).toHaveLength(126);
    expect(text.endsWith('…')).toBe(true);
    expect(ok('plain', 126)).toBe('plain');
  });

  it('names a character it cannot carry or transliterate instead of guessing', () => {
    expect(toWindows1252('封条完好', 126)).toEqual({ ok: false, problem: '"封" (U+5C01) has no Windows-1252 form and no transliteration' });
    expect(toWindows1252('ok 🙂', 126)).toMatchObject({ ok: false, problem: expect.stringContaining('U+1F642') });
  });

  it.skipIf(noIconv)('agrees with iconv on the repertoire, and everything it produces converts without loss', () => {
    // One iconv run over U+0020–U+052F, a character per line; -c drops what Windows-1252 cannot carry, leaving its line empty.
    const chars = Array.from({ length: 0x52f - 0x20 + 1 }, (_, i) => String.fromCodePoint(0x20 + i)).filter((ch) => ch !== '\n');
    const run = spawnSync('iconv', ['-c', '-f', 'UTF-8', '-t', 'WINDOWS-1252'], { input: chars.join('\n') });
    const lines = new TextDecoder('windows-1252').decode(run.stdout).split('\n');
    expect(lines).toHaveLength(chars.length);
    expect(chars.filter((ch) => isWindows1252(ch))).toEqual(chars.filter((_, i) => lines[i] !== ''));
    const sample = 'Пломба цела; Қазақстан, № 7; Щ×3 «кавычки» — тире; Ґ Ї Є Ў; объём';
    expect(iconvTakes(sample)).toBe(false);
    expect(iconvTakes(ok(sample, 255))).toBe(true);
  });
});
