// TIR carnet holder query (TCHQ, classic RTS): asks IRU whether a carnet is valid and who holds it; serves GET /v1/safetir/carnets/:number.
import {
  childElement,
  childText,
  GatewayError,
  renderXml,
  type PartnerContext,
  type PartnerRouteDeps,
  type SoapRequest,
  type XmlContent,
} from '../../src/partners/kit.js';
import { iruErrors } from './errors.js';
import { sealRtsPayload } from './rts-envelope.js';
import { randomUUID } from 'node:crypto';
import { callIru, classicSoapRequest, IRU_NS, openIruPayload, passwordOf, subscriberOf } from './rts-classic-call.js';

const QUERY_NS = 'http://www.iru.org/TCHQuery';
const RESPONSE_NS = 'http://www.iru.org/TCHQResponse';
/** The WSDL operation (tirCarnetQuery.wsdl); its SOAPAction is `http://www.iru.org/WSTCHQ`. */
const OPERATION = 'WSTCHQ';

/**
 * What the gateway checks before asking: IRU's own XSD pattern for Carnet_Number, and at most 12
 * characters (the longest carnet number any schema allows: NCTS an..12, TIR-EPD maxLength 12). The
 * stricter NCTS rule (an X among the letters, numbers from 25000000) is IRU's to apply: it answers
 * Result 5 "carnet number incorrect", which tells the officer more than a refusal of ours would.
 */
const CARNET_NUMBER = /^[A-Za-z]{2}[0-9]{1,10}$/;

/** Query_Reason codes of TCHQuery.xsd, by the words the API takes. */
export const QUERY_REASONS = { entry: 1, exit: 2, termination: 3, opening: 4, other: 5 } as const;
/** A reason for asking, as the API takes it. */
export type QueryReason = keyof typeof QUERY_REASONS;

/** TCHQResponse.xsd `Result`, in words. */
export const CARNET_RESULTS = {
  1: 'issue data available',
  2: 'no issue data available',
  3: 'carnet invalidated by IRU',
  4: 'carnet not in circulation',
  5: 'carnet number incorrect',
} as const;
type ResultCode = keyof typeof CARNET_RESULTS;

/** One carnet query. */
export interface CarnetQuery {
  carnetNumber: string;
  /** 1 = carnet holder; 2 = carnet and voucher. */
  queryType: 1 | 2;
  reason: QueryReason;
  /** Who asks: the querying customs office or officer (TCHQ Originator, 1 to 30 characters); IRU logs it. Default: our SubscriberID. */
  originator?: string;
}

/** IRU's answer, decoded. */
export interface CarnetQueryAnswer {
  carnetNumber: string;
  result: { code: ResultCode; meaning: string };
  holderId?: string;
  /** xs:date, as IRU wrote it. */
  validityDate?: string;
  association?: string;
  numTerminations?: number;
  /** Only for query type 2. */
  voucherNumber?: string;
}

/**
 * The carnet number as sent: upper case, checked against IRU's pattern.
 * @throws GatewayError GW_ERR_CARNET_NUMBER_INVALID
 */
export function normaliseCarnetNumber(input: string): string {
  const trimmed = input.trim();
  if (!CARNET_NUMBER.test(trimmed)) {
    throw iruErrors.error('GW_ERR_CARNET_NUMBER_INVALID', `"${input}" is not a TIR carnet number (two letters, then 1 to 10 digits, e.g. DX25123456)`, { carnetNumber: input });
  }
  return trimmed.toUpperCase();
}

/**
 * The TCHQuery document before sealing (`Envelope/Hash` empty): UTF-8, canonical, no declaration.
 * `Password` (TCHQuery.xsd: after OriginTime) only when IRU issued one.
 */
export function buildCarnetQueryDocument(query: CarnetQuery, now: Date, context: Pick<PartnerContext, 'participants' | 'options'>): Buffer {
  const time = now.toISOString();
  const subscriber = subscriberOf(context);
  return renderXml({
    Query: {
      '@xmlns': QUERY_NS,
      Envelope: { Hash: '' },
      Body: {
        Sender: subscriber,
        SentTime: time,
        Originator: query.originator ?? subscriber,
        OriginTime: time,
        Password: passwordOf(context),
        Query_Type: query.queryType,
        Query_Reason: QUERY_REASONS[query.reason],
        Carnet_Number: query.carnetNumber,
      },
    },
  });
}

/** The WSTCHQ call: the query sealed for IRU's certificate, `Query_ID` our id of this query. */
export function buildCarnetQueryRequest(query: CarnetQuery, queryId: string, context: PartnerContext, now: Date): SoapRequest {
  const sealed = sealRtsPayload(buildCarnetQueryDocument(query, now, context), context.partnerCertificates[0]);
  return classicSoapRequest(OPERATION, {
    SubscriberID: subscriberOf(context),
    MessageTag: sealed.messageTag,
    ESessionKey: sealed.eSessionKey.toString('base64'),
    TIRCarnetHolderQueryParams: sealed.payload.toString('base64'),
    Query_ID: queryId,
  });
}

