// What a member's gateway pushes to us: signals and the R.006 answer for our messages, read from the verified envelope; refusals are technological error messages.
import { childElement, childText, type Acknowledgement, type InboundEnvelope, type InboundSpec, type PartnerContext, type XmlContent } from '../../src/partners/kit.js';
import { envelopeParts } from './iis-envelope.js';
import { eaeuErrors } from './errors.js';
import { CCDO_NS, CSDO_NS } from './namespaces.js';
import { repliesTo, replyContextOf } from './inbound-replies.js';
import { parseAddress, readHeaders } from './iis-headers.js';
import { soapVersionOf } from './outbound-envelope.js';
import { readProcessingResult } from './processing-result.js';
import { messageTypeOf, type MessageRoute, type ProcessTable } from './process-table.js';
import { readSignal, SIGNAL_CODES, signalKindOf } from './signals.js';
import { writeTechnologicalError } from './technological-errors.js';

/** The business key our outbound mappings log wsa:MessageID under (a UUID, without `urn:uuid:`). */
const MESSAGE_ID_KEY = 'messageId';

/** Inbound message types: the member's own application messages, the three signals, and every answer message of the process files. */
function inboundMessages(table: ProcessTable): InboundSpec['messages'] {
  const messages: Record<string, { description: string }> = {};
  for (const request of table.requests()) messages[messageTypeOf(request.message)] = { description: `${request.message} from the member: ${request.title}` };
  messages[messageTypeOf(SIGNAL_CODES.received)] = { description: 'signal «Получено»: the member received one of our messages and its structure is valid' };
  messages[messageTypeOf(SIGNAL_CODES.accepted)] = { description: 'signal «Принято в обработку»: the member accepted one of our messages for processing' };
  messages[messageTypeOf(SIGNAL_CODES.error)] = { description: 'signal «Ошибка»: the member refused one of our messages (structure, rule or fatal error)' };
  for (const answer of table.answers()) messages[messageTypeOf(answer.message)] = { description: `${answer.message}: the business answer (${answer.structure.code}) to one of our messages` };
  return messages;
}

/** The acknowledgement a signal or an answer carries. @throws GatewayError GW_ERR_EAEU_PROCESS_UNKNOWN for a message that is neither */
function acknowledgementOf(table: ProcessTable, code: string, body: XmlContent): Acknowledgement {
  const signal = signalKindOf(code);
  if (signal) return readSignal(signal, body);
  const route = table.route(code);
  if (route.transaction.answer !== code) throw eaeuErrors.error('GW_ERR_EAEU_PROCESS_UNKNOWN', `${code} is no answer of transaction ${route.transaction.code}: the gateway takes signals and answers from members`);
  const result = readProcessingResult(body, route.structure);
  return { stage: 'answered', code: result.code, ...(result.text ? { text: result.text } : {}) };
}

/** The route of a message that opens a transaction, or undefined for a signal or an answer. */
function requestRoute(table: ProcessTable, code: string): MessageRoute | undefined {
  if (signalKindOf(code)) return undefined;
  const route = table.route(code);
  return route.transaction.request === code ? route : undefined;
}

/**
 * A push's envelope. The member's own application message is a document for CAIS, with what replying
 * to it needs; a signal or an answer acknowledges the message of ours its RelatesTo names.
 */
function readPush(table: ProcessTable, document: XmlContent): InboundEnvelope {
  const { version, header, body } = envelopeParts(document);
  const headers = readHeaders(header, false);
  const code = headers.action.message;
  const common = { messageType: messageTypeOf(code), messageId: headers.messageId, sender: parseAddress(headers.replyTo).segment };
  const request = requestRoute(table, code);
  if (request) {
    const root = childElement(body, request.structure.namespace, request.structure.root);
    if (!root) throw eaeuErrors.error('GW_ERR_EAEU_HEADER', `${code} carries no ${request.structure.root} of ${request.structure.namespace} in its Body`);
    const edocHeader = childElement(root, CCDO_NS, 'EDocHeader');
    const edocId = (edocHeader && childText(edocHeader, CSDO_NS, 'EDocId')?.trim()) || '';
    return { ...common, replyContext: replyContextOf(version, headers, edocId) };
  }
  if (!headers.relatesTo) throw eaeuErrors.error('GW_ERR_EAEU_HEADER', `${code} is a signal or an answer and carries no wsa:RelatesTo`);
  return {
    ...common,
    answers: { key: MESSAGE_ID_KEY, value: headers.relatesTo.replace(/^urn:uuid:/, '') },
    acknowledges: acknowledgementOf(table, code, body),
  };
}

/** The technological error a refusal is: a header fault, the receiver's own failure, or a data error. */
function faultCodeOf(code: string, status: number): { code: string; receiver: boolean } {
  if (status >= 500) return { code: 'int:InternalError', receiver: true };
  if (code === 'GW_ERR_EAEU_HEADER' || code === 'GW_ERR_INBOUND_UNREADABLE') return { code: 'int:InvalidHeader', receiver: false };
  return { code: 'int:DataError', receiver: false };
}

/**
 * The member gateway's pushes: signed envelopes (signature in the Header), whose sender is the segment
 * of wsa:ReplyTo. Signals and answers are acknowledgements of our messages, answered with nothing
 * (HTTP 202: a signal is not signalled); a refused push gets a signed technological error message.
 */
export function inboundSpec(table: ProcessTable): InboundSpec {
  return {
    messages: inboundMessages(table),
    mediaTypes: ['application/soap+xml', 'text/xml'],
    headerErrors: ['GW_ERR_EAEU_HEADER'],
    senderParticipant: 'member',
    read: (document) => readPush(table, document),
    replies: ({ id, envelope, receivedAt }) => repliesTo(table, id, envelope, receivedAt),
    receiptSigning: 'iis-xmldsig',
    receipt(outcome, context: PartnerContext) {
      const version = soapVersionOf(context);
      if (outcome.accepted) return { contentType: 'application/soap+xml', body: Buffer.alloc(0) };
      const fault = faultCodeOf(outcome.code, outcome.status);
      const body = writeTechnologicalError(version, {
        ...fault,
        reasonRu: `Сообщение не принято: ${outcome.code}`,
        reasonEn: `${outcome.code}: ${outcome.reason}`,
        ...(outcome.envelope?.messageId ? { relatesTo: outcome.envelope.messageId } : {}),
      });
      return { contentType: version === '1.2' ? 'application/soap+xml' : 'text/xml', body };
    },
  };
}

