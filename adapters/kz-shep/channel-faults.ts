// The ErrorInfo faults of SyncChannel and AsyncChannel v10: the detail element of each operation's WSDL fault, in a SOAP 1.1 fault envelope.
import { renderXml, SOAP11_NS, type XmlContent } from '../../src/partners/kit.js';
import { errorInfoContent, type ErrorInfo } from './error-info.js';
import { ASYNC_CLIENT_NS, ASYNC_NS, SYNC_NS } from './namespaces.js';

/**
 * The operations whose WSDL faults are written: the gateway's SyncChannel `SendMessage`, AsyncChannel
 * `sendMessage` and `getMessageStatus` (the simulator answers them), and the participant side's
 * `sendMessage` and `changeMassageStatusNotification` (we answer the gateway's pushes).
 */
export type FaultOperation = 'SendMessage' | 'sendMessage' | 'getMessageStatus' | 'client:sendMessage' | 'client:changeMassageStatusNotification';

const FAULT_WRAPPERS: Readonly<Record<FaultOperation, { prefix: string; namespace: string; element: string }>> = {
  SendMessage: { prefix: 'sync', namespace: SYNC_NS, element: 'SendMessageFault1_SendMessageFault' },
  sendMessage: { prefix: 'async', namespace: ASYNC_NS, element: 'sendMessageFault1_sendMessageFault' },
  getMessageStatus: { prefix: 'async', namespace: ASYNC_NS, element: 'getMessageStatusFault1_getMessageStatusFault' },
  'client:sendMessage': { prefix: 'client', namespace: ASYNC_CLIENT_NS, element: 'sendMessageFault1_sendMessageFault' },
  'client:changeMassageStatusNotification': { prefix: 'client', namespace: ASYNC_CLIENT_NS, element: 'changeMassageStatusNotificationFault1_changeMassageStatusNotificationFault' },
};

/** The content of a fault's `detail`: the operation's fault element (of type common:ErrorInfo) carrying the error's fields, sub-errors included. */
export function errorFaultDetail(operation: FaultOperation, error: ErrorInfo): XmlContent {
  const { prefix, namespace, element } = FAULT_WRAPPERS[operation];
  return { [`${prefix}:${element}`]: { [`@xmlns:${prefix}`]: namespace, ...errorInfoContent(error) } };
}

/** A whole SOAP 1.1 fault envelope (`soap:Server`, faultstring the error's message) whose detail is {@link errorFaultDetail}. */
export function errorFault(operation: FaultOperation, error: ErrorInfo): Buffer {
  return renderXml({
    'soap:Envelope': {
      '@xmlns:soap': SOAP11_NS,
      'soap:Body': { 'soap:Fault': { faultcode: 'soap:Server', faultstring: error.errorMessage, detail: errorFaultDetail(operation, error) } },
    },
  });
}
