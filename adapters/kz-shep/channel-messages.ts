// The requests we send on SyncChannel and AsyncChannel v10 and the answers we read back: only the wrapper element is qualified, every child is unqualified.
import { buildSoapEnvelope, childElement, childText, GatewayError, SOAP11_NS, type XmlContent } from '../../src/partners/kit.js';
import { readErrorInfo, type ErrorInfo } from './error-info.js';
import { ASYNC_CLIENT_NS, ASYNC_NS, SYNC_NS } from './namespaces.js';

/** Who sends (common:SenderInfo): the system id and password the gateway's registry issued; both secrets. */
export interface Sender {
  senderId: string;
  password?: string;
}

/** A key/value property (common:Property). */
export interface Property {
  key: string;
  value: string;
}

/** The four async message types of AsyncMessageInfo. */
export const ASYNC_MESSAGE_TYPES = ['REQUEST', 'NOTIFICATION', 'UPDATE', 'RESPONSE'] as const;
/** An async message type. */
export type AsyncMessageType = (typeof ASYNC_MESSAGE_TYPES)[number];

/** The delivery states of an async message on the gateway (common:MessageState). */
export const MESSAGE_STATES = ['ON_DELIVERY', 'DELIVERED', 'NOT_DELIVERED', 'DELIVERY_STOPPED'] as const;
/** A delivery state. */
export type MessageState = (typeof MESSAGE_STATES)[number];

function senderContent(sender: Sender): XmlContent {
  return { senderId: sender.senderId, ...(sender.password === undefined ? {} : { password: sender.password }) };
}

function propertiesContent(properties: readonly Property[] | undefined): XmlContent {
  if (!properties || properties.length === 0) return {};
  return { properties: properties.map((p) => ({ key: p.key, value: p.value })) };
}

/** A SyncChannel `SendMessage` (SyncSendMessageRequest). `data` is the content of `requestData/data` (xs:anyType). */
export interface SyncCall {
  messageId: string;
  correlationId?: string;
  serviceId: string;
  messageDate: Date;
  sender: Sender;
  properties?: readonly Property[];
  data: XmlContent;
}

/** The Body content of a SyncChannel `SendMessage`. */
export function syncSendMessage(call: SyncCall): XmlContent {
  return {
    'sync:SendMessage': {
      '@xmlns:sync': SYNC_NS,
      request: {
        requestInfo: {
          messageId: call.messageId,
          ...(call.correlationId === undefined ? {} : { correlationId: call.correlationId }),
          serviceId: call.serviceId,
          messageDate: call.messageDate.toISOString(),
          sender: senderContent(call.sender),
          ...propertiesContent(call.properties),
        },
        requestData: { data: call.data },
      },
    },
  };
}

/** An AsyncChannel `sendMessage` (AsyncSendMessageRequest): messageId is left for the gateway to assign; correlationId only after a REQUEST. */
export interface AsyncCall {
  serviceId: string;
  messageType: AsyncMessageType;
  correlationId?: string;
  messageDate: Date;
  sender: Sender;
  properties?: readonly Property[];
  data: XmlContent;
}

/** The Body content of an AsyncChannel `sendMessage`. */
export function asyncSendMessage(call: AsyncCall): XmlContent {
  return {
    'async:sendMessage': {
      '@xmlns:async': ASYNC_NS,
      request: {
        messageInfo: {
          ...(call.correlationId === undefined ? {} : { correlationId: call.correlationId }),
          serviceId: call.serviceId,
          messageType: call.messageType,
          messageDate: call.messageDate.toISOString(),
          sender: senderContent(call.sender),
          ...propertiesContent(call.properties),
        },
        messageData: { data: call.data },
      },
    },
  };
}

/** The Body content of an AsyncChannel `getMessageStatus` for the gateway's id of one of our messages. */
export function getMessageStatus(messageId: string, requestDate: Date, sender: Sender): XmlContent {
  return { 'async:getMessageStatus': { '@xmlns:async': ASYNC_NS, request: { messageId, requestDate: requestDate.toISOString(), sender: senderContent(sender) } } };
}

/**
 * An unsigned SOAP 1.1 envelope around a Body content (the bindings are SOAP 1.1 document/literal,
 * SOAPAction ""), with the namespaces only QNames in the content use (a typed `data`) declared on the Envelope.
 */
export function soap11(body: XmlContent, contextNamespaces?: Readonly<Record<string, string>>): Buffer {
  return buildSoapEnvelope({ version: '1.1', body, ...(contextNamespaces ? { contextNamespaces } : {}) });
}

function unreadable(what: string): GatewayError {
  return new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', `e-government gateway: ${what}`);
}

