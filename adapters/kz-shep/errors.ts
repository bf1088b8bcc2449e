// The e-government gateway adapter's own error codes, registered into the gateway's catalogue when it loads.
import { defineErrors } from '../../src/partners/kit.js';

/** The codes this adapter adds; the README lists them. */
export const shepErrors = defineErrors('kz-shep', {
  GW_ERR_SHEP_NOT_CONFIGURED: { message: 'this agency instance has no e-government service configured for the exchange asked for', httpStatus: 404, retryable: false },
  GW_ERR_SHEP_DOCUMENT_INVALID: { message: 'the document cannot travel through the e-government gateway as mapped (message type, correlation id, attachments or document model)', httpStatus: 422, retryable: false },
  GW_ERR_SHEP_AGENCY_FAULT: { message: 'the e-government gateway or the agency behind it answered the look-up with an error (ErrorInfo); its codes are in the message', httpStatus: 502, retryable: false },
});
