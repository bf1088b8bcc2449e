// Russian Federal Customs Service adapter: signed transit notifications POSTed as they are, judged by FTS's Receipt; FTS pushes its own to us.
import { definePartner, type AcknowledgementCode, type AttemptResult, type Outcome } from '../../src/partners/kit.js';
import { inbound } from './inbound.js';
import { readReceipt } from './receipt.js';

/** FTS rejection codes of the bilateral Receipt and what each means for the message (README: Receipt). */
const ERROR_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  'SIG-001': { meaning: 'signature does not verify with the gateway certificate FTS holds', verdict: 'needs-human' },
  'HDR-001': { meaning: 'X-Message-Id missing or Content-Type not XML', verdict: 'needs-human' },
  'SCH-001': { meaning: 'document is not well-formed or violates the notification schema', verdict: 'failed' },
  'DUP-001': { meaning: 'FTS already holds this EnvelopeID', verdict: 'delivered' },
  'SYS-001': { meaning: 'FTS temporarily unavailable', verdict: 'retry' },
};

function judgeRejection(code: string, text: string | undefined): Outcome {
  const known = ERROR_CODES[code];
  const reason = `FTS rejected: ${code} ${known?.meaning ?? 'unknown error code'}${text ? ` (${text})` : ''}`;
  return { verdict: known?.verdict ?? 'needs-human', partnerCode: code, reason };
}

/** The Receipt decides when there is one; the HTTP status only when there is none. */
function classify(result: AttemptResult): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  const { status } = result;
  const receipt = readReceipt(result.body);
  if (receipt?.result === 'ACCEPTED' && (status === 200 || status === 201 || status === 202)) return { verdict: 'delivered', reason: `FTS accepted (HTTP ${status})` };
  if (receipt?.result === 'REJECTED' && receipt.errorCode) return judgeRejection(receipt.errorCode, receipt.errorText);
  if (status >= 500 || status === 408 || status === 429) return { verdict: 'retry', reason: `HTTP ${status}` };
  if (status >= 400 && status <= 499) return { verdict: 'failed', reason: `HTTP ${status} without a Receipt` };
  if (status >= 200 && status <= 299) return { verdict: 'retry', reason: `HTTP ${status} without a readable Receipt (in doubt)` };
  return { verdict: 'needs-human', reason: `unexpected HTTP ${status}` };
}

export default definePartner({
  id: 'ru-fcs',
  name: 'Federal Customs Service of Russia (FTS)',
  messages: {
    'transit-notification': {
      description: 'Notification of a transit event (departure, border crossing, arrival, TIR termination) for goods that left Russia',
      codec: 'xml',
      signing: 'xmldsig',
      schema: 'transit-notification.schema.json',
    },
  },
  transport: {
    timeoutMs: 10_000,
    concurrency: 4,
    /** The signed document exactly as logged; the message id travels in `X-Message-Id`. */
    buildRequest(message) {
      return {
        method: 'POST',
        path: '/transit/notifications',
        headers: { 'content-type': 'application/xml', 'x-message-id': message.id },
        body: message.payload,
      };
    },
  },
  inbound,
  participants: { sender: 'the code FTS declares as sender (roi:SenderInformation) in the notifications it pushes: RU:FCS' },
  classify,
  codes: ERROR_CODES,
  retry: { delaysMs: [2_000, 10_000, 60_000, 300_000, 900_000], jitter: 0.2, maxAttempts: 8 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 30_000 },
});
