// The diagnostic events every store writes for outbound messages: a record transformed into a message, and what an attempt showed.
import type { DiagnosticEvent } from './diagnostic-events.js';
import type { AttemptRecord, NewMessage, SourceRecord, Transition } from './message-store.js';

/** `transformed`: the record became this partner message. */
export function transformedEvent(record: SourceRecord, message: NewMessage, now: number): DiagnosticEvent {
  const detail = `${record.type} ${record.recordId} version ${record.version} → ${message.messageType} (${message.mapping.id}@${message.mapping.version})`;
  return { at: now, kind: 'transformed', partner: message.partner, messageId: message.id, inboundId: null, detail };
}

/** `sent` when the partner took the message, `delivery-timeout` when the attempt got no answer in time. */
export function attemptEvents(id: string, partner: string, attempt: AttemptRecord, transition: Transition, now: number): DiagnosticEvent[] {
  const events: DiagnosticEvent[] = [];
  if (transition.status === 'delivered') events.push({ at: now, kind: 'sent', partner, messageId: id, inboundId: null, detail: `attempt ${attempt.number}: ${transition.reason}` });
  if (attempt.timedOut) events.push({ at: now, kind: 'delivery-timeout', partner, messageId: id, inboundId: null, detail: `attempt ${attempt.number}: ${attempt.error ?? 'no answer in time'}` });
  return events;
}
