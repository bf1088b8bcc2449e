// The bilateral Receipt that answers a transit notification, in both directions: written by FTS to us and by us to FTS.
import { childElement, childText, parseXml, renderXml } from '../../src/partners/kit.js';
import { RECEIPT_NS } from './namespaces.js';

/** Receipt sizes are a few hundred bytes; anything far larger is not one. */
const MAX_RECEIPT_BYTES = 64 * 1024;
/** Longest ErrorText written, in characters. */
const MAX_ERROR_TEXT = 1000;
/** Algorithm URI of PayloadDigest (XML Encryption's SHA-256 identifier, as XMLDSig DigestMethod uses it). */
export const PAYLOAD_DIGEST_ALGORITHM = 'http://www.w3.org/2001/04/xmlenc#sha256';
/**
 * Characters a receipt never carries: those XML 1.0 cannot, and U+0085/U+2028, which xmldom-based
 * verifiers read as line feeds (the renderer refuses them all rather than alter them).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNWRITABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0085\u2028\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What a Receipt says; element order below is the order written. */
export interface Receipt {
  /** The receiver's id of the message it took in; only in our receipts, when accepted. */
  receiptId?: string;
  /** The notification's `roi:EnvelopeID`, when the receiver could read it. */
  envelopeId?: string;
  /** The `X-Message-Id` it answers; FTS writes it, our receipts to FTS's pushes have none to answer. */
  messageId?: string;
  /** When the receiver took the notification (xs:dateTime); both sides write it. */
  receivedAt?: string;
  result: 'ACCEPTED' | 'REJECTED';
  /** With REJECTED only, and then required: FTS's codes (SIG-001 …) or ours (GW_ERR_…). */
  errorCode?: string;
  errorText?: string;
  /** Base64 SHA-256 of the exact bytes received; only in our receipts. */
  payloadDigest?: string;
}

/** Text safe to write into a receipt whatever it quotes: unwritable characters replaced, length capped. */
function writable(text: string): string {
  return Array.from(text.replace(UNWRITABLE, '\uFFFD')).slice(0, MAX_ERROR_TEXT).join('');
}

/** Renders a Receipt (unsigned, canonical bytes). */
export function writeReceipt(receipt: Receipt): Buffer {
  return renderXml({
    Receipt: {
      '@xmlns': RECEIPT_NS,
      ReceiptID: receipt.receiptId,
      EnvelopeID: receipt.envelopeId,
      MessageID: receipt.messageId,
      ReceivedAt: receipt.receivedAt,
      Result: receipt.result,
      ErrorCode: receipt.errorCode,
      ErrorText: receipt.errorText === undefined ? undefined : writable(receipt.errorText),
      PayloadDigest: receipt.payloadDigest === undefined ? undefined : { '@Algorithm': PAYLOAD_DIGEST_ALGORITHM, '#text': receipt.payloadDigest },
    },
  });
}

/** Reads a Receipt; undefined when the body is not a well-formed one (a REJECTED needs an ErrorCode). */
export function readReceipt(body: Buffer | string): Receipt | undefined {
  let root;
  try {
    root = parseXml(body, { maxBytes: MAX_RECEIPT_BYTES, expectedNamespace: RECEIPT_NS });
  } catch {
    return undefined;
  }
  const receipt = childElement(root, RECEIPT_NS, 'Receipt');
  const field = (name: string): string | undefined => (receipt ? childText(receipt, RECEIPT_NS, name)?.trim() || undefined : undefined);
  const result = field('Result');
  if (result !== 'ACCEPTED' && result !== 'REJECTED') return undefined;
  const errorCode = field('ErrorCode');
  if (result === 'REJECTED' && !errorCode) return undefined;
  const digest = receipt && childElement(receipt, RECEIPT_NS, 'PayloadDigest')?.['#text'];
  const read: Receipt = { result };
  const fields = { receiptId: field('ReceiptID'), envelopeId: field('EnvelopeID'), messageId: field('MessageID'), receivedAt: field('ReceivedAt'), errorCode, errorText: field('ErrorText') };
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) read[name as keyof typeof fields] = value;
  if (typeof digest === 'string') read.payloadDigest = digest.trim();
  return read;
}
