// SafeTIR upload documents as IRU wants them assembled: several terminations in one upload, and a correction as cancel-then-new.
import { GatewayError, parseXml, renderXml, type XmlContent } from '../../src/partners/kit.js';

const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const RECORD_PATH = new Set(['SafeTIR.Body.SafeTIRRecords.Record']);

/** The parts of a logged SafeTIR document that assembling touches. */
interface Upload {
  root: XmlContent;
  body: XmlContent;
  records: XmlContent[];
}

function read(payload: Buffer): Upload {
  const doc = parseXml(payload, { expectedNamespace: UPLOAD_NS, arrayPaths: RECORD_PATH });
  const root = doc.SafeTIR as XmlContent | undefined;
  const body = root?.Body as XmlContent | undefined;
  const records = (body?.SafeTIRRecords as XmlContent | undefined)?.Record;
  if (!root || !body || !Array.isArray(records) || records.length === 0) {
    throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'a SafeTIR upload needs Body/SafeTIRRecords/Record', { pointer: '/SafeTIR/Body/SafeTIRRecords/Record' });
  }
  return { root, body, records: records as XmlContent[] };
}

/** The document with these records, TCN counting them, and every other field as in `template`. */
function withRecords(template: Upload, records: XmlContent[], sentTime?: string): Buffer {
  const body: XmlContent = {};
  for (const [key, value] of Object.entries(template.body)) {
    if (key === 'TCN') body.TCN = String(records.length);
    else if (key === 'SentTime' && sentTime !== undefined) body.SentTime = sentTime;
    else if (key === 'SafeTIRRecords') body.SafeTIRRecords = { Record: records };
    else body[key] = value;
  }
  return renderXml({ SafeTIR: { ...template.root, Body: body } });
}

/**
 * One upload carrying the records of every logged document, in order (a correction's cancel stays
 * right before its new record), TCN their number, SentTime now. IRU acknowledges the upload as a whole.
 */
export function mergeUploads(payloads: readonly Buffer[], now: Date): Buffer {
  const uploads = payloads.map(read);
  const [first] = uploads;
  if (!first) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'an upload needs at least one document');
  return withRecords(first, uploads.flatMap((u) => u.records), now.toISOString());
}

/**
 * The document with `Body/SubscriberID`, and `Body/Password` when given, in SafeTIRUpload.xsd's place
 * right after `Version` (any the document had are replaced), and each record replaced by what
 * `editRecord` makes of it, when given: one parse and one rendering. The SubscriberID comes from the
 * instance's configuration at translation, the password only as the upload is sealed.
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID for a document without Body/Version or records.
 */
export function withSubscriber(payload: Buffer, subscriberId: string, options: { password?: string; editRecord?: (record: XmlContent, index: number) => XmlContent } = {}): Buffer {
  const { password, editRecord } = options;
  const upload = read(payload);
  if (upload.body.Version === undefined) throw new GatewayError('GW_ERR_DOCUMENT_INVALID', 'a SafeTIR upload needs Body/Version, after which the SubscriberID goes', { pointer: '/SafeTIR/Body/Version' });
  const body: XmlContent = {};
  for (const [key, value] of Object.entries(upload.body)) {
    if (key === 'SubscriberID' || key === 'Password') continue;
    body[key] = value;
    if (key === 'Version') {
      body.SubscriberID = subscriberId;
      if (password !== undefined) body.Password = password;
    }
  }
  if (editRecord) body.SafeTIRRecords = { Record: upload.records.map(editRecord) };
  return renderXml({ SafeTIR: { ...upload.root, Body: body } });
}

/**
 * IRU's correction rule: "all the mandatory fields for the record must be the same for the record
 * being cancelled and the record doing the cancelling"; to update, send the cancel (UPG="C") and
 * right after it, in the same message, the new record. The cancel repeats the record as it was
 * last sent (every attribute, so the mandatory ones are identical) with UPG="C".
 */
export function cancelThenNew(next: Buffer, previous: Buffer): Buffer {
  const sent = read(previous).records.at(-1) as XmlContent;
  const upload = read(next);
  const cancel: XmlContent = { ...sent, '@UPG': 'C' };
  return withRecords(upload, [cancel, ...upload.records]);
}
