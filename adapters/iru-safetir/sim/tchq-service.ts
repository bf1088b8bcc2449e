// IRU's TIR carnet holder query (TCHQ) in the simulator: opens the sealed query, answers from the seeded carnets, sealed for the gateway.
import { carnetCheckLettersFit, childElement, childText, renderXml, type XmlContent } from '../../../src/partners/kit.js';
import {
  accepted,
  answeredCode,
  callParameters,
  checkMessageTag,
  checkSubscriber,
  classicAnswer,
  clientFault,
  field,
  isDateTime,
  openSealedField,
  passwordProblem,
  rejected,
  sealForGateway,
  type Judgement,
  documentRoot,
  isJudgement,
} from './classic-rts.js';
import { IRU_SERVICE_PATHS, type IruSimContext, type IruSoapService, type SeededCarnet } from './soap-service.js';

const QUERY_NS = 'http://www.iru.org/TCHQuery';
const RESPONSE_NS = 'http://www.iru.org/TCHQResponse';
/** TCHQuery.xsd CarnetNumberType. */
const XSD_CARNET_NUMBER = /^[a-zA-Z]{2}[0-9]+$/;
/** A checked query. */
interface Query {
  originator: string;
  queryType: 1 | 2;
  carnetNumber: string;
}

/**
 * What IRU's carnet table says about a number: IRU answers Result 5 "carnet number incorrect" both to a number
 * whose check letters break IRU's rule (IRU_CheckTIRNo) and to one it has no row for; a seeded carnet with
 * wrong check letters is answered 5 too, as IRU's table never holds one.
 */
export function carnetOf(carnets: ReadonlyMap<string, SeededCarnet>, carnetNumber: string): SeededCarnet {
  const seeded = carnets.get(carnetNumber);
  return seeded && carnetCheckLettersFit(carnetNumber) ? seeded : { carnetNumber, result: 5 };
}

/** Checks the opened Query document field by field, each with its return code (TCHQuery.xsd). */
function checkQuery(text: string, subscriberId: string, ctx: IruSimContext): Judgement & { query?: Query } {
  const root = documentRoot(text, QUERY_NS, 'Query', 'TCHQuery');
  if (isJudgement(root)) return root;
  const body = childElement(root, QUERY_NS, 'Body');
  if (!body) return rejected(1200, 'the payload has no Query/Body', text);
  const value = (name: string): string => childText(body, QUERY_NS, name)?.trim() ?? '';
  const sender = value('Sender');
  if (sender !== subscriberId) return rejected(1242, `Sender "${sender}" is not the SubscriberID "${subscriberId}"`, text);
  if (!isDateTime(value('SentTime'))) return rejected(1234, `SentTime "${value('SentTime')}" is not an xs:dateTime`, text);
  const originator = value('Originator');
  if (originator.length < 1 || originator.length > 30) return rejected(1236, `Originator "${originator}" is not 1 to 30 characters`, text);
  if (!isDateTime(value('OriginTime'))) return rejected(1237, `OriginTime "${value('OriginTime')}" is not an xs:dateTime`, text);
  const password = passwordProblem(childText(body, QUERY_NS, 'Password') ?? undefined, ctx);
  if (password) return rejected(1233, password, text);
  const queryType = value('Query_Type');
  if (queryType !== '1' && queryType !== '2') return rejected(1239, `Query_Type "${queryType}" is not 1 or 2`, text);
  if (!/^[1-5]$/.test(value('Query_Reason'))) return rejected(1240, `Query_Reason "${value('Query_Reason')}" is not 1 to 5`, text);
  const carnetNumber = value('Carnet_Number');
  if (!XSD_CARNET_NUMBER.test(carnetNumber)) return rejected(1241, `Carnet_Number "${carnetNumber}" is not two letters and digits`, text);
  return { ...accepted(text), query: { originator, queryType: queryType === '2' ? 2 : 1, carnetNumber: carnetNumber.toUpperCase() } };
}

/** The QueryResponse document, before sealing. */
function responseDocument(query: Query, carnet: SeededCarnet): Buffer {
  return renderXml({
    QueryResponse: {
      '@xmlns': RESPONSE_NS,
      Envelope: { Hash: '' },
      Body: {
        Sender: 'IRU',
        Originator: query.originator,
        ResponseTime: new Date().toISOString(),
        Result: carnet.result,
        Carnet_Number: query.carnetNumber,
        HolderID: carnet.holderId,
        ValidityDate: carnet.validityDate,
        Association: carnet.association,
        NumTerminations: carnet.numTerminations,
        // TCHQResponse.xsd: "can only be present if QueryType is 2".
        Voucher_Number: query.queryType === 2 ? carnet.voucherNumber : undefined,
      },
    },
  });
}

/**
 * WSTCHQ (SOAPAction http://www.iru.org/WSTCHQ, tirCarnetQuery.wsdl). Checks MessageTag (1210, 1211),
 * SubscriberID registered (1212), Query_ID (1232), the sealed query (1213, 1230, 1214, 1231, a hash
 * mismatch 1200 as IRU), then its fields (1242 Sender, 1234 SentTime, 1236 Originator, 1237
 * OriginTime, 1233 Password not the registered one, 1239 Query_Type, 1240 Query_Reason, 1241
 * Carnet_Number). Answers from `state.carnets` (keys upper case) as {@link carnetOf} says;
 * the QueryResponse is sealed for the gateway's certificate. Any return code but 2 comes without payload.
 */
export function createTchqService(ctx: IruSimContext): IruSoapService {
  function judge(su: XmlContent, queryId: string): Judgement & { query?: Query } {
    const tagProblem = checkMessageTag(su, ctx);
    if (tagProblem) return tagProblem;
    const subscriber = checkSubscriber(su, ctx);
    if (subscriber) return subscriber;
    if (!queryId || queryId.length > 255) return rejected(1232, queryId ? 'Query_ID is longer than 255 characters' : 'Query_ID is missing');
    const opened = openSealedField(su, 'TIRCarnetHolderQueryParams', ctx);
    return 'code' in opened ? opened : checkQuery(opened.document, ctx.state.subscriber.id, ctx);
  }

  return {
    actions: { 'http://www.iru.org/WSTCHQ': IRU_SERVICE_PATHS.tchq },
    handle(_action, body, _request, fault) {
      const su = callParameters(body, 'WSTCHQ');
      if (!su) return clientFault('the SOAP Body holds no WSTCHQ/su element in namespace http://www.iru.org');
      const queryId = field(su, 'Query_ID');
      const judgement = judge(su, queryId);
      const returnCode = answeredCode(judgement, fault);
      let result: XmlContent = { ReturnCode: returnCode, Query_ID: queryId || undefined };
      if (returnCode === '2' && judgement.query) {
        const query = judgement.query;
        const sealed = sealForGateway(responseDocument(query, carnetOf(ctx.state.carnets, query.carnetNumber)), ctx);
        result = { MessageTag: sealed.messageTag, ESessionKey: sealed.eSessionKey, TIRCarnetHolderResponseParams: sealed.payload, ...result };
      }
      return {
        received: { messageId: queryId, valid: judgement.code === 2, problems: judgement.problems, document: judgement.document },
        response: classicAnswer('WSTCHQ', result),
      };
    },
  };
}
