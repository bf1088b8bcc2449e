// Parses XML into a DOM with the xmldom that xml-crypto itself uses, refusing what xmldom would only warn about.
import { DOMParser } from '@xmldom/xmldom';
import { GatewayError } from '../errors.js';

/**
 * The document element of `text`. One xmldom version serves both this parse and xml-crypto's, so
 * the signature checks and the signature library see the same tree.
 * @throws GatewayError GW_ERR_XML_MALFORMED on any error or fatal error (warnings pass).
 */
export function parseStrictDom(text: string): Element {
  let problem: string | undefined;
  let root: Element | null = null;
  try {
    const doc = new DOMParser({
      errorHandler: (level: string, message: unknown) => {
        if (level !== 'warning') problem ??= String(message);
      },
    }).parseFromString(text, 'application/xml');
    root = doc.documentElement;
  } catch (err) {
    problem ??= (err as Error).message;
  }
  if (problem !== undefined || !root) throw new GatewayError('GW_ERR_XML_MALFORMED', problem ?? 'no document element');
  return root;
}
