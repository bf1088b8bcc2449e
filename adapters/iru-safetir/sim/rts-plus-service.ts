// IRU's side of RTS+ TerminationService-1 transmitTIROperationTerminations: WS-Security check pinned to the gateway, schema rules, SOAP 1.2 answers.
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import {
  GatewayError,
  renderXml,
  SOAP12_NS,
  verifyWsSecurity,
  WSA_NS,
  WSSE_NS,
  wsseFaultOf,
  type HandledRequest,
  type InjectedFault,
  type SimulatorRequest,
  type SimulatorResponse,
  type XmlContent,
} from '../../../src/partners/kit.js';
import { IRU_SERVICE_PATHS, type IruSimContext, type IruSoapService } from './soap-service.js';

/** TerminationService-1.wsdl: target namespace, the input action and the output action. */
const SERVICE_NS = 'http://rts.iru.org/services/TerminationService-1';
const TRANSMIT_ACTION = `${SERVICE_NS}/transmitTIROperationTerminations`;
const RESPONSE_ACTION = `${SERVICE_NS}/transmitTIROperationTerminationsResponse`;
/** WS-Addressing 1.0 action of a fault message. */
const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';
const TER_NS = 'http://rts.iru.org/model/termination-1';
const CAR_NS = 'http://rts.iru.org/model/carnet-1';
const ACT_NS = 'http://www.iru.org/model/tir-actor-1';

/** IRU's binding: `maxReceivedMessageSize` 65,536 bytes; WCF answers a longer request with HTTP 413 and no SOAP fault. */
const MAX_RECEIVED_MESSAGE_SIZE = 65_536;

/** WS-Security fault names a `partner-error` fault may ask for; they become wsse subcodes. */
const WSSE_FAULTS = new Set(['InvalidSecurity', 'UnsupportedAlgorithm', 'InvalidSecurityToken', 'FailedAuthentication', 'FailedCheck', 'MessageExpired']);

/** xs:dateTime lexical form (time zone optional) with plausible field ranges. */
const DATE_TIME = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$/;
/** Carnet number as formats.md §1.5 gives GuaranteeNumberType; iru-schemas' tir-carnet-1.xsd has been seen stricter ([A-Z]{2}[0-9]{8}). */
const CARNET_NUMBER = /^[A-Z]{0,2}[0-9]+$/;
const VOLET_PAGES = new Set(['2', '4', '6', '8', '10', '12', '14', '16', '18', '20']);

/** A SOAP 1.2 fault to answer with. */
interface Fault {
  code: 'Sender' | 'Receiver';
  /** WS-Security subcode (local name in the wsse namespace), if any. */
  wsse?: string;
  reason: string;
}

