// What IRU's classic RTS services share in the simulator: return codes, SOAP answers and faults, opening sealed requests, sealing answers for the gateway.
import {
  buildSoapEnvelope,
  buildSoapFault,
  childElement,
  childText,
  GatewayError,
  parseXml,
  type HandledRequest,
  type InjectedFault,
  type SimulatorResponse,
  type XmlContent,
} from '../../../src/partners/kit.js';
import { openRtsPayload, rtsMessageTag, sealRtsPayload } from '../rts-envelope.js';
import type { IruSimContext } from './soap-service.js';

/** Target namespace of the classic RTS WSDLs; a SOAPAction is this, a slash and the operation. */
export const IRU_NS = 'http://www.iru.org';

/** The return codes the simulated services answer with (names as in IRU's clients, shared reference formats.md §1.3). */
export const CLASSIC_CODES = {
  2: 'SUCCESS',
  1200: 'UNCLASSIFIED_ERROR',
  1210: 'MISSING_MESSAGE_TAG',
  1211: 'UNKNOWN_MESSAGE_TAG',
  1212: 'INVALID_SUBSCRIBER_ID',
  1213: 'MISSING_ESESSIONKEY',
  1214: 'MISSING_PAYLOAD',
  1220: 'COPYTO_ID_NOT_REGISTERED',
  1222: 'INVALID_MESSAGEID',
  1223: 'INVALID_INFORMATION_EXCHANGE_VERSION',
  1230: 'ESESSIONKEY_DECRYPTION',
  1231: 'PAYLOAD_DECRYPTION',
  1232: 'INVALID_QUERYID',
  1233: 'SERVICE_NOT_ACTIVE_OR_WRONG_PASSWORD',
  1234: 'INVALID_SENDTIME',
  1236: 'INVALID_ORIGINATOR',
  1237: 'INVALID_ORIGINTIME',
  1239: 'INVALID_QUERYTYPE',
  1240: 'INVALID_QUERYREASON',
  1241: 'INVALID_CARNETNUMBER',
  1242: 'INVALID_SENDERID',
} as const;
/** One of {@link CLASSIC_CODES}. */
export type ClassicCode = keyof typeof CLASSIC_CODES;

/** IRU's judgement of one request: its return code, the problems in words, the document as IRU read it. */
export interface Judgement {
  code: ClassicCode;
  problems: string[];
  document: string;
}

/** A refusal with one problem, worded `<code> <NAME>: <problem>`. */
export function rejected(code: ClassicCode, problem: string, document = ''): Judgement {
  return { code, problems: [`${code} ${CLASSIC_CODES[code]}: ${problem}`], document };
}

/**
 * The root element of an opened payload, or the 1200 refusal IRU answers when the text is not that
 * document (`what` names it in the problem).
 */
export function documentRoot(text: string, namespace: string, rootName: string, what: string): XmlContent | Judgement {
  try {
    const root = childElement(parseXml(text, { expectedNamespace: namespace }), namespace, rootName);
    return root ?? rejected(1200, `the payload has no ${rootName} root`, text);
  } catch (err) {
    return rejected(1200, `the payload is not a ${what} document: ${(err as Error).message}`, text);
  }
}

/** Tells a refusal from a document root. */
export function isJudgement(value: XmlContent | Judgement): value is Judgement {
  return Array.isArray((value as Judgement).problems) && typeof (value as Judgement).code === 'number';
}

/** Accepted. */
export function accepted(document: string): Judgement {
  return { code: 2, problems: [], document };
}

/** The return code to answer with: an injected partner error wins over the judgement. */
export function answeredCode(judgement: Judgement, fault: InjectedFault | undefined): string {
  return fault?.kind === 'partner-error' ? fault.code : String(judgement.code);
}

