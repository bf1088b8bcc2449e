// IRU's WSST service in the simulator: checks the call's framing and answers 2 (queued), then judges the sealed upload as IRU's back end does, reporting nothing.
import { compileDocumentSchema, parseXml, type XmlContent } from '../../../src/partners/kit.js';
import { join } from 'node:path';
import {
  accepted,
  answeredCode,
  callParameters,
  checkMessageTag,
  checkSubscriber,
  clientFault,
  field,
  openSealedField,
  passwordProblem,
  rejected,
  type Judgement,
  uploadAck,
} from './classic-rts.js';
import { IRU_SERVICE_PATHS, type IruSimContext, type IruSoapService } from './soap-service.js';

const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const RECORDS_PATH = new Set(['SafeTIR.Body.SafeTIRRecords.Record']);

function recordsOf(document: XmlContent): XmlContent[] {
  const body = (document.SafeTIR as XmlContent | undefined)?.Body as XmlContent | undefined;
  const records = (body?.SafeTIRRecords as XmlContent | undefined)?.Record;
  return Array.isArray(records) ? records.filter((r): r is XmlContent => typeof r === 'object') : [];
}

/** What IRU's back end finds when it processes a queued upload; it reports none of it to the sender. */
interface ContentVerdict {
  valid: boolean;
  problems: string[];
  document: string;
}

/**
 * WSST (SOAPAction http://www.iru.org/WSST), as IRU's WSST_FileReceiver and WSST_Processor behave.
 * Synchronously, only the framing: MessageTag present and at most 50 characters (1210), ESessionKey
 * (1213), safeTIRUploadData (1214), Sender_MessageID present and at most 255 (1222), SubscriberID a
 * registered subscriber (1212); then the upload is queued and answered 2. Everything else IRU checks
 * later and never reports: the MessageTag is IRU's key, the session key unwraps and the payload
 * decrypts, Envelope/Hash matches the Body, the document is valid (schema
 * schemas/partners/iru-safetir/safetir-upload.schema.json), its SubscriberID is the call's, its Password
 * the registered one, TCN counts its records. That verdict settles the received entry after the
 * answer (`checking` until then), visible on `/_sim/received`: `valid` false with the problems when IRU
 * would have dropped the upload.
 */
export function createWsstService(ctx: IruSimContext): IruSoapService {
  const check = compileDocumentSchema(join(ctx.schemasDir, 'partners', 'iru-safetir', 'safetir-upload.schema.json'));

  function checkDocument(text: string, subscriberId: string): ContentVerdict {
    const refused = (problem: string): ContentVerdict => ({ valid: false, problems: [problem], document: text });
    let document: XmlContent;
    try {
      document = parseXml(text, { expectedNamespace: UPLOAD_NS, arrayPaths: RECORDS_PATH });
    } catch (err) {
      return refused(`the payload is not a SafeTIR document: ${(err as Error).message}`);
    }
    const records = recordsOf(document);
    // The XSD types VPN as an integer enumeration; the schema's enum holds numbers.
    for (const record of records) if (typeof record['@VPN'] === 'string' && /^\d+$/.test(record['@VPN'])) record['@VPN'] = Number(record['@VPN']);
    const violations = check(document);
    if (violations.length > 0) return { valid: false, problems: violations.map((v) => `schema: ${v.pointer} ${v.message}`), document: text };
    const body = (document.SafeTIR as XmlContent).Body as XmlContent;
    if (body.SubscriberID !== subscriberId) return refused(`the document's SubscriberID "${String(body.SubscriberID)}" differs from the call's "${subscriberId}"`);
    const password = passwordProblem(typeof body.Password === 'string' ? body.Password : undefined, ctx);
    if (password) return refused(password);
    if (Number(body.TCN) !== records.length) return refused(`TCN is ${String(body.TCN)} but the document has ${records.length} record(s)`);
    return { valid: true, problems: [], document: text };
  }

  /** What IRU's processor makes of a queued upload. */
  function process(su: XmlContent): ContentVerdict {
    const tag = checkMessageTag(su, ctx);
    if (tag) return { valid: false, problems: tag.problems, document: '' };
    const opened = openSealedField(su, 'safeTIRUploadData', ctx);
    if ('code' in opened) return { valid: false, problems: opened.problems, document: opened.document };
    return checkDocument(opened.document, field(su, 'SubscriberID'));
  }

  /** The receiver's synchronous checks; undefined when the upload is queued. */
  function framing(su: XmlContent, messageId: string): Judgement | undefined {
    const tag = field(su, 'MessageTag');
    if (!tag || tag.length > 50) return rejected(1210, tag ? 'MessageTag is longer than 50 characters' : 'MessageTag is missing');
    if (!field(su, 'ESessionKey')) return rejected(1213, 'ESessionKey is missing');
    if (!field(su, 'safeTIRUploadData')) return rejected(1214, 'safeTIRUploadData is missing');
    if (!messageId || messageId.length > 255) return rejected(1222, messageId ? 'Sender_MessageID is longer than 255 characters' : 'Sender_MessageID is missing');
    return checkSubscriber(su, ctx);
  }

  return {
    actions: { 'http://www.iru.org/WSST': IRU_SERVICE_PATHS.default },
    handle(_action, body, _request, fault) {
      const su = callParameters(body, 'WSST');
      if (!su) return clientFault('the SOAP Body holds no WSST/su element in namespace http://www.iru.org');
      const messageId = field(su, 'Sender_MessageID');
      const refused = framing(su, messageId);
      if (refused) return { received: { messageId, valid: false, problems: refused.problems, document: '' }, response: uploadAck('WSST', answeredCode(refused, fault), messageId) };
      const verdict = process(su);
      return {
        received: { messageId, valid: true, problems: [], document: verdict.document },
        response: uploadAck('WSST', answeredCode(accepted(''), fault), messageId),
        later: new Promise((resolve) => setImmediate(() => resolve({ valid: verdict.valid, problems: verdict.problems }))),
      };
    },
  };
}
