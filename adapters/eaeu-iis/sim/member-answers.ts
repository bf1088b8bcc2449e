// The member gateway's answers to one of our messages: signals and the R.006 answer, each a signed envelope relating to our MessageID.
import { randomUUID } from 'node:crypto';
import { createXmlSigner, renderXml, type SigningCapability, type SoapVersion, type XmlContent } from '../../../src/partners/kit.js';
import { wrapDocument } from '../iis-envelope.js';
import type { IisHeaders } from '../iis-headers.js';
import { writeProcessingResult } from '../processing-result.js';
import type { MessageRoute, ProcessTable } from '../process-table.js';
import { SIGNAL_CODES, writeSignal, type SignalError, type SignalKind } from '../signals.js';

/** What the member kept of a message it took: enough to answer it. */
export interface TakenMessage {
  version: SoapVersion;
  headers: IisHeaders;
  route: MessageRoute;
  /** EDocId of the document taken (R.006 names it as EDocRefId). */
  edocId: string | undefined;
}

/** An answer to send: a signal, or the transaction's answer with a result code. */
export type MemberAnswer = { kind: SignalKind; errors?: SignalError[] } | { kind: 'answer'; resultCode: string; text?: string };

/** The headers of a reply: to our ReplyTo, from the address we wrote to, relating to our MessageID, in our procedure and conversation. */
function replyHeaders(taken: TakenMessage, message: string): IisHeaders {
  const { headers } = taken;
  return {
    messageId: `urn:uuid:${randomUUID()}`,
    to: headers.replyTo,
    replyTo: headers.to,
    action: { ...headers.action, message },
    relatesTo: headers.messageId,
    procedureId: headers.procedureId,
    conversationId: headers.conversationId,
  };
}

/** Builds and signs (with the member's key) the envelope of one answer. */
export function memberAnswer(table: ProcessTable, taken: TakenMessage, answer: MemberAnswer, key: SigningCapability, now = new Date()): Buffer {
  let code: string;
  let body: XmlContent;
  if (answer.kind === 'answer') {
    const answerCode = taken.route.transaction.answer ?? '';
    code = answerCode;
    body = writeProcessingResult(
      { messageCode: answerCode, edocId: randomUUID(), ...(taken.edocId ? { refEdocId: taken.edocId } : {}), at: now, code: answer.resultCode, ...(answer.text ? { text: answer.text } : {}) },
      table.route(answerCode).structure,
    );
  } else {
    code = SIGNAL_CODES[answer.kind];
    body = writeSignal(answer.kind, randomUUID(), now, answer.errors);
  }
  const envelope = wrapDocument(taken.version, replyHeaders(taken, code), renderXml(body));
  return createXmlSigner(key, 'soap-header').sign(envelope);
}
