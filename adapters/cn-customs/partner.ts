// China's customs (GACC) at the Khorgos crossing: batches of cargo declaration items for mirror comparison and HS4/HS6 statistics (SDMX-CSV), signed, answered by signed receipts.
import { definePartner, SDMX_CSV_COLUMNS } from '../../src/partners/kit.js';
import { completeManifest } from './batch-manifest.js';
import { classifyReceipt } from './batch-receipt.js';
import { BATCH_CODES } from './codes.js';
import { cnErrors } from './errors.js';
import { cnInbound } from './inbound.js';
import { closePeriods, DEFAULT_CLOSE_AFTER_HOURS, noteDeliveredBatch, registerPeriodRoutes } from './period-close.js';

export default definePartner({
  id: 'cn-customs',
  name: "China's customs at the Khorgos crossing (declaration batches for mirror comparison)",
  messages: {
    'declaration-batch': { description: 'the goods items of cargo declarations with a manifest (counts and digest), signed XML (schemas/partners/cn-customs/declaration-batch.xsd)', codec: 'xml', signing: 'xmldsig' },
    'trade-statistics': {
      description: 'HS4/HS6 trade statistics of a month and flow as SDMX-CSV 2.0 of our dataflow KZ_CUSTOMS:DF_IMTS_HS(1.0.0), in CMS SignedData',
      codec: 'csv',
      codecOptions: { columns: SDMX_CSV_COLUMNS },
      signing: 'cms',
    },
  },
  participants: { reporter: 'our country code in the manifest (KZ)', partner: "the partner's country code (CN): its batches must state it as Reporter" },
  options: {
    periodCloseAfterHours: { description: 'hours after the end of a period (a registration date, its end counted in UTC) before its period manifest goes to China', default: String(DEFAULT_CLOSE_AFTER_HOURS) },
  },
  inbound: cnInbound,
  // Every delivered batch is noted under its period; closed periods' manifests tell which batches China lacks.
  delivered: (message, _result, deps) => noteDeliveredBatch(message, deps),
  schedules: [{ name: 'period-close', everyMs: 600_000, run: closePeriods }],
  routes: registerPeriodRoutes,
  errors: cnErrors,
  // The mapping cannot hash: the items' digest goes into a batch's manifest before it is signed.
  envelope: (message) => (message.messageType === 'declaration-batch' ? completeManifest(message.document) : message.document),
  transport: {
    timeoutMs: 30_000,
    concurrency: 4,
    buildRequest: (message) =>
      message.messageType === 'trade-statistics'
        ? { method: 'POST', path: '/statistics', headers: { 'content-type': 'application/pkcs7-mime; smime-type=signed-data', 'x-message-id': message.id }, body: message.payload }
        : { method: 'POST', path: '/batches', headers: { 'content-type': 'application/xml; charset=utf-8', 'x-message-id': message.id }, body: message.payload },
  },
  classify: classifyReceipt,
  codes: BATCH_CODES,
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000], jitter: 0.2, maxAttempts: 6 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
});
