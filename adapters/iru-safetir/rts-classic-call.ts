// One classic Real-Time SafeTIR call from the gateway (TCHQ, WSRQ, WSRE): the SOAP request, and IRU's answer judged and opened.
import {
  buildSoapEnvelope,
  childElement,
  childText,
  GatewayError,
  parseSoapEnvelope,
  parseXml,
  type AttemptResult,
  type ErrorCode,
  type PartnerContext,
  type PartnerRouteDeps,
  type SoapMessage,
  type SoapRequest,
  type XmlContent,
  type XmlParseOptions,
} from '../../src/partners/kit.js';
import { openRtsPayload, rtsMessageTag } from './rts-envelope.js';

/** Target namespace of every classic RTS WSDL; each SOAPAction is this namespace, a slash and the operation. */
export const IRU_NS = 'http://www.iru.org';
/** The SubscriberID IRU issued to Kazakhstan's customs: the instance's participant code `subscriber`. */
export function subscriberOf(context: Pick<PartnerContext, 'participants'>): string {
  const id = context.participants.subscriber;
  if (!id) throw new GatewayError('GW_ERR_CONFIG_INVALID', 'the IRU instance has no participant code "subscriber" (its SubscriberID)');
  return id;
}

/**
 * The subscriber's password, when IRU issued one (option `password`, a secret given only by
 * GATEWAY_PARTNER_<ID>_OPTION_PASSWORD): `Body/Password` of WSST, TCHQ and WSRQ documents, added as
 * they are sealed, so no log holds it.
 */
export function passwordOf(context: Pick<PartnerContext, 'options'>): string | undefined {
  return context.options.password || undefined;
}

/**
 * IRU return codes (shared reference formats.md §1.3) as API errors of a query: IRU's own trouble may
 * pass (retryable), a carnet number IRU refuses is the caller's input, anything else is a refusal that
 * repeating will not change (our keys, subscriber or request are wrong).
 */
const RETURN_CODES: Record<number, { name: string; error: ErrorCode }> = {
  1200: { name: 'UNCLASSIFIED_ERROR', error: 'GW_ERR_PARTNER_UNAVAILABLE' },
  1250: { name: 'DATABASE_QUERY_TIMEOUT', error: 'GW_ERR_PARTNER_UNAVAILABLE' },
  1241: { name: 'INVALID_CARNETNUMBER', error: 'GW_ERR_CARNET_NUMBER_INVALID' },
  1210: { name: 'MISSING_MESSAGE_TAG', error: 'GW_ERR_PARTNER_REJECTED' },
  1211: { name: 'UNKNOWN_MESSAGE_TAG', error: 'GW_ERR_PARTNER_REJECTED' },
  1212: { name: 'INVALID_SUBSCRIBER_ID', error: 'GW_ERR_PARTNER_REJECTED' },
  1213: { name: 'MISSING_ESESSIONKEY', error: 'GW_ERR_PARTNER_REJECTED' },
  1214: { name: 'MISSING_PAYLOAD', error: 'GW_ERR_PARTNER_REJECTED' },
  1220: { name: 'COPYTO_ID_NOT_REGISTERED', error: 'GW_ERR_PARTNER_REJECTED' },
  1222: { name: 'INVALID_MESSAGEID', error: 'GW_ERR_PARTNER_REJECTED' },
  1223: { name: 'INVALID_INFORMATION_EXCHANGE_VERSION', error: 'GW_ERR_PARTNER_REJECTED' },
  1230: { name: 'ESESSIONKEY_DECRYPTION', error: 'GW_ERR_PARTNER_REJECTED' },
  1231: { name: 'PAYLOAD_DECRYPTION', error: 'GW_ERR_PARTNER_REJECTED' },
  1232: { name: 'INVALID_QUERYID', error: 'GW_ERR_PARTNER_REJECTED' },
  1233: { name: 'SERVICE_NOT_ACTIVE_OR_WRONG_PASSWORD', error: 'GW_ERR_PARTNER_REJECTED' },
  1234: { name: 'INVALID_SENDTIME', error: 'GW_ERR_PARTNER_REJECTED' },
  1236: { name: 'INVALID_ORIGINATOR', error: 'GW_ERR_PARTNER_REJECTED' },
  1237: { name: 'INVALID_ORIGINTIME', error: 'GW_ERR_PARTNER_REJECTED' },
  1239: { name: 'INVALID_QUERYTYPE', error: 'GW_ERR_PARTNER_REJECTED' },
  1240: { name: 'INVALID_QUERYREASON', error: 'GW_ERR_PARTNER_REJECTED' },
  1242: { name: 'INVALID_SENDERID', error: 'GW_ERR_PARTNER_REJECTED' },
};

