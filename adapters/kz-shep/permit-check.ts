// Sync look-ups through the e-government gateway: "is this permit or certificate valid for these goods", asked of the issuing agency's service, answered and logged.
import { randomUUID } from 'node:crypto';
import { childElements, childText, GatewayError, parseSoapEnvelope, type PartnerRouteDeps, type XmlContent } from '../../src/partners/kit.js';
import { readFaultErrorInfo, readSyncAnswer, syncSendMessage } from './channel-messages.js';
import { describeErrorChain, errorChain } from './error-info.js';
import { judgeError } from './error-table.js';
import { shepErrors } from './errors.js';
import { senderOf, signedEnvelope } from './sender.js';
import { SYNC_SUCCESS } from './shep-transport.js';

/** Namespace of the look-up's request and answer (the receiving agency defines `data`; this is the gateway's published form, README "Permit checks"). */
export const PERMIT_CHECK_NS = 'urn:kz:customs:gateway:kz-shep:permit-check:1';

/** Kind of the partner records that log each look-up. */
export const LOOKUP_KIND = 'lookup';

/** The agency's answer. */
export interface PermitAnswer {
  lookupId: string;
  valid: boolean;
  /** VALID, EXPIRED, REVOKED, NOT_FOUND, GOODS_NOT_COVERED … as the agency says. */
  status: string;
  holder?: string;
  validUntil?: string;
  reason?: string;
  /** The processing system's id of the answer. */
  answerId: string;
  answeredAt: string;
}

function answerInvalid(reason: string): GatewayError {
  return new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', `permit check: ${reason}`);
}

/** Reads the agency's `PermitCheckResponse` from `responseData/data`. */
function readPermitAnswer(data: XmlContent, lookupId: string, answerId: string, answeredAt: string): PermitAnswer {
  const [response] = childElements(data, PERMIT_CHECK_NS, 'PermitCheckResponse');
  if (!response) throw answerInvalid('responseData/data holds no PermitCheckResponse');
  const text = (name: string): string | undefined => childText(response, '', name)?.trim() || undefined;
  const valid = text('valid');
  const status = text('status');
  if ((valid !== 'true' && valid !== 'false') || !status) throw answerInvalid('PermitCheckResponse needs valid (true or false) and status');
  const [holder, validUntil, reason] = [text('holder'), text('validUntil'), text('reason')];
  return { lookupId, valid: valid === 'true', status, ...(holder ? { holder } : {}), ...(validUntil ? { validUntil } : {}), ...(reason ? { reason } : {}), answerId, answeredAt };
}

/**
 * Asks the agency whether a document is valid for the goods: the permit.query record is mapped by the
 * instance's look-up mapping (a `permit-query` mapping file) into the request's `data`, sent through
 * SyncChannel, and the look-up is logged with its record, the mapping that made it, and the answer or
 * the fault (never the credentials) as a partner record.
 * @throws GatewayError GW_ERR_SHEP_NOT_CONFIGURED (no option syncServiceId), the record's or mapping's
 *   problem (GW_ERR_RECORD_INVALID, GW_ERR_NO_ROUTE, GW_ERR_DOCUMENT_INVALID …, each in `violations`),
 *   GW_ERR_SHEP_AGENCY_FAULT (an ErrorInfo, its codes and who raised them in the detail),
 *   GW_ERR_PARTNER_REJECTED (a status other than SCSS001), GW_ERR_PARTNER_UNAVAILABLE /
 *   GW_ERR_PARTNER_TIMEOUT, GW_ERR_PARTNER_ANSWER_INVALID.
 */
