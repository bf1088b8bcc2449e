// The RES function codes Uzbekistan answers a DEC with, each with what it means for our message (README codes table).
import type { AcknowledgementCode } from '../../src/partners/kit.js';

/** WCO RES function codes of the profile. */
export const RES_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  '01': { meaning: 'accepted: the advance information is registered (the RES names its registration id)', verdict: 'delivered' },
  '03': { meaning: 'rejected: the DEC breaks the schema or the agreement (the RES lists each error with its validation code)', verdict: 'failed' },
};