/** IRU publishes each classic service at its own URL; these go to a service URL of their own (the default one when none is configured). */
export const CLASSIC_SERVICES: Readonly<Record<string, string>> = { WSTCHQ: 'tchq', WSRQ: 'wsrq' };

/**
 * A classic RTS SOAP 1.1 call: `<operation xmlns="http://www.iru.org"><su>…</su></operation>` posted to
 * the URL of its service with SOAPAction `http://www.iru.org/<operation>` (WSST and WSRE share the default URL).
 */
export function classicSoapRequest(operation: string, su: XmlContent): SoapRequest {
  const service = CLASSIC_SERVICES[operation];
  return {
    transport: 'soap',
    version: '1.1',
    action: `${IRU_NS}/${operation}`,
    envelope: buildSoapEnvelope({ body: { [operation]: { '@xmlns': IRU_NS, su } } }),
    ...(service ? { service } : {}),
  };
}

function soapOf(body: Buffer): SoapMessage | undefined {
  try {
    return parseSoapEnvelope(body);
  } catch {
    return undefined;
  }
}

function unavailable(reason: string, partnerCode?: string): GatewayError {
  return new GatewayError('GW_ERR_PARTNER_UNAVAILABLE', reason, partnerCode === undefined ? {} : { partnerCode });
}

function answerInvalid(reason: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_PARTNER_ANSWER_INVALID', reason, {}, cause === undefined ? undefined : { cause });
}

/**
 * Judges IRU's answer to `operation` and returns its `<operation>Response/<operation>Result` element.
 * @throws GatewayError GW_ERR_PARTNER_TIMEOUT (no answer in time), GW_ERR_PARTNER_UNAVAILABLE (no
 *   connection, HTTP 5xx, a SOAP Server fault, an unreadable envelope, return codes 1200 and 1250),
 *   GW_ERR_PARTNER_REJECTED (a SOAP Client fault, another non-2xx status, any other return code),
 *   GW_ERR_CARNET_NUMBER_INVALID (1241), GW_ERR_PARTNER_ANSWER_INVALID (no Result or ReturnCode).
 */
export function classicResult(operation: string, result: AttemptResult): XmlContent {
  if (result.kind === 'error') {
    if (result.error === 'timeout') throw new GatewayError('GW_ERR_PARTNER_TIMEOUT', `IRU ${operation}: no answer in time (${result.message})`);
    throw unavailable(`IRU ${operation}: ${result.error}: ${result.message}`);
  }
  const message = soapOf(result.body);
  if (message?.fault) {
    const reason = `IRU ${operation}: SOAP fault ${message.fault.code}: ${message.fault.message}`;
    const local = message.fault.code.slice(message.fault.code.indexOf(':') + 1);
    if (local === 'Client' || local.startsWith('Client.')) throw new GatewayError('GW_ERR_PARTNER_REJECTED', reason, { partnerCode: message.fault.code });
    throw unavailable(reason, message.fault.code);
  }
  const { status } = result;
  if (status >= 500 || status === 408 || status === 429) throw unavailable(`IRU ${operation}: HTTP ${status}`);
  if (status < 200 || status > 299) throw new GatewayError('GW_ERR_PARTNER_REJECTED', `IRU ${operation}: HTTP ${status} without a SOAP fault`);
  if (!message) throw unavailable(`IRU ${operation}: the answer is not a SOAP envelope`);
  const response = childElement(message.body, IRU_NS, `${operation}Response`);
  const answer = response && childElement(response, IRU_NS, `${operation}Result`);
  if (!answer) throw answerInvalid(`IRU ${operation}: the SOAP Body holds no ${operation}Response/${operation}Result`);
  const text = childText(answer, IRU_NS, 'ReturnCode')?.trim();
  if (text === undefined || !/^[+-]?\d{1,9}$/.test(text)) throw answerInvalid(`IRU ${operation}: the answer has no integer ReturnCode`);
  const code = Number(text);
  if (code === 2) return answer;
  const known = RETURN_CODES[code];
  const reason = `IRU ${operation}: return code ${code} ${known?.name ?? '(unknown)'}`;
  throw new GatewayError(known?.error ?? 'GW_ERR_PARTNER_REJECTED', reason, { partnerCode: String(code) });
}

