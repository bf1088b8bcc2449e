// The acknowledgements role of the store: what partners push back for our messages, the stages awaited, and the overdue ones acted on.
import type { AcknowledgeResult, IncomingAcknowledgement, OverdueAcknowledgement } from './message-store.js';

/**
 * Acknowledgements partners push for our messages and the ones still awaited. Every implementation
 * passes test/conformance/acknowledgement.conformance.ts.
 */
export interface AcknowledgementStore {
  /**
   * Records an acknowledgement a partner pushed for one of our messages and moves the message on: to
   * the next awaited stage, to done, or to failed when the partner refused it. A push of a partner
   * message id seen before gets that push's receipt again (same bytes) or a conflict.
   */
  acknowledge(incoming: IncomingAcknowledgement, now: number): Promise<AcknowledgeResult>;
  /** Delivered messages whose awaited acknowledgement is due before `now`, oldest first. */
  overdueAcknowledgements(now: number, limit: number): Promise<OverdueAcknowledgement[]>;
  /**
   * Acts on an overdue acknowledgement: sends the message again while repeats remain, else hands it
   * to a person (needs-human), each with the reason in its history. False when it was no longer overdue
   * (the acknowledgement came meanwhile).
   */
  repeatOverdue(messageId: string, now: number): Promise<boolean>;
}
