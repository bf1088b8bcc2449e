// The codes of a rejected batch's receipt, each with what it means for the batch (README codes table).
import type { AcknowledgementCode } from '../../src/partners/kit.js';

/** Codes a receiver puts in a REJECTED receipt. */
export const BATCH_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  'CNB-PARTIAL': { meaning: 'the batch does not hold what its manifest states (declarations, items or their digest): it was cut or altered on the way', verdict: 'retry' },
  'CNB-SIGNATURE': { meaning: 'the signature does not verify with the certificate the receiver pinned for the sender', verdict: 'needs-human' },
  'CNB-SCHEMA': { meaning: 'the batch breaks the batch schema', verdict: 'failed' },
  'CNB-DUPLICATE': { meaning: 'the receiver already holds this batch id with the same digest', verdict: 'delivered' },
  'CNB-BUSY': { meaning: 'the receiver cannot take batches now', verdict: 'retry' },
};
