// IRU Real-Time SafeTIR adapter: the SafeTIR upload sealed the classic RTS way and sent as a WSST SOAP call, IRU's return codes, and the carnet query and reconciliation services.
import {
  buildSoapEnvelope,
  childElement,
  childText,
  definePartner,
  parseSoapEnvelope,
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
import { registerReconciliationRoutes } from './reconciliation.js';
import { RECONCILIATION_PULL_EVERY_MS, scheduledPull } from './reconciliation-schedule.js';
import { sealRtsPayload } from './rts-envelope.js';
import { buildRtsPlusRequest, checkRtsPlusDocument, classifyRtsPlus, RTS_PLUS_BATCH_BYTES, RTS_PLUS_CODES, RTS_TERMINATION_SERVICE } from './rts-plus.js';
import { passwordOf, subscriberOf } from './rts-classic-call.js';
import { cancelThenNew, mergeUploads, withSubscriber } from './upload-document.js';
import { prepareSafetirDocument } from './safetir-document.js';

/** WSDL target namespace of the WSST service and its SOAP action (safetirupload.wsdl). */
const IRU_NS = 'http://www.iru.org';
const WSST_ACTION = 'http://www.iru.org/WSST';

/**
 * What IRU's WSST can answer (IRU's WSST_FileReceiver: `../shared/reference/iru-server-behaviour.md` §2.1,
 * §3) and what each means for the message. The receiver checks only the call's framing and the subscriber,
 * queues the upload and answers 2; decryption, hash, schema, SubscriberID and Password are checked later
 * and never reported, so 2 means "queued at IRU", the best verdict WSST can give. Framing and subscriber
 * problems are our configuration or our defect, alike for every message: a person must fix them. Codes of
 * IRU's shared enumeration that WSST never returns (1211, 1223, 1230–1242) are not listed: an unknown code
 * goes to a person.
 */
const RETURN_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  2: { meaning: "SUCCESS: queued at IRU, which checks decryption, hash, schema, subscriber and password later and reports nothing", verdict: 'delivered' },
  1200: { meaning: 'UNCLASSIFIED_ERROR (IRU could not store the upload: its database or file system)', verdict: 'retry' },
  1250: { meaning: 'DATABASE_QUERY_TIMEOUT (declared by IRU’s clients)', verdict: 'retry' },
  1210: { meaning: 'MISSING_MESSAGE_TAG (missing, or longer than 50 characters)', verdict: 'needs-human' },
  1212: { meaning: 'INVALID_SUBSCRIBER_ID (not registered, or the method is inactive for it)', verdict: 'needs-human' },
  1213: { meaning: 'MISSING_ESESSIONKEY', verdict: 'needs-human' },
  1214: { meaning: 'MISSING_PAYLOAD', verdict: 'needs-human' },
  1220: { meaning: 'COPYTO_ID_NOT_REGISTERED', verdict: 'needs-human' },
  1222: { meaning: 'INVALID_MESSAGEID (Sender_MessageID missing or longer than 255: our defect, every message alike)', verdict: 'needs-human' },
  1233: { meaning: 'SERVICE_NOT_ACTIVE (WSST is not active for our subscriber)', verdict: 'needs-human' },
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
  const subscriber = subscriberOf(context);
  const password = passwordOf(context);
  const sealed = sealRtsPayload(password === undefined ? payload : withSubscriber(payload, subscriber, { password }), context.partnerCertificates[0]);
  const su = {
    SubscriberID: subscriber,
    MessageTag: sealed.messageTag,
    ESessionKey: sealed.eSessionKey.toString('base64'),
    safeTIRUploadData: sealed.payload.toString('base64'),
    Sender_MessageID: messageId,
  };
  return { transport: 'soap', version: '1.1', action: WSST_ACTION, envelope: buildSoapEnvelope({ body: { WSST: { '@xmlns': IRU_NS, su } } }) };
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
    tchq: "the TIR carnet holder query service (IRU's …/TCHQ_WS/tirCarnetQuery.asmx)",
    wsrq: "the reconciliation request service, WSRQ (IRU's …/WSRQ_WS/WSRQ.asmx); WSRE goes with WSST to the default URL (…/WSST_WS/safetirupload.asmx)",
    'rts-termination': "profile rts-plus: IRU's RTS+ TerminationService-1 (…/TerminationService-1.svc); reconciliation stays classic, on the default and wsrq URLs",
  },
  errors: iruErrors,
  participants: {
    subscriber: "the SubscriberID IRU issued to Kazakhstan's customs: the SafeTIR documents and the WSST, WSRE, TCHQ and WSRQ calls carry it",
  },
  envelope: prepareSafetirDocument,
  options: {
    password: {
      description: "the subscriber's password, when IRU issued one: Body/Password of WSST, TCHQ and WSRQ documents, added as they are sealed (never logged)",
      secret: true,
    },
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
        buildRequest: (message, context) => buildRtsPlusRequest(message, context, { to: context.url(RTS_TERMINATION_SERVICE), now: new Date() }),
        batch: {
          maxMessages: UPLOAD_BATCH_SIZE,
          maxWaitMs: UPLOAD_BATCH_WAIT_MS,
          maxBytes: RTS_PLUS_BATCH_BYTES,
          buildBatchRequest: (messages, batchId, context) =>
            buildRtsPlusRequest(
              { id: batchId, messageType: 'safetir-upload', payload: mergeUploads(messages.map((m) => m.payload), new Date()), attempt: 1 },
              context,
              { to: context.url(RTS_TERMINATION_SERVICE), now: new Date() },
            ),
        },
      },
      classify: classifyRtsPlus,
      codes: RTS_PLUS_CODES,
      envelope: (message, instance) => checkRtsPlusDocument({ ...message, document: prepareSafetirDocument(message, instance) }),
    },
  },
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000], jitter: 0.2, maxAttempts: 8 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 30_000 },
  /** Carnet holder query (TCHQ) and reconciliation (WSRQ, WSRE): README "Carnet query" and "Reconciliation". */
  routes(deps) {
    registerCarnetQueryRoute(deps);
    registerReconciliationRoutes(deps);
  },
  schedules: [{ name: 'reconciliation-pull', everyMs: RECONCILIATION_PULL_EVERY_MS, run: (deps) => scheduledPull(deps) }],
});
