// Unit tests for the UN/EDIFACT codec: round trips, exact bytes, envelope counts, UNA separators and character sets.
import { describe, it, expect } from 'vitest';
import type { EdifactInterchange, EdifactMessage, EdifactSegment } from '../../src/codec/document-tree.js';
import { edifactCodec } from '../../src/codec/builtin-codecs.js';
import { parseEdifact, renderEdifact } from '../../src/codec/edifact-codec.js';
import { decodeText, encodeText, findUnrepresentable } from '../../src/codec/edifact-syntax.js';
import { GatewayError, type ErrorCode } from '../../src/errors.js';

/** Runs `action`, expects a GatewayError with `code`, and returns it for further checks. */
function expectGatewayError(action: () => unknown, code: ErrorCode): GatewayError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(code);
    return error as GatewayError;
  }
  throw new Error(`expected ${code}, but nothing was thrown`);
}

/** Shorthand for a segment whose elements are given as component lists. */
function seg(tag: string, ...elements: string[][]): EdifactSegment {
  return { tag, elements };
}

/** A customs declaration message shaped like a CUSDEC header, one item and a control total. */
function declaration(reference: string, lrn: string, description: string): EdifactMessage {
  return {
    reference,
    type: ['CUSDEC', 'D', '96B', 'UN'],
    segments: [
      seg('BGM', ['929'], [lrn], ['9']),
      seg('CST', [''], ['1', '', '111']),
      seg('LOC', ['22'], ['DE004851']),
      seg('DTM', ['137', '20240131', '102']),
      seg('NAD', ['CZ'], ['DE123456789012345', '', '68'], [''], ['Exporter GmbH']),
      seg('UNS', ['D']),
      seg('CST', ['1'], ['84713000', '122']),
      seg('FTX', ['AAA'], [''], [''], [description]),
      seg('MOA', ['39', '1234.50', 'EUR']),
      seg('UNS', ['S']),
      seg('CNT', ['5', '1']),
    ],
  };
}

/** An interchange in `syntax` carrying the given messages. */
function interchange(syntax: EdifactInterchange['syntax'], messages: EdifactMessage[]): EdifactInterchange {
  return {
    syntax,
    syntaxVersion: syntax === 'UNOY' || syntax === 'UNOW' ? '4' : '3',
    sender: ['GATEWAY01', 'ZZ'],
    recipient: ['CUSTOMS-DE', '14', 'ROUTE7'],
    preparedAt: syntax === 'UNOY' || syntax === 'UNOW' ? { date: '20240131', time: '0930' } : { date: '240131', time: '0930' },
    controlReference: 'ICR000017',
    messages,
  };
}

/** The small interchange whose bytes are written out by hand below. */
const SMALL: EdifactInterchange = {
  syntax: 'UNOC',
  syntaxVersion: '3',
  sender: ['SENDER1', 'ZZ'],
  recipient: ['RECIPIENT'],
  preparedAt: { date: '240131', time: '0930' },
  controlReference: 'CTRL1',
  messages: [
    {
      reference: '1',
      type: ['CUSRES', 'D', '96B', 'UN'],
      segments: [seg('BGM', ['962'], ["A+B:C?D'E"]), seg('DTM', ['137', '20240131', '102'])],
    },
  ],
};

/** SMALL as bytes, written by hand: UNA, UNB, UNH, two body segments, UNT counting 4, UNZ counting 1. */
const SMALL_TEXT =
  "UNA:+.? 'UNB+UNOC:3+SENDER1:ZZ+RECIPIENT+240131:0930+CTRL1'UNH+1+CUSRES:D:96B:UN'" +
  "BGM+962+A?+B?:C??D?'E'DTM+137:20240131:102'UNT+4+1'UNZ+1+CTRL1'";

/** Parses SMALL_TEXT after replacing one fragment of it. Positions in errors count UNB as segment 1, so UNT is 5 and UNZ 6. */
function parseEdited(from: string, to: string): EdifactInterchange {
  expect(SMALL_TEXT).toContain(from);
  return parseEdifact(Buffer.from(SMALL_TEXT.replace(from, to), 'latin1'));
}

