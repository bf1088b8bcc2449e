// IRU's reconciliation services in the simulator: WSRQ hands out the seeded requests sealed for the gateway, WSRE opens and checks the replies.
import {
  childElement,
  childText,
  parseXml,
  renderXml,
  type HandledRequest,
  type InjectedFault,
  type XmlContent,
} from '../../../src/partners/kit.js';
import {
  accepted,
  answeredCode,
  callParameters,
  checkMessageTag,
  checkSubscriber,
  classicAnswer,
  clientFault,
  CLASSIC_CODES,
  field,
  isDateTime,
  openSealedField,
  passwordProblem,
  rejected,
  sealForGateway,
  uploadAck,
  type ClassicCode,
  type Judgement,
  documentRoot,
  isJudgement,
} from './classic-rts.js';
import { IRU_SERVICE_PATHS, type IruSimContext, type IruSoapService, type SeededReconciliationRequest } from './soap-service.js';

const RECONCILIATION_NS = 'http://www.iru.org/SafeTIRReconciliation';
const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
const WSRQ_ACTION = 'http://www.iru.org/WSRQ';
const WSRE_ACTION = 'http://www.iru.org/WSRE';

/** RequestRecord attributes (SafeTIRReconciliation.xsd) a seeded request may set; RequestID and TNO come from the seed itself. */
const REQUEST_ATTRIBUTES = ['RequestDate', 'RequestReminderNum', 'RequestDataSource', 'ICC', 'DCL', 'CNL', 'COF', 'DDI', 'RND', 'PFD', 'TCO', 'CWR', 'VPN', 'COM', 'RBC', 'PIC', 'RequestRemark'];

const maxLength = (n: number) => (v: string): boolean => v.length <= n;
const oneOf = (...values: string[]) => (v: string): boolean => values.includes(v);
const isDate = (v: string): boolean => /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/.test(v);

/** RequestReplyRecord attributes (SafeTIRUpload.xsd): whether required, what is valid, the code of a violation. */
const REPLY_ATTRIBUTES: Record<string, { required?: true; valid: (value: string) => boolean; code?: ClassicCode }> = {
  RequestID: { required: true, valid: (v) => v.length >= 1 && v.length <= 14 },
  RequestReplyType: { required: true, valid: oneOf('1', '2', '3') },
  TNO: { required: true, valid: (v) => /^[a-zA-Z]{2}[0-9]+$/.test(v), code: 1241 },
  ICC: { required: true, valid: maxLength(3) },
  DCL: { valid: isDate },
  CNL: { valid: maxLength(255) },
  COF: { required: true, valid: maxLength(255) },
  DDI: { valid: isDate },
  RND: { valid: maxLength(255) },
  PFD: { valid: oneOf('FD', 'PD') },
  TCO: { valid: oneOf('LOAD', 'EXIT') },
  CWR: { required: true, valid: oneOf('OK', 'R') },
  VPN: { required: true, valid: oneOf('0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20') },
  COM: { valid: maxLength(126) },
  RBC: { valid: oneOf('CR', 'CNR', 'VR', 'VNR') },
  PIC: { valid: (v) => /^\d+$/.test(v) },
};

/**
 * The RequestRecord IRU sends for a seeded request, with IRU's quirks (WSRQ_QueryProcessor): PIC always
 * (0 when unknown), DDI, PFD, TCO and RND empty when unknown, DCL left out when unknown, never RBC.
 * Defaults: today's date, no reminder, data source 0; a seeded attribute overrides (RequestDataSource,
 * RequestReminderNum included).
 */
function requestRecord(seeded: SeededReconciliationRequest): XmlContent {
  const record: XmlContent = {
    '@RequestID': seeded.requestId,
    '@RequestDate': new Date().toISOString().slice(0, 10),
    '@RequestReminderNum': '0',
    '@RequestDataSource': '0',
    '@DDI': '',
    '@PFD': '',
    '@TCO': '',
    '@RND': '',
    '@PIC': '0',
  };
  for (const name of REQUEST_ATTRIBUTES) if (name !== 'RBC' && seeded.attributes[name] !== undefined) record[`@${name}`] = seeded.attributes[name];
  record['@TNO'] = seeded.carnetNumber;
  return record;
}

