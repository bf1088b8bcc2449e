// The lineage of a logged message, step by step: partner document → record → CAIS hand-over, or CAIS record → partner documents → acknowledgements → answers.
import type { InboundDetail } from '../store/inbound-store.js';
import type { MessageDetail } from '../store/message-store.js';

/** One step of a message's lineage; `step` names it, the rest depends on the step. */
export type LineageStep = { step: string } & Record<string, unknown>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What an inbound message went through: the document received, the record it became, its hand-over to CAIS. */
export function inboundLineage(m: InboundDetail): LineageStep[] {
  return [
    {
      step: 'partner-document',
      at: iso(m.receivedAt),
      partner: m.partner,
      messageType: m.messageType,
      partnerMessageId: m.partnerMessageId,
      payloadSha256: m.payloadSha256,
      clientCertificateSha256: m.clientCertificate,
      signerCertificateSha256: m.signerCertificate,
      receiptSha256: m.receiptSha256,
    },
    { step: 'canonical-record', type: m.record.type, recordId: m.record.recordId, version: m.record.version, mapping: m.mapping },
    {
      step: 'cais-handover',
      status: m.status === 'handed-over' ? 'done' : 'pending',
      via: m.handover.via,
      at: iso(m.handover.handedOverAt),
      attempts: m.handover.attempts,
      nextAttemptAt: iso(m.handover.nextAttemptAt),
      lastError: m.handover.lastError,
    },
  ];
}

/** Who answered an outbound message (inbound messages linked to it). */
export interface Answer {
  id: string;
  partner: string;
  messageType: string;
  receivedAt: number;
}

/** What an outbound message went through: the CAIS record, the documents made from it, the partner's acknowledgements, and the partner's answers. */
export function outboundLineage(m: MessageDetail, answers: readonly Answer[]): LineageStep[] {
  const record = m.record as { type?: string; recordId?: string; version?: number };
  return [
    { step: 'cais-record', type: record.type ?? m.recordType, recordId: record.recordId ?? m.recordId, version: record.version ?? m.recordVersion, at: iso(m.createdAt) },
    { step: 'partner-documents', documents: m.recordMessages.map((d) => ({ ...d, current: d.id === m.id })) },
    {
      step: 'acknowledgements',
      status: m.status,
      attempts: m.attemptLog.map((a) => ({ number: a.number, at: iso(a.startedAt), outcome: a.outcome, httpStatus: a.httpStatus, partnerCode: a.partnerCode })),
      signals: m.acknowledgements.map((a) => ({ stage: a.stage, effect: a.effect, code: a.code, at: iso(a.receivedAt) })),
    },
    { step: 'answers', inbound: answers.map((a) => ({ ...a, receivedAt: iso(a.receivedAt) })) },
  ];
}
