// EDIFACT syntax rules below the segment level: service characters (UNA), release escaping and the UNOx character sets.
import { GatewayError } from '../errors.js';
import type { EdifactInterchange } from './document-tree.js';

/** A syntax identifier the gateway supports (UNB S001 component 0001). */
export type SyntaxIdentifier = EdifactInterchange['syntax'];

/** The characters that structure an interchange, as announced by the UNA service string advice. */
export interface ServiceCharacters {
  /** Separates the components of a composite data element (UNA1). */
  readonly component: string;
  /** Separates data elements, and the tag from the first element (UNA2). */
  readonly element: string;
  /** Decimal mark used in numeric values (UNA3); informative only, values are kept as text. */
  readonly decimal: string;
  /** Makes the next character plain data (UNA4); `undefined` when the sender announced none (a space). */
  readonly release: string | undefined;
  /** Reserved position (UNA5): a space in syntax 3, the repetition separator in syntax 4; read as data. */
  readonly reserved: string;
  /** Ends a segment (UNA6). */
  readonly terminator: string;
}

/** The default service characters, `UNA:+.? '`. The renderer always uses these. */
export const DEFAULT_SERVICE_CHARACTERS: ServiceCharacters = {
  component: ':',
  element: '+',
  decimal: '.',
  release: '?',
  reserved: ' ',
  terminator: "'",
};

/** Length in bytes of a UNA service string advice: the tag and six characters. */
const UNA_LENGTH = 9;

/** Every syntax identifier this module can encode and decode. */
const SYNTAX_IDENTIFIERS: readonly SyntaxIdentifier[] = ['UNOA', 'UNOB', 'UNOC', 'UNOE', 'UNOW', 'UNOY'];

/**
 * Narrows a string read from UNB S001 to a supported syntax identifier.
 *
 * @param value - The first component of S001.
 * @returns True when the codec knows the character set.
 */
export function isSyntaxIdentifier(value: string): value is SyntaxIdentifier {
  return (SYNTAX_IDENTIFIERS as readonly string[]).includes(value);
}

/**
 * Writes the UNA service string advice for a set of service characters.
 *
 * @param chars - The service characters to announce.
 * @returns The nine characters `UNA` + six service characters, with no terminator after them.
 */
export function renderServiceStringAdvice(chars: ServiceCharacters): string {
  return `UNA${chars.component}${chars.element}${chars.decimal}${chars.release ?? ' '}${chars.reserved}${chars.terminator}`;
}

/**
 * Reads the service characters from the start of an interchange.
 *
 * @param bytes - The whole interchange.
 * @returns The announced characters and the byte offset after the UNA advice,
 *   or the defaults and offset 0 when the interchange has no UNA.
 * @throws GatewayError GW_ERR_EDIFACT_SYNTAX when the advice is truncated, uses a non-ASCII
 *   character, a space where one is not allowed, or the same character twice.
 */
export function readServiceStringAdvice(bytes: Buffer): { chars: ServiceCharacters; offset: number } {
  if (bytes.toString('latin1', 0, 3) !== 'UNA') return { chars: DEFAULT_SERVICE_CHARACTERS, offset: 0 };
  if (bytes.length < UNA_LENGTH) throw adviceError('the UNA service string advice is shorter than six characters');
  if (bytes.subarray(3, UNA_LENGTH).some((byte) => byte > 0x7f)) throw adviceError('UNA service characters must be ASCII');
  const advice = bytes.toString('latin1', 3, UNA_LENGTH);
  const release = advice.charAt(3);
  const chars: ServiceCharacters = {
    component: advice.charAt(0),
    element: advice.charAt(1),
    decimal: advice.charAt(2),
    release: release === ' ' ? undefined : release,
    reserved: advice.charAt(4),
    terminator: advice.charAt(5),
  };
  checkServiceCharacters(chars);
  return { chars, offset: UNA_LENGTH };
}

