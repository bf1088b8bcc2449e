// IRU's side of Real-Time SafeTIR: one endpoint dispatching SOAP calls by action to the simulated services (WSST, TCHQ, WSRQ, WSRE, RTS+), with seedable state.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  buildSoapFault,
  defineSimulator,
  GatewayError,
  parseSoapEnvelope,
  soapCallOf,
  startSimulatorServer,
  type HandledRequest,
  type InjectedFault,
  type PartnerSimulator,
  type SimulatorContext,
  type SimulatorRequest,
  type XmlContent,
} from '../../../src/partners/kit.js';
import { rtsMessageTag } from '../rts-envelope.js';
import { clientFault } from './classic-rts.js';
import { createReconciliationService } from './reconciliation-service.js';
import { createRtsPlusService } from './rts-plus-service.js';
import { IRU_SERVICE_PATHS, type IruSimContext, type IruSimState, type IruSoapService, type SeededCarnet, type SeededReconciliationRequest } from './soap-service.js';
import { createTchqService } from './tchq-service.js';
import { createWsstService } from './wsst-service.js';

/** The IRU simulator, with the state tests seed and read. */
export interface IruSafetirSimulator extends PartnerSimulator {
  state: IruSimState;
}

/** The simulator listens at its root and serves each IRU service at IRU's own path below it (IRU_SERVICE_PATHS). */
const PATH = '/';

/** True when `sim` is the IRU simulator (it carries the state). */
export function isIruSafetirSimulator(sim: PartnerSimulator): sim is IruSafetirSimulator {
  return 'state' in sim && typeof (sim as Partial<IruSafetirSimulator>).state?.carnets === 'object';
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
  const body = buildSoapFault('1.2', true, message);
  return { received: { messageId: '', valid: false, problems: [`SOAP Sender fault: ${message}`], document: '' }, response: { status: 400, headers: { 'content-type': 'application/soap+xml; charset=utf-8' }, body } };
}

/**
 * Starts IRU's side of Real-Time SafeTIR on loopback: each service at IRU's path for it
 * (IRU_SERVICE_PATHS, published as `serviceUrls`), calls dispatched by SOAP action — WSST
 * (wsst-service.ts), WSTCHQ (tchq-service.ts), WSRQ and WSRE (reconciliation-service.ts), RTS+
 * (rts-plus-service.ts). A request that is neither SOAP 1.1 nor 1.2 gets HTTP 415; an action not
 * served at the path it was posted to, or a body that is no SOAP envelope, a SOAP Client (1.1) or
 * Sender (1.2) fault. `POST /_sim/seed` adds carnets and reconciliation requests.
 */
export async function startIruSafetirSimulator(context: SimulatorContext): Promise<IruSafetirSimulator> {
  // A non-RSA certificate fails here, at start, rather than on the first call.
  rtsMessageTag(context.identity.certificate);
  const gatewayCertificate = context.gatewayCertificates[0];
  if (!gatewayCertificate) throw new GatewayError('GW_ERR_KEY_UNAVAILABLE', 'the IRU simulator needs the gateway certificate it seals answers for');
  // IRU has on file what the instance is configured with; a test changes it to play a mismatch.
  const subscriber = { id: context.participants.subscriber ?? '', ...(context.options.password ? { password: context.options.password } : {}) };
  const state: IruSimState = { subscriber, carnets: new Map(), reconciliationRequests: [], reconciliationReplies: [], rtsPlusTerminations: [] };
  const ctx: IruSimContext = { identity: context.identity, gatewayCertificate, schemasDir: context.schemasDir, state };
  const services: IruSoapService[] = [createWsstService(ctx), createTchqService(ctx), createReconciliationService(ctx), createRtsPlusService(ctx)];
  const byAction = new Map(services.flatMap((service) => Object.entries(service.actions).map(([action, path]) => [action, { service, path }] as const)));

  function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
    const call = soapCallOf(request.headers);
    if (!call) {
      const contentType = request.headers['content-type'] ?? '';
      return {
        received: { messageId: '', valid: false, problems: [`Content-Type "${contentType}" is neither text/xml (SOAP 1.1) nor application/soap+xml (SOAP 1.2)`], document: '' },
        response: { status: 415, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('SOAP needs text/xml (1.1) or application/soap+xml (1.2)') },
      };
    }
    const refuse = call.version === '1.1' ? clientFault : soap12Fault;
    const served = byAction.get(call.action);
    // An ASMX or WCF endpoint knows only its own actions: "Server did not recognize the value of HTTP Header SOAPAction".
    if (!served || served.path !== request.path) {
      const here = [...byAction].filter(([, s]) => s.path === request.path).map(([action]) => action);
      return refuse(`Server did not recognize the value of HTTP Header SOAPAction: ${call.action} (${request.path} serves ${here.join(', ') || 'nothing'})`);
    }
    const { service } = served;
    let body: XmlContent;
    try {
      body = parseSoapEnvelope(request.body, call.version).body;
    } catch (err) {
      return refuse((err as Error).message);
    }
    return service.handle(call.action, body, request, fault);
  }

  const simulator = await startSimulatorServer({ partner: context.partner, path: PATH, subpaths: true, handle, controls: { seed: seeder(state) } }, context.listen);
  const serviceUrls = Object.fromEntries(Object.entries(IRU_SERVICE_PATHS).map(([service, path]) => [service, `${simulator.url}${path}`]));
  return Object.assign(simulator, { state, serviceUrls });
}

export default defineSimulator({ start: startIruSafetirSimulator });