/** The one `request` or `response` child of a wrapper element in the Body, or an error naming what is missing. */
function wrapped(body: XmlContent, namespace: string, wrapper: string, child: 'request' | 'response'): XmlContent {
  const element = childElement(body, namespace, wrapper);
  const inner = element && childElement(element, '', child);
  if (!inner) throw unreadable(`the Body holds no ${wrapper}/${child}`);
  return inner;
}

function required(element: XmlContent, name: string, where: string): string {
  const value = childText(element, '', name)?.trim();
  if (!value) throw unreadable(`${where} has no ${name}`);
  return value;
}

/** The ErrorInfo of a SOAP 1.1 fault's detail (whatever the wrapper element's name), or undefined when the Body is no such fault. */
export function readFaultErrorInfo(body: XmlContent): ErrorInfo | undefined {
  const fault = childElement(body, SOAP11_NS, 'Fault');
  // SOAP 1.1 writes detail unqualified; some stacks qualify it.
  const detail = fault && (childElement(fault, '', 'detail') ?? childElement(fault, SOAP11_NS, 'detail'));
  if (!detail) return undefined;
  for (const [name, value] of Object.entries(detail)) {
    if (name.startsWith('@') || name === '#text' || typeof value !== 'object' || Array.isArray(value)) continue;
    const local = name.slice(name.indexOf(':') + 1);
    const [namespace] = [SYNC_NS, ASYNC_NS, ASYNC_CLIENT_NS].filter((ns) => childElement(detail, ns, local));
    const element = namespace === undefined ? undefined : childElement(detail, namespace, local);
    const info = element && readErrorInfo(element);
    if (info) return info;
  }
  return undefined;
}

/** A SyncChannel answer: its status (`SCSS001` is success) and the content of `responseData/data`. */
export interface SyncAnswer {
  messageId: string;
  correlationId?: string;
  responseDate: string;
  status: { code: string; message: string };
  data: XmlContent;
}

/** Reads a `SendMessageResponse`. @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID when a required part is missing. */
export function readSyncAnswer(body: XmlContent): SyncAnswer {
  const response = wrapped(body, SYNC_NS, 'SendMessageResponse', 'response');
  const info = childElement(response, '', 'responseInfo');
  const status = info && childElement(info, '', 'status');
  const data = childElement(response, '', 'responseData');
  const content = data && childElement(data, '', 'data');
  if (!info || !status || !content) throw unreadable('SendMessageResponse lacks responseInfo/status or responseData/data');
  const correlationId = childText(info, '', 'correlationId')?.trim();
  return {
    messageId: required(info, 'messageId', 'responseInfo'),
    ...(correlationId ? { correlationId } : {}),
    responseDate: required(info, 'responseDate', 'responseInfo'),
    status: { code: required(status, 'code', 'responseInfo/status'), message: childText(status, '', 'message') ?? '' },
    data: content,
  };
}

/** The gateway's technical acceptance of an async message: its own id of the message and the chain's correlation id. */
export interface AsyncAcceptance {
  messageId: string;
  correlationId: string;
  responseDate: string;
}

/** Reads a `sendMessageResponse`. @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID */
export function readAsyncAcceptance(body: XmlContent): AsyncAcceptance {
  const response = wrapped(body, ASYNC_NS, 'sendMessageResponse', 'response');
  return {
    messageId: required(response, 'messageId', 'sendMessageResponse'),
    correlationId: required(response, 'correlationId', 'sendMessageResponse'),
    responseDate: required(response, 'responseDate', 'sendMessageResponse'),
  };
}

/** Where an async message stands on the gateway (AsyncGetMessageStatusResponse, or a pushed ChangeStatusNotification). */
export interface DeliveryStatus {
  messageState: MessageState;
  statusCode: string;
  statusMessage: string;
  statusDate: string;
  error?: ErrorInfo;
}

/** Reads the messageState and status (and error, when present) of a status element. */
export function readDeliveryStatus(element: XmlContent, where: string): DeliveryStatus {
  const state = required(element, 'messageState', where);
  if (!(MESSAGE_STATES as readonly string[]).includes(state)) throw unreadable(`${where}: messageState "${state}" is none of ${MESSAGE_STATES.join(', ')}`);
  const status = childElement(element, '', 'status');
  if (!status) throw unreadable(`${where} has no status`);
  const errorElement = childElement(element, '', 'error');
  const error = errorElement && readErrorInfo(errorElement);
  return {
    messageState: state as MessageState,
    statusCode: required(status, 'statusCode', `${where}/status`),
    statusMessage: childText(status, '', 'statusMessage') ?? '',
    statusDate: required(status, 'statusDate', `${where}/status`),
    ...(error ? { error } : {}),
  };
}

/** Reads a `getMessageStatusResponse`. @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID */
export function readMessageStatus(body: XmlContent): DeliveryStatus {
  return readDeliveryStatus(wrapped(body, ASYNC_NS, 'getMessageStatusResponse', 'response'), 'getMessageStatusResponse');
}
