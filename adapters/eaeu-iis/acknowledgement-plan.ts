// What the gateway awaits after a member's gateway took one of our messages: the signals and answer of its transaction template, with their times.
import type { AcknowledgementPlan } from '../../src/partners/kit.js';
import type { ProcessTable } from './process-table.js';
import { SIGNAL_NAMES } from './signals.js';

/**
 * The plan of a message's transaction: «Получено» within the time to confirm receipt, «Принято в
 * обработку» within the time to confirm acceptance, the answer within the time to answer; a stage
 * whose time the transaction does not give is not awaited (Decision 5: that signal is not used).
 * Undefined for a message that opens no transaction (a signal or an answer of ours).
 */
export function acknowledgementPlanOf(table: ProcessTable, messageType: string): AcknowledgementPlan | undefined {
  // Our replies (signals, answers) open nothing: nothing is awaited for them.
  const route = table.has(messageType) ? table.route(messageType) : undefined;
  if (!route || route.transaction.request !== route.message) return undefined;
  const { transaction } = route;
  const stages: Array<AcknowledgementPlan['stages'][number]> = [];
  if (transaction.receiptSeconds) stages.push({ stage: 'received', withinMs: transaction.receiptSeconds * 1000, name: SIGNAL_NAMES.received });
  if (transaction.acceptanceSeconds) stages.push({ stage: 'accepted', withinMs: transaction.acceptanceSeconds * 1000, name: SIGNAL_NAMES.accepted });
  if (transaction.answer && transaction.answerSeconds && transaction.template !== 'notification') {
    stages.push({ stage: 'answered', withinMs: transaction.answerSeconds * 1000, name: `answer ${transaction.answer}` });
  }
  return stages.length > 0 ? { stages, repeats: transaction.repeats } : undefined;
}