describe('renderEdifact', () => {
  it('writes the exact bytes of a small interchange', () => {
    const bytes = renderEdifact(SMALL);
    expect(bytes.toString('latin1')).toBe(SMALL_TEXT);
    expect(bytes.equals(Buffer.from(SMALL_TEXT, 'latin1'))).toBe(true);
  });

  it('counts UNH and UNT in UNT and the messages in UNZ', () => {
    const text = renderEdifact(interchange('UNOC', [declaration('M1', 'LRN1', 'Laptops'), declaration('M2', 'LRN2', 'Mice')])).toString('latin1');
    expect(text).toContain("UNT+13+M1'UNH+M2+CUSDEC:D:96B:UN'");
    expect(text.endsWith("UNT+13+M2'UNZ+2+ICR000017'")).toBe(true);
    expect(text).not.toMatch(/[\r\n]/);
  });

  it('keeps empty elements and components in the middle of a segment', () => {
    const text = renderEdifact(interchange('UNOC', [declaration('M1', 'LRN1', 'Laptops')])).toString('latin1');
    expect(text).toContain("CST++1::111'");
    expect(text).toContain("NAD+CZ+DE123456789012345::68++Exporter GmbH'");
    expect(text).toContain("FTX+AAA+++Laptops'");
  });

  it('writes é as the single ISO 8859-1 byte 0xE9 under UNOC', () => {
    const bytes = renderEdifact(interchange('UNOC', [declaration('M1', 'LRN1', 'Café')]));
    expect(bytes.includes(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x27]))).toBe(true);
  });

  it('writes Cyrillic as ISO 8859-5 under UNOE and as UTF-8 under UNOW and UNOY', () => {
    const message = declaration('M1', 'LRN1', 'Жёлтый №5');
    const unoe = renderEdifact(interchange('UNOE', [message]));
    expect(unoe.includes(Buffer.from([0xb6, 0xf1, 0xdb, 0xe2, 0xeb, 0xd9, 0x20, 0xf0, 0x35]))).toBe(true);
    for (const syntax of ['UNOW', 'UNOY'] as const) {
      const utf8 = renderEdifact(interchange(syntax, [message]));
      expect(utf8.includes(Buffer.from('Жёлтый №5', 'utf8'))).toBe(true);
      expect(utf8.toString('latin1')).toContain(`UNB+${syntax}:4+`);
    }
  });

  it('refuses Cyrillic under UNOC and names where it is', () => {
    const error = expectGatewayError(
      () => renderEdifact(interchange('UNOC', [declaration('M1', 'LRN1', 'ok'), declaration('M2', 'LRN2', 'Ноутбук')])),
      'GW_ERR_EDIFACT_CHARSET',
    );
    expect(error.detail.pointer).toBe('/messages/1/segments/7/elements/3/0');
    expect(error.detail.codePoint).toBe('U+041D');
    expect(error.message).toContain('/messages/1/segments/7/elements/3/0');
  });

  it('refuses lower case under UNOA but not under UNOB', () => {
    const lower = interchange('UNOA', [declaration('M1', 'LRN1', 'Laptops')]);
    expect(expectGatewayError(() => renderEdifact(lower), 'GW_ERR_EDIFACT_CHARSET').detail.pointer).toBe(
      '/messages/0/segments/4/elements/3/0',
    );
    const upper = { ...lower, recipient: ['CUSTOMS-DE'], messages: [declaration('M1', 'LRN1', 'LAPTOPS (2/3) = 50% & "A"')] };
    upper.messages[0]?.segments.splice(4, 1);
    expect(parseEdifact(renderEdifact(upper))).toEqual(upper);
    expect(parseEdifact(renderEdifact({ ...lower, syntax: 'UNOB' }))).toEqual({ ...lower, syntax: 'UNOB' });
  });

  it('refuses a body segment that uses an envelope tag or a malformed tag', () => {
    const bad = interchange('UNOC', [{ reference: '1', type: ['CUSDEC'], segments: [seg('UNT', ['1'])] }]);
    expect(expectGatewayError(() => renderEdifact(bad), 'GW_ERR_EDIFACT_SYNTAX').detail.pointer).toBe('/messages/0/segments/0/tag');
    const lower = interchange('UNOC', [{ reference: '1', type: ['CUSDEC'], segments: [seg('bgm', ['1'])] }]);
    expectGatewayError(() => renderEdifact(lower), 'GW_ERR_EDIFACT_SYNTAX');
  });
});

