// IRU RTS+ alternative transport: the logged SafeTIR upload as TerminationService-1 transmitTIROperationTerminations, WS-Security signed, and IRU's answers judged.
import { randomUUID } from 'node:crypto';
import {
  buildWsSecurityEnvelope,
  childElement,
  childText,
  GatewayError,
  parseSoapEnvelope,
  parseXml,
  renderXmlString,
  WSSE_NS,
  type AcknowledgementCode,
  type DocumentToWrap,
  type AttemptResult,
  type OutboundMessage,
  type Outcome,
  type PartnerContext,
  type SoapFault,
  type SoapMessage,
  type SoapRequest,
  type WsSecurityHash,
  type XmlContent,
} from '../../src/partners/kit.js';

/** TerminationService-1.wsdl target namespace. */
const SERVICE_NS = 'http://rts.iru.org/services/TerminationService-1';
/** The partner service (URL) RTS+ terminations go to; without its own URL, the default one. */
export const RTS_TERMINATION_SERVICE = 'rts-termination';
/** SOAPAction of the binding, equal to the input's wsaw:Action. */
export const TRANSMIT_TERMINATIONS_ACTION = `${SERVICE_NS}/transmitTIROperationTerminations`;
/** rts-termination-1.xsd, rts-carnet-1.xsd and tir-actor-1.xsd namespaces. */
const TER_NS = 'http://rts.iru.org/model/termination-1';
const CAR_NS = 'http://rts.iru.org/model/carnet-1';
const ACT_NS = 'http://www.iru.org/model/tir-actor-1';
const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const RECORDS_PATH = new Set(['SafeTIR.Body.SafeTIRRecords.Record']);

const VOLET_PAGES = new Set(['2', '4', '6', '8', '10', '12', '14', '16', '18', '20']);
const XS_DATE = /^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const UNSIGNED_INT_MAX = 4_294_967_295;

type Kind = 'NewTIROperationTermination' | 'CancelledTIROperationTermination' | 'UpdatedTIROperationTermination';

/** One element of the TIROperationTerminations sequence, with the carnet it concerns. */
interface Item {
  kind: Kind;
  carnet: string;
  content: XmlContent;
}

function refuse(reason: string, pointer: string): GatewayError {
  return new GatewayError('GW_ERR_DOCUMENT_INVALID', `RTS+ cannot carry this SafeTIR record: ${reason}`, { pointer });
}

/** The text of an attribute, undefined when absent or empty (RTS+ strings have minLength 1). */
function attribute(record: XmlContent, name: string): string | undefined {
  const value = record[`@${name}`];
  return value === undefined || String(value) === '' ? undefined : String(value);
}

/** xs:date → xs:dateTime at midnight, keeping the time zone the date had (none stays none). */
function midnight(date: string, pointer: string): string {
  const match = XS_DATE.exec(date);
  if (!match) throw refuse(`"${date}" is not an xs:date`, pointer);
  return `${match[1]}T00:00:00${match[2] ?? ''}`;
}

/**
 * A (reference, date) pair that RTS+ sends as a group: both or neither. With `dateAlone: 'omit'` a date
 * without its reference is left out instead of refused (the certificate date the mapping derives from
 * terminatedAt when the record has no certificate: classic WSST carries it, RTS+ cannot).
 */
function group(record: XmlContent, refAttr: string, dateAttr: string, names: [string, string], pointer: string, dateAlone: 'refuse' | 'omit' = 'refuse'): XmlContent {
  const reference = attribute(record, refAttr);
  const date = attribute(record, dateAttr);
  if (reference === undefined && (date === undefined || dateAlone === 'omit')) return {};
  if (reference === undefined || date === undefined) throw refuse(`${refAttr} and ${dateAttr} form one RTS+ group and must come together`, `${pointer}/@${reference === undefined ? refAttr : dateAttr}`);
  return { [`ter:${names[0]}`]: reference, [`ter:${names[1]}`]: midnight(date, `${pointer}/@${dateAttr}`) };
}

