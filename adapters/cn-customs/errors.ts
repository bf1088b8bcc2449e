// The adapter's own error codes, registered in the gateway's catalogue when it loads.
import { defineErrors } from '../../src/partners/kit.js';

/** China's batches and statistics files that the gateway refuses for what they are, not for their signature. */
export const cnErrors = defineErrors('cn-customs', {
  GW_ERR_CN_BATCH_PARTIAL: { message: "a declaration batch does not hold what its manifest states (declarations, items or their digest)", httpStatus: 422, retryable: false },
  GW_ERR_CN_NOT_FOR_US: { message: "a batch, period manifest or statistics file names another partner country than ours (its Partner or COUNTERPART_AREA)", httpStatus: 422, retryable: false },
  GW_ERR_CN_STATISTICS_INVALID: { message: 'a statistics file is not SDMX-CSV of our dataflow for one month and flow, or its figures do not add up (one TOTAL, no figures in confidential rows, visible rows within the total)', httpStatus: 422, retryable: false },
});
