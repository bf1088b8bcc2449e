// Proves the MIME reader and writer: folded headers, quoted and RFC 2231 parameters, exact multipart part bytes, and refusals of malformed or oversize input.
import { describe, expect, it } from 'vitest';
import {
  buildMimeEntity,
  buildMultipart,
  decodeBody,
  encodeBase64Lines,
  formatHeaderText,
  formatParameterized,
  headerValue,
  parseMimeEntity,
  parseParameterized,
  splitMultipart,
} from '../../src/codec/mime-entity.js';
import { GatewayError } from '../../src/errors.js';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

function refusal(call: () => unknown): string {
  try {
    call();
  } catch (err) {
    if (err instanceof GatewayError) return `${err.code} ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('MIME headers', () => {
  it('unfolds continuation lines and looks names up case-insensitively', () => {
    const entity = parseMimeEntity(crlf(['Content-Type: multipart/signed;', '\tprotocol="application/pkcs7-signature";', '  micalg=sha-256', 'X-Empty:', '', 'body']));
    expect(headerValue(entity.headers, 'content-TYPE')).toBe('multipart/signed;\tprotocol="application/pkcs7-signature";  micalg=sha-256');
    expect(headerValue(entity.headers, 'x-empty')).toBe('');
    expect(headerValue(entity.headers, 'missing')).toBeUndefined();
    expect(entity.body.toString()).toBe('body');
  });

  it('reads an entity without header fields (it starts with the empty line)', () => {
    const entity = parseMimeEntity(crlf(['', 'only body']));
    expect(entity.headers).toEqual([]);
    expect(entity.body.toString()).toBe('only body');
  });

  it('refuses lines that are no field, bare LF, a leading continuation, a repeated Content-Type and a header section that does not end', () => {
    expect(refusal(() => parseMimeEntity(crlf(['Content-Type text/plain', '', 'x'])))).toMatch(/^GW_ERR_MIME_MALFORMED .*not "name: value"/);
    expect(refusal(() => parseMimeEntity(Buffer.from('Content-Type: text/plain\nX: y\r\n\r\nx')))).toMatch(/bare CR or LF/);
    expect(refusal(() => parseMimeEntity(crlf([' folded: first', '', 'x'])))).toMatch(/continuation/);
    expect(refusal(() => parseMimeEntity(crlf(['Content-Type: text/plain', 'content-type: text/html', '', 'x'])))).toMatch(/more than once/);
    expect(refusal(() => parseMimeEntity(Buffer.from('Content-Type: text/plain\r\n')))).toMatch(/does not end with an empty line/);
  });

  it('refuses an oversize entity and an oversize header section', () => {
    expect(refusal(() => parseMimeEntity(Buffer.alloc(2000, 'a'), { maxBytes: 1000 }))).toMatch(/^GW_ERR_MIME_MALFORMED .*exceeds the limit of 1000/);
    expect(refusal(() => parseMimeEntity(crlf([`X-Long: ${'a'.repeat(200)}`, '', 'x']), { maxHeaderBytes: 100 }))).toMatch(/header section exceeds 100 bytes/);
  });
});

describe('MIME parameters', () => {
  it('parses tokens, quoted strings with escapes, RFC 2231 values, and lower-cases value and names', () => {
    expect(parseParameterized('Multipart/Signed; Protocol="application/pkcs7-signature"; micalg=sha-256; boundary="a \\"q\\" ;b"')).toEqual({
      value: 'multipart/signed',
      params: { protocol: 'application/pkcs7-signature', micalg: 'sha-256', boundary: 'a "q" ;b' },
    });
    expect(parseParameterized("attachment; filename*=UTF-8''%D0%94%D0%A2.edi").params.filename).toBe('ДТ.edi');
    expect(parseParameterized('text/plain;').params).toEqual({});
  });

  it('refuses a parameter without a value, an unterminated quote and a repeated name', () => {
    expect(refusal(() => parseParameterized('text/plain; charset'))).toMatch(/^GW_ERR_MIME_MALFORMED/);
    expect(refusal(() => parseParameterized('text/plain; name="open'))).toMatch(/unterminated quoted string/);
    expect(refusal(() => parseParameterized('text/plain; a=1; A=2'))).toMatch(/occurs more than once/);
    expect(refusal(() => parseParameterized('text/plain; a="1" junk'))).toMatch(/unexpected text/);
  });

  it('formats parameters so that they parse back: token, quoted, UTF-8 extended', () => {
    const params = { boundary: '----=_x', filename: 'a "b" \\c.edi', plain: 'token', title: 'Декларация (1).edi' };
    const text = formatParameterized('attachment', params);
    expect(text).toContain('plain=token');
    expect(text).toContain('filename="a \\"b\\" \\\\c.edi"');
    expect(parseParameterized(text)).toEqual({ value: 'attachment', params });
  });

  it('refuses control characters in what it writes (header injection)', () => {
    expect(refusal(() => formatParameterized('attachment', { filename: 'a\r\nX-Evil: 1' }))).toMatch(/^GW_ERR_MIME_MALFORMED .*control character/);
    expect(refusal(() => buildMimeEntity([['Subject', 'a\r\nBcc: x']], Buffer.alloc(0)))).toMatch(/control character/);
    expect(refusal(() => buildMimeEntity([['Bad Name', 'x']], Buffer.alloc(0)))).toMatch(/invalid header field name/);
    expect(refusal(() => formatHeaderText('a\nb'))).toMatch(/control character/);
  });

  it('writes non-ASCII header text as RFC 2047 encoded words of at most 75 characters', () => {
    const subject = 'Таможенная декларация на товары № 1234567890 — партия';
    const words = formatHeaderText(subject).split(' ');
    expect(words.every((w) => w.length <= 75 && /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/.test(w))).toBe(true);
    expect(words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join('')).toBe(subject);
    expect(formatHeaderText('plain subject')).toBe('plain subject');
  });
});

describe('MIME bodies', () => {
  it('builds an entity and reads it back byte for byte', () => {
    const body = Buffer.from([0, 13, 10, 13, 10, 255]);
    const bytes = buildMimeEntity([['Content-Type', 'application/octet-stream'], ['Content-Transfer-Encoding', 'binary']], body);
    const entity = parseMimeEntity(bytes);
    expect(entity.headers).toEqual([{ name: 'Content-Type', value: 'application/octet-stream' }, { name: 'Content-Transfer-Encoding', value: 'binary' }]);
    expect(decodeBody(entity).equals(body)).toBe(true);
  });

  it('undoes base64 in 76-character lines and refuses invalid base64 and unsupported encodings', () => {
    const data = Buffer.alloc(200, 7);
    const lines = encodeBase64Lines(data).toString().split('\r\n');
    expect(lines.slice(0, -1).every((l) => l.length <= 76) && lines.at(-1) === '').toBe(true);
    expect(decodeBody({ headers: [{ name: 'Content-Transfer-Encoding', value: 'BASE64' }], body: encodeBase64Lines(data) }).equals(data)).toBe(true);
    expect(refusal(() => decodeBody({ headers: [{ name: 'Content-Transfer-Encoding', value: 'base64' }], body: Buffer.from('abc$') }))).toMatch(/not valid base64/);
    expect(refusal(() => decodeBody({ headers: [{ name: 'Content-Transfer-Encoding', value: 'quoted-printable' }], body: Buffer.alloc(0) }))).toMatch(/not supported/);
  });
});

describe('multipart', () => {
  const type = 'multipart/mixed; boundary="b 1"';

  it('returns each part exactly: preamble, epilogue and transport padding dropped, the CRLF before a delimiter belonging to it', () => {
    const body = crlf(['preamble', '--b 1  ', 'Content-Type: text/plain', '', 'one', '--b 1x is content, not a delimiter', '', '--b 1', '', 'two\r\n', '--b 1--', 'epilogue']);
    const parts = splitMultipart(type, body);
    expect(parts.map((p) => p.toString())).toEqual(['Content-Type: text/plain\r\n\r\none\r\n--b 1x is content, not a delimiter\r\n', '\r\ntwo\r\n']);
  });

  it('accepts a first delimiter at the very start and a closing delimiter at the very end', () => {
    expect(splitMultipart(type, Buffer.from('--b 1\r\n\r\nA\r\n--b 1--')).map(String)).toEqual(['\r\nA']);
  });

  it('round-trips what buildMultipart joins, under a boundary that occurs in no part', () => {
    const parts = [Buffer.from('Content-Type: text/plain\r\n\r\nfirst\r\n'), Buffer.from([0, 1, 2, 13, 10])];
    const { boundary, body } = buildMultipart(parts);
    expect(parts.some((p) => p.includes(boundary))).toBe(false);
    const split = splitMultipart(formatParameterized('multipart/mixed', { boundary }), body);
    expect(split.map((p) => p.toString('hex'))).toEqual(parts.map((p) => p.toString('hex')));
  });

  it('refuses a missing or invalid boundary, a missing closing delimiter, no parts, too many parts, and an oversize body', () => {
    expect(refusal(() => splitMultipart('multipart/mixed', Buffer.from('x')))).toMatch(/^GW_ERR_MIME_MALFORMED .*no boundary/);
    expect(refusal(() => splitMultipart(`multipart/mixed; boundary="${'x'.repeat(71)}"`, Buffer.from('x')))).toMatch(/1 to 70/);
    expect(refusal(() => splitMultipart('text/plain; boundary=b', Buffer.from('x')))).toMatch(/not multipart/);
    expect(refusal(() => splitMultipart(type, crlf(['--b 1', '', 'one', '--b 1', '', 'two'])))).toMatch(/no closing delimiter/);
    expect(refusal(() => splitMultipart(type, crlf(['--b 1--'])))).toMatch(/no parts/);
    const many = crlf([...Array.from({ length: 5 }, () => '--b 1\r\n\r\nx'), '--b 1--']);
    expect(splitMultipart(type, many)).toHaveLength(5);
    expect(refusal(() => splitMultipart(type, many, { maxParts: 4 }))).toMatch(/more than 4 parts/);
    expect(refusal(() => splitMultipart(type, many, { maxBytes: 10 }))).toMatch(/exceeds the limit of 10/);
  });
});
