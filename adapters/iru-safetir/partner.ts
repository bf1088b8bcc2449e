// IRU Real-Time SafeTIR adapter: the SafeTIR upload sealed the classic RTS way and sent as a WSST SOAP call, IRU's return codes, and the carnet query and reconciliation services.
import {
  buildSoapEnvelope,
  childElement,
  childText,
  definePartner,
  GatewayError,
  parseSoapEnvelope,
  parseXml,
  type AcknowledgementCode,
  type AttemptResult,
  type Outcome,
  type PartnerContext,
  type SoapFault,
  type SoapMessage,
  type SoapRequest,
} from '../../src/partners/kit.js';
import { registerCarnetQueryRoute } from './carnet-query.js';
import { iruErrors } from './errors.js';
import { pullReconciliation, RECONCILIATION_PULL_EVERY_MS, registerReconciliationRoutes } from './reconciliation.js';
import { sealRtsPayload } from './rts-envelope.js';
import { buildRtsPlusRequest, checkRtsPlusDocument, classifyRtsPlus, RTS_PLUS_BATCH_BYTES, RTS_PLUS_CODES } from './rts-plus.js';
import { cancelThenNew, mergeUploads } from './upload-document.js';

/** WSDL target namespace of the WSST service and its SOAP action (safetirupload.wsdl). */
const IRU_NS = 'http://www.iru.org';
const WSST_ACTION = 'http://www.iru.org/WSST';
const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';

/**
 * IRU return codes (shared reference formats.md §1.3) and what each means for the message.
 * Envelope, key and subscriber problems are our configuration: every message would fail alike, so a
 * person must fix it. Field problems are this message's: resending it cannot succeed.
 */
const RETURN_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  2: { meaning: 'SUCCESS', verdict: 'delivered' },
  1200: { meaning: 'UNCLASSIFIED_ERROR', verdict: 'retry' },
  1250: { meaning: 'DATABASE_QUERY_TIMEOUT', verdict: 'retry' },
  1210: { meaning: 'MISSING_MESSAGE_TAG', verdict: 'needs-human' },
  1211: { meaning: 'UNKNOWN_MESSAGE_TAG', verdict: 'needs-human' },
  1212: { meaning: 'INVALID_SUBSCRIBER_ID', verdict: 'needs-human' },
  1213: { meaning: 'MISSING_ESESSIONKEY', verdict: 'needs-human' },
  1214: { meaning: 'MISSING_PAYLOAD', verdict: 'needs-human' },
  1230: { meaning: 'ESESSIONKEY_DECRYPTION', verdict: 'needs-human' },
  1231: { meaning: 'PAYLOAD_DECRYPTION', verdict: 'needs-human' },
  1232: { meaning: 'INVALID_QUERYID', verdict: 'needs-human' },
  1220: { meaning: 'COPYTO_ID_NOT_REGISTERED', verdict: 'needs-human' },
  1233: { meaning: 'SERVICE_NOT_ACTIVE (the service or method is not active for our subscriber)', verdict: 'needs-human' },
  1222: { meaning: 'INVALID_MESSAGEID (Sender_MessageID missing or longer than 255: our defect, every message alike)', verdict: 'needs-human' },
  1223: { meaning: 'INVALID_INFORMATION_EXCHANGE_VERSION', verdict: 'failed' },
  1234: { meaning: 'INVALID_SENDTIME', verdict: 'failed' },
  1236: { meaning: 'INVALID_ORIGINATOR', verdict: 'failed' },
  1237: { meaning: 'INVALID_ORIGINTIME', verdict: 'failed' },
  1239: { meaning: 'INVALID_QUERYTYPE', verdict: 'failed' },
  1240: { meaning: 'INVALID_QUERYREASON', verdict: 'failed' },
  1241: { meaning: 'INVALID_CARNETNUMBER', verdict: 'failed' },
  1242: { meaning: 'INVALID_SENDERID', verdict: 'failed' },
};

/** Terminations per upload at most, and how long one waits for companions. */
const UPLOAD_BATCH_SIZE = 50;
const UPLOAD_BATCH_WAIT_MS = 2_000;

/**
 * WSST call `SafeTIRUploadParams`. The document travels as logged (or, for a batch, as the merge of
 * the logged documents) but for what the RTS envelope itself fills: `Envelope/Hash` and the UTF-16
 * encoding. Our message id (a batch's id) goes in the call's mandatory `Sender_MessageID`, not the
 * document's optional one, so the Body and its hash stay those of the logged documents.
 */
function wsstRequest(payload: Buffer, messageId: string, context: PartnerContext): SoapRequest {
  const sealed = sealRtsPayload(payload, context.partnerCertificates[0]);
  const su = {
    SubscriberID: subscriberIdOf(payload),
    MessageTag: sealed.messageTag,
    ESessionKey: sealed.eSessionKey.toString('base64'),
    safeTIRUploadData: sealed.payload.toString('base64'),
    Sender_MessageID: messageId,
  };
  return { transport: 'soap', version: '1.1', action: WSST_ACTION, envelope: buildSoapEnvelope({ body: { WSST: { '@xmlns': IRU_NS, su } } }) };
}

/** The document's Body/SubscriberID, which the WSST call repeats. */
function subscriberIdOf(payload: Buffer): string {
  const safetir = childElement(parseXml(payload, { expectedNamespace: UPLOAD_NS }), UPLOAD_NS, 'SafeTIR');
  const body = safetir && childElement(safetir, UPLOAD_NS, 'Body');
  const subscriberId = body && childText(body, UPLOAD_NS, 'SubscriberID');
  if (!subscriberId) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'the SafeTIR document has no Body/SubscriberID', { pointer: '/SafeTIR/Body/SubscriberID' });
  return subscriberId;
}

