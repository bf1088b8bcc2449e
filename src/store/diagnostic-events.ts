// Diagnostic events of the exchange, the ones an EAEU integration gateway must keep (EEC Decision 5): typed rows of the log beside statuses and attempts.

/**
 * What happened: a message `received` from a partner, a record `transformed` into a partner document,
 * a message `sent` (taken by the partner), sent to or received from the trusted third party, a
 * `delivery-timeout` (no answer in time, or an awaited acknowledgement late), a `header-error` (a
 * push refused for its header block).
 */
export type DiagnosticKind = 'received' | 'transformed' | 'sent' | 'trusted-party-sent' | 'trusted-party-received' | 'delivery-timeout' | 'header-error';

/** Every kind, in Decision 5's order. */
export const DIAGNOSTIC_KINDS: readonly DiagnosticKind[] = ['received', 'transformed', 'sent', 'trusted-party-sent', 'trusted-party-received', 'delivery-timeout', 'header-error'];

/** One diagnostic event. */
export interface DiagnosticEvent {
  at: number;
  kind: DiagnosticKind;
  partner: string;
  /** Our outbound message it concerns, if any. */
  messageId: string | null;
  /** The inbound message it concerns, if any. */
  inboundId: string | null;
  /** What it was, in words. */
  detail: string;
}

/** Filters of the diagnostic listing; all optional. */
export interface DiagnosticFilter {
  partner?: string;
  kind?: DiagnosticKind;
  /** At or after, epoch ms. */
  from?: number;
  /** Before, epoch ms. */
  to?: number;
}

/** The audit trail of the exchange: the diagnostic events kept beside statuses and attempts. */
export interface DiagnosticsLog {
  /** The newest diagnostic events matching the filter, at most `limit`. */
  diagnostics(filter: DiagnosticFilter, limit: number): Promise<DiagnosticEvent[]>;
}