function repeated(parent: XmlContent, localName: string): XmlContent[] {
  const items: XmlContent[] = [];
  for (const [name, value] of Object.entries(parent)) {
    if (name.startsWith('@') || name.slice(name.indexOf(':') + 1) !== localName || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) items.push(typeof item === 'object' ? item : {});
  }
  return items;
}

/** The one `Information_Exchange_Version` IRU's server takes on each call (anything else is 1223). */
const SERVER_EXCHANGE_VERSIONS = { WSRQ: '1.0.0', WSRE: '2.0.0' } as const;

/**
 * The checks both calls make before their payload: SubscriberID registered (1212), Sender_MessageID
 * present (1222 on WSRE; WSRQ answers 1232 for one over 255 characters), Information_Exchange_Version (1223).
 */
function checkCall(su: XmlContent, call: keyof typeof SERVER_EXCHANGE_VERSIONS, ctx: IruSimContext): Judgement | undefined {
  const subscriber = checkSubscriber(su, ctx);
  if (subscriber) return subscriber;
  const messageId = field(su, 'Sender_MessageID');
  if (!messageId) return rejected(1222, 'Sender_MessageID is missing');
  if (messageId.length > 255) return rejected(call === 'WSRQ' ? 1232 : 1222, 'Sender_MessageID is longer than 255 characters');
  const version = field(su, 'Information_Exchange_Version');
  if (version !== SERVER_EXCHANGE_VERSIONS[call]) return rejected(1223, `Information_Exchange_Version is "${version}"; ${call} takes "${SERVER_EXCHANGE_VERSIONS[call]}" only`);
  return undefined;
}

/** WSRQ opens its query at once: MessageTag (1210, 1211), the call's checks, the sealed payload (1213, 1230, 1214, 1231, 1200). */
function openQuery(su: XmlContent, ctx: IruSimContext): { document: string } | Judgement {
  return checkMessageTag(su, ctx) ?? checkCall(su, 'WSRQ', ctx) ?? openSealedField(su, 'ReconciliationQueryData', ctx);
}

/** The ReconciliationQuery body: SentTime (1234), Password the registered one (1233), QueryType 1, "all new requests" (1239). */
function checkQuery(text: string, ctx: IruSimContext): Judgement {
  let root: XmlContent | undefined;
  try {
    root = childElement(parseXml(text, { expectedNamespace: RECONCILIATION_NS }), RECONCILIATION_NS, 'ReconciliationQuery');
  } catch (err) {
    return rejected(1200, `the payload is not a ReconciliationQuery: ${(err as Error).message}`, text);
  }
  const body = root && childElement(root, RECONCILIATION_NS, 'Body');
  if (!body) return rejected(1200, 'the payload has no ReconciliationQuery/Body', text);
  const sentTime = childText(body, RECONCILIATION_NS, 'SentTime')?.trim();
  if (!isDateTime(sentTime)) return rejected(1234, `SentTime "${sentTime ?? ''}" is not an xs:dateTime`, text);
  const password = passwordProblem(childText(body, RECONCILIATION_NS, 'Password') ?? undefined, ctx);
  if (password) return rejected(1233, password, text);
  const queryType = childText(body, RECONCILIATION_NS, 'QueryType')?.trim();
  if (queryType !== '1') return rejected(1239, `QueryType "${queryType ?? ''}" is not 1 (all new requests)`, text);
  return accepted(text);
}

