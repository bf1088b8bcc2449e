// Parses untrusted XML into XmlContent under safe options: no DOCTYPE or entities, strings only, bounded depth and size.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GatewayError } from '../errors.js';
import type { XmlContent } from './document-tree.js';

/** Limits and expectations for one parse. */
export interface XmlParseOptions {
  /** Largest accepted input in bytes (default 4 MiB). */
  maxBytes?: number;
  /** Deepest accepted element nesting (default 64). */
  maxDepth?: number;
  /** Namespace URI the root element must be in; checked when given. */
  expectedNamespace?: string;
  /** Element paths (`Root.Body.Item`) that are always arrays, even when one element is present. */
  arrayPaths?: ReadonlySet<string>;
}

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/**
 * Depth check on the raw text before any parser sees it: a linear scan that refuses deep nesting
 * in microseconds, whatever the parser would do with it.
 */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 47 /* / */) depth--;
    else if (next !== 33 /* ! */ && next !== 63 /* ? */) {
      const close = text.indexOf('>', i);
      if (close < 0) break;
      if (text.charCodeAt(close - 1) !== 47) depth++;
      if (depth > maxDepth) throw new GatewayError('GW_ERR_XML_TOO_DEEP', `nesting deeper than ${maxDepth} elements`, { maxDepth });
    }
  }
}

function makeParser(arrayPaths: ReadonlySet<string> | undefined, maxDepth: number): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    allowBooleanAttributes: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    removeNSPrefix: false,
    maxNestedTags: maxDepth,
    ...(arrayPaths ? { isArray: (_name: string, jpath: unknown) => arrayPaths.has(String(jpath)) } : {}),
  });
}

function rootNamespace(name: string, content: unknown): string | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const colon = name.indexOf(':');
  const key = colon < 0 ? '@xmlns' : `@xmlns:${name.slice(0, colon)}`;
  const uri = (content as Record<string, unknown>)[key];
  return typeof uri === 'string' ? uri : undefined;
}

/**
 * Refuses text that is not well-formed XML (mismatched tags, repeated or valueless attributes …), whatever
 * a lenient DOM parser would make of it.
 * @throws GatewayError GW_ERR_XML_MALFORMED with line and column.
 */
export function checkWellFormed(text: string): void {
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new GatewayError('GW_ERR_XML_MALFORMED', `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`, { line: valid.err.line, column: valid.err.col });
  }
}

/**
 * Parses XML bytes from outside the gateway. Values stay strings; attributes are `@name` keys.
 * @throws GatewayError GW_ERR_XML_TOO_LARGE, GW_ERR_XML_DOCTYPE, GW_ERR_XML_TOO_DEEP,
 *   GW_ERR_XML_FORBIDDEN_NAME, GW_ERR_XML_MALFORMED or GW_ERR_XML_NAMESPACE.
 */
export function parseXml(bytes: Buffer | string, options: XmlParseOptions = {}): XmlContent {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (size > maxBytes) throw new GatewayError('GW_ERR_XML_TOO_LARGE', `${size} bytes exceeds the limit of ${maxBytes}`, { size, maxBytes });
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  if (DECLARATION.test(text)) throw new GatewayError('GW_ERR_XML_DOCTYPE', 'DOCTYPE and entity declarations are refused');
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  checkDepth(text, maxDepth);
  checkWellFormed(text);
  let parsed: XmlContent;
  try {
    parsed = makeParser(options.arrayPaths, maxDepth).parse(text) as XmlContent;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/prototype|dangerous|reserved|critical/i.test(reason)) throw new GatewayError('GW_ERR_XML_FORBIDDEN_NAME', reason, {}, { cause: err });
    if (/nested/i.test(reason)) throw new GatewayError('GW_ERR_XML_TOO_DEEP', reason, {}, { cause: err });
    throw new GatewayError('GW_ERR_XML_MALFORMED', reason, {}, { cause: err });
  }
  const roots = Object.keys(parsed);
  const rootName = roots[0];
  if (roots.length !== 1 || rootName === undefined || Array.isArray(parsed[rootName])) {
    throw new GatewayError('GW_ERR_XML_MALFORMED', `expected one root element, found ${roots.length === 1 ? 'several' : roots.length}`);
  }
  if (options.expectedNamespace !== undefined) {
    const ns = rootNamespace(rootName, parsed[rootName]);
    if (ns !== options.expectedNamespace) {
      throw new GatewayError('GW_ERR_XML_NAMESPACE', `root <${rootName}> is in namespace "${ns ?? ''}", expected "${options.expectedNamespace}"`);
    }
  }
  return parsed;
}
