// XML 1.0 (fifth edition) names: where a Name written at some offset of a string ends (NameStartChar, then NameChar*).

/** Flags for ASCII code units: START for NameStartChar, NAME for NameChar. */
const START = 1;
const NAME = 2;
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII[c] = START | NAME;
  else if (/[0-9.-]/.test(ch)) ASCII[c] = NAME;
}

/** Non-ASCII NameStartChar ranges of XML 1.0 fifth edition §2.3 (inclusive pairs). */
const START_RANGES = [
  0xc0, 0xd6, 0xd8, 0xf6, 0xf8, 0x2ff, 0x370, 0x37d, 0x37f, 0x1fff, 0x200c, 0x200d, 0x2070, 0x218f,
  0x2c00, 0x2fef, 0x3001, 0xd7ff, 0xf900, 0xfdcf, 0xfdf0, 0xfffd, 0x10000, 0xeffff,
];
/** Further non-ASCII NameChar ranges (inclusive pairs). */
const NAME_RANGES = [0xb7, 0xb7, 0x300, 0x36f, 0x203f, 0x2040];

function inRanges(ranges: readonly number[], cp: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) {
    if (cp >= (ranges[k] as number) && cp <= (ranges[k + 1] as number)) return true;
  }
  return false;
}

/** True when code point `cp` may start (`first`) or continue an XML name. */
export function isNameCodePoint(cp: number, first: boolean): boolean {
  if (cp < 128) return ((ASCII[cp] ?? 0) & (first ? START : NAME)) !== 0;
  return inRanges(START_RANGES, cp) || (!first && inRanges(NAME_RANGES, cp));
}

/**
 * The offset just past the XML Name that starts at `start` in `s`; `start` itself when no name starts there.
 * Names may hold any character the fifth edition allows, including those above U+FFFF.
 */
export function nameEnd(s: string, start: number): number {
  let i = start;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if (((ASCII[c] as number) & (i === start ? START : NAME)) === 0) break;
      i++;
      continue;
    }
    const cp = s.codePointAt(i) as number;
    if (!isNameCodePoint(cp, i === start)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}