/** Sends a classic call to IRU and returns its judged Result element (see {@link classicResult}). */
export async function callIru(deps: Pick<PartnerRouteDeps, 'send'>, operation: string, request: SoapRequest): Promise<XmlContent> {
  return classicResult(operation, await deps.send(request));
}

/** Where an answer carries its sealed payload: the names of the three fields in the Result element. */
export interface SealedFields {
  messageTag: string;
  eSessionKey: string;
  payload: string;
}

/**
 * Opens the payload IRU sealed for the gateway: the MessageTag must be the thumbprint of the gateway's
 * certificate, the session key must unwrap with its private key, `Envelope/Hash` must match the Body,
 * and the root element must be in `namespace`. Returns the parsed document.
 * @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID naming what failed.
 */
export function openIruPayload(answer: XmlContent, fields: SealedFields, context: PartnerContext, namespace: string, arrayPaths?: XmlParseOptions['arrayPaths']): XmlContent {
  const document = openIruText(sealedFieldsOf(answer, fields), context);
  try {
    return parseXml(document, { expectedNamespace: namespace, ...(arrayPaths ? { arrayPaths } : {}) });
  } catch (err) {
    throw answerInvalid(`the opened answer is not a document in ${namespace}: ${(err as Error).message}`, err);
  }
}

/** The three sealed fields of an answer, as text (base64 without whitespace; '' when absent). */
export function sealedFieldsOf(answer: XmlContent, fields: SealedFields): { messageTag: string; eSessionKey: string; payload: string } {
  const field = (name: string): string => childText(answer, IRU_NS, name)?.replace(/\s/g, '') ?? '';
  return { messageTag: field(fields.messageTag), eSessionKey: field(fields.eSessionKey), payload: field(fields.payload) };
}

/**
 * Opens what IRU sealed for the gateway and returns the document text: the MessageTag must be the
 * thumbprint of our certificate for IRU or of a retired one (`keys.retiredKeys`, during a rollover),
 * the session key must unwrap with that key,
 * `Envelope/Hash` must match the Body.
 * @throws GatewayError GW_ERR_PARTNER_ANSWER_INVALID naming what failed.
 */
export function openIruText(sealed: { messageTag: string; eSessionKey: string; payload: string }, context: PartnerContext): string {
  const tag = sealed.messageTag.toUpperCase();
  // IRU seals for the subscriber key it has on file: during our rollover, that may still be an earlier one.
  const keys = [context.identity, ...context.retiredIdentities];
  const key = keys.find((k) => rtsMessageTag(k.certificate) === tag);
  if (!key) throw answerInvalid(`IRU sealed its answer for MessageTag "${tag}", not a gateway certificate (${keys.map((k) => rtsMessageTag(k.certificate)).join(', ')})`);
  const { eSessionKey, payload } = sealed;
  if (!eSessionKey || !payload) throw answerInvalid('the answer lacks its session key or its sealed payload');
  let opened;
  try {
    opened = openRtsPayload({ eSessionKey: Buffer.from(eSessionKey, 'base64'), payload: Buffer.from(payload, 'base64') }, key);
  } catch (err) {
    throw answerInvalid(`the sealed answer does not open: ${(err as Error).message}`, err);
  }
  if (!opened.hashOk) throw answerInvalid('Envelope/Hash of the answer is not the SHA-1 of its Body');
  return opened.document;
}

/**
 * The repeated child elements of `parent` with this local name, whatever their prefix. For lists whose
 * parent was found by namespace ({@link childElement} refuses repeated children).
 */
export function childrenNamed(parent: XmlContent, localName: string): XmlContent[] {
  const found: XmlContent[] = [];
  for (const [name, value] of Object.entries(parent)) {
    if (name.startsWith('@') || name === '#text' || name.slice(name.indexOf(':') + 1) !== localName || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) found.push(typeof item === 'object' ? item : { '#text': String(item) });
  }
  return found;
}
