// IRU's WSST service in the simulator: opens the sealed SafeTIR upload, checks it against the upload schema, answers SafeTIRUploadAck.
import { compileDocumentSchema, parseXml, type XmlContent } from '../../../src/partners/kit.js';
import { join } from 'node:path';
import {
  accepted,
  answeredCode,
  callParameters,
  checkMessageTag,
  clientFault,
  CLASSIC_CODES,
  field,
  openSealedField,
  rejected,
  type ClassicCode,
  type Judgement,
  uploadAck,
} from './classic-rts.js';
import type { IruSimContext, IruSoapService } from './soap-service.js';

const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const RECORDS_PATH = new Set(['SafeTIR.Body.SafeTIRRecords.Record']);

function recordsOf(document: XmlContent): XmlContent[] {
  const body = (document.SafeTIR as XmlContent | undefined)?.Body as XmlContent | undefined;
  const records = (body?.SafeTIRRecords as XmlContent | undefined)?.Record;
  return Array.isArray(records) ? records.filter((r): r is XmlContent => typeof r === 'object') : [];
}

/** The return code for schema violations: the carnet number and the send time have codes of their own. */
function codeForViolations(pointers: string[]): ClassicCode {
  if (pointers.some((p) => p.endsWith('/@TNO'))) return 1241;
  if (pointers.some((p) => p.endsWith('/SentTime'))) return 1234;
  return 1200;
}

/**
 * WSST (SOAPAction http://www.iru.org/WSST). Checks, in order: MessageTag (1210, 1211), SubscriberID
 * (1212), Sender_MessageID (1222), the sealed payload (1213, 1230, 1214, 1231), then the SafeTIR
 * document against schemas/partners/iru-safetir/safetir-upload.schema.json and TCN = number of
 * records (1241 for a carnet number, 1234 for SentTime, 1200 for anything else).
 */
export function createWsstService(ctx: IruSimContext): IruSoapService {
  const check = compileDocumentSchema(join(ctx.schemasDir, 'partners', 'iru-safetir', 'safetir-upload.schema.json'));

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
      return { code, problems: violations.map((v) => `${code} ${CLASSIC_CODES[code]}: ${v.pointer} ${v.message}`), document: text };
    }
    const body = (document.SafeTIR as XmlContent).Body as XmlContent;
    if (body.SubscriberID !== subscriberId) return rejected(1212, `the document's SubscriberID "${String(body.SubscriberID)}" differs from the request's "${subscriberId}"`, text);
    if (Number(body.TCN) !== records.length) return rejected(1200, `TCN is ${String(body.TCN)} but the document has ${records.length} record(s)`, text);
    return accepted(text);
  }

  function judge(su: XmlContent, messageId: string): Judgement {
    const tagProblem = checkMessageTag(su, ctx);
    if (tagProblem) return tagProblem;
    const subscriberId = field(su, 'SubscriberID');
    if (!subscriberId) return rejected(1212, 'SubscriberID is missing');
    if (!messageId) return rejected(1222, 'Sender_MessageID is missing');
    const opened = openSealedField(su, 'safeTIRUploadData', ctx);
    return 'code' in opened ? opened : checkDocument(opened.document, subscriberId);
  }

  return {
    actions: ['http://www.iru.org/WSST'],
    handle(_action, body, _request, fault) {
      const su = callParameters(body, 'WSST');
      if (!su) return clientFault('the SOAP Body holds no WSST/su element in namespace http://www.iru.org');
      const messageId = field(su, 'Sender_MessageID');
      const judgement = judge(su, messageId);
      return {
        received: { messageId, valid: judgement.code === 2, problems: judgement.problems, document: judgement.document },
        response: uploadAck('WSST', answeredCode(judgement, fault), messageId),
      };
    },
  };
}