/** The IsBeforeLoad | IsExit | IsFinal choice: TCO LOAD, TCO EXIT, or PFD FD / PD. */
function operation(record: XmlContent, pointer: string): XmlContent {
  const tco = attribute(record, 'TCO');
  const pfd = attribute(record, 'PFD');
  if (tco !== undefined && pfd !== undefined) throw refuse('a record with TCO is no discharge and carries no PFD', `${pointer}/@PFD`);
  if (tco === 'LOAD') {
    throw refuse(
      "a before-load termination (TCO LOAD) cannot go by RTS+: IRU's TerminationService turns IsBeforeLoad into a partial discharge (PFD PD) in SafeTIR; send it by classic WSST (profile default)",
      `${pointer}/@TCO`,
    );
  }
  if (tco === 'EXIT') return { 'ter:IsExit': 'true' };
  if (pfd === 'FD' || pfd === 'PD') return { 'ter:IsFinal': pfd === 'FD' ? 'true' : 'false' };
  throw refuse(`needs TCO LOAD/EXIT or PFD FD/PD (TCO "${tco ?? ''}", PFD "${pfd ?? ''}")`, `${pointer}/@${tco === undefined ? 'PFD' : 'TCO'}`);
}

/** One SafeTIR Record as a TIROperationTerminationType, element order as the XSD sequence; RBC and UPG have no place in it. */
function termination(record: XmlContent, pointer: string): XmlContent {
  const carnet = attribute(record, 'TNO') ?? '';
  if (!/^[A-Z]{0,2}[0-9]+$/.test(carnet)) throw refuse(`TNO "${carnet}" is not an RTS+ carnet number (upper-case letters then digits)`, `${pointer}/@TNO`);
  const country = attribute(record, 'ICC') ?? '';
  if (!/^[A-Z]{3}$/.test(country)) throw refuse(`ICC "${country}" is not an ISO 3166-1 alpha-3 code`, `${pointer}/@ICC`);
  const office = attribute(record, 'COF');
  if (office === undefined) throw refuse('COF is required', `${pointer}/@COF`);
  const page = attribute(record, 'VPN') ?? '0';
  if (page !== '0' && !VOLET_PAGES.has(page)) throw refuse(`VPN "${page}" is not an even page 2..20 (or 0)`, `${pointer}/@VPN`);
  const cwr = attribute(record, 'CWR');
  if (cwr !== 'OK' && cwr !== 'R') throw refuse(`CWR "${cwr ?? ''}" is neither OK nor R`, `${pointer}/@CWR`);
  const packages = attribute(record, 'PIC');
  if (packages !== undefined && !(/^\d{1,10}$/.test(packages) && Number(packages) <= UNSIGNED_INT_MAX)) throw refuse(`PIC "${packages}" is not an xs:unsignedInt`, `${pointer}/@PIC`);
  return {
    'car:TIRCarnetNumber': carnet,
    'car:VoletPageNumber': page === '0' ? undefined : page,
    'act:Customs': { 'act:CountryCode': country },
    'ter:CustomsOffice': office,
    ...group(record, 'CNL', 'DCL', ['CustomsLedgerEntryReference', 'CustomsLedgerEntryDate'], pointer),
    ...group(record, 'RND', 'DDI', ['CertificateOfTerminationReference', 'CertificateOfTerminationDate'], pointer, 'omit'),
    ...operation(record, pointer),
    'ter:IsWithReservation': cwr === 'R' ? 'true' : 'false',
    'ter:CustomsComment': attribute(record, 'COM'),
    'ter:PackageCount': packages,
  };
}

/**
 * The records as New / Cancelled / Updated items, in document order. UPG "C" immediately followed
 * by a record of the same carnet without UPG or with "N" is the classic update (cancel, then the
 * new data) and becomes one Updated item; any other "C" is a Cancelled item, any other record New.
 */
