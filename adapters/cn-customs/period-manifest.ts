// The period manifest (the batches of one registration day the sender delivered) and its receipt (the ones the receiver does not hold), written and read by both sides.
import { childElement, childElements, childText, GatewayError, renderXml, type XmlContent } from '../../src/partners/kit.js';
import { BATCH_NS } from './batch-manifest.js';

/** Message type of a period manifest, pushed to us or sent by us. */
export const PERIOD_MANIFEST = 'period-manifest';

/** One batch as a period manifest lists it. */
export interface ListedBatch {
  batchId: string;
  items: number;
  /** The batch's items digest, as its own manifest states it. */
  digest: string;
}

/** What a period manifest says. */
export interface PeriodManifest {
  manifestId: string;
  reporter: string;
  partner: string;
  /** The registration day, YYYY-MM-DD. */
  period: string;
  batches: ListedBatch[];
}

/** What a period receipt says. */
export interface PeriodReceipt {
  manifestId: string;
  period?: string;
  receivedAt: string;
  status: 'COMPLETE' | 'INCOMPLETE' | 'REJECTED';
  /** How many of the listed batches the receiver holds. */
  held: number;
  /** Listed batches the receiver does not hold, in the manifest's order. */
  missing: string[];
  errors: Array<{ code: string; text: string }>;
}

function text(element: XmlContent, name: string): string {
  return childText(element, '', name)?.trim() ?? '';
}

/** The manifest's canonical bytes, unsigned (the sender signs them). */
export function renderPeriodManifest(manifest: PeriodManifest): Buffer {
  return renderXml({
    'cnb:PeriodManifest': {
      '@xmlns:cnb': BATCH_NS,
      '@version': '1',
      ManifestId: manifest.manifestId,
      Reporter: manifest.reporter,
      Partner: manifest.partner,
      Period: manifest.period,
      BatchCount: String(manifest.batches.length),
      ItemCount: String(manifest.batches.reduce((sum, b) => sum + b.items, 0)),
      ...(manifest.batches.length > 0 ? { Batch: manifest.batches.map((b) => ({ BatchId: b.batchId, ItemCount: String(b.items), ItemsDigest: b.digest })) } : {}),
    },
  });
}

/** The period manifest of a parsed document, or undefined when the document is another one. */
export function periodManifestRoot(document: XmlContent): XmlContent | undefined {
  return childElement(document, BATCH_NS, 'PeriodManifest');
}

/**
 * Reads a period manifest; its counts must agree with its list.
 * @throws GatewayError GW_ERR_INBOUND_UNREADABLE when an id, the period or a count is missing or does not add up
 */
export function readPeriodManifest(root: XmlContent): PeriodManifest {
  const batches = childElements(root, '', 'Batch').map((b) => ({ batchId: text(b, 'BatchId'), items: Number(text(b, 'ItemCount')), digest: text(b, 'ItemsDigest') }));
  const manifest = { manifestId: text(root, 'ManifestId'), reporter: text(root, 'Reporter'), partner: text(root, 'Partner'), period: text(root, 'Period'), batches };
  // What was read goes with the refusal (detail `envelope`), so the receipt is a PeriodReceipt naming the manifest.
  const refuse = (why: string): never => {
    throw new GatewayError('GW_ERR_INBOUND_UNREADABLE', `period manifest ${manifest.manifestId || '(no id)'}: ${why}`, { envelope: { messageType: PERIOD_MANIFEST, messageId: manifest.manifestId } });
  };
  if (!manifest.manifestId) refuse('no ManifestId');
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(manifest.period)) refuse(`Period "${manifest.period}" is not a date`);
  if (batches.some((b) => !b.batchId || !Number.isInteger(b.items) || b.items < 1)) refuse('a Batch lacks its BatchId or ItemCount');
  if (Number(text(root, 'BatchCount')) !== batches.length) refuse(`BatchCount ${text(root, 'BatchCount')} but ${batches.length} Batch elements`);
  const items = batches.reduce((sum, b) => sum + b.items, 0);
  if (Number(text(root, 'ItemCount')) !== items) refuse(`ItemCount ${text(root, 'ItemCount')} but the batches hold ${items}`);
  return manifest;
}

/** The receipt's canonical bytes, unsigned (the receiver signs them). */
export function renderPeriodReceipt(receipt: PeriodReceipt): Buffer {
  return renderXml({
    'cnb:PeriodReceipt': {
      '@xmlns:cnb': BATCH_NS,
      '@version': '1',
      ManifestId: receipt.manifestId,
      ...(receipt.period ? { Period: receipt.period } : {}),
      ReceivedAt: receipt.receivedAt,
      Status: receipt.status,
      HeldCount: String(receipt.held),
      ...(receipt.missing.length > 0 ? { MissingBatch: receipt.missing } : {}),
      ...(receipt.errors.length > 0 ? { Error: receipt.errors.map((e) => ({ '@code': e.code, '#text': e.text })) } : {}),
    },
  });
}

/** Reads a period receipt's signed content. @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID for anything that is not one. */
export function readPeriodReceipt(content: XmlContent): PeriodReceipt {
  const root = childElement(content, BATCH_NS, 'PeriodReceipt');
  const status = root ? text(root, 'Status') : '';
  if (!root || (status !== 'COMPLETE' && status !== 'INCOMPLETE' && status !== 'REJECTED') || !text(root, 'ManifestId')) {
    throw new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', 'the answer is not a PeriodReceipt with ManifestId and Status');
  }
  const period = text(root, 'Period');
  return {
    manifestId: text(root, 'ManifestId'),
    ...(period ? { period } : {}),
    receivedAt: text(root, 'ReceivedAt'),
    status,
    held: Number(text(root, 'HeldCount')),
    missing: childElements(root, '', 'MissingBatch').map((m) => String(m['#text'] ?? '').trim()),
    errors: childElements(root, '', 'Error').map((e) => ({ code: String(e['@code'] ?? ''), text: String(e['#text'] ?? '').trim() })),
  };
}

/** The receiver's judgement of a manifest's listed batch ids, given the ones it holds: COMPLETE, or INCOMPLETE naming the others. */
export function judgePeriod(listed: { manifestId: string; period: string; batchIds: readonly string[] }, held: ReadonlySet<string>, receivedAt: string): PeriodReceipt {
  const missing = listed.batchIds.filter((id) => !held.has(id));
  return { manifestId: listed.manifestId, period: listed.period, receivedAt, status: missing.length === 0 ? 'COMPLETE' : 'INCOMPLETE', held: listed.batchIds.length - missing.length, missing, errors: [] };
}
