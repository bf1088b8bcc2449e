// China's batches, period manifests and statistics files pushed to us: a batch refused as partial when it does not hold what its manifest states, a period manifest answered with the listed batches we do not hold, a statistics file checked; each answered by our signed receipt.
import { GatewayError, type InboundOutcome, type InboundSpec, type XmlContent } from '../../src/partners/kit.js';
import { batchRoot, countBatch, manifestOf, partiality } from './batch-manifest.js';
import { renderReceipt } from './batch-receipt.js';
import { cnErrors } from './errors.js';
import { judgePeriod, PERIOD_MANIFEST, periodManifestRoot, readPeriodManifest, renderPeriodReceipt } from './period-manifest.js';
import { readStatisticsFile, TRADE_STATISTICS } from './statistics-file.js';

/** Inbound message type: a batch of China's declarations. */
export const DECLARATION_BATCH = 'declaration-batch';

/** The receipt's error code for a refusal's GW_ERR_* code (the codes our own receipts get, README). */
function receiptCode(code: string): string {
  if (code === 'GW_ERR_CN_BATCH_PARTIAL') return 'CNB-PARTIAL';
  if (code === 'GW_ERR_CN_STATISTICS_INVALID' || code === 'GW_ERR_CN_NOT_FOR_US' || code === 'GW_ERR_MIME_MALFORMED') return 'CNB-SCHEMA';
  if (code.startsWith('GW_ERR_SIGNATURE') || code.startsWith('GW_ERR_INBOUND_CLIENT_CERT') || code === 'GW_ERR_INBOUND_TLS_MISMATCH') return 'CNB-SIGNATURE';
  if (code.startsWith('GW_ERR_XML') || code === 'GW_ERR_INBOUND_UNREADABLE' || code.startsWith('GW_ERR_INBOUND_RECORD') || code === 'GW_ERR_UNSUPPORTED_MEDIA_TYPE') return 'CNB-SCHEMA';
  if (code === 'GW_ERR_STORE_UNAVAILABLE' || code === 'GW_ERR_INTERNAL') return 'CNB-BUSY';
  return code;
}

/** The refusal of a document for another country than ours (`us`, the instance's reporter participant). */
function notForUs(named: string, us: string, envelope: { messageType: string; messageId?: string }): GatewayError {
  return cnErrors.error('GW_ERR_CN_NOT_FOR_US', `the document is for partner country "${named}", we are ${us}`, { envelope });
}

/**
 * Reads a verified batch: its id is the deduplication key, its reporter the sender, and it must hold
 * exactly what its manifest states.
 * @throws GatewayError GW_ERR_INBOUND_UNREADABLE (no batch, no id), GW_ERR_CN_NOT_FOR_US (its Partner is not `us`), GW_ERR_CN_BATCH_PARTIAL
 */
export function readBatch(document: XmlContent, us: string): ReturnType<InboundSpec['read']> {
  const period = periodManifestRoot(document);
  if (period) {
    const manifest = readPeriodManifest(period);
    if (manifest.partner !== us) throw notForUs(manifest.partner, us, { messageType: PERIOD_MANIFEST, messageId: manifest.manifestId });
    const ids = manifest.batches.map((b) => b.batchId);
    return { messageType: PERIOD_MANIFEST, messageId: manifest.manifestId, sender: manifest.reporter, inventory: { messageType: DECLARATION_BATCH, messageIds: ids }, replyContext: { period: manifest.period } };
  }
  let root: XmlContent;
  try {
    root = batchRoot(document);
  } catch (err) {
    throw new GatewayError('GW_ERR_INBOUND_UNREADABLE', `China's push: ${(err as Error).message.replace(/^GW_ERR_\w+: /, '')}`);
  }
  const manifest = manifestOf(root);
  if (!manifest.batchId) throw new GatewayError('GW_ERR_INBOUND_UNREADABLE', "China's push: the manifest has no BatchId");
  if (manifest.partner !== us) throw notForUs(manifest.partner, us, { messageType: DECLARATION_BATCH, messageId: manifest.batchId });
  const partial = partiality(root);
  if (partial) throw cnErrors.error('GW_ERR_CN_BATCH_PARTIAL', `batch ${manifest.batchId}: ${partial}`, { envelope: { messageType: DECLARATION_BATCH, messageId: manifest.batchId } });
  const held = countBatch(root);
  return { messageType: DECLARATION_BATCH, messageId: manifest.batchId, sender: manifest.reporter, replyContext: { itemCount: String(held.items), itemsDigest: held.digest } };
}

