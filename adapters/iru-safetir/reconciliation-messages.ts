// Reconciliation over classic RTS: the WSRQ pull of IRU's requests (SafeTIRReconciliation.xsd) and the WSRE reply (SafeTIRUpload.xsd).
import {
  childElement,
  childText,
  GatewayError,
  parseXml,
  renderXml,
  type PartnerContext,
  type PartnerRouteDeps,
  type SoapRequest,
  type XmlContent,
} from '../../src/partners/kit.js';
import { sealRtsPayload } from './rts-envelope.js';
import { randomUUID } from 'node:crypto';
import { callIru, childrenNamed, classicSoapRequest, IRU_NS, passwordOf, subscriberOf } from './rts-classic-call.js';

const RECONCILIATION_NS = 'http://www.iru.org/SafeTIRReconciliation';
const UPLOAD_NS = 'http://www.iru.org/SafeTIRUpload';
/**
 * `Information_Exchange_Version` of each call. The WSDLs type it as a plain string; IRU's servers take
 * exactly `1.0.0` on WSRQ and `2.0.0` on WSRE and answer 1223 otherwise (IRU's server and .NET client
 * code, `../shared/reference/iru-server-behaviour.md` §4.2).
 */
export const EXCHANGE_VERSIONS = { WSRQ: '1.0.0', WSRE: '2.0.0' } as const;
const REQUEST_ID = /^.{1,14}$/;
const CARNET_NUMBER = /^[A-Za-z]{2}[0-9]+$/;

/** The termination attributes of SafeTIR records, in the XSDs' order (UPG is the upload's own). */
export const TERMINATION_ATTRIBUTES = ['TNO', 'ICC', 'DCL', 'CNL', 'COF', 'DDI', 'RND', 'PFD', 'TCO', 'CWR', 'VPN', 'COM', 'RBC', 'PIC'] as const;
/** One of {@link TERMINATION_ATTRIBUTES}. */
export type TerminationAttribute = (typeof TERMINATION_ATTRIBUTES)[number];

/** Termination data as the attributes carry it (text, as written); TNO, ICC and COF are always there. */
export type TerminationData = Partial<Record<TerminationAttribute, string>> & { TNO: string; ICC: string; COF: string };

/** A reply record: WSRE also needs CWR and VPN. */
export type ReplyRecord = TerminationData & { CWR: string; VPN: string };

/** One reconciliation request of IRU's. */
export interface ReconciliationRequest {
  /** RequestID, at most 14 characters. */
  requestId: string;
  /** RequestDate (xs:date). */
  requestDate: string;
  /** RequestReminderNum: 0 the first time, then one more per reminder. */
  reminderNum: number;
  /** RequestDataSource: 0 = SafeTIR transmission data, 1 = TIR carnet data (the paper volet). */
  dataSource: 0 | 1;
  /** RequestRemark. */
  remark?: string;
  /** IRU's version of the termination. */
  data: TerminationData;
}

/**
 * RequestReplyType, as IRU's back end stores it (CIFCreation): 1 = the data in the reply is correct
 * according to customs (also how a correction is sent: type 1 with the corrected data); 2 = the
 * original data is totally wrong and is deleted at IRU, it cannot be corrected (IRU's RTS+ converter
 * calls it "corrected", which its back end contradicts); 3 = customs have no information on this
 * termination (stored as UPG Z, the start of an inquiry: never sent automatically).
 */
export type ReplyType = 1 | 2 | 3;

/** One answer to a request. */
export interface ReconciliationReply {
  requestId: string;
  replyType: ReplyType;
  record: ReplyRecord;
}

/** The termination attributes of a parsed record element (`@TNO` …), those present and not empty. */
export function terminationAttributesOf(record: XmlContent): Partial<Record<TerminationAttribute, string>> {
  const data: Partial<Record<TerminationAttribute, string>> = {};
  for (const name of TERMINATION_ATTRIBUTES) {
    const value = record[`@${name}`];
    if (typeof value === 'string' && value.trim() !== '') data[name] = value.trim();
  }
  return data;
}

function invalid(reason: string): GatewayError {
  return new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', `IRU WSRQ: ${reason}`);
}

