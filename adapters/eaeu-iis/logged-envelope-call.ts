// The SOAP version and Action of an envelope we rendered and logged, for the request that delivers it: read from the bytes where our renderer writes them, parsed only when they are not there.
import { ownSoapEnvelopeHead, SOAP11_NS, SOAP12_NS, type SoapVersion } from '../../src/partners/kit.js';
import { buildAction, parseAction, readHeaders } from './iis-headers.js';
import { WSA_NS } from './namespaces.js';

/** What a delivery's request needs from its envelope. */
export interface SoapCall {
  version: SoapVersion;
  action: string;
}

/** The envelope's opening as {@link wrapDocument} renders it, by SOAP version. */
const ROOTS = [
  ['1.2', Buffer.from(`<soap:Envelope xmlns:soap="${SOAP12_NS}">`)],
  ['1.1', Buffer.from(`<soap:Envelope xmlns:soap="${SOAP11_NS}">`)],
] as const;
const HEADER_END = Buffer.from('</soap:Header>');
/** The Action block as our header renderer writes it: the WS-Addressing namespace declared on the element itself. */
const ACTION_OPEN = Buffer.from(`<wsa:Action xmlns:wsa="${WSA_NS}">`);
const ACTION_CLOSE = Buffer.from('</wsa:Action>');
/** An Action's text as our renderer writes it: `int://CP/` and five parts of the grammar's characters. */
const RENDERED_ACTION = /^int:\/\/CP\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+){4}$/;

/**
 * Reads version and Action from the bytes our renderer writes: the root `soap:Envelope` with its one
 * namespace, and a single `wsa:Action` block before the Header's end whose text follows the integrated
 * system's grammar as written (no space, no character reference). Undefined when the envelope is not
 * in that shape: then it must be parsed.
 */
export function renderedSoapCall(envelope: Buffer): SoapCall | undefined {
  const root = ROOTS.find(([, opening]) => envelope.subarray(0, opening.length).equals(opening));
  if (!root) return undefined;
  const headerEnd = envelope.indexOf(HEADER_END, root[1].length);
  const open = envelope.indexOf(ACTION_OPEN, root[1].length);
  if (headerEnd < 0 || open < 0 || open > headerEnd) return undefined;
  const start = open + ACTION_OPEN.length;
  const close = envelope.indexOf(ACTION_CLOSE, start);
  if (close < 0 || close > headerEnd) return undefined;
  const another = envelope.indexOf(ACTION_OPEN, close);
  if (another >= 0 && another < headerEnd) return undefined;
  const text = envelope.toString('utf8', start, close);
  // Written as our renderer writes an Action (no space, no character reference), or else parsed.
  if (!RENDERED_ACTION.test(text)) return undefined;
  return { version: root[0], action: buildAction(parseAction(text)) };
}

/**
 * The SOAP version and Action of a logged envelope of ours: {@link renderedSoapCall}, or else its Header
 * read without its Body (an envelope logged by an earlier renderer, say).
 * @throws GatewayError GW_ERR_EAEU_HEADER, or as ownSoapEnvelopeHead does when the envelope is not well-formed
 */
export function loggedSoapCall(envelope: Buffer): SoapCall {
  const rendered = renderedSoapCall(envelope);
  if (rendered) return rendered;
  const { version, header } = ownSoapEnvelopeHead(envelope);
  return { version, action: buildAction(readHeaders(header, false).action) };
}
