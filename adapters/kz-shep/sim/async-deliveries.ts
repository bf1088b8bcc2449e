// The simulated gateway's async side: each accepted message is delivered to the agency on the gateway's own timers, and ends as the next scripted outcome says.
import { randomUUID } from 'node:crypto';
import type { MessageState } from '../channel-messages.js';
import type { ErrorInfo } from '../error-info.js';

/** How the agency's side ends one delivery (the fault settings of the async channel). */
export const DELIVERY_OUTCOMES = ['delivered', 'answered', 'late', 'not-delivered-resend', 'not-delivered', 'stopped', 'lost-notification'] as const;
/** One outcome. */
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** One async message the simulated gateway took. */
export interface AsyncDelivery {
  /** The gateway's id of it. */
  messageId: string;
  correlationId: string;
  serviceId: string;
  messageType: string;
  /** Our (the sender's) message id, from the property gatewayMessageId. */
  senderMessageId: string;
  outcome: DeliveryOutcome;
  state: MessageState;
  statusCode: string;
  statusMessage: string;
  statusDate: Date;
  error?: ErrorInfo;
  /** The document as the agency received it (`data`, rendered). */
  data: string;
}

/** Timers of the simulated delivery. */
export interface DeliveryTiming {
  /** From acceptance to the agency's answer. */
  deliveryMs: number;
  /** How long a `late` delivery stays ON_DELIVERY. */
  lateMs: number;
}

/**
 * Where the statusCode of a final state comes from: the receiver's DeliveryStatusInfo as the gateway
 * relays it (receiveStatus for DELIVERED, resendMessage for NOT_DELIVERED), the gateway's own word for
 * DELIVERY_STOPPED. The public schemas do not show how the real gateway relays the receiver's
 * "resend"; the adapter reads it from this code (its option resendCodes).
 */
function finalState(outcome: DeliveryOutcome, now: Date): Pick<AsyncDelivery, 'state' | 'statusCode' | 'statusMessage' | 'error'> {
  const agencyError = (code: string, message: string): ErrorInfo => ({ errorCode: code, errorMessage: message, errorDate: now.toISOString() });
  switch (outcome) {
    case 'delivered':
    case 'answered':
    case 'late':
    case 'lost-notification':
      return { state: 'DELIVERED', statusCode: 'MESSAGE_ACCEPTED', statusMessage: 'the receiver accepted the message' };
    case 'not-delivered-resend':
      return { state: 'NOT_DELIVERED', statusCode: 'RESEND', statusMessage: 'the receiver could not take the message and asks for it again', error: agencyError('AG-503', 'receiving system busy') };
    case 'not-delivered':
      return { state: 'NOT_DELIVERED', statusCode: 'NOT_RESEND', statusMessage: 'the receiver refused the message', error: agencyError('AG-422', 'document kind not accepted by this receiver') };
    case 'stopped':
      return { state: 'DELIVERY_STOPPED', statusCode: 'DELIVERY_STOPPED', statusMessage: 'delivery stopped by the gateway: the receiver did not take the message in its delivery window' };
  }
}

/** The async messages taken, their scripted outcomes and their timers. */
export class AsyncDeliveries {
  readonly messages = new Map<string, AsyncDelivery>();
  private readonly script: DeliveryOutcome[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  timing: DeliveryTiming = { deliveryMs: 100, lateMs: 1_500 };

  /** Queues outcomes for the next messages taken, in order; then they are delivered. */
  scriptNext(outcomes: readonly DeliveryOutcome[]): void {
    this.script.push(...outcomes);
  }

  /**
   * Takes a message: ON_DELIVERY now, its final state after the delivery time (a late one after the
   * late time), `changed` called when it changes (unless the outcome loses the notification).
   */
  take(message: Pick<AsyncDelivery, 'serviceId' | 'messageType' | 'senderMessageId' | 'data'> & { correlationId?: string }, changed: (delivery: AsyncDelivery) => void): AsyncDelivery {
    const outcome = this.script.shift() ?? 'delivered';
    const delivery: AsyncDelivery = {
      ...message,
      messageId: `{${randomUUID()}}`,
      correlationId: message.correlationId ?? randomUUID(),
      outcome,
      state: 'ON_DELIVERY',
      statusCode: 'ON_DELIVERY',
      statusMessage: 'being delivered to the receiver',
      statusDate: new Date(),
    };
    this.messages.set(delivery.messageId, delivery);
    const after = outcome === 'late' ? this.timing.lateMs : this.timing.deliveryMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const now = new Date();
      Object.assign(delivery, finalState(outcome, now), { statusDate: now });
      // A lost notification: the state changed, but the push never reaches the sender (only a poll finds it).
      if (outcome !== 'lost-notification') changed(delivery);
    }, after);
    timer.unref();
    this.timers.add(timer);
    return delivery;
  }

  /** Forgets the outcomes scripted for messages not taken yet; messages taken still end as scripted. */
  forgetScript(): void {
    this.script.length = 0;
  }

  /** Stops the timers: messages on their way stay ON_DELIVERY (the simulator is closing). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