export async function checkPermit(deps: Pick<PartnerRouteDeps, 'send' | 'context' | 'records' | 'partner' | 'translate'>, value: unknown, now = new Date()): Promise<PermitAnswer> {
  const context = deps.context();
  const serviceId = context.options.syncServiceId?.trim();
  if (!serviceId) throw shepErrors.error('GW_ERR_SHEP_NOT_CONFIGURED', `partner ${deps.partner} has no option syncServiceId: it answers no look-ups`);
  const translated = await deps.translate(value);
  if (!translated.ok) {
    const [first] = translated.problems;
    throw new GatewayError(first?.code ?? 'GW_ERR_RECORD_INVALID', `permit check: ${translated.problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`, { violations: translated.problems });
  }
  const { record, mapping, businessKeys } = translated;
  const lookupId = randomUUID();
  const key = businessKeys.documentNumber ?? record.recordId;
  const log = (outcome: Record<string, unknown>): Promise<void> =>
    deps.records.put(LOOKUP_KIND, lookupId, key, { lookupId, askedAt: now.toISOString(), serviceId, record, mapping, businessKeys, ...outcome }, Date.now());
  const body = signedEnvelope(syncSendMessage({ messageId: lookupId, serviceId, messageDate: now, sender: senderOf(context), data: translated.document.value as XmlContent }), context);
  const result = await deps.send({ transport: 'http', method: 'POST', path: '', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body, service: 'sync' });
  try {
    if (result.kind === 'error') {
      throw new GatewayError(result.error === 'timeout' ? 'GW_ERR_PARTNER_TIMEOUT' : 'GW_ERR_PARTNER_UNAVAILABLE', `permit check: ${result.error}: ${result.message}`);
    }
    let message;
    try {
      message = parseSoapEnvelope(result.body, '1.1');
    } catch (err) {
      throw new GatewayError(result.status >= 500 ? 'GW_ERR_PARTNER_UNAVAILABLE' : 'GW_ERR_PARTNER_ANSWER_INVALID', `permit check: HTTP ${result.status}, not a SOAP 1.1 envelope`, {}, { cause: err });
    }
    const error = readFaultErrorInfo(message.body);
    if (error) {
      const judged = judgeError(error, context);
      throw shepErrors.error('GW_ERR_SHEP_AGENCY_FAULT', `permit check: ${describeErrorChain(error)}`, {
        partnerCode: judged.code,
        raisedBy: judged.origin.raisedBy,
        errorType: judged.origin.type,
        errors: errorChain(error).map((e) => ({ code: e.errorCode, message: e.errorMessage, ...(e.errorData ? { data: e.errorData } : {}) })),
      });
    }
    if (message.fault) throw new GatewayError('GW_ERR_PARTNER_UNAVAILABLE', `permit check: SOAP fault ${message.fault.code}: ${message.fault.message}`);
    const answer = readSyncAnswer(message.body);
    if (answer.status.code !== SYNC_SUCCESS) throw new GatewayError('GW_ERR_PARTNER_REJECTED', `permit check: status ${answer.status.code}: ${answer.status.message}`, { partnerCode: answer.status.code });
    const permit = readPermitAnswer(answer.data, lookupId, answer.messageId, answer.responseDate);
    await log({ answer: permit });
    return permit;
  } catch (err) {
    if (err instanceof GatewayError) await log({ error: { code: err.code, message: err.message, detail: err.detail } });
    throw err;
  }
}

/** Registers `POST /v1/agencies/<partner>/permit-checks` (cais, admin) and `GET` of the logged look-ups of a document (auditor, admin). */
export function registerPermitCheckRoutes(deps: PartnerRouteDeps): void {
  const path = `/v1/agencies/${deps.partner}/permit-checks`;
  deps.route({
    method: 'POST',
    path,
    roles: ['cais', 'admin'],
    summary: 'Ask the issuing agency, through the e-government gateway, whether a permit, certificate or licence is valid for these goods (the body is a permit.query record)',
    async handler(request) {
      return { status: 200, body: await checkPermit(deps, request.body) };
    },
  });
  deps.route({
    method: 'GET',
    path,
    roles: ['auditor', 'admin'],
    summary: 'The logged look-ups of one document (newest first): the record asked, the mapping that made the request, and the answer or fault',
    schema: { querystring: { type: 'object', additionalProperties: false, required: ['documentNumber'], properties: { documentNumber: { type: 'string', minLength: 1, maxLength: 64 } } } },
    async handler(request) {
      const rows = await deps.records.list(LOOKUP_KIND, String(request.query.documentNumber));
      return { status: 200, body: { items: rows.map((r) => r.value) } };
    },
  });
}
