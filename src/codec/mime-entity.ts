// MIME entities in canonical CRLF form (RFC 2045, 2046, 2231, 2047): header fields, parameters, multipart bodies, bounded.
import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors.js';

/** One header field, its value unfolded and trimmed. */
export interface MimeHeader {
  readonly name: string;
  readonly value: string;
}

/** A parsed MIME entity: its header fields and its body as it stands (transfer encoding not undone). */
export interface MimeEntity {
  readonly headers: readonly MimeHeader[];
  readonly body: Buffer;
}

/** Bounds on the work a hostile entity can cause. */
export interface MimeLimits {
  /** Largest entity or multipart body, in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Largest header section, in bytes (default 64 KiB). */
  maxHeaderBytes?: number;
  /** Most parts in one multipart body (default 64). */
  maxParts?: number;
}

/** A structured header value (Content-Type, Content-Disposition): the value lower-cased, parameter names lower-cased. */
export interface ParameterizedValue {
  readonly value: string;
  readonly params: Readonly<Record<string, string>>;
}

const DEFAULTS = { maxBytes: 64 * 1024 * 1024, maxHeaderBytes: 64 * 1024, maxParts: 64 };
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Field names: printable ASCII except the colon (RFC 5322 §2.2). */
const FIELD_NAME = /^[!-9;-~]+$/;
/** RFC 2045 token: printable ASCII except SP and tspecials. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
/** RFC 2046 boundary: 1 to 70 bchars, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
/** Header fields that may occur only once in an entity: a second one would make its meaning ambiguous. */
const SINGLE_FIELDS = new Set(['content-type', 'content-transfer-encoding', 'content-disposition', 'mime-version']);
/** Transfer encodings whose body is the content itself. */
const IDENTITY_ENCODINGS = new Set(['7bit', '8bit', 'binary']);

function malformed(reason: string, detail: Record<string, unknown> = {}): GatewayError {
  return new GatewayError('GW_ERR_MIME_MALFORMED', reason, detail);
}

function limitsOf(limits: MimeLimits): Required<MimeLimits> {
  return { ...DEFAULTS, ...limits };
}

/**
 * Parses a header section (fields separated by CRLF, continuation lines starting with a space or tab).
 * @throws GatewayError GW_ERR_MIME_MALFORMED for a line that is no field, or a bare CR or LF.
 */
export function parseHeaderFields(text: string): MimeHeader[] {
  const fields: Array<{ name: string; value: string }> = [];
  for (const line of text.split('\r\n')) {
    if (/[\r\n]/.test(line)) throw malformed('header line holds a bare CR or LF (lines end with CRLF)');
    const last = fields[fields.length - 1];
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!last) throw malformed('header section starts with a continuation line');
      last.value += line;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name)) throw malformed(`header line is not "name: value": ${JSON.stringify(line.slice(0, 60))}`);
    fields.push({ name, value: line.slice(colon + 1) });
  }
  return fields.map((f) => ({ name: f.name, value: f.value.trim() }));
}

/** The value of the first header field named `name` (case-insensitive), or undefined. */
export function headerValue(headers: readonly MimeHeader[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === wanted)?.value;
}

/**
 * Splits an entity into header fields and body at the first empty line.
 * @throws GatewayError GW_ERR_MIME_MALFORMED when it is too large, its header section does not end, or a
 *   header is malformed or repeated where it may occur once.
 */
