// The integrated system's SOAP envelope (1.2 by Decision 5 §19, 1.1 by option): an EEC document in the Body under the header block.
import { buildSoapEnvelope, childElement, SOAP11_NS, SOAP12_NS, type SoapVersion, type XmlContent } from '../../src/partners/kit.js';
import { eaeuErrors } from './errors.js';
import { headerBlocks, type IisHeaders } from './iis-headers.js';

const BODY_END = '</soap:Body></soap:Envelope>';

/**
 * Puts a rendered EEC document (no XML declaration) into the Body of a SOAP envelope under the header
 * block. The `iis-xmldsig` profile then signs the whole envelope with the signature as the last header
 * block (where SOAP 1.2 allows one), so the signature covers the headers as well as the document.
 */
export function wrapDocument(version: SoapVersion, headers: IisHeaders, document: Buffer): Buffer {
  const shell = buildSoapEnvelope({ version, header: headerBlocks(headers), body: {} }).toString('utf8');
  if (!shell.endsWith(BODY_END)) throw new Error('the SOAP envelope renderer changed its output');
  const text = document.toString('utf8');
  if (text.startsWith('<?xml')) throw eaeuErrors.error('GW_ERR_EAEU_HEADER', 'the document to wrap carries an XML declaration');
  return Buffer.from(`${shell.slice(0, -BODY_END.length)}${text}${BODY_END}`, 'utf8');
}

/** The Header and the Body of a parsed SOAP envelope. */
export interface EnvelopeParts {
  version: SoapVersion;
  header: XmlContent | undefined;
  /** The Body, carrying the namespace declarations in scope. */
  body: XmlContent;
}

/** Finds Header and Body of a parsed envelope. @throws GatewayError GW_ERR_EAEU_HEADER when the root is no SOAP Envelope with a Body. */
export function envelopeParts(document: XmlContent): EnvelopeParts {
  for (const [version, ns] of [['1.2', SOAP12_NS], ['1.1', SOAP11_NS]] as const) {
    const envelope = childElement(document, ns, 'Envelope');
    if (!envelope) continue;
    const body = childElement(envelope, ns, 'Body');
    if (!body) break;
    return { version, header: childElement(envelope, ns, 'Header'), body };
  }
  throw eaeuErrors.error('GW_ERR_EAEU_HEADER', 'the message is not a SOAP Envelope with a Body');
}
