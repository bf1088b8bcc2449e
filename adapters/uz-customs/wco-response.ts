// WCO Data Model RES documents of the exchange with Uzbekistan: written by whichever side answers a DEC, read and judged by the side that sent it.
import { childElement, childElements, childText, GatewayError, renderXml, verifyCmsSignedData, type AttemptResult, type Outcome, type PartnerContext, type XmlContent, parseXml } from '../../src/partners/kit.js';
import { RES_CODES } from './codes.js';

/** WCO DM 3.6 namespaces (HMRC's DMS profile of the WCO schemas, ../shared/reference/wco). */
export const WCO = {
  metaData: 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2',
  dec: 'urn:wco:datamodel:WCO:DEC-DMS:2',
  res: 'urn:wco:datamodel:WCO:RES-DMS:2',
  resDataSet: 'urn:wco:datamodel:WCO:Response_DS:DMS:2',
} as const;

/** What a RES says of one DEC. */
export interface WcoResponse {
  /** RES function: 01 accepted, 03 rejected (README codes table). */
  functionCode: string;
  /** The answerer's id of this RES. */
  responseId: string;
  /** When it was issued: WCO format 304, `YYYYMMDDhhmmss+hh`. */
  issuedAt: string;
  /** The DEC's FunctionalReferenceID it answers, and the answerer's registration id when it took it. */
  declarationReference: string;
  registrationId?: string;
  errors: Array<{ code: string; description: string }>;
}

/** A time in WCO format 304 (`YYYYMMDDhhmmss` and the UTC offset in hours). */
export function wcoDateTime(at: Date): string {
  return `${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+00`;
}

/** The RES's canonical bytes inside its MetaData, unsigned (the answerer signs them as CMS). */
export function renderResponse(r: WcoResponse, responsibleCountry: string): Buffer {
  return renderXml({
    'md:MetaData': {
      '@xmlns:md': WCO.metaData,
      'md:WCODataModelVersionCode': '3.6',
      'md:WCOTypeName': 'RES',
      'md:ResponsibleCountryCode': responsibleCountry,
      Response: {
        '@xmlns': WCO.res,
        '@xmlns:rds': WCO.resDataSet,
        FunctionCode: r.functionCode,
        FunctionalReferenceID: r.responseId,
        IssueDateTime: { 'rds:DateTimeString': { '@formatCode': '304', '#text': r.issuedAt } },
        ...(r.errors.length > 0 ? { Error: r.errors.map((e) => ({ Description: e.description, ValidationCode: e.code })) } : {}),
        Declaration: { FunctionalReferenceID: r.declarationReference, ...(r.registrationId ? { ID: r.registrationId } : {}) },
      },
    },
  });
}

/** Reads a RES (the signed content). @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID for anything that is not one. */
export function readResponse(content: XmlContent): WcoResponse {
  const meta = childElement(content, WCO.metaData, 'MetaData');
  const response = meta && childElement(meta, WCO.res, 'Response');
  const text = (parent: XmlContent | undefined, name: string): string => (parent && childText(parent, WCO.res, name)?.trim()) ?? '';
  const declaration = response && childElement(response, WCO.res, 'Declaration');
  if (!response || !text(response, 'FunctionCode') || !declaration) throw new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', 'the answer is not a WCO RES with FunctionCode and Declaration');
  const issued = childElement(response, WCO.res, 'IssueDateTime');
  const registrationId = text(declaration, 'ID');
  return {
    functionCode: text(response, 'FunctionCode'),
    responseId: text(response, 'FunctionalReferenceID'),
    issuedAt: (issued && childText(issued, WCO.resDataSet, 'DateTimeString')?.trim()) ?? '',
    declarationReference: text(declaration, 'FunctionalReferenceID'),
    ...(registrationId ? { registrationId } : {}),
    errors: childElements(response, WCO.res, 'Error').map((e) => ({ code: text(e, 'ValidationCode'), description: text(e, 'Description') })),
  };
}

/**
 * Judges Uzbekistan's answer to a DEC: a RES in CMS signed by its pinned key; function 01 is
 * delivered, 03 failed with the RES's first validation code; anything else, or an answer it did not
 * sign, is for a person; HTTP 408, 429, 5xx and no answer are retried.
 */
export function classifyResponse(result: AttemptResult, context: PartnerContext): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  // A busy or overloaded receiver, or a gateway in front of it, says so with 408, 429 or 5xx: try again later.
  if (result.status >= 500 || result.status === 408 || result.status === 429) return { verdict: 'retry', reason: `HTTP ${result.status}` };
  let response: WcoResponse;
  try {
    response = readResponse(parseXml(verifyCmsSignedData(result.body, context.partnerCertificates).content));
  } catch (err) {
    return { verdict: 'needs-human', reason: `HTTP ${result.status}: the answer is not a RES Uzbekistan signed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const known = RES_CODES[response.functionCode];
  const first = response.errors[0];
  // Our signature refused: retrying cannot help and the DEC is not at fault; keys need a person.
  if (response.errors.some((e) => e.code === 'UZ-SIGN')) return { verdict: 'needs-human', partnerCode: response.functionCode, reason: `RES ${response.functionCode}: Uzbekistan could not verify our signature: ${first?.description ?? ''}`.trim() };
  const detail = first ? `: ${first.code} ${first.description}` : response.registrationId ? `, registered as ${response.registrationId}` : '';
  return { verdict: known?.verdict ?? 'needs-human', partnerCode: response.functionCode, reason: `RES ${response.functionCode} (${known?.meaning ?? 'unknown function'}) for ${response.declarationReference}${detail}` };
}
