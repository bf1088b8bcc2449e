// The hand-over target contract: how one accepted inbound record is passed to CAIS (queue or webhook).
import type { Handover } from '../store/inbound-store.js';

/** Passes records to CAIS; each record carries our inbound id, so CAIS can drop a repeat. */
export interface HandoverTarget {
  /** How the log names this hand-over (`queue`, `webhook`). */
  readonly via: string;
  /** Resolves once CAIS (or its broker) holds the record; rejects with the reason otherwise. */
  deliver(handover: Handover): Promise<void>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** Metadata every hand-over carries beside the record, as header names and values. */
export function handoverHeaders(handover: Handover): Record<string, string> {
  return {
    'x-gateway-inbound-id': handover.id,
    'x-gateway-partner': handover.partner,
    'x-gateway-message-type': handover.messageType,
    'x-gateway-record-type': handover.recordType,
  };
}