/** Refuses separators that are spaces or that collide, since either makes the interchange ambiguous. */
function checkServiceCharacters(chars: ServiceCharacters): void {
  const structural = [chars.component, chars.element, chars.terminator];
  if (structural.includes(' ')) throw adviceError('UNA separators and terminator must not be a space');
  const used = chars.release === undefined ? structural : [...structural, chars.release];
  if (new Set(used).size !== used.length) throw adviceError('UNA uses the same service character twice');
}

/** A syntax error located in the UNA advice. */
function adviceError(reason: string): GatewayError {
  return new GatewayError('GW_ERR_EDIFACT_SYNTAX', `segment 0 (UNA): ${reason}`, { segment: 0, tag: 'UNA' });
}

/** Finds a service character of the default set, which must be released inside a value. */
const DEFAULT_RELEASABLE = /[:+?']/;

/** Finds every such service character, for the replacement. */
const DEFAULT_RELEASABLE_ALL = /[:+?']/g;

/**
 * Escapes a value for the default service characters by putting `?` before `:`, `+`, `?` and `'`.
 *
 * @param value - Plain component text.
 * @returns The text as it is written between separators.
 */
export function releaseValue(value: string): string {
  return DEFAULT_RELEASABLE.test(value) ? value.replace(DEFAULT_RELEASABLE_ALL, '?$&') : value;
}

/** Characters of UNOA besides letters and digits: space, punctuation and the default service characters. */
const LEVEL_A_PUNCTUATION = ` .,\\-()/='+:?!"%&*;<>`;

/** Matches the first character a syntax level cannot carry (for UNOC and UNOE: the code units outside the set). */
const UNREPRESENTABLE: Readonly<Record<SyntaxIdentifier, RegExp>> = {
  UNOA: new RegExp(`[^A-Z0-9${LEVEL_A_PUNCTUATION}]`),
  UNOB: new RegExp(`[^A-Za-z0-9${LEVEL_A_PUNCTUATION}]`),
  UNOC: /[\u0100-\uffff]/,
  UNOE: /[\u00a1-\u00a6\u00a8-\u00ac\u00ae-\u0400\u040d\u0450\u045d\u0460-\u2115\u2117-\uffff]/,
  UNOW: /[\ud800-\udfff]/u,
  UNOY: /[\ud800-\udfff]/u,
};

/** A character a syntax level cannot carry, and where it is. */
export interface UnrepresentableCharacter {
  /** UTF-16 index of the character in the text. */
  readonly index: number;
  /** The character itself (a whole code point). */
  readonly character: string;
  /** Its code point as `U+XXXX`. */
  readonly codePoint: string;
}

/**
 * Finds the first character of a text that a syntax level cannot carry.
 *
 * UNOW and UNOY refuse only unpaired surrogates, which UTF-8 cannot encode.
 *
 * @param text - The text to check.
 * @param syntax - The syntax identifier whose repertoire applies.
 * @returns The offending character, or `undefined` when all of the text is representable.
 */
export function findUnrepresentable(text: string, syntax: SyntaxIdentifier): UnrepresentableCharacter | undefined {
  const match = UNREPRESENTABLE[syntax].exec(text);
  if (match === null) return undefined;
  const code = text.codePointAt(match.index) ?? 0;
  return {
    index: match.index,
    character: String.fromCodePoint(code),
    codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
  };
}

/** ISO 8859-5 bytes above 0xA0 whose character is not U+0360 + byte. */
const ISO_8859_5_EXCEPTIONS: ReadonlyMap<number, number> = new Map([
  [0xad, 0x00ad],
  [0xf0, 0x2116],
  [0xfd, 0x00a7],
]);

/** Builds byte → UTF-16 code unit for ISO 8859-5: identity up to 0xA0, Cyrillic above. */
function buildIso88595Decoder(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    table[byte] = byte <= 0xa0 ? byte : (ISO_8859_5_EXCEPTIONS.get(byte) ?? 0x0360 + byte);
  }
  return table;
}

/** Byte → code unit for ISO 8859-5. */
const ISO_8859_5_DECODE = buildIso88595Decoder();

/** Code unit → byte for the ISO 8859-5 characters above 0xA0. */
const ISO_8859_5_ENCODE: ReadonlyMap<number, number> = new Map(
  Array.from(ISO_8859_5_DECODE.subarray(0xa1), (unit, index) => [unit, 0xa1 + index] as const),
);

/** Encodes already checked text as ISO 8859-5. */
function encodeIso88595(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    out[i] = unit <= 0xa0 ? unit : (ISO_8859_5_ENCODE.get(unit) ?? 0);
  }
  return out;
}

