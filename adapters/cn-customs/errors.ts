// The adapter's own error codes, registered in the gateway's catalogue when it loads.
import { defineErrors } from '../../src/partners/kit.js';

/** China's batches that the gateway refuses for what they are, not for their signature. */
export const cnErrors = defineErrors('cn-customs', {
  GW_ERR_CN_BATCH_PARTIAL: { message: "a declaration batch does not hold what its manifest states (declarations, items or their digest)", httpStatus: 422, retryable: false },
});
