// The envelope of a reply to an application message (a signal or the transaction's answer): to its ReplyTo, relating to its MessageID, in its procedure and conversation.
import { randomUUID } from 'node:crypto';
import { renderXml, type SoapVersion, type XmlContent } from '../../src/partners/kit.js';
import { wrapDocument } from './iis-envelope.js';
import type { IisHeaders } from './iis-headers.js';
import { writeProcessingResult } from './processing-result.js';
import type { MessageRoute, ProcessTable } from './process-table.js';
import { SIGNAL_CODES, writeSignal, type SignalError, type SignalKind } from './signals.js';

/** An application message as its receiver keeps it, enough to reply to it. */
export interface ReceivedMessage {
  version: SoapVersion;
  headers: IisHeaders;
  route: MessageRoute;
  /** EDocId of the document it carried (R.006 names it as EDocRefId). */
  edocId: string | undefined;
}

/** A reply: a signal, or the transaction's answer with a result code. */
export type Reply = { kind: SignalKind; errors?: SignalError[] } | { kind: 'answer'; resultCode: string; text?: string };

/** The Action message code of a reply. */
export function replyCode(received: ReceivedMessage, reply: Reply): string {
  return reply.kind === 'answer' ? (received.route.transaction.answer ?? '') : SIGNAL_CODES[reply.kind];
}

/**
 * The reply's envelope, unsigned: a new MessageID (`messageId`, urn:uuid form), To the received
 * message's ReplyTo, ReplyTo the address it was sent to, the same Action but for the message code,
 * RelatesTo its MessageID, its ProcedureID and ConversationID.
 */
export function replyEnvelope(table: ProcessTable, received: ReceivedMessage, reply: Reply, messageId: string, now: Date): Buffer {
  const code = replyCode(received, reply);
  let body: XmlContent;
  if (reply.kind === 'answer') {
    body = writeProcessingResult(
      { messageCode: code, edocId: randomUUID(), ...(received.edocId ? { refEdocId: received.edocId } : {}), at: now, code: reply.resultCode, ...(reply.text ? { text: reply.text } : {}) },
      table.route(code).structure,
    );
  } else {
    body = writeSignal(reply.kind, randomUUID(), now, reply.errors);
  }
  const { headers } = received;
  const replyHeaders: IisHeaders = {
    messageId,
    to: headers.replyTo,
    replyTo: headers.to,
    action: { ...headers.action, message: code },
    relatesTo: headers.messageId,
    procedureId: headers.procedureId,
    conversationId: headers.conversationId,
  };
  return wrapDocument(received.version, replyHeaders, renderXml(body));
}
