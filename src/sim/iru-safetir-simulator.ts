// IRU's side of Real-Time SafeTIR: one endpoint dispatching SOAP calls by action to the simulated services (WSST, TCHQ, WSRQ, WSRE, RTS+), with seedable state.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { XmlContent } from '../codec/document-tree.js';
import { parseXml } from '../codec/xml-parse.js';
import { renderXml } from '../codec/xml-render.js';
import { loadConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import { rtsMessageTag } from '../security/rts-envelope.js';
import { childElement, parseSoapEnvelope } from '../transport/soap-envelope.js';
import { clientFault } from './iru-classic-rts.js';
import { createReconciliationService } from './iru-reconciliation-service.js';
import { createRtsPlusService } from './iru-rts-plus-service.js';
import type { IruSimContext, IruSimState, IruSoapService, SeededCarnet, SeededReconciliationRequest } from './iru-soap-service.js';
import { createTchqService } from './iru-tchq-service.js';
import { createWsstService } from './iru-wsst-service.js';
import { startSimulatorServer, type HandledRequest, type InjectedFault, type ListenOptions, type PartnerSimulator, type SimulatorRequest } from './partner-simulator.js';

/** How to start the IRU simulator: IRU's own key pair, and the gateway's certificate IRU seals its answers for. */
export interface IruSafetirSimulatorOptions extends ListenOptions {
  /** IRU's certificate (PEM): its thumbprint is the only MessageTag accepted. */
  certificatePem: string;
  /** IRU's private key (PEM), to unwrap session keys. */
  privateKeyPem: string;
  /** The gateway's certificate (PEM): TCHQ and WSRQ answers are sealed for it; RTS+ signatures are checked with it. */
  gatewayCertificatePem: string;
  /** Folder of the JSON Schemas (default: the project's `schemas/`). */
  schemasDir?: string;
}

/** The IRU simulator, with the state tests seed and read. */
export interface IruSafetirSimulator extends PartnerSimulator {
  state: IruSimState;
}

/** The simulator serves every service at its root, so its URL is the one endpoint the gateway is configured with. */
const PATH = '/';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

/** True when `sim` is the IRU simulator (it carries the state). */
export function isIruSafetirSimulator(sim: PartnerSimulator): sim is IruSafetirSimulator {
  return sim.partner === 'iru-safetir' && 'state' in sim;
}

/**
 * The state of the IRU simulator, e.g. `iruState(gateway.simulators.get('iru-safetir'))`.
 * @throws Error when `sim` is absent or not the IRU simulator.
 */
export function iruState(sim: PartnerSimulator | undefined): IruSimState {
  if (!sim || !isIruSafetirSimulator(sim)) throw new Error(`not the IRU simulator: ${sim?.partner ?? 'none'}`);
  return sim.state;
}

const seedSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    carnets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['carnetNumber', 'result'],
        properties: {
          carnetNumber: { type: 'string', pattern: '^[A-Za-z]{2}[0-9]+$' },
          result: { enum: [1, 2, 3, 4, 5] },
          holderId: { type: 'string', minLength: 1, maxLength: 255 },
          validityDate: { type: 'string', format: 'date' },
          association: { type: 'string', minLength: 1, maxLength: 255 },
          numTerminations: { type: 'integer', minimum: 0 },
          voucherNumber: { type: 'string', pattern: '^[0-9]{4}-[0-9]{4}-[0-9]{4}$' },
        },
      },
    },
    reconciliationRequests: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['requestId', 'carnetNumber', 'attributes'],
        properties: {
          requestId: { type: 'string', minLength: 1, maxLength: 14 },
          carnetNumber: { type: 'string', pattern: '^[A-Za-z]{2}[0-9]+$' },
          attributes: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
};

/** Builds the `POST /_sim/seed` command: carnets replace those with the same number, requests those with the same id. */
function seeder(state: IruSimState): (command: unknown) => void {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats.default(ajv);
  const valid = ajv.compile<{ carnets?: SeededCarnet[]; reconciliationRequests?: SeededReconciliationRequest[] }>(seedSchema);
  return (command) => {
    if (!valid(command)) {
      const problems = (valid.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `simulator seed: ${problems}`);
    }
    for (const carnet of command.carnets ?? []) state.carnets.set(carnet.carnetNumber.toUpperCase(), { ...carnet, carnetNumber: carnet.carnetNumber.toUpperCase() });
    for (const request of command.reconciliationRequests ?? []) {
      const at = state.reconciliationRequests.findIndex((r) => r.requestId === request.requestId);
      if (at >= 0) state.reconciliationRequests.splice(at, 1, request);
      else state.reconciliationRequests.push(request);
    }
  };
}