describe('parseEdifact round trips', () => {
  it('gives back a CUSDEC-like interchange with two messages', () => {
    const original = interchange('UNOC', [declaration('M1', 'LRN1', 'Laptops'), declaration('M2', 'LRN2', 'Mice')]);
    expect(parseEdifact(renderEdifact(original))).toEqual(original);
  });

  it('gives back values containing the service characters', () => {
    const tricky = ["?'+:", "a?b'c+d:e", '??', "'", '+:', 'end?'];
    const original = interchange('UNOC', [
      { reference: "R'1", type: ['CUSDEC', 'D', '96B', 'UN'], segments: [seg('FTX', ['AAA'], tricky, [''], ['x?'])] },
    ]);
    original.controlReference = 'C+1:?';
    expect(parseEdifact(renderEdifact(original))).toEqual(original);
  });

  it('gives back Cyrillic text under UNOE, UNOW and UNOY, and refuses bytes that are not UTF-8 under UNOW', () => {
    expectGatewayError(() => parseEdifact(Buffer.concat([Buffer.from("UNB+UNOW:4+S+R+20240131:0930+1'UNZ+0+1", 'latin1'), Buffer.from([0xc3, 0x27])])), 'GW_ERR_EDIFACT_CHARSET');
    for (const syntax of ['UNOE', 'UNOW', 'UNOY'] as const) {
      const original = interchange(syntax, [declaration('M1', 'ЛРН-1', 'Ноутбуки, ёмкость №5 § ­ Ђ џ')]);
      expect(parseEdifact(renderEdifact(original))).toEqual(original);
    }
  });

  it('gives back Latin-1 é under UNOC', () => {
    const original = interchange('UNOC', [declaration('M1', 'LRN1', 'Café crème, Ærø, ß')]);
    expect(parseEdifact(renderEdifact(original))).toEqual(original);
  });

  it('gives back any value, including empties anywhere and astral characters under UNOY', () => {
    const alphabet = ['', 'A', 'z', ' ', ':', '+', '?', "'", '.', 'Ж', '€', '😀', '\n', '\r'];
    let seed = 7;
    const next = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    const value = (): string => Array.from({ length: next(5) }, () => alphabet[next(alphabet.length)]).join('');
    const segments = Array.from({ length: 50 }, () =>
      seg('FTX', ...Array.from({ length: next(5) }, () => Array.from({ length: 1 + next(4) }, value))),
    );
    const original = interchange('UNOY', [{ reference: value(), type: [value(), 'D', value()], segments }]);
    original.sender = [value(), value()];
    expect(parseEdifact(renderEdifact(original))).toEqual(original);
  });

  it('works through the registered codec, and refuses a value that is no interchange', () => {
    expect(edifactCodec.parse(edifactCodec.render(SMALL))).toEqual(SMALL);
    expectGatewayError(() => edifactCodec.render('UNA'), 'GW_ERR_DOCUMENT_INVALID');
    expect(edifactCodec.pretty(edifactCodec.render(SMALL)).split('\n').filter(Boolean).every((line) => line.endsWith("'"))).toBe(true);
  });
});

