// The TIR carnet numbering's check letters (the algorithm EU NCTS rule R0990 points to): a prefix computed from the number modulo 23.

/** Numbers from here on carry the two check letters; older carnets (14,000,001–24,999,999) are plain digits. */
const FIRST_LETTERED = 25_000_000;

/**
 * The two check letters the TIR numbering gives a carnet number of 25,000,000 or more: with m = number mod 23
 * and L = the letter (3m + 17) mod 26 places after A, the prefix is L then X when m < 12, else X then L.
 * Only 23 prefixes exist and exactly one fits each number; the guarantee chain's carnet look-up answers
 * "number incorrect" to a number that breaks it.
 */
export function carnetCheckLetters(number: number): string {
  if (!Number.isSafeInteger(number) || number < FIRST_LETTERED) throw new RangeError(`${number} is below the lettered TIR carnet numbers`);
  const m = number % 23;
  const letter = String.fromCharCode(65 + ((3 * m + 17) % 26));
  return m < 12 ? `${letter}X` : `X${letter}`;
}

/**
 * What is wrong with a lettered carnet number's check letters, or undefined when they fit.
 * Input of another shape (no two leading letters, too few digits) is not judged here: the JSON Schema pattern
 * reports it.
 */
export function carnetCheckLetterProblem(carnetNumber: string): string | undefined {
  const parts = letteredParts(carnetNumber);
  if (!parts) return undefined;
  const expected = carnetCheckLetters(Number(parts.digits));
  return parts.letters === expected ? undefined : `check letters ${parts.letters} do not fit ${parts.digits}: the TIR numbering rule (number mod 23) gives ${expected}${parts.digits}`;
}

/** True when the number is a lettered one (two letters, then 8 or 9 digits from 25,000,000) whose check letters fit. */
export function carnetCheckLettersFit(carnetNumber: string): boolean {
  return letteredParts(carnetNumber) !== undefined && carnetCheckLetterProblem(carnetNumber) === undefined;
}

/** The letters and digits of a lettered carnet number, or undefined for any other shape. */
function letteredParts(carnetNumber: string): { letters: string; digits: string } | undefined {
  const parts = /^([A-Z]{2})(\d{8,9})$/.exec(carnetNumber);
  return parts && Number(parts[2]) >= FIRST_LETTERED ? { letters: parts[1] as string, digits: parts[2] as string } : undefined;
}
