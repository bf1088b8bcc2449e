// Our replies to a member's application message: «Получено», «Принято в обработку» and the R.006 answer, written from what its envelope said.
import { nameBasedUuid, type InboundEnvelope, type InboundReply, type SoapVersion } from '../../src/partners/kit.js';
import { eaeuErrors } from './errors.js';
import { buildAction, parseAction, type IisHeaders } from './iis-headers.js';
import { messageTypeOf, type ProcessTable } from './process-table.js';
import { replyCode, replyEnvelope, type ReceivedMessage, type Reply } from './reply-envelope.js';

/** csdo:ProcessingResultV2Code of our answer: processed (6 in the data model's list). */
const PROCESSED = '6';

/** What replying needs, as the plain text an inbound envelope carries. */
export function replyContextOf(version: SoapVersion, headers: IisHeaders, edocId: string): Record<string, string> {
  return {
    version,
    messageId: headers.messageId,
    to: headers.to,
    replyTo: headers.replyTo,
    action: buildAction(headers.action),
    procedureId: headers.procedureId,
    conversationId: headers.conversationId,
    edocId,
  };
}

function receivedOf(table: ProcessTable, envelope: InboundEnvelope): ReceivedMessage {
  const c = envelope.replyContext;
  if (!c?.action || !c.messageId || !c.replyTo || !c.to || !c.procedureId || !c.conversationId) {
    throw eaeuErrors.error('GW_ERR_EAEU_HEADER', `message ${envelope.messageId} was taken without what replying to it needs`);
  }
  const action = parseAction(c.action);
  const headers: IisHeaders = { messageId: c.messageId, to: c.to, replyTo: c.replyTo, action, procedureId: c.procedureId, conversationId: c.conversationId };
  return { version: c.version === '1.1' ? '1.1' : '1.2', headers, route: table.route(action.message), edocId: c.edocId || undefined };
}

/**
 * The replies to an accepted application message, each with a MessageID named after our id of the
 * push and the reply (so writing them again gives the same ids): the signals «Получено» and «Принято в
 * обработку» when the transaction gives their times, then the answer (processed) when it has one. Our processing is done when the push is
 * accepted: it is logged, mapped and validated, and its record is on its way to CAIS.
 */
export function repliesTo(table: ProcessTable, inboundId: string, envelope: InboundEnvelope, at: Date): InboundReply[] {
  if (!envelope.replyContext) return [];
  const received = receivedOf(table, envelope);
  // As the transaction's template says: a signal whose time it gives, the answer when it has one.
  const { transaction } = received.route;
  const replies: Reply[] = [
    ...(transaction.receiptSeconds ? [{ kind: 'received' } as const] : []),
    ...(transaction.acceptanceSeconds ? [{ kind: 'accepted' } as const] : []),
    ...(transaction.answer && transaction.template !== 'notification' ? [{ kind: 'answer', resultCode: PROCESSED, text: 'сведения обработаны' } as const] : []),
  ];
  return replies.map((reply) => {
    const code = replyCode(received, reply);
    const id = nameBasedUuid(`eaeu-reply:${inboundId}:${code}`);
    return {
      messageType: messageTypeOf(code),
      document: replyEnvelope(table, received, reply, `urn:uuid:${id}`, at),
      businessKeys: { messageId: id, relatesTo: received.headers.messageId.replace(/^urn:uuid:/, ''), procedureId: received.headers.procedureId },
    };
  });
}