describe('parseEdifact input variants', () => {
  it('reads an interchange without UNA and with line breaks between segments', () => {
    const text = SMALL_TEXT.slice(9).replaceAll("'", "'\r\n").replaceAll("?'\r\n", "?'");
    expect(text.startsWith('UNB+UNOC:3+')).toBe(true);
    expect(parseEdifact(Buffer.from(text, 'latin1'))).toEqual(SMALL);
  });

  it('honours custom UNA separators', () => {
    const text =
      'UNA>^,\\ ~\nUNB^UNOC>3^SND>ZZ^RCV^240131>0930^42~\n' +
      'UNH^7^CUSRES>D>96B>UN~\n' +
      "FTX^AAA^^^Plus + colon : quote ' question ? tilde \\~ caret \\^ gt \\> back \\\\~\n" +
      'MOA^39>12,50~\n' +
      'UNT^4^7~\nUNZ^1^42~\n';
    const parsed = parseEdifact(Buffer.from(text, 'latin1'));
    expect(parsed).toEqual({
      syntax: 'UNOC',
      syntaxVersion: '3',
      sender: ['SND', 'ZZ'],
      recipient: ['RCV'],
      preparedAt: { date: '240131', time: '0930' },
      controlReference: '42',
      messages: [
        {
          reference: '7',
          type: ['CUSRES', 'D', '96B', 'UN'],
          segments: [
            seg('FTX', ['AAA'], [''], [''], ["Plus + colon : quote ' question ? tilde ~ caret ^ gt > back \\"]),
            seg('MOA', ['39', '12,50']),
          ],
        },
      ],
    });
    expect(renderEdifact(parsed).toString('latin1')).toContain("FTX+AAA+++Plus ?+ colon ?: quote ?' question ?? tilde ~");
  });

  it('treats a space in the UNA release position as no release character', () => {
    const text = "UNA:+.  'UNB+UNOC:3+S+R+240131:0930+1'UNH+1+CUSRES:D:96B:UN'FTX+AAA+++what?'UNT+3+1'UNZ+1+1'";
    expect(parseEdifact(Buffer.from(text, 'latin1')).messages[0]?.segments[0]).toEqual(seg('FTX', ['AAA'], [''], [''], ['what?']));
  });

  it('decodes UNOE bytes using the syntax identifier from UNB', () => {
    const head = Buffer.from("UNB+UNOE:3+S+R+240131:0930+1'UNH+1+CUSDEC:D:96B:UN'FTX+AAA+++", 'latin1');
    const tail = Buffer.from("'UNT+3+1'UNZ+1+1'", 'latin1');
    const parsed = parseEdifact(Buffer.concat([head, Buffer.from([0xb6, 0xf0, 0xfd, 0xad]), tail]));
    expect(parsed.messages[0]?.segments[0]?.elements[3]).toEqual(['Ж№§\u00ad']);
  });
});