function items(records: XmlContent[]): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as XmlContent;
    const carnet = attribute(record, 'TNO') ?? '';
    const content = termination(record, `/SafeTIR/Body/SafeTIRRecords/Record/${i}`);
    if (attribute(record, 'UPG') !== 'C') {
      out.push({ kind: 'NewTIROperationTermination', carnet, content });
      continue;
    }
    const next = records[i + 1];
    if (next && attribute(next, 'UPG') !== 'C' && attribute(next, 'TNO') === carnet) {
      const replacement = termination(next, `/SafeTIR/Body/SafeTIRRecords/Record/${i + 1}`);
      out.push({ kind: 'UpdatedTIROperationTermination', carnet, content: { 'ter:CancelledTIROperationTermination': content, 'ter:NewTIROperationTermination': replacement } });
      i++;
    } else {
      out.push({ kind: 'CancelledTIROperationTermination', carnet, content });
    }
  }
  return out;
}

/**
 * `TIROperationTerminations` content from a SafeTIR upload (formats.md §1.5), one item per record
 * or classic update pair. The object form groups repeated elements by name, so items are written
 * kind by kind (kinds in order of first appearance, items of a kind in document order); a batch in
 * which that would put two items of the same carnet out of order is refused rather than reordered.
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID naming the record attribute RTS+ cannot carry, or a
 *   GW_ERR_XML_* code when the payload is not a SafeTIR document.
 */
export function terminationsFromSafetir(payload: Buffer): XmlContent {
  const document = parseXml(payload, { expectedNamespace: UPLOAD_NS, arrayPaths: RECORDS_PATH });
  const safetir = childElement(document, UPLOAD_NS, 'SafeTIR');
  const records = safetir && childElement(safetir, UPLOAD_NS, 'Body');
  const list = records && childElement(records, UPLOAD_NS, 'SafeTIRRecords');
  const raw = list?.Record;
  if (!Array.isArray(raw) || raw.length === 0) throw refuse('the document has no SafeTIRRecords/Record', '/SafeTIR/Body/SafeTIRRecords');
  // A Record without attributes parses as text; as an empty record it is refused for its missing TNO, not dropped.
  const all = items(raw.map((r) => (typeof r === 'object' ? r : {})));
  const kinds = [...new Set(all.map((item) => item.kind))];
  const rankOfLast = new Map<string, number>();
  for (const item of all) {
    const rank = kinds.indexOf(item.kind);
    if (rank < (rankOfLast.get(item.carnet) ?? 0)) throw refuse(`grouping the batch by kind would reorder the terminations of carnet ${item.carnet}; send them in separate messages`, '/SafeTIR/Body/SafeTIRRecords');
    rankOfLast.set(item.carnet, rank);
  }
  const content: XmlContent = { '@xmlns:ter': TER_NS, '@xmlns:car': CAR_NS, '@xmlns:act': ACT_NS, '@count': String(all.length) };
  for (const kind of kinds) content[`ter:${kind}`] = all.filter((item) => item.kind === kind).map((item) => item.content);
  return content;
}

/** IRU's TerminationService takes requests of at most this many bytes (WCF maxReceivedMessageSize); a longer one gets HTTP 413. */
export const RTS_PLUS_MAX_REQUEST_BYTES = 65_536;
/**
 * Room kept in a request for everything but the terminations: SOAP envelope, WS-Addressing headers,
 * Timestamp, the certificate token and the signature (about 4 kB with a 2048-bit certificate; a
 * longer chain or key gets the rest).
 */
const RTS_PLUS_ENVELOPE_ALLOWANCE = 8_192;

/**
 * Batch byte budget for RTS+: what the terminations of the batch's messages may weigh together, each
 * weighed as its items rendered, so a batch is split by size before IRU's limit, not only by count.
 */
export const RTS_PLUS_BATCH_BYTES = {
  budget: RTS_PLUS_MAX_REQUEST_BYTES - RTS_PLUS_ENVELOPE_ALLOWANCE,
  weigh: (message: OutboundMessage): number => Buffer.byteLength(renderXmlString({ 'ter:TIROperationTerminations': terminationsFromSafetir(message.payload) })),
};

