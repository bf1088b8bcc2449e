// The receiver's signed receipt of a batch: written by whichever side received it, read and judged by the sender.
import { childElement, childElements, childText, createXmlVerifier, GatewayError, parseXml, renderXml, type AttemptResult, type Outcome, type PartnerContext, type XmlContent } from '../../src/partners/kit.js';
import { BATCH_NS } from './batch-manifest.js';
import { BATCH_CODES } from './codes.js';

/** What a receipt says. */
export interface BatchReceipt {
  batchId: string;
  receivedAt: string;
  status: 'ACCEPTED' | 'REJECTED';
  itemCount: number;
  itemsDigest?: string;
  errors: Array<{ code: string; text: string }>;
}

/** The receipt's canonical bytes, unsigned (the receiver signs them). */
export function renderReceipt(receipt: BatchReceipt): Buffer {
  return renderXml({
    'cnb:BatchReceipt': {
      '@xmlns:cnb': BATCH_NS,
      '@version': '1',
      BatchId: receipt.batchId,
      ReceivedAt: receipt.receivedAt,
      Status: receipt.status,
      ItemCount: String(receipt.itemCount),
      ...(receipt.itemsDigest ? { ItemsDigest: receipt.itemsDigest } : {}),
      ...(receipt.errors.length > 0 ? { Error: receipt.errors.map((e) => ({ '@code': e.code, '#text': e.text })) } : {}),
    },
  });
}

/** Reads a receipt's signed content. @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID for anything that is not one. */
export function readReceipt(content: XmlContent): BatchReceipt {
  const root = childElement(content, BATCH_NS, 'BatchReceipt');
  const text = (name: string): string => (root && childText(root, '', name)?.trim()) ?? '';
  const status = text('Status');
  if (!root || (status !== 'ACCEPTED' && status !== 'REJECTED') || !text('BatchId')) throw new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', 'the answer is not a BatchReceipt with BatchId and Status');
  const digest = text('ItemsDigest');
  return {
    batchId: text('BatchId'),
    receivedAt: text('ReceivedAt'),
    status,
    itemCount: Number(text('ItemCount')),
    ...(digest ? { itemsDigest: digest } : {}),
    errors: childElements(root, '', 'Error').map((e) => ({ code: String(e['@code'] ?? ''), text: String(e['#text'] ?? '').trim() })),
  };
}

/**
 * The content of an answer signed by the partner's pinned key, parsed.
 * @throws GatewayError when it carries no signature or one that does not verify with those keys
 */
export function partnerSigned(body: Buffer, context: PartnerContext): XmlContent {
  const keys = context.partnerCertificates.map((c) => c.publicKey);
  return parseXml(createXmlVerifier(() => keys).verify(body, context.partner).xml);
}

/**
 * Judges the answer to a batch: the receipt must be signed by the partner's pinned key; ACCEPTED is
 * delivered; REJECTED takes the verdict of its first error code (README codes table; unknown → a person).
 */
export function classifyReceipt(result: AttemptResult, context: PartnerContext): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  if (result.status >= 500) return { verdict: 'retry', reason: `HTTP ${result.status}` };
  let receipt: BatchReceipt;
  try {
    receipt = readReceipt(partnerSigned(result.body, context));
  } catch (err) {
    const reason = err instanceof GatewayError ? err.message : String(err);
    return { verdict: 'needs-human', reason: `HTTP ${result.status}: the receipt is not one the partner signed: ${reason}` };
  }
  if (receipt.status === 'ACCEPTED') return { verdict: 'delivered', reason: `batch ${receipt.batchId} accepted, ${receipt.itemCount} items` };
  const [error] = receipt.errors;
  const code = error?.code ?? '';
  const known = BATCH_CODES[code];
  return { verdict: known?.verdict ?? 'needs-human', partnerCode: code, reason: `batch ${receipt.batchId} rejected: ${code} ${error?.text ?? ''}`.trim() };
}
