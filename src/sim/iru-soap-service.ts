// The plug-in shape of one IRU SOAP service (WSST, WSRE, WSRQ, TCHQ, RTS+) inside the IRU simulator, dispatched by SOAPAction.
import type { XmlContent } from '../codec/document-tree.js';
import type { HandledRequest, InjectedFault, SimulatorRequest } from './partner-simulator.js';

/** What every IRU service of the simulator shares: IRU's keys and the data the tests seeded. */
export interface IruSimContext {
  /** IRU's certificate (PEM); its SHA-1 thumbprint is the MessageTag IRU accepts. */
  certificatePem: string;
  /** IRU's private key (PEM), to open what the gateway sealed for IRU. */
  privateKeyPem: string;
  /** The gateway's certificate (PEM): IRU seals its answers for it, and checks RTS+ signatures with it. */
  gatewayCertificatePem: string;
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
  carnets: Map<string, SeededCarnet>;
  reconciliationRequests: SeededReconciliationRequest[];
  /** Reconciliation replies received (WSRE), as opened documents. */
  reconciliationReplies: string[];
  /** Terminations received over RTS+ (transmitTIROperationTerminations), as documents. */
  rtsPlusTerminations: string[];
}

/** One SOAP service: the SOAPActions it answers and how. */
export interface IruSoapService {
  /** SOAPAction values (without quotes) this service handles. */
  actions: readonly string[];
  /** Answers one request whose SOAP body is already parsed. */
  handle(action: string, body: XmlContent, request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest;
}