/** A SOAP fault: `Client` says our request is wrong (a person must look), anything else is IRU's trouble. */
function judgeFault(fault: SoapFault): Outcome {
  const local = fault.code.slice(fault.code.indexOf(':') + 1);
  const reason = `SOAP fault ${fault.code}: ${fault.message}`;
  return local === 'Client' || local.startsWith('Client.') ? { verdict: 'needs-human', partnerCode: fault.code, reason } : { verdict: 'retry', partnerCode: fault.code, reason };
}

/** `WSSTResponse/WSSTResult/ReturnCode`, or undefined when the acknowledgement is not one. */
function returnCodeOf(message: SoapMessage | undefined): number | undefined {
  const response = message && childElement(message.body, IRU_NS, 'WSSTResponse');
  const result = response && childElement(response, IRU_NS, 'WSSTResult');
  const text = result && childText(result, IRU_NS, 'ReturnCode')?.trim();
  return text !== undefined && /^[+-]?\d{1,9}$/.test(text) ? Number(text) : undefined;
}

function parsedOrUndefined(body: Buffer): SoapMessage | undefined {
  try {
    return parseSoapEnvelope(body);
  } catch {
    return undefined;
  }
}

function classify(result: AttemptResult): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  const message = parsedOrUndefined(result.body);
  if (message?.fault) return judgeFault(message.fault);
  const { status } = result;
  if (status >= 500 || status === 408 || status === 429) return { verdict: 'retry', reason: `HTTP ${status}` };
  // IRU answers every business outcome with 200 and a ReturnCode; another status means the endpoint or our framing is wrong.
  if (status < 200 || status > 299) return { verdict: 'needs-human', reason: `HTTP ${status} without a SOAP fault` };
  const code = returnCodeOf(message);
  if (code === undefined) return { verdict: 'retry', reason: 'the answer is not a SafeTIRUploadAck with a ReturnCode (in doubt)' };
  const known = RETURN_CODES[String(code)];
  if (!known) return { verdict: 'needs-human', partnerCode: String(code), reason: `unknown IRU return code ${code}` };
  return { verdict: known.verdict, partnerCode: String(code), reason: `IRU return code ${code} ${known.meaning}` };
}

export default definePartner({
  id: 'iru-safetir',
  name: 'IRU Real-Time SafeTIR',
  messages: {
    'safetir-upload': {
      description: 'SafeTIR document (namespace http://www.iru.org/SafeTIRUpload): one Record per TIR termination',
      codec: 'xml',
      // Classic RTS protects the payload with its own envelope (3DES session key wrapped for IRU), not XMLDSig.
      signing: 'none',
      schema: 'safetir-upload.schema.json',
    },
  },
  transport: {
    kind: 'soap',
    timeoutMs: 10_000,
    // Room for a full batch in flight plus the next one filling.
    concurrency: 2 * UPLOAD_BATCH_SIZE,
    buildRequest: (message, context) => wsstRequest(message.payload, message.id, context),
    batch: {
      maxMessages: UPLOAD_BATCH_SIZE,
      maxWaitMs: UPLOAD_BATCH_WAIT_MS,
      buildBatchRequest: (messages, batchId, context) => wsstRequest(mergeUploads(messages.map((m) => m.payload), new Date()), batchId, context),
    },
  },
  classify,
  codes: RETURN_CODES,
  services: {
    tchq: 'the TIR carnet holder query service (WSTCHQ); the default URL when not given',
    wsrq: 'the reconciliation request service (WSRQ); the default URL when not given (WSRE goes with WSST to the default URL)',
  },
  errors: iruErrors,
  options: {
    rtsPlusSignature: {
      description: "rts-plus profile: the WS-Security signature suite; IRU's TerminationService binding (WCF Basic128Rsa15) takes RSA-SHA1 with SHA-1 digests only",
      default: 'rsa-sha1',
      values: ['rsa-sha1', 'rsa-sha256'],
    },
  },
  supersede: cancelThenNew,
  profiles: {
    /** RTS+ TerminationService-1 with a WS-Security signature instead of classic WSST (README "RTS+"). */
    'rts-plus': {
      transport: {
        kind: 'soap',
        timeoutMs: 10_000,
        concurrency: 2 * UPLOAD_BATCH_SIZE,
        buildRequest: (message, context) => buildRtsPlusRequest(message, context, { to: context.url(), now: new Date() }),
        batch: {
          maxMessages: UPLOAD_BATCH_SIZE,
          maxWaitMs: UPLOAD_BATCH_WAIT_MS,
          maxBytes: RTS_PLUS_BATCH_BYTES,
          buildBatchRequest: (messages, batchId, context) =>
            buildRtsPlusRequest(
              { id: batchId, messageType: 'safetir-upload', payload: mergeUploads(messages.map((m) => m.payload), new Date()), attempt: 1 },
              context,
              { to: context.url(), now: new Date() },
            ),
        },
      },
      classify: classifyRtsPlus,
      codes: RTS_PLUS_CODES,
      envelope: checkRtsPlusDocument,
    },
  },
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000], jitter: 0.2, maxAttempts: 8 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 30_000 },
  /** Carnet holder query (TCHQ) and reconciliation (WSRQ, WSRE): README "Carnet query" and "Reconciliation". */
  routes(deps) {
    registerCarnetQueryRoute(deps);
    registerReconciliationRoutes(deps);
  },
  schedules: [{ name: 'reconciliation-pull', everyMs: RECONCILIATION_PULL_EVERY_MS, run: async (deps) => void (await pullReconciliation(deps)) }],
});