/** The WS-Security hash an instance signs RTS+ with: option `rtsPlusSignature` (IRU's TerminationService takes RSA-SHA1 only). */
export function rtsPlusHash(context: Pick<PartnerContext, 'options'>): WsSecurityHash {
  return context.options.rtsPlusSignature === 'rsa-sha256' ? 'sha256' : 'sha1';
}

/**
 * The rts-plus profile's envelope hook: refuses at translation, with the reason, a SafeTIR document RTS+
 * cannot carry (a before-load termination, a record without the fields RTS+ requires), so it never waits
 * in the log for a delivery that cannot succeed. The document itself is logged unchanged.
 */
export function checkRtsPlusDocument(message: DocumentToWrap): Buffer {
  terminationsFromSafetir(message.document);
  return message.document;
}

/** What a request needs besides the message: the endpoint address (wsa:To) and the attempt's time. */
export interface RtsPlusRequestOptions {
  /** IRU's TerminationService-1 endpoint URL, as configured for the partner. */
  to: string;
  /** Time of the attempt: transmissionTime and the Timestamp's Created. */
  now: Date;
}

/**
 * Builds one attempt's `transmitTIROperationTerminations` call: SOAP 1.2, WS-Security signed with
 * our key for IRU (the kit's buildWsSecurityEnvelope: Body, Timestamp and the WS-Addressing headers
 * To, Action, MessageID), `transmissionTime` = now, `transmissionId` = our message id (the same on
 * every attempt, so IRU can recognise a repeat), a fresh `wsa:MessageID` per attempt. Headers:
 * `Content-Type: application/soap+xml; charset=utf-8; action="…"` (SOAP 1.2 carries the action
 * there) and the same action as `SOAPAction` for dispatchers that route on it.
 * @throws GatewayError GW_ERR_DOCUMENT_INVALID or GW_ERR_XML_* for a payload RTS+ cannot carry,
 *   GW_ERR_KEY_UNAVAILABLE for an unusable key; the delivery makes either needs-human.
 */
export function buildRtsPlusRequest(message: OutboundMessage, context: PartnerContext, options: RtsPlusRequestOptions): SoapRequest {
  const body: XmlContent = {
    'tns:transmitTIROperationTerminations': {
      '@xmlns:tns': SERVICE_NS,
      'tns:transmissionTime': options.now.toISOString(),
      'tns:transmissionId': message.id,
      'ter:TIROperationTerminations': terminationsFromSafetir(message.payload),
    },
  };
  const addressing = { to: options.to, action: TRANSMIT_TERMINATIONS_ACTION, messageId: `urn:uuid:${randomUUID()}` };
  if (context.identity.keyType !== 'rsa') throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'RTS+ needs an RSA key for IRU');
  const envelope = buildWsSecurityEnvelope({ version: '1.2', body, addressing, timestamp: { now: options.now }, hash: rtsPlusHash(context) }, context.identity);
  if (envelope.length > RTS_PLUS_MAX_REQUEST_BYTES) {
    throw new GatewayError('GW_ERR_DOCUMENT_INVALID', `the RTS+ request is ${envelope.length} bytes, over IRU's limit of ${RTS_PLUS_MAX_REQUEST_BYTES}`, { pointer: '' });
  }
  return { transport: 'soap', version: '1.2', action: TRANSMIT_TERMINATIONS_ACTION, headers: { soapaction: `"${TRANSMIT_TERMINATIONS_ACTION}"` }, envelope, service: RTS_TERMINATION_SERVICE };
}

/**
 * What IRU answers over RTS+, as the partner codes {@link classifyRtsPlus} reports: the response's
 * `success`, or a SOAP 1.2 fault's code with its WS-Security subcode. The simulator answers each.
 */
