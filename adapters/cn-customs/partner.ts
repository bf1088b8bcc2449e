// China's customs (GACC) at the Khorgos crossing: batches of cargo declaration items for mirror comparison, in our signed batch format, answered by signed receipts.
import { definePartner } from '../../src/partners/kit.js';
import { completeManifest } from './batch-manifest.js';
import { classifyReceipt } from './batch-receipt.js';
import { BATCH_CODES } from './codes.js';
import { cnErrors } from './errors.js';
import { cnInbound } from './inbound.js';

export default definePartner({
  id: 'cn-customs',
  name: "China's customs at the Khorgos crossing (declaration batches for mirror comparison)",
  messages: {
    'declaration-batch': { description: 'the goods items of cargo declarations with a manifest (counts and digest), signed XML (schemas/partners/cn-customs/declaration-batch.xsd)', codec: 'xml', signing: 'xmldsig' },
  },
  participants: { reporter: 'our country code in the manifest (KZ)', partner: "the partner's country code (CN): its batches must state it as Reporter" },
  inbound: cnInbound,
  errors: cnErrors,
  // The mapping cannot hash: the items' digest goes into the manifest before the batch is signed.
  envelope: (message) => completeManifest(message.document),
  transport: {
    timeoutMs: 30_000,
    concurrency: 4,
    buildRequest: (message) => ({
      method: 'POST',
      path: '/batches',
      headers: { 'content-type': 'application/xml; charset=utf-8', 'x-message-id': message.id },
      body: message.payload,
    }),
  },
  classify: classifyReceipt,
  codes: BATCH_CODES,
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000], jitter: 0.2, maxAttempts: 6 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
});