function invalid(reason: string): GatewayError {
  return new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', `IRU ${OPERATION}: ${reason}`);
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * Reads a judged WSTCHQResult: opens `TIRCarnetHolderResponseParams` with the gateway's key and
 * decodes the QueryResponse Body.
 * @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID when the answer is not for this query or not readable.
 */
export function readCarnetQueryAnswer(answer: XmlContent, query: CarnetQuery, queryId: string, context: PartnerContext): CarnetQueryAnswer {
  const echoed = childText(answer, IRU_NS, 'Query_ID')?.trim();
  if (echoed !== undefined && echoed !== queryId) throw invalid(`the answer is for Query_ID "${echoed}", not "${queryId}"`);
  const document = openIruPayload(answer, { messageTag: 'MessageTag', eSessionKey: 'ESessionKey', payload: 'TIRCarnetHolderResponseParams' }, context, RESPONSE_NS);
  const root = childElement(document, RESPONSE_NS, 'QueryResponse');
  const body = root && childElement(root, RESPONSE_NS, 'Body');
  if (!body) throw invalid('the response has no QueryResponse/Body');
  const text = (name: string): string | undefined => childText(body, RESPONSE_NS, name)?.trim() || undefined;
  const code = Number(text('Result'));
  if (!(code in CARNET_RESULTS)) throw invalid(`Result "${text('Result') ?? ''}" is not 1 to 5`);
  const carnetNumber = text('Carnet_Number') ?? '';
  if (carnetNumber.toUpperCase() !== query.carnetNumber) throw invalid(`the response is about carnet "${carnetNumber}", not ${query.carnetNumber}`);
  const terminations = text('NumTerminations');
  if (terminations !== undefined && !/^\d+$/.test(terminations)) throw invalid(`NumTerminations "${terminations}" is not a count`);
  const result = code as ResultCode;
  return {
    carnetNumber: query.carnetNumber,
    result: { code: result, meaning: CARNET_RESULTS[result] },
    ...optional('holderId', text('HolderID')),
    ...optional('validityDate', text('ValidityDate')),
    ...optional('association', text('Association')),
    ...optional('numTerminations', terminations === undefined ? undefined : Number(terminations)),
    ...optional('voucherNumber', text('Voucher_Number')),
  };
}

/**
 * Asks IRU about one carnet. The number is checked before anything is sent.
 * @throws GatewayError GW_ERR_CARNET_NUMBER_INVALID, or any error of {@link callIru} and {@link readCarnetQueryAnswer}.
 */
export async function queryCarnet(deps: Pick<PartnerRouteDeps, 'send' | 'context'>, query: CarnetQuery, now = new Date()): Promise<CarnetQueryAnswer> {
  const checked = { ...query, carnetNumber: normaliseCarnetNumber(query.carnetNumber) };
  const context = deps.context();
  const queryId = randomUUID();
  const answer = await callIru(deps, OPERATION, buildCarnetQueryRequest(checked, queryId, context, now));
  return readCarnetQueryAnswer(answer, checked, queryId, context);
}

const answerSchema = {
  type: 'object',
  properties: {
    carnetNumber: { type: 'string' },
    result: { type: 'object', properties: { code: { type: 'integer', enum: [1, 2, 3, 4, 5] }, meaning: { type: 'string' } } },
    holderId: { type: 'string' },
    validityDate: { type: 'string', format: 'date' },
    association: { type: 'string' },
    numTerminations: { type: 'integer', minimum: 0 },
    voucherNumber: { type: 'string', description: 'query type 2 only' },
  },
} as const;

/** Registers `GET /v1/safetir/carnets/:number?queryType=1|2&reason=…` (auditor, admin, cais). */
export function registerCarnetQueryRoute(deps: PartnerRouteDeps): void {
  deps.route({
    method: 'GET',
    path: '/v1/safetir/carnets/:number',
    roles: ['auditor', 'admin', 'cais'],
    summary: 'Ask IRU (TCHQ) whether a TIR carnet is valid and who holds it',
    schema: {
      // The number itself is checked in the handler, so a malformed one gets GW_ERR_CARNET_NUMBER_INVALID.
      params: { type: 'object', required: ['number'], properties: { number: { type: 'string' } } },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          queryType: { type: 'integer', enum: [1, 2], default: 1, description: '1 = carnet holder; 2 = carnet and voucher' },
          reason: { type: 'string', enum: Object.keys(QUERY_REASONS), default: 'other', description: 'why customs ask (TCHQ Query_Reason)' },
          originator: {
            type: 'string',
            minLength: 1,
            maxLength: 30,
            pattern: '^[\\x20-\\x7e]+$',
            description: 'the querying customs office or officer, as IRU logs it (TCHQ Originator, printable ASCII); default our SubscriberID',
          },
        },
      },
      response: { 200: answerSchema },
    },
    async handler(request) {
      const query: CarnetQuery = {
        carnetNumber: request.params.number ?? '',
        queryType: Number(request.query.queryType) === 2 ? 2 : 1,
        reason: (request.query.reason as QueryReason | undefined) ?? 'other',
        ...(typeof request.query.originator === 'string' ? { originator: request.query.originator } : {}),
      };
      return { status: 200, body: await queryCarnet(deps, query) };
    },
  });
}
