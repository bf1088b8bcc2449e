// Technological error messages (Decision 5 §65-76): SOAP faults whose subcode names the error, written by both sides and judged for our messages.
import { randomUUID } from 'node:crypto';
import { buildSoapEnvelope, childElement, childText, parseSoapEnvelope, SOAP12_NS, type AcknowledgementCode, type SoapVersion, type XmlContent } from '../../src/partners/kit.js';
import { INT_NS, WSA_NS } from './namespaces.js';

/** The fault Action of a technological error that is not about WS-Addressing itself. */
export const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

/** Decision 5's fault subcodes (Table 8) and what each means for the message it answers. */
export const TECHNOLOGICAL_ERRORS: Readonly<Record<string, AcknowledgementCode>> = {
  'int:InvalidHeader': { meaning: 'an integrated-system header (ProcedureID, ConversationID …) is missing or malformed: a defect on our side, a person must look', verdict: 'needs-human' },
  'int:DataError': { meaning: 'the application data does not have the structure the message requires (or its signature does not verify)', verdict: 'failed' },
  'int:InternalError': { meaning: "the member's gateway failed internally (or the message exceeded its size limit)", verdict: 'retry' },
  'wsa:InvalidAddressingHeader': { meaning: 'a WS-Addressing header is malformed', verdict: 'needs-human' },
  'wsa:MessageAddressingHeaderRequired': { meaning: 'a required WS-Addressing header is missing', verdict: 'needs-human' },
  'wsa:DestinationUnreachable': { meaning: 'the address in wsa:To is not known to the member (configuration: participant codes)', verdict: 'needs-human' },
  'wsa:ActionNotSupported': { meaning: 'the member does not take this Action (process, version or message not supported)', verdict: 'needs-human' },
  'wsa:EndpointUnavailable': { meaning: "the member's endpoint is unavailable for now", verdict: 'retry' },
};

const PREFIX_OF: Readonly<Record<string, string>> = { [INT_NS]: 'int', [WSA_NS]: 'wsa' };

/** A technological error message as read from an answer. */
export interface TechnologicalError {
  /** `int:…` or `wsa:…` when the subcode is one of Decision 5's namespaces, else the fault code as sent. */
  code: string;
  text: string;
}

/** What a technological error message says, and what it answers. */
export interface TechnologicalErrorSpec {
  /** One of {@link TECHNOLOGICAL_ERRORS}' keys. */
  code: string;
  /** The receiver is at fault (Receiver) rather than the sender (Sender). */
  receiver?: boolean;
  /** Reason in Russian (required by Decision 5) and in English. */
  reasonRu: string;
  reasonEn: string;
  /** MessageID and Action of the message it answers, when known. */
  relatesTo?: string;
  relatesAction?: string;
}

/** Writes a technological error message: a SOAP fault with WS-Addressing headers, not yet signed. */
export function writeTechnologicalError(version: SoapVersion, error: TechnologicalErrorSpec): Buffer {
  // A QName in text content: canonical XML keeps no declaration for it (none is visibly used), so
  // readers go by the prefix Decision 5 gives these namespaces, int and wsa.
  const qname = error.code;
  const wsa = (value: XmlContent | string): XmlContent => (typeof value === 'string' ? { '@xmlns:wsa': WSA_NS, '#text': value } : { '@xmlns:wsa': WSA_NS, ...value });
  const header: XmlContent = {
    'wsa:MessageID': wsa(`urn:uuid:${randomUUID()}`),
    'wsa:Action': wsa(FAULT_ACTION),
    ...(error.relatesTo
      ? { 'wsa:RelatesTo': wsa({ ...(error.relatesAction ? { '@xmlns:int': INT_NS, '@int:RelatesAction': error.relatesAction } : {}), '#text': error.relatesTo }) }
      : {}),
  };
  const fault: XmlContent =
    version === '1.2'
      ? {
          'soap:Code': { 'soap:Value': error.receiver ? 'soap:Receiver' : 'soap:Sender', 'soap:Subcode': { 'soap:Value': qname } },
          'soap:Reason': { 'soap:Text': [{ '@xml:lang': 'ru', '#text': error.reasonRu }, { '@xml:lang': 'en', '#text': error.reasonEn }] },
        }
      : { faultcode: qname, faultstring: `${error.reasonRu} / ${error.reasonEn}` };
  return buildSoapEnvelope({ version, header, body: { 'soap:Fault': fault } });
}

/** Reads a technological error message from an answer; undefined when the answer is no SOAP fault. */
export function readTechnologicalError(body: Buffer): TechnologicalError | undefined {
  // Most answers (a 202 to a push taken) carry no XML at all: not worth a parse that can only fail.
  if (!body.subarray(0, 256).toString('utf8').trimStart().startsWith('<')) return undefined;
  let answer;
  try {
    answer = parseSoapEnvelope(body);
  } catch {
    return undefined;
  }
  if (!answer.fault) return undefined;
  const { fault } = answer;
  const sub = fault.subcodes[0];
  if (sub?.namespace) return { code: `${PREFIX_OF[sub.namespace] ?? sub.namespace}:${sub.local}`, text: fault.message };
  // A subcode (1.2) or faultcode (1.1) whose prefix is undeclared, as canonical XML leaves it: the prefix as written
  // names it (Decision 5's are int and wsa); a fault with no code of its own is known by its SOAP code.
  const written = sub ? subcodeText(answer.body) : fault.kind ? undefined : fault.code;
  return { code: written && /^[\w.-]+:[\w.-]+$/.test(written) ? written : `soap:${fault.kind || fault.code}`, text: fault.message };
}

/** The text of the first Subcode/Value of a SOAP 1.2 Fault in a Body. */
function subcodeText(body: XmlContent): string | undefined {
  const fault = childElement(body, SOAP12_NS, 'Fault');
  const code = fault && childElement(fault, SOAP12_NS, 'Code');
  const subcode = code && childElement(code, SOAP12_NS, 'Subcode');
  return subcode ? childText(subcode, SOAP12_NS, 'Value')?.trim() : undefined;
}
