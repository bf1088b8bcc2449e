// The codecs every gateway has: canonical XML, UN/EDIFACT, JSON and CSV.
import { defineCodec, type Codec } from './codec.js';
import { parseCsv, renderCsv, type CsvOptions } from './csv-codec.js';
import type { EdifactInterchange, XmlContent } from './document-tree.js';
import { parseEdifact, renderEdifact } from './edifact-codec.js';
import { checkGrammar, type EdifactGrammar } from './edifact-grammar.js';
import { parseJson, renderJson } from './json-codec.js';
import { parseXml, type XmlParseOptions } from './xml-parse.js';
import { compactXml, prettyXml } from './xml-pretty.js';
import { renderXml } from './xml-render.js';
import { GatewayError } from '../errors.js';

function objectValue(value: unknown, what: string): object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `${what} document must be an object`, { pointer: '' });
  return value;
}

/** Canonical XML out (exc-c14n form, no declaration), the safe parser in. */
export const xmlCodec = defineCodec({
  name: 'xml',
  extension: 'xml',
  mediaType: 'application/xml',
  fileEncoding: 'utf8',
  render: (value) => renderXml(objectValue(value, 'an XML') as XmlContent),
  parse: (bytes, options) => parseXml(bytes, options as XmlParseOptions | undefined),
  pretty: (bytes) => prettyXml(bytes.toString('utf8')),
  normalise: (text) => compactXml(text),
});

/** The grammars a message spec's codec options give, if any. */
function grammarsOf(options: unknown): readonly EdifactGrammar[] {
  const grammars = (options as { grammars?: unknown } | undefined)?.grammars;
  return Array.isArray(grammars) ? (grammars as EdifactGrammar[]) : [];
}

/** UN/EDIFACT interchanges (UNA/UNB … UNZ written by the codec). */
export const edifactCodec = defineCodec({
  name: 'edifact',
  extension: 'edi',
  mediaType: 'application/EDIFACT',
  fileEncoding: 'latin1',
  // Option `grammars`: the segment tables (EdifactGrammar) every message of that type is checked against, both ways.
  render: (value, options) => {
    const interchange = objectValue(value, 'an EDIFACT') as EdifactInterchange;
    checkGrammar(interchange.messages, grammarsOf(options));
    return renderEdifact(interchange);
  },
  parse: (bytes, options) => {
    const interchange = parseEdifact(bytes);
    checkGrammar(interchange.messages, grammarsOf(options));
    return interchange;
  },
  pretty: (bytes) => bytes.toString('latin1').replace(/'(?!$)/g, "'\n") + '\n',
  normalise: (text) => text.replace(/\r?\n/g, '').trim(),
});

/** Compact UTF-8 JSON, keys in mapping order. */
export const jsonCodec = defineCodec({
  name: 'json',
  extension: 'json',
  mediaType: 'application/json',
  fileEncoding: 'utf8',
  render: (value) => renderJson(value),
  parse: (bytes) => parseJson(bytes),
  pretty: (bytes) => JSON.stringify(JSON.parse(bytes.toString('utf8')), null, 2) + '\n',
  normalise: (text) => JSON.stringify(JSON.parse(text)),
});

/** RFC 4180 CSV with a header row; options `columns` and `separator`. */
export const csvCodec = defineCodec({
  name: 'csv',
  extension: 'csv',
  mediaType: 'text/csv',
  fileEncoding: 'utf8',
  render: (value, options) => renderCsv(value, options as CsvOptions | undefined),
  parse: (bytes, options) => parseCsv(bytes, options as CsvOptions | undefined),
  pretty: (bytes) => bytes.toString('utf8'),
  normalise: (text) => text.replace(/\r\n/g, '\n').trim(),
});

/** The built-in codecs, by name. */
export const BUILTIN_CODECS: readonly Codec[] = [xmlCodec, edifactCodec, jsonCodec, csvCodec];
