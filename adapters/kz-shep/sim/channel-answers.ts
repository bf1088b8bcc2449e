// What the simulated e-government gateway (ШЭП) writes back on SyncChannel and AsyncChannel v10: answer Body contents and the status push (faults: ../channel-faults.ts).
import type { XmlContent } from '../../../src/partners/kit.js';
import type { MessageState } from '../channel-messages.js';
import { errorInfoContent, type ErrorInfo } from '../error-info.js';
import { ASYNC_CLIENT_NS, ASYNC_NS, SYNC_NS } from '../namespaces.js';

/** What a SyncChannel `SendMessageResponse` says: the processing system's ids, its status (`SCSS001` is success) and the content of `responseData/data`. */
export interface SyncAnswerParts {
  messageId: string;
  correlationId?: string;
  responseDate: Date;
  status: { code: string; message: string };
  /** The content of `responseData/data` (xs:anyType). */
  data: XmlContent;
}

/**
 * The Body content of a SyncChannel `SendMessageResponse` (SyncSendMessageResponse): `response{responseInfo{messageId,
 * correlationId?, responseDate, status{code, message}}, responseData{data}}`, only the wrapper qualified.
 */
export function syncAnswer(a: SyncAnswerParts): XmlContent {
  return {
    'sync:SendMessageResponse': {
      '@xmlns:sync': SYNC_NS,
      response: {
        responseInfo: {
          messageId: a.messageId,
          ...(a.correlationId === undefined ? {} : { correlationId: a.correlationId }),
          responseDate: a.responseDate.toISOString(),
          status: { code: a.status.code, message: a.status.message },
        },
        responseData: { data: a.data },
      },
    },
  };
}

/** What the gateway's technical acceptance of an async message says: the id it gave the message and the chain's correlation id. */
export interface AsyncAcceptanceParts {
  messageId: string;
  correlationId: string;
  responseDate: Date;
}

/** The Body content of an AsyncChannel `sendMessageResponse` (AsyncSendMessageResponse): `response{messageId, correlationId, responseDate}`. */
export function asyncAcceptance(a: AsyncAcceptanceParts): XmlContent {
  return {
    'async:sendMessageResponse': {
      '@xmlns:async': ASYNC_NS,
      response: { messageId: a.messageId, correlationId: a.correlationId, responseDate: a.responseDate.toISOString() },
    },
  };
}

/** Where an async message stands on the gateway, as `getMessageStatus` answers it. */
export interface MessageStatusParts {
  messageState: MessageState;
  statusCode: string;
  statusMessage: string;
  statusDate: Date;
  responseDate: Date;
}

/**
 * The Body content of an AsyncChannel `getMessageStatusResponse` (AsyncGetMessageStatusResponse):
 * `response{messageState, status{statusCode, statusMessage, statusDate}, responseDate}`.
 */
export function messageStatusAnswer(s: MessageStatusParts): XmlContent {
  return {
    'async:getMessageStatusResponse': {
      '@xmlns:async': ASYNC_NS,
      response: {
        messageState: s.messageState,
        status: { statusCode: s.statusCode, statusMessage: s.statusMessage, statusDate: s.statusDate.toISOString() },
        responseDate: s.responseDate.toISOString(),
      },
    },
  };
}

/** What the gateway pushes when the delivery state of one of our async messages changes (common:ChangeStatusNotification). */
export interface ChangeStatusNotificationParts {
  notificationId: string;
  messageId: string;
  notificationDate: Date;
  messageState: MessageState;
  statusCode: string;
  statusMessage: string;
  statusDate: Date;
  /** Why the message was not delivered, with the receiver's own error as subError when it gave one. */
  error?: ErrorInfo;
  requestDate: Date;
}

/**
 * The Body content of the participant-side callback `changeMassageStatusNotification` [sic] (AsyncChangeStatusNotifyRequest), in the
 * client namespace: `request{notification{notificationId, messageId, notificationDate, messageState, status{statusCode,
 * statusMessage, statusDate}, error?}, requestDate}`.
 */
export function changeStatusNotification(n: ChangeStatusNotificationParts): XmlContent {
  return {
    'client:changeMassageStatusNotification': {
      '@xmlns:client': ASYNC_CLIENT_NS,
      request: {
        notification: {
          notificationId: n.notificationId,
          messageId: n.messageId,
          notificationDate: n.notificationDate.toISOString(),
          messageState: n.messageState,
          status: { statusCode: n.statusCode, statusMessage: n.statusMessage, statusDate: n.statusDate.toISOString() },
          ...(n.error ? { error: errorInfoContent(n.error) } : {}),
        },
        requestDate: n.requestDate.toISOString(),
      },
    },
  };
}
