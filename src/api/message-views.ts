// How the API shows the log: summaries, outbound and inbound detail with lineage, and what a principal without the content right may see of them.
import type { DiagnosticEvent } from '../store/diagnostic-events.js';
import type { InboundDetail } from '../store/inbound-store.js';
import type { MessageDetail, MessageFilter, MessageSummary } from '../store/message-store.js';
import { inboundLineage, outboundLineage, type Answer } from './lineage.js';
import type { Principal } from './rights.js';

/** An ISO 8601 time of epoch milliseconds. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A log entry as listings show it. */
export function summaryView(m: MessageSummary): Record<string, unknown> {
  return { ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt), nextAttemptAt: m.nextAttemptAt === null ? null : iso(m.nextAttemptAt) };
}

/** An outbound message's detail, with the inbound messages answering it and its lineage. */
export function detailView(m: MessageDetail, answers: readonly Answer[]): Record<string, unknown> {
  return {
    ...summaryView(m),
    history: m.history.map((h) => ({ ...h, at: iso(h.at) })),
    attemptLog: m.attemptLog.map((a) => ({ ...a, startedAt: iso(a.startedAt) })),
    acknowledgements: m.acknowledgements.map((a) => ({ ...a, receivedAt: iso(a.receivedAt) })),
    events: m.events.map(eventView),
    awaiting: m.awaiting === null ? null : { ...m.awaiting, dueAt: iso(m.awaiting.dueAt) },
    answeredBy: answers.map((a) => ({ ...a, receivedAt: iso(a.receivedAt) })),
    lineage: outboundLineage(m, answers),
  };
}

/** An inbound message's detail with its lineage. */
export function inboundView(m: InboundDetail): Record<string, unknown> {
  const { handover } = m;
  return {
    ...m,
    receivedAt: iso(m.receivedAt),
    updatedAt: iso(m.updatedAt),
    handover: { ...handover, nextAttemptAt: handover.nextAttemptAt === null ? null : iso(handover.nextAttemptAt), handedOverAt: handover.handedOverAt === null ? null : iso(handover.handedOverAt) },
    history: m.history.map((h) => ({ ...h, at: iso(h.at) })),
    events: m.events.map(eventView),
    lineage: inboundLineage(m),
  };
}

/** A diagnostic event with an ISO time. */
export function eventView(e: DiagnosticEvent): Record<string, unknown> {
  return { ...e, at: iso(e.at) };
}

/** A detail without the record's content, for a principal without the content right. */
export function withheld(view: Record<string, unknown>, principal: Principal | undefined): Record<string, unknown> {
  if (principal?.rights.has('content')) return view;
  const { record, ...rest } = view;
  if (view.direction === 'in' && record !== null && typeof record === 'object') {
    const { value: _value, ...identity } = record as Record<string, unknown>;
    return { ...rest, record: identity };
  }
  return rest;
}

/** A log search as the API's query string gives it. */
export interface LogQuery {
  key?: string;
  partner?: string;
  status?: MessageFilter['status'];
  direction?: MessageFilter['direction'];
  type?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** The store's filter of a log search. */
export function filterOf(q: LogQuery): MessageFilter {
  return {
    ...(q.key ? { key: q.key } : {}),
    ...(q.partner ? { partner: q.partner } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.direction ? { direction: q.direction } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.from ? { from: Date.parse(q.from) } : {}),
    ...(q.to ? { to: Date.parse(q.to) } : {}),
  };
}