function checkReplyRecord(record: XmlContent, index: number, issued: ReadonlyMap<string, SeededReconciliationRequest>): string[] {
  const problems: string[] = [];
  const where = `RequestReplyRecord ${index + 1}`;
  for (const key of Object.keys(record)) {
    if (key.startsWith('@xmlns')) continue;
    if (!key.startsWith('@') || !(key.slice(1) in REPLY_ATTRIBUTES)) problems.push(`1200 UNCLASSIFIED_ERROR: ${where}: ${key} is not allowed`);
  }
  for (const [name, rule] of Object.entries(REPLY_ATTRIBUTES)) {
    const value = record[`@${name}`];
    const code = rule.code ?? 1200;
    const label = `${code} ${CLASSIC_CODES[code]}`;
    if (value === undefined) {
      if (rule.required) problems.push(`${label}: ${where}: @${name} is required`);
    } else if (typeof value !== 'string' || !rule.valid(value)) {
      problems.push(`${label}: ${where}: @${name} "${String(value)}" is not valid`);
    }
  }
  const requestId = String(record['@RequestID'] ?? '');
  const request = issued.get(requestId);
  if (!request) problems.push(`1200 UNCLASSIFIED_ERROR: ${where}: RequestID "${requestId}" is not a request IRU issued`);
  else if (String(record['@TNO'] ?? '').toUpperCase() !== request.carnetNumber.toUpperCase()) {
    problems.push(`1200 UNCLASSIFIED_ERROR: ${where}: TNO "${String(record['@TNO'])}" is not the carnet of request ${requestId} (${request.carnetNumber})`);
  }
  return problems;
}

/** The reply document: SafeTIR (SafeTIRUpload.xsd) whose Body is the WSRE choice, NumberOfRecords = records, each record valid. */
function checkReply(text: string, issued: ReadonlyMap<string, SeededReconciliationRequest>): Judgement {
  const root = documentRoot(text, UPLOAD_NS, 'SafeTIR', 'SafeTIR');
  if (isJudgement(root)) return root;
  const body = childElement(root, UPLOAD_NS, 'Body');
  const list = body && childElement(body, UPLOAD_NS, 'RequestReplyRecords');
  const count = body && childText(body, UPLOAD_NS, 'NumberOfRecords')?.trim();
  if (!body || !list || count === undefined) return rejected(1200, 'the Body is not the WSRE choice (NumberOfRecords, RequestReplyRecords)', text);
  const extra = Object.keys(body).filter((k) => !k.startsWith('@') && !/(^|:)(NumberOfRecords|RequestReplyRecords)$/.test(k));
  if (extra.length > 0) return rejected(1200, `the WSRE Body holds ${extra.join(', ')} as well`, text);
  const records = repeated(list, 'RequestReplyRecord');
  if (count !== String(records.length)) return rejected(1200, `NumberOfRecords is "${count}" but the document has ${records.length} record(s)`, text);
  const problems = records.flatMap((record, i) => checkReplyRecord(record, i, issued));
  if (problems.length === 0) return accepted(text);
  return { code: problems.some((p) => p.startsWith('1241')) ? 1241 : 1200, problems, document: text };
}

/**
 * WSRQ (WSRQ.wsdl) and WSRE (safetirupload.wsdl), as IRU's servers. WSRQ checks MessageTag (1210,
 * 1211), SubscriberID registered (1212), Sender_MessageID (1222, 1232), Information_Exchange_Version
 * 1.0.0 (1223), the sealed query (1213, 1230, 1214, 1231, a hash mismatch 1200), the query (1234,
 * Password 1233, 1239), and hands out every seeded request not handed out before, sealed for the
 * gateway, stamping them exchanged as IRU does (an answer lost on the way loses them until a reminder:
 * the request seeded again with a higher RequestReminderNum). WSRE, like WSST, checks only the
 * framing at once (MessageTag present 1210, subscriber 1212, Sender_MessageID 1222, version 2.0.0 1223,
 * ESessionKey 1213, payload 1214) and answers 2; later, unreported, IRU's processor checks its key, the
 * payload and the replies against SafeTIRUpload.xsd's RequestReplyRecord (a RequestID IRU never issued
 * or a TNO not the request's refused too): the received entry settles with that verdict, and an
 * accepted reply's document goes to `state.reconciliationReplies`.
 */