function answer(status: number, action: string, relatesTo: string, body: XmlContent): SimulatorResponse {
  const wsa = (text: string): XmlContent => ({ '@xmlns:wsa': WSA_NS, '#text': text });
  const header: XmlContent = { 'wsa:Action': wsa(action), 'wsa:RelatesTo': relatesTo ? wsa(relatesTo) : undefined };
  return {
    status,
    headers: { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"` },
    body: renderXml({ 'soap:Envelope': { '@xmlns:soap': SOAP12_NS, 'soap:Header': header, 'soap:Body': body } }),
  };
}

/** A SOAP 1.2 fault: HTTP 400 for Sender, 500 for Receiver (SOAP 1.2 Part 2 §7.5.2). */
function faultResponse(fault: Fault, relatesTo: string): SimulatorResponse {
  const body: XmlContent = {
    'soap:Fault': {
      'soap:Code': { 'soap:Value': `soap:${fault.code}`, 'soap:Subcode': fault.wsse ? { 'soap:Value': `wsse:${fault.wsse}` } : undefined },
      'soap:Reason': { 'soap:Text': { '@xml:lang': 'en', '#text': fault.reason } },
    },
  };
  const response = answer(fault.code === 'Sender' ? 400 : 500, FAULT_ACTION, relatesTo, body);
  if (!fault.wsse) return response;
  // A QName in text content is no visible use of its prefix, so the renderer (exc-c14n rules) would drop xmlns:wsse: it is declared here by hand.
  const xml = response.body.toString('utf8').replace('<soap:Value>wsse:', `<soap:Value xmlns:wsse="${WSSE_NS}">wsse:`);
  return { ...response, body: Buffer.from(xml, 'utf8') };
}

function successResponse(success: boolean, relatesTo: string): SimulatorResponse {
  const body = { 'tns:transmitTIROperationTerminationsResponse': { '@xmlns:tns': SERVICE_NS, 'tns:transmissionTime': new Date().toISOString(), 'tns:success': String(success) } };
  return answer(200, RESPONSE_ACTION, relatesTo, body);
}

/**
 * The answer a queued `partner-error` asks for, by the codes the adapter documents: `success=true`,
 * `success=false`, `Receiver`, `Sender/<WS-Security fault>`, or else a Sender fault naming the code.
 */
function injected(code: string, relatesTo: string): SimulatorResponse {
  if (code === 'success=true' || code === 'success=false') return successResponse(code === 'success=true', relatesTo);
  if (code === 'Receiver') return faultResponse({ code: 'Receiver', reason: 'simulated IRU failure' }, relatesTo);
  const wsse = /^Sender\/(\w+)$/.exec(code)?.[1];
  if (wsse && WSSE_FAULTS.has(wsse)) return faultResponse({ code: 'Sender', wsse, reason: `simulated ${wsse}` }, relatesTo);
  return faultResponse({ code: 'Sender', reason: `simulated IRU error ${code}` }, relatesTo);
}

function elements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** Text of a simple-typed element; undefined (and a problem) when it holds elements. */
function textOf(el: Element, path: string, problems: string[]): string | undefined {
  if (elements(el).length > 0) {
    problems.push(`${path}: must hold text only`);
    return undefined;
  }
  return el.textContent ?? '';
}

/** Reads an element sequence the way an XSD content model does: in order, each particle checked as it is consumed. */
class Sequence {
  private index = 0;
  private readonly items: Element[];

  constructor(
    parent: Element,
    private readonly path: string,
    private readonly problems: string[],
  ) {
    this.items = elements(parent);
  }

  /** Consumes the next element if it is `{ns}name`. */
  take(ns: string, name: string): Element | undefined {
    const next = this.items[this.index];
    if (next?.namespaceURI !== ns || next.localName !== name) return undefined;
    this.index++;
    return next;
  }

  /** Consumes `{ns}name` and checks its text, or reports it missing when required. */
  value(ns: string, name: string, required: boolean, check: (text: string) => string | undefined): string | undefined {
    const el = this.take(ns, name);
    if (!el) {
      if (required) this.problems.push(`${this.path}/${name}: missing (or out of order)`);
      return undefined;
    }
    const text = textOf(el, `${this.path}/${name}`, this.problems);
    const problem = text === undefined ? undefined : check(text);
    if (problem) this.problems.push(`${this.path}/${name}: ${problem}`);
    return text;
  }

  /** Reports every element left over. */
  end(): void {
    for (const el of this.items.slice(this.index)) this.problems.push(`${this.path}: unexpected element {${el.namespaceURI ?? ''}}${el.localName ?? ''}`);
  }
}

const collapse = (text: string): string => text.replace(/[\t\n\r ]+/g, ' ').trim();
const chars = (text: string): number => [...text].length;

const rules = {
  dateTime: (t: string) => (DATE_TIME.test(collapse(t)) ? undefined : `"${t}" is not an xs:dateTime`),
  boolean: (t: string) => (['true', 'false', '1', '0'].includes(collapse(t)) ? undefined : `"${t}" is not an xs:boolean`),
  fixedTrue: (t: string) => (['true', '1'].includes(collapse(t)) ? undefined : `"${t}" must be true (fixed)`),
  string1to255: (t: string) => (chars(t) >= 1 && chars(t) <= 255 ? undefined : 'must be 1 to 255 characters'),
  upTo126: (t: string) => (chars(t) <= 126 ? undefined : 'must be at most 126 characters'),
  unsigned: (max: number) => (t: string) => (/^\+?\d+$/.test(collapse(t)) && Number(collapse(t)) <= max ? undefined : `"${t}" is not an integer 0..${max}`),
  carnet: (t: string) => (CARNET_NUMBER.test(collapse(t)) ? undefined : `"${t}" is not a TIR carnet number`),
  volet: (t: string) => (VOLET_PAGES.has(collapse(t)) ? undefined : `"${t}" is not an even volet page 2..20`),
  country: (t: string) => (/^[A-Z]{3}$/.test(collapse(t)) ? undefined : `"${t}" is not an ISO 3166-1 alpha-3 code`),
};

/** TIROperationTerminationType of rts-termination-1.xsd. */
function checkTermination(el: Element, path: string, problems: string[]): void {
  const seq = new Sequence(el, path, problems);
  seq.value(CAR_NS, 'TIRCarnetNumber', true, rules.carnet);
  seq.value(CAR_NS, 'VoletPageNumber', false, rules.volet);
  const customs = seq.take(ACT_NS, 'Customs');
  if (customs) {
    const inner = new Sequence(customs, `${path}/Customs`, problems);
    inner.value(ACT_NS, 'CountryCode', true, rules.country);
    inner.end();
  } else {
    problems.push(`${path}/Customs: missing (or out of order)`);
  }
  seq.value(TER_NS, 'CustomsOffice', true, rules.string1to255);
  for (const [reference, date] of [
    ['CustomsLedgerEntryReference', 'CustomsLedgerEntryDate'],
    ['CertificateOfTerminationReference', 'CertificateOfTerminationDate'],
  ] as const) {
    if (seq.value(TER_NS, reference, false, rules.string1to255) !== undefined) seq.value(TER_NS, date, true, rules.dateTime);
  }
  const choice =
    seq.value(TER_NS, 'IsBeforeLoad', false, rules.fixedTrue) ?? seq.value(TER_NS, 'IsExit', false, rules.fixedTrue) ?? seq.value(TER_NS, 'IsFinal', false, rules.boolean);
  if (choice === undefined) problems.push(`${path}: one of IsBeforeLoad, IsExit, IsFinal is required`);
  seq.value(TER_NS, 'SequenceNumber', false, rules.unsigned(255));
  seq.value(TER_NS, 'IsWithReservation', true, rules.boolean);
  seq.value(TER_NS, 'CustomsComment', false, rules.upTo126);
  seq.value(TER_NS, 'PackageCount', false, rules.unsigned(4_294_967_295));
  seq.end();
}

/** TIROperationTerminationsType: New, Cancelled or Updated (= Cancelled then New), and `count` (when given) equal to the number of items. */
function checkTerminations(el: Element, path: string, problems: string[]): void {
  const items = elements(el);
  for (const [i, item] of items.entries()) {
    const name = item.namespaceURI === TER_NS ? (item.localName ?? '') : '';
    const at = `${path}/${item.localName ?? ''}[${i + 1}]`;
    if (name === 'NewTIROperationTermination' || name === 'CancelledTIROperationTermination') {
      checkTermination(item, at, problems);
    } else if (name === 'UpdatedTIROperationTermination') {
      const seq = new Sequence(item, at, problems);
      for (const part of ['CancelledTIROperationTermination', 'NewTIROperationTermination']) {
        const child = seq.take(TER_NS, part);
        if (child) checkTermination(child, `${at}/${part}`, problems);
        else problems.push(`${at}/${part}: missing (or out of order)`);
      }
      seq.end();
    } else {
      problems.push(`${at}: not a New, Cancelled or Updated TIROperationTermination`);
    }
  }
  const count = el.getAttribute('count');
  if (count !== null && (rules.unsigned(4_294_967_295)(count) || Number(collapse(count)) !== items.length)) {
    problems.push(`${path}/@count: "${count}" is not the number of terminations (${items.length})`);
  }
}

interface Operation {
  /** The transmitTIROperationTerminations element in exclusive canonical form: what IRU stores. */
  document: string;
  transmissionId: string;
  problems: string[];
}

/** Reads the operation out of the signed, canonical Body (the only bytes this service parses). */
function readOperation(signedBody: string): Operation {
  const body = new DOMParser().parseFromString(signedBody, 'application/xml').documentElement;
  const children = body ? elements(body) : [];
  const operation = children[0];
  if (children.length !== 1 || operation?.namespaceURI !== SERVICE_NS || operation.localName !== 'transmitTIROperationTerminations') {
    return { document: '', transmissionId: '', problems: ['the signed Body must hold exactly one transmitTIROperationTerminations element'] };
  }
  const problems: string[] = [];
  const path = '/transmitTIROperationTerminations';
  const seq = new Sequence(operation, path, problems);
  seq.value(SERVICE_NS, 'transmissionTime', true, rules.dateTime);
  const transmissionId = collapse(seq.value(SERVICE_NS, 'transmissionId', true, (t) => (collapse(t) === '' ? 'must not be empty' : undefined)) ?? '');
  const terminations = seq.take(TER_NS, 'TIROperationTerminations');
  if (terminations) checkTerminations(terminations, `${path}/TIROperationTerminations`, problems);
  else problems.push(`${path}/TIROperationTerminations: missing (or out of order)`);
  seq.end();
  const document = new ExclusiveCanonicalization().process(operation as unknown as Parameters<ExclusiveCanonicalization['process']>[0], {});
  return { document, transmissionId, problems };
}

/**
 * IRU's TerminationService-1 `transmitTIROperationTerminations` for the simulator. Per request:
 * 0. a request over 65,536 bytes (IRU's WCF maxReceivedMessageSize) gets HTTP 413 without a fault;
 * 1. the WS-Security signature with verifyWsSecurity pinned to `ctx.gatewayCertificate`, in IRU's
 *    suite only (Basic128Rsa15: RSA-SHA1, SHA-1 digests; the Timestamp must be current) — else a
 *    Sender fault with the WS-Security subcode (UnsupportedAlgorithm, FailedCheck, MessageExpired, …), HTTP 400;
 * 2. the signed wsa:Action must be the dispatched action;
 * 3. the rules of rts-termination-1.xsd it can express (sequence order, the ledger and certificate
 *    groups, the IsBeforeLoad | IsExit | IsFinal choice, lengths, enumerations, number ranges,
 *    `count`) on the signed Body only — else a Receiver fault naming every problem (IRU's bridge
 *    validates in its SafeTIR client and any exception there becomes a Receiver fault);
 * 4. stores the canonical `transmitTIROperationTerminations` element in `ctx.state.rtsPlusTerminations`
 *    once per transmissionId (a repeat is answered success without storing it again) and answers
 *    `transmitTIROperationTerminationsResponse` with success true.
 * The parsed `body` the dispatcher passes is not read: only bytes the signature covers are.
 * A queued `partner-error` fault shapes the answer after the checks: `success=true`, `success=false`,
 * `Receiver`, `Sender/<WS-Security fault>`, or any other code as a Sender fault.
 */
export function createRtsPlusService(ctx: IruSimContext): IruSoapService {
  const seen = new Set<string>();

  function handle(action: string, _body: XmlContent, request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
    const refused = (f: Fault, relatesTo: string, document = '', messageId = ''): HandledRequest => ({
      received: { messageId, valid: false, problems: [`${f.wsse ?? f.code}: ${f.reason}`], document },
      response: fault?.kind === 'partner-error' ? injected(fault.code, relatesTo) : faultResponse(f, relatesTo),
    });
    if (request.body.length > MAX_RECEIVED_MESSAGE_SIZE) {
      return {
        received: { messageId: '', valid: false, problems: [`HTTP 413: ${request.body.length} bytes, over maxReceivedMessageSize ${MAX_RECEIVED_MESSAGE_SIZE}`], document: '' },
        response: { status: 413, headers: { 'content-type': 'text/html' }, body: Buffer.from('<html><body>Request Entity Too Large</body></html>') },
      };
    }
    let verified;
    try {
      verified = verifyWsSecurity(request.body, ctx.gatewayCertificate, new Date(), { version: '1.2', hash: 'sha1' });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return refused({ code: 'Sender', wsse: wsseFaultOf(err), reason: err.message }, '');
    }
    const relatesTo = verified.addressing.messageId;
    if (verified.addressing.action !== action || action !== TRANSMIT_ACTION) {
      return refused({ code: 'Sender', reason: `the signed wsa:Action "${verified.addressing.action}" is not ${TRANSMIT_ACTION} (dispatched as "${action}")` }, relatesTo);
    }
    const operation = readOperation(verified.body);
    if (operation.problems.length > 0) {
      // IRU's bridge validates in its SafeTIR client; what it refuses surfaces as an exception, i.e. a Receiver fault.
      return refused({ code: 'Receiver', reason: operation.problems.join('; ') }, relatesTo, operation.document || verified.body, operation.transmissionId);
    }
    if (!seen.has(operation.transmissionId)) {
      seen.add(operation.transmissionId);
      ctx.state.rtsPlusTerminations.push(operation.document);
    }
    return {
      received: { messageId: operation.transmissionId, valid: true, problems: [], document: operation.document },
      response: fault?.kind === 'partner-error' ? injected(fault.code, relatesTo) : successResponse(true, relatesTo),
    };
  }

  return { actions: { [TRANSMIT_ACTION]: IRU_SERVICE_PATHS['rts-termination'] }, handle };
}
