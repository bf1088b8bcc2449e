// What the simulated gateway pushes to our participant endpoint: the state of one of our messages when it changes, and an agency's answer to a request.
import { randomUUID } from 'node:crypto';
import { buildWsSecurityEnvelope, verifyWsSecurity, type GatewayAnswer, type SimulatorContext, type XmlContent } from '../../../src/partners/kit.js';
import { ASYNC_CLIENT_NS, ESEDO_NS, XSI_NS } from '../namespaces.js';
import type { AsyncDelivery } from './async-deliveries.js';
import { changeStatusNotification } from './channel-answers.js';

/** One push and what the gateway answered, for tests to read. */
export interface PushRecord {
  kind: 'delivery-state' | 'agency-answer';
  /** The gateway's id of the message it concerns. */
  messageId: string;
  status: number;
  /** Whether our answer's WS-Security signature verified with the gateway certificate the simulator pins. */
  answerSigned: boolean;
  body: string;
}

/** Signs a Body with the partner's key (the gateway signs its pushes) and posts it to the gateway's inbound endpoint. */
async function push(context: SimulatorContext, body: XmlContent, contextNamespaces?: Record<string, string>): Promise<GatewayAnswer> {
  const envelope = buildWsSecurityEnvelope({ version: '1.1', body, ...(contextNamespaces ? { contextNamespaces } : {}) }, context.identity);
  return context.pushToGateway({ contentType: 'text/xml; charset=utf-8', body: envelope, headers: { soapaction: '""' } });
}

/** Whether an answer of the gateway carries a WS-Security signature that verifies with its pinned certificate. */
export function signedByGateway(context: SimulatorContext, answer: GatewayAnswer): boolean {
  const [certificate] = context.gatewayCertificates;
  if (!certificate) return false;
  try {
    verifyWsSecurity(answer.body, certificate, new Date(), { version: '1.1', requireTimestamp: false, requiredAddressing: [] });
    return true;
  } catch {
    return false;
  }
}

/** Pushes the state of a delivery (changeMassageStatusNotification) and records the answer. */
export async function pushState(context: SimulatorContext, delivery: AsyncDelivery, pushes: PushRecord[]): Promise<void> {
  const now = new Date();
  const body = changeStatusNotification({
    notificationId: randomUUID(),
    messageId: delivery.messageId,
    notificationDate: now,
    messageState: delivery.state,
    statusCode: delivery.statusCode,
    statusMessage: delivery.statusMessage,
    statusDate: delivery.statusDate,
    ...(delivery.error ? { error: delivery.error } : {}),
    requestDate: now,
  });
  const answer = await push(context, body);
  pushes.push({ kind: 'delivery-state', messageId: delivery.messageId, status: answer.status, answerSigned: signedByGateway(context, answer), body: answer.body.toString('utf8') });
}

/**
 * The agency answers a delivered REQUEST: an AsyncChannel sendMessage to us of type RESPONSE in the
 * request's chain, its data a docOutgoing (typed data) carrying its file inline.
 */
export async function pushAnswer(context: SimulatorContext, delivery: AsyncDelivery, pushes: PushRecord[]): Promise<void> {
  const now = new Date();
  const messageId = `{${randomUUID()}}`;
  const text = `Ответ на ваш запрос ${delivery.correlationId}: документ действителен.`;
  const data: XmlContent = {
    '@xmlns:xsi': XSI_NS,
    '@xsi:type': 'ns1:docOutgoing',
    attachments: { file: { '@main': 'true', '@mediaType': 'text/plain', '@name': 'answer.txt', '#text': Buffer.from(text).toString('base64') } },
    metadataSystem: { from: context.participants.agency ?? 'AGENCY', senderOrg: context.participants.agency ?? 'AGENCY' },
    appendCount: '0',
    carrierType: 'ELECTRONIC',
    description: 'Ответ на запрос таможенного органа',
    docDate: now.toISOString().slice(0, 10),
    docKind: 'ANSWER',
    docLang: 'RU',
    docNo: `A-${messageId.slice(1, 9)}`,
    documentReceiverRu: 'Комитет государственных доходов Министерства финансов Республики Казахстан',
    employeePhone: '+7 7172 00 11 22',
    executor: 'Исполнитель агентства',
    signerNameRu: 'Руководитель агентства',
  };
  const body: XmlContent = {
    'client:sendMessage': {
      '@xmlns:client': ASYNC_CLIENT_NS,
      request: {
        messageInfo: {
          messageId,
          correlationId: delivery.correlationId,
          serviceId: delivery.serviceId,
          messageType: 'RESPONSE',
          messageDate: now.toISOString(),
          sender: { senderId: context.participants.agency ?? 'AGENCY' },
        },
        messageData: { data },
      },
    },
  };
  const answer = await push(context, body, { ns1: ESEDO_NS });
  pushes.push({ kind: 'agency-answer', messageId, status: answer.status, answerSigned: signedByGateway(context, answer), body: answer.body.toString('utf8') });
}