/** The WSRQ query before sealing: all new requests (QueryType 1); `Password` (after SentTime) only when IRU issued one. */
export function buildReconciliationQuery(now: Date, context: Pick<PartnerContext, 'options'>): Buffer {
  return renderXml({ ReconciliationQuery: { '@xmlns': RECONCILIATION_NS, Envelope: { Hash: '' }, Body: { SentTime: now.toISOString(), Password: passwordOf(context), QueryType: 1 } } });
}

/** The WSRQ call (WSRQ.wsdl `ReconciliationQuery`), sealed for IRU. */
export function buildWsrqRequest(messageId: string, context: PartnerContext, now: Date): SoapRequest {
  const sealed = sealRtsPayload(buildReconciliationQuery(now, context), context.partnerCertificates[0]);
  return classicSoapRequest('WSRQ', {
    MessageTag: sealed.messageTag,
    SubscriberID: subscriberOf(context),
    ESessionKey: sealed.eSessionKey.toString('base64'),
    ReconciliationQueryData: sealed.payload.toString('base64'),
    Sender_MessageID: messageId,
    Information_Exchange_Version: EXCHANGE_VERSIONS.WSRQ,
  });
}

function requestOf(record: XmlContent, index: number): ReconciliationRequest {
  const where = `RequestRecord ${index + 1}`;
  const attribute = (name: string): string | undefined => (typeof record[`@${name}`] === 'string' ? String(record[`@${name}`]).trim() : undefined);
  const requestId = attribute('RequestID') ?? '';
  if (!REQUEST_ID.test(requestId)) throw invalid(`${where}: RequestID "${requestId}" is not 1 to 14 characters`);
  const data = terminationAttributesOf(record);
  if (!data.TNO || !CARNET_NUMBER.test(data.TNO) || !data.ICC || !data.COF) throw invalid(`${where} (${requestId}): TNO, ICC and COF are required, TNO two letters and digits`);
  const dataSource = attribute('RequestDataSource');
  if (dataSource !== '0' && dataSource !== '1') throw invalid(`${where} (${requestId}): RequestDataSource "${dataSource ?? ''}" is not 0 or 1`);
  const reminder = attribute('RequestReminderNum') ?? '';
  if (!/^\d{1,9}$/.test(reminder)) throw invalid(`${where} (${requestId}): RequestReminderNum "${reminder}" is not a count`);
  const requestDate = attribute('RequestDate') ?? '';
  if (!/^\d{4}-\d{2}-\d{2}/.test(requestDate)) throw invalid(`${where} (${requestId}): RequestDate "${requestDate}" is not a date`);
  const remark = attribute('RequestRemark');
  return {
    requestId,
    requestDate,
    reminderNum: Number(reminder),
    dataSource: dataSource === '1' ? 1 : 0,
    ...(remark ? { remark } : {}),
    data: { ...data, TNO: data.TNO.toUpperCase(), ICC: data.ICC, COF: data.COF },
  };
}

/** Where a WSRQResult carries IRU's sealed requests. */
export const WSRQ_SEALED_FIELDS = { messageTag: 'MessageTag', eSessionKey: 'ESessionKey', payload: 'ReconciliationRequestData' } as const;

/** A RequestRecord that could not be read as a request: kept whole, with what is wrong with it. */
export interface OddRequestRecord {
  /** 1-based position in the answer. */
  position: number;
  /** Its attributes as IRU sent them. */
  attributes: Record<string, string>;
  problem: string;
}

/** What an opened WSRQ answer holds: the requests, the records that are not, and problems of the whole. */
export interface ReconciliationAnswer {
  requests: ReconciliationRequest[];
  odd: OddRequestRecord[];
  /** E.g. NumberOfRecords disagreeing with the records that came. */
  problems: string[];
}

/**
 * Reads the opened WSRQ answer record by record: a record that breaks the XSD's rules is returned as
 * odd, not thrown, since IRU marks every request it returns as exchanged and will not send it again
 * before a reminder.
 * @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID only when the text is no SafeTIR/Body/RequestRecords document.
 */
