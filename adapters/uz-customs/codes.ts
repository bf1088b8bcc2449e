// The RES function codes Uzbekistan answers a DEC with, each with what it means for our message (README codes table), and the validation codes our own refusals carry.
import type { AcknowledgementCode } from '../../src/partners/kit.js';

/** WCO RES function codes of the profile. */
export const RES_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  '01': { meaning: 'accepted: the advance information is registered (the RES names its registration id)', verdict: 'delivered' },
  '03': { meaning: 'rejected: the DEC breaks the schema or the agreement (the RES lists each error with its validation code)', verdict: 'failed' },
};

/**
 * The RES validation code (an..8 in the WCO schema) of a refusal's GW_ERR_* code; the code itself
 * opens the error's description (README).
 */
export function validationCode(code: string): string {
  if (code.startsWith('GW_ERR_SIGNATURE') || code === 'GW_ERR_INBOUND_CLIENT_CERT' || code === 'GW_ERR_INBOUND_TLS_MISMATCH' || code === 'GW_ERR_INBOUND_SIGNER_MISMATCH') return 'KZ-SIGN';
  if (code === 'GW_ERR_INBOUND_SENDER_MISMATCH') return 'KZ-SNDR';
  if (code === 'GW_ERR_INBOUND_RECORD_INVALID' || code === 'GW_ERR_INBOUND_UNMAPPED') return 'KZ-DATA';
  if (code === 'GW_ERR_INBOUND_CONFLICT') return 'KZ-DUPL';
  if (code === 'GW_ERR_STORE_UNAVAILABLE' || code === 'GW_ERR_INTERNAL') return 'KZ-BUSY';
  return 'KZ-STRUC';
}
