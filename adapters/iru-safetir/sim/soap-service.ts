// The plug-in shape of one IRU SOAP service (WSST, WSRE, WSRQ, TCHQ, RTS+) inside the IRU simulator, dispatched by SOAPAction.
import type { X509Certificate } from 'node:crypto';
import { type HandledRequest, type InjectedFault, type KeyCapabilities, type SimulatorRequest, type XmlContent } from '../../../src/partners/kit.js';

/** What every IRU service of the simulator shares: IRU's keys and the data the tests seeded. */
export interface IruSimContext {
  /** IRU's key: its certificate's SHA-1 thumbprint is the MessageTag IRU accepts; it opens what the gateway sealed for IRU. */
  identity: KeyCapabilities;
  /** The gateway's certificate: IRU seals its answers for it, and checks RTS+ signatures with it. */
  gatewayCertificate: X509Certificate;
  /** Folder of the JSON Schemas. */
  schemasDir: string;
  /** Seeded data and what IRU received, shared by the services. */
  state: IruSimState;
}

/** Carnets IRU knows, as TCHQ answers about them. */
export interface SeededCarnet {
  carnetNumber: string;
  /** TCHQ Result: 1 issue data available, 2 no issue data, 3 invalidated by IRU, 4 not in circulation, 5 number incorrect. */
  result: 1 | 2 | 3 | 4 | 5;
  holderId?: string;
  validityDate?: string;
  association?: string;
  numTerminations?: number;
  voucherNumber?: string;
}

/** A reconciliation request IRU will hand out on WSRQ (fields of SafeTIRReconciliation.xsd). */
export interface SeededReconciliationRequest {
  requestId: string;
  carnetNumber: string;
  /** Attributes of the request record as IRU sends them (ICC, COF, VPN, …). */
  attributes: Record<string, string>;
}

/** Mutable simulator state; tests seed it and read what arrived. */
export interface IruSimState {
  /** The subscriber IRU has registered for the gateway: its SubscriberID and, when IRU issued one, its password. */
  subscriber: { id: string; password?: string };
  carnets: Map<string, SeededCarnet>;
  reconciliationRequests: SeededReconciliationRequest[];
  /** Reconciliation replies received (WSRE), as opened documents. */
  reconciliationReplies: string[];
  /** Terminations received over RTS+ (transmitTIROperationTerminations), as documents. */
  rtsPlusTerminations: string[];
}

/**
 * Where IRU publishes each service (`../shared/reference/iru-server-behaviour.md` §4.5): one ASMX per classic
 * service (WSST and WSRE share safetirupload.asmx), one WCF .svc per RTS+ service. The simulator serves each
 * action only at its path, as IRU does; the keys are the adapter's service names.
 */
export const IRU_SERVICE_PATHS = {
  default: '/RTS2/WSST_WS/safetirupload.asmx',
  tchq: '/RTS2/TCHQ_WS/tirCarnetQuery.asmx',
  wsrq: '/RTS2/WSRQ_WS/WSRQ.asmx',
  'rts-termination': '/RTSPLUS/TerminationService-1.svc',
} as const;

/** One SOAP service: the SOAPActions it answers, where, and how. */
export interface IruSoapService {
  /** SOAPAction values (without quotes) this service handles, each with the path IRU serves it at. */
  actions: Readonly<Record<string, string>>;
  /** Answers one request whose SOAP body is already parsed. */
  handle(action: string, body: XmlContent, request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest;
}