export function parseMimeEntity(bytes: Buffer, limits: MimeLimits = {}): MimeEntity {
  const { maxBytes, maxHeaderBytes } = limitsOf(limits);
  if (bytes.length > maxBytes) throw malformed(`MIME entity of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  if (bytes.subarray(0, 2).equals(CRLF)) return { headers: [], body: bytes.subarray(2) };
  const end = bytes.subarray(0, maxHeaderBytes + HEADER_END.length).indexOf(HEADER_END);
  if (end < 0) {
    throw malformed(bytes.length > maxHeaderBytes ? `MIME header section exceeds ${maxHeaderBytes} bytes` : 'MIME header section does not end with an empty line (CRLF CRLF)');
  }
  const headers = parseHeaderFields(bytes.subarray(0, end).toString('utf8'));
  const seen = new Set<string>();
  for (const { name } of headers) {
    const key = name.toLowerCase();
    if (SINGLE_FIELDS.has(key) && seen.has(key)) throw malformed(`header ${name} occurs more than once`);
    seen.add(key);
  }
  return { headers, body: bytes.subarray(end + HEADER_END.length) };
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/** Reads a quoted-string starting at the opening quote; returns its unescaped text and the index after it. */
function quotedString(text: string, at: number): { text: string; next: number } {
  let out = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { text: out, next: i + 1 };
    if (c === '\\') i++;
    out += text[i] ?? '';
  }
  throw malformed(`unterminated quoted string in ${JSON.stringify(text)}`);
}

/** Decodes an RFC 2231 extended value (`charset'language'percent-encoded`); UTF-8 and US-ASCII only. */
function extendedValue(raw: string): string {
  const match = /^([^']*)'[^']*'(.*)$/.exec(raw);
  if (!match || !['utf-8', 'us-ascii'].includes((match[1] ?? '').toLowerCase())) throw malformed(`unsupported RFC 2231 parameter value ${JSON.stringify(raw)}`);
  try {
    return decodeURIComponent(match[2] ?? '');
  } catch {
    throw malformed(`bad percent encoding in ${JSON.stringify(raw)}`);
  }
}

/**
 * Parses `value; name=token; name="quoted \"string\""; name*=UTF-8''%E2%82%AC` (RFC 2045 §5.1, RFC 2231 single-section values).
 * @throws GatewayError GW_ERR_MIME_MALFORMED for a parameter without `=`, an unterminated quote or a repeated name.
 */
export function parseParameterized(text: string): ParameterizedValue {
  const semicolon = text.indexOf(';');
  const value = (semicolon < 0 ? text : text.slice(0, semicolon)).trim().toLowerCase();
  const params: Record<string, string> = {};
  let i = semicolon < 0 ? text.length : semicolon;
  while (i < text.length) {
    i = skipSpace(text, i + 1); // past ';'
    if (i >= text.length) break; // a trailing ';'
    const eq = text.indexOf('=', i);
    const rawName = (eq < 0 ? '' : text.slice(i, eq)).trim().toLowerCase();
    if (!TOKEN.test(rawName)) throw malformed(`parameter without a name=value form in ${JSON.stringify(text)}`);
    i = skipSpace(text, eq + 1);
    let raw: string;
    if (text[i] === '"') {
      const quoted = quotedString(text, i);
      raw = quoted.text;
      i = skipSpace(text, quoted.next);
    } else {
      const end = text.indexOf(';', i);
      raw = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      i = end < 0 ? text.length : end;
    }
    if (i < text.length && text[i] !== ';') throw malformed(`unexpected text after parameter ${rawName} in ${JSON.stringify(text)}`);
    const name = rawName.endsWith('*') ? rawName.slice(0, -1) : rawName;
    if (name in params) throw malformed(`parameter ${name} occurs more than once`);
    params[name] = rawName.endsWith('*') ? extendedValue(raw) : raw;
  }
  return { value, params };
}

function checkHeaderText(text: string, what: string): void {
  if ([...text].some((c) => (c < ' ' && c !== '\t') || c === '\u007f')) throw malformed(`${what} holds a control character`, { value: text.slice(0, 60) });
}

/**
 * Formats a structured header value; each parameter is a token, a quoted string, or (for non-ASCII text) an
 * RFC 2231 UTF-8 extended value.
 * @throws GatewayError GW_ERR_MIME_MALFORMED for control characters (header injection).
 */
export function formatParameterized(value: string, params: Readonly<Record<string, string>> = {}): string {
  checkHeaderText(value, 'header value');
  let out = value;
  for (const [name, text] of Object.entries(params)) {
    checkHeaderText(text, `parameter ${name}`);
    if (TOKEN.test(text)) out += `; ${name}=${text}`;
    else if (/^[\u0020-\u007e]*$/.test(text)) out += `; ${name}="${text.replace(/["\\]/g, '\\$&')}"`;
    else out += `; ${name}*=UTF-8''${encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  }
  return out;
}

/**
 * Formats free text for an unstructured header (Subject): printable ASCII as it is, anything else as RFC 2047
 * UTF-8 encoded words of at most 75 characters.
 * @throws GatewayError GW_ERR_MIME_MALFORMED for control characters (header injection).
 */
export function formatHeaderText(text: string): string {
  checkHeaderText(text, 'header text');
  if (/^[\u0020-\u007e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ');
}

/**
 * Builds an entity: header fields, an empty line, the body (kept byte for byte).
 * @throws GatewayError GW_ERR_MIME_MALFORMED for a bad field name or a control character in a value.
 */
export function buildMimeEntity(headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Buffer {
  const lines = headers.map(([name, value]) => {
    if (!FIELD_NAME.test(name)) throw malformed(`invalid header field name ${JSON.stringify(name)}`);
    checkHeaderText(value, `header ${name}`);
    return `${name}: ${value}\r\n`;
  });
  return Buffer.concat([Buffer.from(`${lines.join('')}\r\n`, 'utf8'), body]);
}

/** Base64 in lines of 76 characters, each ended by CRLF (RFC 2045 §6.8). */
export function encodeBase64Lines(bytes: Buffer): Buffer {
  return Buffer.from(`${bytes.toString('base64').replace(/.{1,76}/g, '$&\r\n')}`, 'ascii');
}

/**
 * The content of an entity with its Content-Transfer-Encoding undone (7bit, 8bit, binary or base64).
 * @throws GatewayError GW_ERR_MIME_MALFORMED for another encoding or invalid base64.
 */
export function decodeBody(entity: MimeEntity): Buffer {
  const encoding = (headerValue(entity.headers, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  if (IDENTITY_ENCODINGS.has(encoding)) return entity.body;
  if (encoding !== 'base64') throw malformed(`Content-Transfer-Encoding ${encoding} is not supported (7bit, 8bit, binary or base64)`);
  const text = entity.body.toString('latin1').replace(/[ \t\r\n]/g, '');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw malformed('base64 body is not valid base64');
  return Buffer.from(text, 'base64');
}

function isDelimiterEnd(body: Buffer, at: number, closing: boolean): number | undefined {
  let i = at;
  while (body[i] === 0x20 || body[i] === 0x09) i++; // transport padding
  if (body[i] === 0x0d && body[i + 1] === 0x0a) return i + 2;
  return closing && i === body.length ? i : undefined;
}

/**
 * The body parts of a multipart body (RFC 2046 §5.1.1), each exactly the bytes between its delimiter lines
 * (headers included; the CRLF before the next delimiter belongs to the delimiter). Preamble and epilogue are dropped.
 * @throws GatewayError GW_ERR_MIME_MALFORMED when the type is not multipart, the boundary is missing or invalid,
 *   the closing delimiter is missing, there are no parts, or too many, or the body is too large.
 */
export function splitMultipart(contentType: string, body: Buffer, limits: MimeLimits = {}): Buffer[] {
  const { maxBytes, maxParts } = limitsOf(limits);
  const { value, params } = parseParameterized(contentType);
  if (!value.startsWith('multipart/')) throw malformed(`${value || 'an entity without a type'} is not multipart`);
  const boundary = params.boundary;
  if (boundary === undefined) throw malformed(`${value} has no boundary parameter`);
  if (!BOUNDARY.test(boundary)) throw malformed(`${value} boundary ${JSON.stringify(boundary)} is not 1 to 70 allowed characters`);
  if (body.length > maxBytes) throw malformed(`multipart body of ${body.length} bytes exceeds the limit of ${maxBytes}`);
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  let from = 0;
  for (;;) {
    const at = body.indexOf(dashBoundary, from);
    if (at < 0) throw malformed(`${value} body has no closing delimiter --${boundary}--`);
    from = at + 1;
    if (at !== 0 && !(body[at - 2] === 0x0d && body[at - 1] === 0x0a)) continue;
    const after = at + dashBoundary.length;
    const closing = body[after] === 0x2d && body[after + 1] === 0x2d;
    const next = isDelimiterEnd(body, closing ? after + 2 : after, closing);
    if (next === undefined) continue; // the boundary followed by other text is no delimiter
    if (partStart >= 0) parts.push(body.subarray(partStart, Math.max(partStart, at - 2)));
    if (closing) break;
    if (parts.length >= maxParts) throw malformed(`${value} has more than ${maxParts} parts`);
    partStart = next;
    from = next;
  }
  if (parts.length === 0) throw malformed(`${value} body has no parts`);
  return parts;
}

/**
 * Joins entities into a multipart body under a fresh random boundary that occurs in none of them.
 * @returns the body and its boundary (for the Content-Type parameter)
 */
export function buildMultipart(parts: readonly Buffer[]): { boundary: string; body: Buffer } {
  let boundary: string;
  do boundary = `----=_gw_${randomBytes(12).toString('hex')}`;
  while (parts.some((p) => p.includes(boundary)));
  const chunks: Buffer[] = [];
  for (const part of parts) chunks.push(Buffer.from(`--${boundary}\r\n`), part, CRLF);
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, body: Buffer.concat(chunks) };
}