export function createReconciliationService(ctx: IruSimContext): IruSoapService {
  const handedOut = new Set<string>();

  function wsrq(su: XmlContent, fault: InjectedFault | undefined): HandledRequest {
    const messageId = field(su, 'Sender_MessageID');
    const opened = openQuery(su, ctx);
    const judgement = 'code' in opened ? opened : checkQuery(opened.document, ctx);
    const returnCode = answeredCode(judgement, fault);
    let sealed: ReturnType<typeof sealForGateway> | undefined;
    if (returnCode === '2') {
      // IRU stamps every request it returns as exchanged before the answer leaves: an answer lost on the way loses them until a reminder.
      const fresh = ctx.state.reconciliationRequests.filter((r) => !handedOut.has(`${r.requestId}#${r.attributes.RequestReminderNum ?? '0'}`));
      for (const r of fresh) handedOut.add(`${r.requestId}#${r.attributes.RequestReminderNum ?? '0'}`);
      const records = fresh.map(requestRecord);
      sealed = sealForGateway(renderXml({ SafeTIR: { '@xmlns': RECONCILIATION_NS, Envelope: { Hash: '' }, Body: { NumberOfRecords: records.length, RequestRecords: { RequestRecord: records } } } }), ctx);
    }
    const result: XmlContent = {
      Sender: 'IRU',
      MessageTag: sealed?.messageTag,
      ESessionKey: sealed?.eSessionKey,
      ReconciliationRequestData: sealed?.payload,
      Sender_MessageID: messageId || undefined,
      ReturnCode: returnCode,
    };
    return { received: { messageId, valid: judgement.code === 2, problems: judgement.problems, document: judgement.document }, response: classicAnswer('WSRQ', result) };
  }

  /** What IRU's WSRE processor makes of a queued reply: its key, the payload, the reply records. */
  function processReply(su: XmlContent): Judgement {
    const tag = checkMessageTag(su, ctx);
    if (tag) return tag;
    const opened = openSealedField(su, 'SafeTIRReconData', ctx);
    if ('code' in opened) return opened;
    return checkReply(opened.document, new Map(ctx.state.reconciliationRequests.map((r) => [r.requestId, r])));
  }

  function wsre(su: XmlContent, fault: InjectedFault | undefined): HandledRequest {
    const messageId = field(su, 'Sender_MessageID');
    const tag = field(su, 'MessageTag');
    const framing =
      (!tag || tag.length > 50 ? rejected(1210, tag ? 'MessageTag is longer than 50 characters' : 'MessageTag is missing') : undefined) ??
      checkCall(su, 'WSRE', ctx) ??
      (!field(su, 'ESessionKey') ? rejected(1213, 'ESessionKey is missing') : undefined) ??
      (!field(su, 'SafeTIRReconData') ? rejected(1214, 'SafeTIRReconData is missing') : undefined);
    if (framing) return { received: { messageId, valid: false, problems: framing.problems, document: '' }, response: uploadAck('WSRE', answeredCode(framing, fault), messageId) };
    const returnCode = answeredCode(accepted(''), fault);
    const verdict = processReply(su);
    // IRU's receiver queues the reply and answers 2; its processor judges it later and reports nothing.
    const later = new Promise<{ valid: boolean; problems: string[] }>((resolve) =>
      setImmediate(() => {
        if (verdict.code === 2 && returnCode === '2') ctx.state.reconciliationReplies.push(verdict.document);
        resolve({ valid: verdict.code === 2, problems: verdict.problems });
      }),
    );
    return { received: { messageId, valid: true, problems: [], document: verdict.document }, response: uploadAck('WSRE', returnCode, messageId), later };
  }

  return {
    actions: { [WSRQ_ACTION]: IRU_SERVICE_PATHS.wsrq, [WSRE_ACTION]: IRU_SERVICE_PATHS.default },
    handle(action, body, _request, fault) {
      const operation = action === WSRQ_ACTION ? 'WSRQ' : 'WSRE';
      const su = callParameters(body, operation);
      if (!su) return clientFault(`the SOAP Body holds no ${operation}/su element in namespace http://www.iru.org`);
      return operation === 'WSRQ' ? wsrq(su, fault) : wsre(su, fault);
    },
  };
}
