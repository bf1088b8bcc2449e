// What the e-government gateway pushes to our participant endpoint (IAsyncChannelClient): an agency's message for CAIS, and the delivery state of one of ours.
import { randomUUID } from 'node:crypto';
import { buildSoapEnvelope, childElement, childText, GatewayError, SOAP11_NS, type InboundEnvelope, type InboundSpec, type PartnerContext, type XmlContent } from '../../src/partners/kit.js';
import { readDeliveryStatus } from './channel-messages.js';
import { errorFault, type FaultOperation } from './channel-faults.js';
import { acknowledgementOf, SHEP_CORRELATION_ID_KEY, SHEP_MESSAGE_ID_KEY } from './delivery-state.js';
import { ASYNC_CLIENT_NS } from './namespaces.js';

/** Inbound message type: an agency's message the gateway delivers to us. */
export const AGENCY_MESSAGE = 'agency-message';
/** Inbound message type: the delivery state of one of our messages. */
export const DELIVERY_STATE = 'delivery-state';

function unreadable(reason: string): GatewayError {
  return new GatewayError('GW_ERR_INBOUND_UNREADABLE', `e-government gateway push: ${reason}`);
}

/** The `request` of the one participant-side operation in the signed Body, with the operation's name. */
function callOf(document: XmlContent): { operation: 'sendMessage' | 'changeMassageStatusNotification'; request: XmlContent } {
  const body = childElement(document, SOAP11_NS, 'Body');
  if (!body) throw unreadable('not a SOAP 1.1 Body');
  for (const operation of ['sendMessage', 'changeMassageStatusNotification'] as const) {
    const wrapper = childElement(body, ASYNC_CLIENT_NS, operation);
    const request = wrapper && childElement(wrapper, '', 'request');
    if (request) return { operation, request };
  }
  throw unreadable(`the Body holds no sendMessage or changeMassageStatusNotification of ${ASYNC_CLIENT_NS}`);
}

function required(element: XmlContent | undefined, name: string, where: string): string {
  const value = element && childText(element, '', name)?.trim();
  if (!value) throw unreadable(`${where} has no ${name}`);
  return value;
}

/**
 * An agency's message: a document for CAIS (an inbound mapping of `agency-message` makes the record),
 * deduplicated by the gateway's id of it; an answer to one of ours (any type but REQUEST) names it by the
 * chain's correlation id. A delivery state acknowledges the message of ours the gateway's id names; it
 * carries no sender, and is bound to the instance by its TLS certificate and its signature.
 */
export function readPush(document: XmlContent, context: Pick<PartnerContext, 'participants' | 'options'>): InboundEnvelope {
  const { operation, request } = callOf(document);
  if (operation === 'sendMessage') {
    const info = childElement(request, '', 'messageInfo');
    const sender = info && childElement(info, '', 'sender');
    const correlationId = (info && childText(info, '', 'correlationId')?.trim()) || undefined;
    const messageType = required(info, 'messageType', 'messageInfo');
    return {
      messageType: AGENCY_MESSAGE,
      messageId: required(info, 'messageId', 'messageInfo'),
      sender: required(sender, 'senderId', 'messageInfo/sender'),
      ...(correlationId && messageType !== 'REQUEST' ? { answers: { key: SHEP_CORRELATION_ID_KEY, value: correlationId } } : {}),
      replyContext: { operation, correlationId: correlationId ?? '' },
    };
  }
  const notification = childElement(request, '', 'notification');
  if (!notification) throw unreadable('changeMassageStatusNotification has no notification');
  const status = readDeliveryStatus(notification, 'notification');
  return {
    messageType: DELIVERY_STATE,
    messageId: required(notification, 'notificationId', 'notification'),
    sender: context.participants.agency ?? '',
    answers: { key: SHEP_MESSAGE_ID_KEY, value: required(notification, 'messageId', 'notification') },
    acknowledges: acknowledgementOf(status, context.options),
    replyContext: { operation, sessionId: childText(request, '', 'sessionId')?.trim() ?? '' },
  };
}

/** Our answer to a push: the operation's response, or its ErrorInfo fault naming the refusal's code (the gateway signs it). */
function writeReceipt(outcome: Parameters<InboundSpec['receipt']>[0]): Buffer {
  const context = outcome.envelope?.replyContext;
  const operation = context?.operation === 'changeMassageStatusNotification' ? 'changeMassageStatusNotification' : 'sendMessage';
  const now = new Date().toISOString();
  if (!outcome.accepted) {
    const fault: FaultOperation = `client:${operation}`;
    return errorFault(fault, { errorCode: outcome.code, errorMessage: outcome.reason, errorDate: now });
  }
  const response: XmlContent =
    operation === 'sendMessage'
      ? { messageId: outcome.id, correlationId: context?.correlationId || outcome.envelope.messageId, responseDate: now }
      : { responseDate: now, sessionId: /^\{[0-9a-fA-F-]{36}\}$/.test(context?.sessionId ?? '') ? (context?.sessionId as string) : `{${randomUUID()}}` };
  return buildSoapEnvelope({ version: '1.1', body: { [`client:${operation}Response`]: { '@xmlns:client': ASYNC_CLIENT_NS, response } } });
}

/** The gateway's pushes to our participant endpoint: WS-Security signed SOAP 1.1, answered with signed responses or faults. */
export const shepInbound: InboundSpec = {
  messages: {
    [AGENCY_MESSAGE]: { description: "an agency's message the gateway delivers to us (sendMessage): its answer to one of ours, matched by correlation id, or its own document; mapped to a CAIS record" },
    [DELIVERY_STATE]: { description: 'the delivery state of one of our messages (changeMassageStatusNotification): recorded on it like a polled one' },
  },
  mediaTypes: ['text/xml', 'application/xml'],
  // An agency's document carries its files inline (base64): up to 20 files of a few megabytes.
  maxBytes: 32 * 1024 * 1024,
  senderParticipant: 'agency',
  read: (document, _request, context) => readPush(document, context),
  receiptSigning: 'ws-security',
  receipt: (outcome) => ({ contentType: 'text/xml; charset=utf-8', body: writeReceipt(outcome) }),
};