/** Code units handed to one String.fromCharCode call, well below engine argument limits. */
const DECODE_CHUNK = 8192;

/** Decodes ISO 8859-5 bytes; every byte has a character. */
function decodeIso88595(bytes: Buffer): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) units[i] = ISO_8859_5_DECODE[bytes[i] ?? 0] ?? 0;
  let text = '';
  for (let i = 0; i < units.length; i += DECODE_CHUNK) text += String.fromCharCode(...units.subarray(i, i + DECODE_CHUNK));
  return text;
}

/**
 * Encodes text into the bytes of a syntax level: ASCII for UNOA/UNOB, ISO 8859-1 for UNOC,
 * ISO 8859-5 for UNOE and UTF-8 for UNOW and UNOY.
 *
 * @param text - The text to encode.
 * @param syntax - The syntax identifier that selects the character set.
 * @returns The encoded bytes.
 * @throws GatewayError GW_ERR_EDIFACT_CHARSET naming the first character the set cannot carry.
 */
export function encodeText(text: string, syntax: SyntaxIdentifier): Buffer {
  const bad = findUnrepresentable(text, syntax);
  if (bad !== undefined) {
    throw new GatewayError('GW_ERR_EDIFACT_CHARSET', `${bad.codePoint} is not in ${syntax}`, { syntax, ...bad });
  }
  if (syntax === 'UNOE') return encodeIso88595(text);
  return Buffer.from(text, syntax === 'UNOY' || syntax === 'UNOW' ? 'utf8' : 'latin1');
}

/** Strict UTF-8 decoder: malformed input throws instead of turning into U+FFFD. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes bytes of a syntax level back into text.
 *
 * UNOA and UNOB accept any 7-bit byte (lower case under UNOA is tolerated on input);
 * UNOC and UNOE give every byte a character; UNOW and UNOY require well-formed UTF-8.
 *
 * @param bytes - The encoded text.
 * @param syntax - The syntax identifier that selects the character set.
 * @returns The decoded text.
 * @throws GatewayError GW_ERR_EDIFACT_CHARSET when a byte is not valid in the set.
 */
export function decodeText(bytes: Buffer, syntax: SyntaxIdentifier): string {
  switch (syntax) {
    case 'UNOA':
    case 'UNOB':
      return decodeAscii(bytes, syntax);
    case 'UNOC':
      return bytes.toString('latin1');
    case 'UNOE':
      return decodeIso88595(bytes);
    case 'UNOW':
    case 'UNOY':
      return decodeUtf8(bytes, syntax);
  }
}

/** Decodes 7-bit bytes, refusing the first byte with the high bit set. */
function decodeAscii(bytes: Buffer, syntax: SyntaxIdentifier): string {
  const offset = bytes.findIndex((byte) => byte > 0x7f);
  if (offset >= 0) {
    throw new GatewayError('GW_ERR_EDIFACT_CHARSET', `byte 0x${(bytes[offset] ?? 0).toString(16)} is not in ${syntax}`, {
      syntax,
      byteOffset: offset,
    });
  }
  return bytes.toString('latin1');
}

/** Decodes UTF-8, turning a decoder failure into a charset error. */
function decodeUtf8(bytes: Buffer, syntax: 'UNOW' | 'UNOY'): string {
  try {
    return UTF8_STRICT.decode(bytes);
  } catch (cause) {
    throw new GatewayError('GW_ERR_EDIFACT_CHARSET', `${syntax} interchange is not well-formed UTF-8`, { syntax }, { cause });
  }
}