/** SOAP 1.2 (RTS+): a Sender fault with HTTP 400, content type application/soap+xml. */
function soap12Fault(message: string): HandledRequest {
  const body = renderXml({
    'env:Envelope': {
      '@xmlns:env': SOAP12_NS,
      'env:Body': { 'env:Fault': { 'env:Code': { 'env:Value': 'env:Sender' }, 'env:Reason': { 'env:Text': { '@xml:lang': 'en', '#text': message } } } },
    },
  });
  return { received: { messageId: '', valid: false, problems: [`SOAP Sender fault: ${message}`], document: '' }, response: { status: 400, headers: { 'content-type': 'application/soap+xml; charset=utf-8' }, body } };
}

/** The SOAP version and action of a request: SOAP 1.1 `text/xml` with a SOAPAction header, SOAP 1.2 `application/soap+xml` with an `action` parameter. */
function soapCall(request: SimulatorRequest): { version: '1.1' | '1.2'; action: string } | undefined {
  const contentType = request.headers['content-type'] ?? '';
  if (/^text\/xml\b/i.test(contentType)) return { version: '1.1', action: String(request.headers.soapaction ?? '').replace(/^"|"$/g, '') };
  if (/^application\/soap\+xml\b/i.test(contentType)) return { version: '1.2', action: /;\s*action="?([^";]*)"?/i.exec(contentType)?.[1] ?? '' };
  return undefined;
}

/** The content of a SOAP 1.2 Body, carrying the declarations in scope. */
function soap12Body(bytes: Buffer): XmlContent {
  const envelope = childElement(parseXml(bytes), SOAP12_NS, 'Envelope');
  const body = envelope && childElement(envelope, SOAP12_NS, 'Body');
  if (!body) throw new GatewayError('GW_ERR_XML_MALFORMED', 'not a SOAP 1.2 envelope with one Body');
  return body;
}

/**
 * Starts IRU's side of Real-Time SafeTIR on loopback: one endpoint (its root), calls dispatched by
 * SOAP action to the services — WSST (iru-wsst-service.ts), WSTCHQ (iru-tchq-service.ts), WSRQ and
 * WSRE (iru-reconciliation-service.ts), RTS+ (iru-rts-plus-service.ts). A request that is neither SOAP
 * 1.1 nor 1.2 gets HTTP 415; an action no service serves, or a body that is no SOAP envelope, a SOAP
 * Client (1.1) or Sender (1.2) fault. `POST /_sim/seed` adds carnets and reconciliation requests.
 */
export async function startIruSafetirSimulator(options: IruSafetirSimulatorOptions): Promise<IruSafetirSimulator> {
  // An unreadable or non-RSA certificate fails here, at start, rather than on the first call.
  rtsMessageTag(options.certificatePem);
  const state: IruSimState = { carnets: new Map(), reconciliationRequests: [], reconciliationReplies: [], rtsPlusTerminations: [] };
  const ctx: IruSimContext = {
    certificatePem: options.certificatePem,
    privateKeyPem: options.privateKeyPem,
    gatewayCertificatePem: options.gatewayCertificatePem,
    schemasDir: options.schemasDir ?? loadConfig({}).schemasDir,
    state,
  };
  const services: IruSoapService[] = [createWsstService(ctx), createTchqService(ctx), createReconciliationService(ctx), createRtsPlusService(ctx)];
  const byAction = new Map(services.flatMap((service) => service.actions.map((action) => [action, service] as const)));

  function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
    const call = soapCall(request);
    if (!call) {
      const contentType = request.headers['content-type'] ?? '';
      return {
        received: { messageId: '', valid: false, problems: [`Content-Type "${contentType}" is neither text/xml (SOAP 1.1) nor application/soap+xml (SOAP 1.2)`], document: '' },
        response: { status: 415, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('SOAP needs text/xml (1.1) or application/soap+xml (1.2)') },
      };
    }
    const refuse = call.version === '1.1' ? clientFault : soap12Fault;
    const service = byAction.get(call.action);
    if (!service) return refuse(`SOAP action "${call.action}" is not one IRU serves here (${[...byAction.keys()].join(', ')})`);
    let body: XmlContent;
    try {
      body = call.version === '1.1' ? parseSoapEnvelope(request.body).body : soap12Body(request.body);
    } catch (err) {
      return refuse((err as Error).message);
    }
    return service.handle(call.action, body, request, fault);
  }

  const simulator = await startSimulatorServer({ partner: 'iru-safetir', path: PATH, handle, controls: { seed: seeder(state) } }, options);
  return Object.assign(simulator, { state });
}