/** A SOAP 1.1 answer. */
export function soapResponse(status: number, body: Buffer): SimulatorResponse {
  return { status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}

/** A SOAP Client fault: the request is not a call this service takes (HTTP 500, as SOAP 1.1 prescribes). */
export function clientFault(message: string): HandledRequest {
  return { received: { messageId: '', valid: false, problems: [`SOAP Client fault: ${message}`], document: '' }, response: soapResponse(500, buildSoapFault('1.1', true, message)) };
}

/** The call's `<operation>/su` parameters in namespace http://www.iru.org, or undefined. */
export function callParameters(body: XmlContent, operation: string): XmlContent | undefined {
  const call = childElement(body, IRU_NS, operation);
  return call && childElement(call, IRU_NS, 'su');
}

/** A field of the call's parameters, trimmed ('' when absent). */
export function field(su: XmlContent, name: string): string {
  return childText(su, IRU_NS, name)?.trim() ?? '';
}

/** HTTP 200 with `<operation>Response/<operation>Result` holding `result`. */
export function classicAnswer(operation: string, result: XmlContent): SimulatorResponse {
  return soapResponse(200, buildSoapEnvelope({ body: { [`${operation}Response`]: { '@xmlns': IRU_NS, [`${operation}Result`]: result } } }));
}

/** `SafeTIRUploadAck`, the answer of WSST and WSRE (safetirupload.wsdl). */
export function uploadAck(operation: 'WSST' | 'WSRE', returnCode: string, messageId: string): SimulatorResponse {
  return classicAnswer(operation, { Version: '1.0', Sender: 'IRU', ResponseTime: new Date().toISOString(), ReturnCode: returnCode, Sender_MessageID: messageId || undefined });
}

/** IRU's AuthenticateQuerySender: the SOAP SubscriberID must be a registered subscriber (1212 otherwise). */
export function checkSubscriber(su: XmlContent, ctx: IruSimContext): Judgement | undefined {
  const id = field(su, 'SubscriberID');
  if (!id) return rejected(1212, 'SubscriberID is missing');
  if (id !== ctx.state.subscriber.id) return rejected(1212, `SubscriberID "${id}" is not a registered subscriber`);
  return undefined;
}

/**
 * The Body's Password against the subscriber's registered one, as IRU's processors compare them: equal,
 * or both absent/empty. Undefined when it matches, else the problem.
 */
export function passwordProblem(given: string | undefined, ctx: IruSimContext): string | undefined {
  const registered = ctx.state.subscriber.password ?? '';
  if ((given ?? '') === registered) return undefined;
  return registered === '' ? 'a Password was sent, but none is registered for the subscriber' : `the Password ${given ? 'does not match the registered one' : 'is missing'}`;
}

/** The MessageTag check every classic call starts with: 1210 missing, 1211 not IRU's certificate. */
export function checkMessageTag(su: XmlContent, ctx: IruSimContext): Judgement | undefined {
  const tag = field(su, 'MessageTag').replace(/\s/g, '');
  const own = rtsMessageTag(ctx.identity.certificate);
  if (!tag) return rejected(1210, 'MessageTag is missing');
  if (tag.toUpperCase() !== own) return rejected(1211, `MessageTag ${tag} is not the thumbprint of IRU's certificate (${own})`);
  return undefined;
}

/**
 * Opens the sealed payload in field `payloadField` with IRU's key: 1213 no ESessionKey, 1230 it does not
 * unwrap, 1214 no payload, 1231 it does not decrypt, 1200 `Envelope/Hash` does not match the Body (what
 * IRU's TCHQ and WSRQ processors answer to a hash mismatch: no code names it).
 */
export function openSealedField(su: XmlContent, payloadField: string, ctx: IruSimContext): { document: string } | Judgement {
  const eSessionKey = field(su, 'ESessionKey');
  if (!eSessionKey) return rejected(1213, 'ESessionKey is missing');
  const payload = field(su, payloadField);
  if (!payload) return rejected(1214, `${payloadField} is missing`);
  let opened;
  try {
    opened = openRtsPayload({ eSessionKey: Buffer.from(eSessionKey, 'base64'), payload: Buffer.from(payload, 'base64') }, ctx.identity);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return err.code === 'GW_ERR_KEY_UNAVAILABLE' ? rejected(1230, err.message) : rejected(1231, err.message);
  }
  if (!opened.hashOk) return rejected(1200, 'Envelope/Hash is not the SHA-1 of the Body content', opened.document);
  return { document: opened.document };
}

/** An answer document sealed for the gateway's certificate: the MessageTag, ESessionKey and payload fields, base64. */
export function sealForGateway(document: Buffer, ctx: IruSimContext): { messageTag: string; eSessionKey: string; payload: string } {
  const sealed = sealRtsPayload(document, ctx.gatewayCertificate);
  return { messageTag: sealed.messageTag, eSessionKey: sealed.eSessionKey.toString('base64'), payload: sealed.payload.toString('base64') };
}

/** xs:dateTime as IRU's schemas use it (time zone optional). */
export function isDateTime(value: string | undefined): boolean {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(value) && !Number.isNaN(Date.parse(value));
}