describe('parseEdifact envelope checks', () => {
  it('detects a UNT segment count that does not match', () => {
    const error = expectGatewayError(() => parseEdited("UNT+4+1'", "UNT+5+1'"), 'GW_ERR_EDIFACT_COUNT');
    expect(error.message).toContain('segment 5 (UNT)');
    expect(error.detail).toMatchObject({ segment: 5, tag: 'UNT' });
  });

  it('detects a UNT reference that does not match UNH', () => {
    expect(expectGatewayError(() => parseEdited("UNT+4+1'", "UNT+4+2'"), 'GW_ERR_EDIFACT_COUNT').message).toContain('segment 5 (UNT)');
  });

  it('detects a UNZ message count or reference that does not match', () => {
    expect(expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", "UNZ+2+CTRL1'"), 'GW_ERR_EDIFACT_COUNT').message).toContain(
      'segment 6 (UNZ)',
    );
    expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", "UNZ+one+CTRL1'"), 'GW_ERR_EDIFACT_COUNT');
    expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", "UNZ+1+CTRL2'"), 'GW_ERR_EDIFACT_COUNT');
  });

  it('refuses a message that is not closed before the next UNH', () => {
    const error = expectGatewayError(() => parseEdited("UNT+4+1'", "UNH+2+CUSRES:D:96B:UN'UNT+2+2'"), 'GW_ERR_EDIFACT_SYNTAX');
    expect(error.message).toContain('segment 5 (UNH)');
  });

  it('refuses an interchange without UNB or without UNZ', () => {
    expectGatewayError(() => parseEdited('UNB+', 'UNX+'), 'GW_ERR_EDIFACT_SYNTAX');
    expect(expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", ''), 'GW_ERR_EDIFACT_SYNTAX').message).toContain('without UNZ');
  });

  it('refuses segments after UNZ and segments outside a message', () => {
    expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", "UNZ+1+CTRL1'FTX+A'"), 'GW_ERR_EDIFACT_SYNTAX');
    expect(expectGatewayError(() => parseEdited("UNZ+1+", "FTX+A'UNZ+1+"), 'GW_ERR_EDIFACT_SYNTAX').message).toContain(
      'segment 6 (FTX)',
    );
  });

  it('refuses an unknown syntax identifier or version', () => {
    expect(expectGatewayError(() => parseEdited('UNOC:3', 'UNOZ:3'), 'GW_ERR_EDIFACT_SYNTAX').message).toContain("'UNOZ'");
    expectGatewayError(() => parseEdited('UNOC:3', 'UNOC:2'), 'GW_ERR_EDIFACT_SYNTAX');
  });

  it('refuses a dangling release character at the end', () => {
    const error = expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", 'UNZ+1+CTRL1?'), 'GW_ERR_EDIFACT_SYNTAX');
    expect(error.message).toContain('segment 6 (UNZ)');
    expect(error.message).toContain('release character');
  });

  it('refuses a last segment whose terminator is released', () => {
    expect(expectGatewayError(() => parseEdited("UNZ+1+CTRL1'", "UNZ+1+CTRL1?'"), 'GW_ERR_EDIFACT_SYNTAX').message).toContain(
      'not terminated',
    );
  });

  it('refuses a truncated or ambiguous UNA', () => {
    expectGatewayError(() => parseEdifact(Buffer.from('UNA:+.', 'latin1')), 'GW_ERR_EDIFACT_SYNTAX');
    expectGatewayError(() => parseEdifact(Buffer.from("UNA++.? 'UNB", 'latin1')), 'GW_ERR_EDIFACT_SYNTAX');
  });

  it('refuses bytes that are not in the declared character set', () => {
    const unoa = SMALL_TEXT.replace('UNOC', 'UNOA').replace('RECIPIENT', 'RÉCIPIENT');
    expect(expectGatewayError(() => parseEdifact(Buffer.from(unoa, 'latin1')), 'GW_ERR_EDIFACT_CHARSET').detail.byteOffset).toBe(32);
    const utf8 = Buffer.concat([Buffer.from("UNB+UNOY:4+S+R+20240131:0930+1'UNZ+0+1", 'latin1'), Buffer.from([0xc3, 0x27])]);
    expectGatewayError(() => parseEdifact(utf8), 'GW_ERR_EDIFACT_CHARSET');
  });
});

describe('character sets', () => {
  const iso88595 = new TextDecoder('iso-8859-5');

  it('maps every ISO 8859-5 byte like the platform decoder, and back', () => {
    for (let byte = 0; byte < 256; byte += 1) {
      const expected = iso88595.decode(Uint8Array.of(byte));
      expect(decodeText(Buffer.from([byte]), 'UNOE')).toBe(expected);
      expect([...encodeText(expected, 'UNOE')]).toEqual([byte]);
    }
  });

  it('accepts under UNOE exactly the characters ISO 8859-5 has', () => {
    const repertoire = new Set(iso88595.decode(Uint8Array.from({ length: 256 }, (_, byte) => byte)));
    for (let unit = 0; unit <= 0xffff; unit += 1) {
      const char = String.fromCharCode(unit);
      expect(findUnrepresentable(char, 'UNOE') === undefined).toBe(repertoire.has(char));
    }
  });

  it('accepts under UNOA exactly upper case, digits, space and the listed punctuation', () => {
    const accepted = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter(
      (char) => findUnrepresentable(char, 'UNOA') === undefined,
    );
    expect(accepted.join('')).toBe(` !"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ`);
  });

  it('refuses an unpaired surrogate under UNOY', () => {
    expect(findUnrepresentable('ok\ud800', 'UNOY')).toEqual({ index: 2, character: '\ud800', codePoint: 'U+D800' });
    expectGatewayError(() => encodeText('\udc00', 'UNOY'), 'GW_ERR_EDIFACT_CHARSET');
  });
});