export function readReconciliationAnswer(text: string): ReconciliationAnswer {
  let document: XmlContent;
  try {
    document = parseXml(text, { expectedNamespace: RECONCILIATION_NS });
  } catch (err) {
    throw invalid(`the opened answer is not a document in ${RECONCILIATION_NS}: ${(err as Error).message}`);
  }
  const root = childElement(document, RECONCILIATION_NS, 'SafeTIR');
  const body = root && childElement(root, RECONCILIATION_NS, 'Body');
  const list = body && childElement(body, RECONCILIATION_NS, 'RequestRecords');
  if (!body || !list) throw invalid('the answer has no SafeTIR/Body/RequestRecords');
  const records = childrenNamed(list, 'RequestRecord');
  const count = childText(body, RECONCILIATION_NS, 'NumberOfRecords')?.trim();
  const answer: ReconciliationAnswer = { requests: [], odd: [], problems: [] };
  if (count !== String(records.length)) answer.problems.push(`NumberOfRecords is "${count ?? ''}" but ${records.length} RequestRecord(s) came`);
  for (const [index, record] of records.entries()) {
    try {
      answer.requests.push(requestOf(record, index));
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const attributes = Object.fromEntries(Object.entries(record).filter(([k, v]) => k.startsWith('@') && !k.startsWith('@xmlns') && typeof v === 'string').map(([k, v]) => [k.slice(1), String(v)]));
      answer.odd.push({ position: index + 1, attributes, problem: err.message.replace(/^GW_ERR_\w+: /, '') });
    }
  }
  return answer;
}

/**
 * Asks IRU for all new reconciliation requests (WSRQ, QueryType 1) and returns the WSRQResult unopened,
 * with the Sender_MessageID it was asked under.
 * @throws GatewayError as {@link callIru}, or GW_ERR_PARTNER_ANSWER_INVALID when the answer is for another call.
 */
export async function fetchReconciliationAnswer(deps: Pick<PartnerRouteDeps, 'send' | 'context'>, now: Date): Promise<{ messageId: string; answer: XmlContent }> {
  const messageId = randomUUID();
  const answer = await callIru(deps, 'WSRQ', buildWsrqRequest(messageId, deps.context(), now));
  const echoed = childText(answer, IRU_NS, 'Sender_MessageID')?.trim();
  if (echoed && echoed !== messageId) throw invalid(`the answer is for Sender_MessageID "${echoed}", not "${messageId}"`);
  return { messageId, answer };
}

function replyRecordOf(reply: ReconciliationReply): XmlContent {
  const element: XmlContent = { '@RequestID': reply.requestId, '@RequestReplyType': reply.replyType };
  for (const name of TERMINATION_ATTRIBUTES) {
    const value = reply.record[name];
    if (value !== undefined) element[`@${name}`] = value;
  }
  return element;
}

/** The WSRE document before sealing: SafeTIR (SafeTIRUpload.xsd) whose Body is NumberOfRecords and RequestReplyRecords. */
export function buildReconciliationReply(replies: readonly ReconciliationReply[]): Buffer {
  return renderXml({
    SafeTIR: {
      '@xmlns': UPLOAD_NS,
      Envelope: { Hash: '' },
      Body: { NumberOfRecords: replies.length, RequestReplyRecords: { RequestReplyRecord: replies.map(replyRecordOf) } },
    },
  });
}

/** The WSRE call (safetirupload.wsdl `SafeTIRReconParams`), sealed for IRU. */
export function buildWsreRequest(replies: readonly ReconciliationReply[], messageId: string, context: PartnerContext): SoapRequest {
  const sealed = sealRtsPayload(buildReconciliationReply(replies), context.partnerCertificates[0]);
  return classicSoapRequest('WSRE', {
    SubscriberID: subscriberOf(context),
    MessageTag: sealed.messageTag,
    ESessionKey: sealed.eSessionKey.toString('base64'),
    SafeTIRReconData: sealed.payload.toString('base64'),
    Sender_MessageID: messageId,
    Information_Exchange_Version: EXCHANGE_VERSIONS.WSRE,
  });
}

/**
 * Sends replies to IRU (WSRE) and returns the Sender_MessageID they travelled under; IRU's
 * SafeTIRUploadAck must say 2 (SUCCESS).
 * @throws GatewayError as {@link callIru}.
 */
export async function sendReconciliationReplies(deps: Pick<PartnerRouteDeps, 'send' | 'context'>, replies: readonly ReconciliationReply[]): Promise<string> {
  const messageId = randomUUID();
  await callIru(deps, 'WSRE', buildWsreRequest(replies, messageId, deps.context()));
  return messageId;
}