export const RTS_PLUS_CODES: Readonly<Record<string, AcknowledgementCode>> = {
  'success=true': { meaning: 'IRU took the terminations (queued: IRU checks their content later and reports nothing)', verdict: 'delivered' },
  'success=false': { meaning: 'IRU’s SafeTIR back end did not take them now; IRU’s specification says it is safe to retransmit later', verdict: 'retry' },
  Receiver: { meaning: 'IRU failed on the request (its bridge to SafeTIR, its content check or its own trouble); IRU’s specification says not to retransmit', verdict: 'needs-human' },
  'Sender/MessageExpired': { meaning: 'the Timestamp was stale at IRU (our clock or a slow network)', verdict: 'needs-human' },
  'Sender/InvalidSecurity': { meaning: 'our WS-Security header is not accepted (e.g. a signature suite other than IRU’s Basic128Rsa15)', verdict: 'needs-human' },
  'Sender/InvalidSecurityToken': { meaning: 'our certificate token is not accepted', verdict: 'needs-human' },
  'Sender/FailedAuthentication': { meaning: 'IRU does not know our certificate', verdict: 'needs-human' },
  'Sender/FailedCheck': { meaning: 'our signature does not verify at IRU', verdict: 'needs-human' },
  'Sender/UnsupportedAlgorithm': { meaning: 'IRU does not accept our signature algorithms', verdict: 'needs-human' },
  Sender: { meaning: 'IRU refused the request', verdict: 'needs-human' },
};

/**
 * A SOAP 1.2 fault, of any kind: needs-human. IRU's RTS+ specification (§4.3) says a transmission that
 * drew a fault should not be re-attempted, and IRU's bridge raises a Receiver fault for content its
 * SafeTIR client refuses as well as for its own trouble, so a person must look and resend. The partner
 * code names the kind and the WS-Security subcode when there is one.
 */
function judgeFault(fault: SoapFault): Outcome {
  const [subcode] = fault.subcodes;
  const partnerCode = [fault.kind || fault.code || '?', subcode?.namespace === WSSE_NS ? subcode.local : undefined].filter(Boolean).join('/');
  return { verdict: 'needs-human', partnerCode, reason: `SOAP fault ${partnerCode}: ${fault.message}` };
}

function soap12(bytes: Buffer): SoapMessage | undefined {
  try {
    return parseSoapEnvelope(bytes, '1.2');
  } catch {
    return undefined;
  }
}

/**
 * Judges one RTS+ attempt: no answer (timeout, refused, reset) → retry; a SOAP 1.2 fault, whatever the HTTP status → as
 * {@link judgeFault}; HTTP 5xx, 408, 429 without a fault → retry; another non-2xx → needs-human;
 * 2xx with `transmitTIROperationTerminationsResponse/success` true → delivered (queued at IRU, which
 * checks content later), false → retry (IRU's specification: safe to retransmit later); a 2xx that is
 * not that response → retry (in doubt).
 */
export function classifyRtsPlus(result: AttemptResult): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  const message = soap12(result.body);
  if (message?.fault) return judgeFault(message.fault);
  const body = message?.body;
  const { status } = result;
  if (status >= 500 || status === 408 || status === 429) return { verdict: 'retry', reason: `HTTP ${status}` };
  if (status < 200 || status > 299) return { verdict: 'needs-human', reason: `HTTP ${status} without a SOAP fault` };
  const response = body && childElement(body, SERVICE_NS, 'transmitTIROperationTerminationsResponse');
  const success = response && childText(response, SERVICE_NS, 'success')?.trim();
  if (success === 'true' || success === '1') return { verdict: 'delivered', partnerCode: 'success=true', reason: 'IRU accepted the terminations (success true)' };
  if (success === 'false' || success === '0') return { verdict: 'retry', partnerCode: 'success=false', reason: 'IRU answered success false (its SafeTIR back end did not take the terminations now)' };
  return { verdict: 'retry', reason: 'the answer is not a transmitTIROperationTerminationsResponse with a boolean success (in doubt)' };
}