/** An id read from a refused push as a receipt may carry it (the schema's BatchId), else `unknown`. */
function receiptId(id: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id) ? id : 'unknown';
}

/** Our receipt of a period manifest: COMPLETE, INCOMPLETE naming the listed batches the log does not hold, or REJECTED with its code. */
function periodReceipt(outcome: InboundOutcome): Buffer {
  const receivedAt = outcome.receivedAt.toISOString();
  const manifestId = outcome.envelope?.messageId || 'unknown';
  if (!outcome.accepted) return renderPeriodReceipt({ manifestId: receiptId(manifestId), receivedAt, status: 'REJECTED', held: 0, missing: [], errors: [{ code: receiptCode(outcome.code), text: outcome.reason }] });
  const listed = { manifestId, period: outcome.envelope.replyContext?.period ?? '', batchIds: outcome.envelope.inventory?.messageIds ?? [] };
  return renderPeriodReceipt(judgePeriod(listed, outcome.held ?? new Set(), receivedAt));
}

/** Our receipt of a batch: ACCEPTED with what we found, or REJECTED with the code China's side knows. */
function batchReceipt(outcome: InboundOutcome): Buffer {
  const receivedAt = outcome.receivedAt.toISOString();
  const batchId = outcome.envelope?.messageId || 'unknown';
  return outcome.accepted
    ? renderReceipt({ batchId, receivedAt, status: 'ACCEPTED', itemCount: Number(outcome.envelope.replyContext?.itemCount ?? 0), ...(outcome.envelope.replyContext?.itemsDigest ? { itemsDigest: outcome.envelope.replyContext.itemsDigest } : {}), errors: [] })
    : renderReceipt({ batchId: receiptId(batchId), receivedAt, status: 'REJECTED', itemCount: 0, errors: [{ code: receiptCode(outcome.code), text: outcome.reason }] });
}

/** China's pushes: enveloped-signed batches and period manifests, and statistics files in CMS, each answered by our signed receipt of its kind. */
export const cnInbound: InboundSpec = {
  messages: {
    [DECLARATION_BATCH]: { description: "a batch of China's cargo declarations for mirror comparison (mapped to a mirror.batch record for CAIS)" },
    [PERIOD_MANIFEST]: { description: 'the batches of one registration day China delivered (mapped to a mirror.period record for CAIS); answered with the ones we do not hold' },
    [TRADE_STATISTICS]: { description: "China's HS4/HS6 trade statistics of a month and flow with us, SDMX-CSV of our dataflow in CMS SignedData (mapped to a mirror.statistics record for CAIS)" },
  },
  mediaTypes: ['application/xml', 'text/xml'],
  maxBytes: 16 * 1024 * 1024,
  senderParticipant: 'partner',
  read: (document, _request, context) => readBatch(document, context.participants.reporter ?? ''),
  // Statistics files come as CMS SignedData with the SDMX-CSV inside, as ours go to China.
  cms: { mediaTypes: ['application/pkcs7-mime'], read: (content, _request, context) => readStatisticsFile(content, context.participants.reporter ?? '') },
  receiptSigning: 'xmldsig',
  receipt: (outcome) => ({ contentType: 'application/xml; charset=utf-8', body: outcome.envelope?.messageType === PERIOD_MANIFEST ? periodReceipt(outcome) : batchReceipt(outcome) }),
};
