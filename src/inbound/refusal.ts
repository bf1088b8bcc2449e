// A push refused on its way through the inbound side: its GW_ERR_* code, the reason, and what was read of its envelope.
import { GatewayError, type ErrorCode } from '../errors.js';
import type { InboundEnvelope } from '../partners/partner-definition.js';

/** Thrown inside the inbound side and turned into a signed refusal at its edge. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly envelope?: Partial<InboundEnvelope>,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** A GatewayError's reason without its code. */
export function reasonOf(err: GatewayError): string {
  return err.message.startsWith(`${err.code}: `) ? err.message.slice(err.code.length + 2) : err.message;
}
