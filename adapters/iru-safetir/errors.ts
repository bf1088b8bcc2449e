// The IRU adapter's own error codes (carnet query and reconciliation routes), registered into the gateway's catalogue when it loads.
import { defineErrors } from '../../src/partners/kit.js';

/** The codes this adapter adds; the README lists them. */
export const iruErrors = defineErrors('iru-safetir', {
  GW_ERR_CARNET_NUMBER_INVALID: { message: 'TIR carnet number does not match IRU pattern: two letters, then digits, 12 characters at most', httpStatus: 400, retryable: false },
  GW_ERR_RECONCILIATION_NOT_FOUND: { message: 'no such reconciliation request', httpStatus: 404, retryable: false },
  GW_ERR_RECONCILIATION_ANSWERED: { message: 'the reconciliation request has already been answered', httpStatus: 409, retryable: false },
  GW_ERR_RECONCILIATION_REPLY_INVALID: { message: 'the reply does not fit the reconciliation request', httpStatus: 422, retryable: false },
});
