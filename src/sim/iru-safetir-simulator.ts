// IRU's side of classic Real-Time SafeTIR (WSST): opens the sealed SafeTIR upload, checks it, answers SafeTIRUploadAck.
import { join } from 'node:path';
import type { XmlContent } from '../codec/document-tree.js';
import { parseXml } from '../codec/xml-parse.js';
import { loadConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import { openRtsPayload, rtsMessageTag } from '../security/rts-envelope.js';
import { buildSoapEnvelope, buildSoapFault, childElement, childText, parseSoapEnvelope } from '../transport/soap-envelope.js';
import {
  compileDocumentSchema,
  startSimulatorServer,
  type HandledRequest,
  type InjectedFault,
  type ListenOptions,
  type PartnerSimulator,
  type SimulatorRequest,
  type SimulatorResponse,
} from './partner-simulator.js';

/** How to start the IRU simulator: IRU's own key pair (the gateway encrypts for its certificate). */
export interface IruSafetirSimulatorOptions extends ListenOptions {
  /** IRU's certificate (PEM): its thumbprint is the only MessageTag accepted. */
  certificatePem: string;
  /** IRU's private key (PEM), to unwrap session keys. */
  privateKeyPem: string;
  /** Folder of the JSON Schemas (default: the project's `schemas/`). */
  schemasDir?: string;
}

/** The simulator serves WSST at its root, so its URL is the endpoint itself, as IRU's .asmx URL is. */
const PATH = '/';
const IRU_NS = 'http://www.iru.org';
const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const WSST_ACTION = 'http://www.iru.org/WSST';
const RECORDS_PATH = new Set(['SafeTIR.Body.SafeTIRRecords.Record']);

/** The return codes this simulator answers with (names as in IRU's clients, shared reference formats.md §1.3). */
const CODES = {
  2: 'SUCCESS',
  1200: 'UNCLASSIFIED_ERROR',
  1210: 'MISSING_MESSAGE_TAG',
  1211: 'UNKNOWN_MESSAGE_TAG',
  1212: 'INVALID_SUBSCRIBER_ID',
  1213: 'MISSING_ESESSIONKEY',
  1214: 'MISSING_PAYLOAD',
  1222: 'INVALID_MESSAGEID',
  1230: 'ESESSIONKEY_DECRYPTION',
  1231: 'PAYLOAD_DECRYPTION',
  1234: 'INVALID_SENDTIME',
  1241: 'INVALID_CARNETNUMBER',
} as const;
type ReturnCode = keyof typeof CODES;

/** IRU's judgement of one upload. */
interface Judgement {
  code: ReturnCode;
  problems: string[];
  document: string;
}

function rejected(code: ReturnCode, problem: string, document = ''): Judgement {
  return { code, problems: [`${code} ${CODES[code]}: ${problem}`], document };
}

function soapResponse(status: number, body: Buffer): SimulatorResponse {
  return { status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}

/** A SOAP Client fault: the request is not a WSST call at all (HTTP 500, as SOAP 1.1 prescribes). */
function clientFault(message: string): HandledRequest {
  return { received: { messageId: '', valid: false, problems: [`SOAP Client fault: ${message}`], document: '' }, response: soapResponse(500, buildSoapFault('Client', message)) };
}

function ack(returnCode: string, messageId: string): SimulatorResponse {
  const result: XmlContent = { Version: '1.0', Sender: 'IRU', ResponseTime: new Date().toISOString(), ReturnCode: returnCode, Sender_MessageID: messageId || undefined };
  return soapResponse(200, buildSoapEnvelope({ WSSTResponse: { '@xmlns': IRU_NS, WSSTResult: result } }));
}

function recordsOf(document: XmlContent): XmlContent[] {
  const body = (document.SafeTIR as XmlContent | undefined)?.Body as XmlContent | undefined;
  const records = (body?.SafeTIRRecords as XmlContent | undefined)?.Record;
  return Array.isArray(records) ? records.filter((r): r is XmlContent => typeof r === 'object') : [];
}

/** The return code for schema violations: the carnet number and the send time have codes of their own. */
function codeForViolations(pointers: string[]): ReturnCode {
  if (pointers.some((p) => p.endsWith('/@TNO'))) return 1241;
  if (pointers.some((p) => p.endsWith('/SentTime'))) return 1234;
  return 1200;
}

/**
 * Starts IRU's side of WSST on loopback. Checks, in order: HTTP and SOAP framing (SOAP Client fault),
 * MessageTag (1210 missing, 1211 not IRU's thumbprint), SubscriberID (1212), Sender_MessageID (1222),
 * ESessionKey (1213 missing, 1230 does not unwrap), payload (1214 missing, 1231 does not decrypt or
 * `Envelope/Hash` does not match the Body), then the SafeTIR document against
 * schemas/partners/iru-safetir/safetir-upload.schema.json and TCN = number of records (1241 for a
 * carnet number, 1234 for SentTime, 1200 for anything else). Answers `WSSTResponse/WSSTResult`.
 */
export function startIruSafetirSimulator(options: IruSafetirSimulatorOptions): Promise<PartnerSimulator> {
  const ownTag = rtsMessageTag(options.certificatePem);
  const check = compileDocumentSchema(join(options.schemasDir ?? loadConfig({}).schemasDir, 'partners', 'iru-safetir', 'safetir-upload.schema.json'));

  function checkDocument(text: string, subscriberId: string): Judgement {
    let document: XmlContent;
    try {
      document = parseXml(text, { expectedNamespace: UPLOAD_NS, arrayPaths: RECORDS_PATH });
    } catch (err) {
      return rejected(1200, `the payload is not a SafeTIR document: ${(err as Error).message}`, text);
    }
    const records = recordsOf(document);
    // The XSD types VPN as an integer enumeration; the schema's enum holds numbers.
    for (const record of records) if (typeof record['@VPN'] === 'string' && /^\d+$/.test(record['@VPN'])) record['@VPN'] = Number(record['@VPN']);
    const violations = check(document);
    if (violations.length > 0) {
      const code = codeForViolations(violations.map((v) => v.pointer));
      return { code, problems: violations.map((v) => `${code} ${CODES[code]}: ${v.pointer} ${v.message}`), document: text };
    }
    const body = (document.SafeTIR as XmlContent).Body as XmlContent;
    if (body.SubscriberID !== subscriberId) return rejected(1212, `the document's SubscriberID "${String(body.SubscriberID)}" differs from the request's "${subscriberId}"`, text);
    if (Number(body.TCN) !== records.length) return rejected(1200, `TCN is ${String(body.TCN)} but the document has ${records.length} record(s)`, text);
    return { code: 2, problems: [], document: text };
  }

  function judge(su: XmlContent, messageId: string): Judgement {
    const tag = childText(su, IRU_NS, 'MessageTag')?.replace(/\s/g, '');
    if (!tag) return rejected(1210, 'MessageTag is missing');
    if (tag.toUpperCase() !== ownTag) return rejected(1211, `MessageTag ${tag} is not the thumbprint of IRU's certificate (${ownTag})`);
    const subscriberId = childText(su, IRU_NS, 'SubscriberID')?.trim();
    if (!subscriberId) return rejected(1212, 'SubscriberID is missing');
    if (!messageId) return rejected(1222, 'Sender_MessageID is missing');
    const eSessionKey = childText(su, IRU_NS, 'ESessionKey')?.trim();
    if (!eSessionKey) return rejected(1213, 'ESessionKey is missing');
    const payload = childText(su, IRU_NS, 'safeTIRUploadData')?.trim();
    if (!payload) return rejected(1214, 'safeTIRUploadData is missing');
    let opened;
    try {
      opened = openRtsPayload({ eSessionKey: Buffer.from(eSessionKey, 'base64'), payload: Buffer.from(payload, 'base64') }, options.privateKeyPem);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return err.code === 'GW_ERR_KEY_UNAVAILABLE' ? rejected(1230, err.message) : rejected(1231, err.message);
    }
    // No return code names a hash mismatch; the payload did not arrive intact, which is what 1231 reports.
    if (!opened.hashOk) return rejected(1231, 'Envelope/Hash is not the SHA-1 of the Body content', opened.document);
    return checkDocument(opened.document, subscriberId);
  }

  function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^text\/xml\b/i.test(contentType)) {
      return { received: { messageId: '', valid: false, problems: [`Content-Type "${contentType}" is not text/xml (SOAP 1.1)`], document: '' }, response: { status: 415, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('SOAP 1.1 needs text/xml') } };
    }
    const action = String(request.headers.soapaction ?? '').replace(/^"|"$/g, '');
    if (action !== WSST_ACTION) return clientFault(`SOAPAction "${action}" is not ${WSST_ACTION}`);
    let body: XmlContent;
    try {
      body = parseSoapEnvelope(request.body).body;
    } catch (err) {
      return clientFault((err as Error).message);
    }
    const wsst = childElement(body, IRU_NS, 'WSST');
    const su = wsst && childElement(wsst, IRU_NS, 'su');
    if (!su) return clientFault('the SOAP Body holds no WSST/su element in namespace http://www.iru.org');
    const messageId = childText(su, IRU_NS, 'Sender_MessageID')?.trim() ?? '';
    const judgement = judge(su, messageId);
    const returnCode = fault?.kind === 'partner-error' ? fault.code : String(judgement.code);
    return {
      received: { messageId, valid: judgement.code === 2, problems: judgement.problems, document: judgement.document },
      response: ack(returnCode, messageId),
    };
  }

  return startSimulatorServer({ partner: 'iru-safetir', path: PATH, handle }, options);
}
