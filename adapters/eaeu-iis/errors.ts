// The EAEU adapter's own error codes, registered into the gateway's catalogue when it loads.
import { defineErrors } from '../../src/partners/kit.js';

/** The codes this adapter adds; the README lists them. */
export const eaeuErrors = defineErrors('eaeu-iis', {
  GW_ERR_EAEU_CARNET_UNSUPPORTED: {
    message: 'the TIR carnet number cannot be carried by the EEC data model (series of two letters and an 8-digit number); the record is refused for EAEU partners, never truncated',
    httpStatus: 422,
    retryable: false,
  },
  GW_ERR_EAEU_HEADER: { message: 'the integrated-system header block is missing a header or carries a malformed one', httpStatus: 400, retryable: false },
  GW_ERR_EAEU_PROCESS_UNKNOWN: { message: 'the message, transaction or process is not in the configured process files', httpStatus: 422, retryable: false },
});
