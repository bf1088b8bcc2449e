// Text IRU's SafeTIR back end can store: it writes records in Windows-1252, so Cyrillic and Kazakh letters are transliterated first.

/** The 27 characters Windows-1252 puts at 0x80–0x9F (the rest of its repertoire is U+0000–U+007F and U+00A0–U+00FF). */
const WINDOWS_1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** True when Windows-1252 can carry the character. */
export function isWindows1252(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0x7f || (code >= 0xa0 && code <= 0xff) || WINDOWS_1252_EXTRA.has(ch);
}

/**
 * Cyrillic to Latin, upper case: ICAO Doc 9303 (7th edition, Part 3, the transliteration of Cyrillic in
 * machine-readable travel documents) for the letters its table has; the Kazakh letters it lacks reduced
 * to their base Latin letter.
 */
const CYRILLIC: Readonly<Record<string, string>> = {
  А: 'A', Б: 'B', В: 'V', Г: 'G', Д: 'D', Е: 'E', Ё: 'E', Ж: 'ZH', З: 'Z', И: 'I', Й: 'I', К: 'K', Л: 'L', М: 'M', Н: 'N', О: 'O', П: 'P',
  Р: 'R', С: 'S', Т: 'T', У: 'U', Ф: 'F', Х: 'KH', Ц: 'TS', Ч: 'CH', Ш: 'SH', Щ: 'SHCH', Ъ: 'IE', Ы: 'Y', Ь: '', Э: 'E', Ю: 'IU', Я: 'IA',
  І: 'I', Ї: 'I', Є: 'IE', Ґ: 'G', Ў: 'U',
  Ә: 'A', Ғ: 'G', Қ: 'K', Ң: 'N', Ө: 'O', Ұ: 'U', Ү: 'U', Һ: 'H',
};

/** Signs Windows-1252 lacks that customs text uses, spelled out. */
const SIGNS: Readonly<Record<string, string>> = { '№': 'No.' };

/** One Cyrillic letter in Latin, keeping its case: "Ж" before a lower-case letter is "Zh", otherwise "ZH"; "ж" is "zh". */
function latin(ch: string, next: string | undefined): string | undefined {
  const upper = ch.toUpperCase();
  const mapped = CYRILLIC[upper];
  if (mapped === undefined) return undefined;
  if (ch !== upper) return mapped.toLowerCase();
  const nextIsLower = next !== undefined && next !== next.toUpperCase();
  return nextIsLower ? mapped.charAt(0) + mapped.slice(1).toLowerCase() : mapped;
}

/** IRU's CIF files delimit attributes with `:+:` and records with `*`; its converter cuts attributes out by substring. */
function withoutDelimiters(text: string): string {
  // A lookahead, so that chained delimiters (":+:+:") are all broken and a second pass changes nothing.
  return text.replace(/\*/g, '-').replace(/:\+(?=:)/g, ': + ');
}

/** What {@link toWindows1252} made of a text. */
export type Windows1252Result = { ok: true; text: string; changed: boolean } | { ok: false; problem: string };

/**
 * The text as IRU can store it: Cyrillic and Kazakh letters transliterated (ICAO Doc 9303; the Kazakh
 * letters to their base letter), `№` as `No.`, IRU's delimiters `*` and `:+:` broken up (`-`, `: + :`),
 * then cut to `maxLength` characters with `…` when the Latin spelling came out longer. A character that
 * is still not Windows-1252 (Chinese, an emoji) is not guessed at: the result names it.
 */
export function toWindows1252(text: string, maxLength: number): Windows1252Result {
  const chars = [...text];
  let out = '';
  for (const [i, ch] of chars.entries()) {
    const replaced = latin(ch, chars[i + 1]) ?? SIGNS[ch];
    if (replaced !== undefined) out += replaced;
    else if (isWindows1252(ch)) out += ch;
    else return { ok: false, problem: `"${ch}" (U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}) has no Windows-1252 form and no transliteration` };
  }
  out = withoutDelimiters(out);
  if ([...out].length > maxLength) out = `${[...out].slice(0, maxLength - 1).join('')}…`;
  return { ok: true, text: out, changed: out !== text };
}
