// Russia's side of the transit-notification exchange: verifies our XMLDSig, checks the signed document, answers a Receipt; pushes FTS's own notifications.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileDocumentSchema,
  createXmlVerifier,
  defineSimulator,
  GatewayError,
  parseXml,
  startSimulatorServer,
  type HandledRequest,
  type InjectedFault,
  type PartnerSimulator,
  type SimulatorContext,
  type SimulatorRequest,
  type XmlContent,
} from '../../../src/partners/kit.js';
import { ENVELOPE_NS } from '../namespaces.js';
import { writeReceipt } from '../receipt.js';
import { pushControl } from './push-control.js';

const PATH = '/transit/notifications';
/** Pinned-key name of the gateway in the verifier. */
const GATEWAY = 'gateway';
/** HTTP status that comes with each rejection; the Receipt, not the status, is what the sender judges. */
const REJECTION_STATUS: Record<string, number> = { 'HDR-001': 400, 'SIG-001': 422, 'SCH-001': 422, 'DUP-001': 409, 'SYS-001': 503 };

/** A JSON Schema node, as far as finding its arrays needs. */
interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** Element paths the schema types as arrays, so a single element still parses as a list. */
function arrayPaths(node: SchemaNode, path: string, out: Set<string>): Set<string> {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (name.startsWith('@')) continue;
    const childPath = path === '' ? name : `${path}.${name}`;
    if (child.type === 'array') out.add(childPath);
    arrayPaths(child.type === 'array' ? child.items ?? {} : child, childPath, out);
  }
  return out;
}

/** The partner's judgement: accepted, or rejected with a code. */
interface Judgement {
  errorCode?: string;
  problems: string[];
  envelopeId?: string;
  valid: boolean;
}

function receipt(messageId: string, judgement: Pick<Judgement, 'envelopeId' | 'errorCode' | 'problems'>): Buffer {
  return writeReceipt({
    envelopeId: judgement.envelopeId,
    messageId,
    receivedAt: new Date().toISOString(),
    result: judgement.errorCode ? 'REJECTED' : 'ACCEPTED',
    errorCode: judgement.errorCode,
    errorText: judgement.errorCode ? judgement.problems.join('; ') || 'rejected' : undefined,
  });
}

function rejected(errorCode: string, problem: string, valid = false, envelopeId?: string): Judgement {
  return { errorCode, problems: [`${errorCode}: ${problem}`], valid, ...(envelopeId ? { envelopeId } : {}) };
}

function envelopeIdOf(document: XmlContent): string {
  const header = (document['env:Envelope'] as XmlContent)['env:Header'] as XmlContent;
  return String((header['roi:RoutingInf'] as XmlContent)['roi:EnvelopeID']);
}

/**
 * Starts the FTS side on loopback: `POST /transit/notifications` with header `X-Message-Id`
 * (HDR-001 without it or without an XML Content-Type). The signature must verify with the gateway
 * certificate (SIG-001); only the signed bytes are then parsed and checked against
 * schemas/partners/ru-fcs/transit-notification.schema.json (SCH-001). A valid envelope whose
 * EnvelopeID FTS already holds is answered DUP-001. FTS holds a message once it answered ACCEPTED,
 * or processed it but its answer was lost (hang, torn acknowledgement).
 * `POST /_sim/push` makes FTS push its own notifications to the gateway (see `pushControl`).
 */
export function startRuFcsSimulator(context: SimulatorContext): Promise<PartnerSimulator> {
  const gatewayKeys = context.gatewayCertificates.map((c) => c.publicKey);
  const verifier = createXmlVerifier((partner) => (partner === GATEWAY ? gatewayKeys : []));
  const schemaFile = join(context.schemasDir, 'partners', context.adapter, 'transit-notification.schema.json');
  const check = compileDocumentSchema(schemaFile);
  const arrays = arrayPaths(JSON.parse(readFileSync(schemaFile, 'utf8')) as SchemaNode, '', new Set());
  const held = new Set<string>();

  function judge(request: SimulatorRequest, messageId: string): Judgement {
    const contentType = request.headers['content-type'] ?? '';
    if (!messageId) return rejected('HDR-001', 'the X-Message-Id header is missing');
    if (!/^(application|text)\/([\w.+-]+\+)?xml\b/i.test(contentType)) return rejected('HDR-001', `Content-Type "${contentType}" is not XML`);
    let signedXml: string;
    try {
      signedXml = verifier.verify(request.body, GATEWAY).xml;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.code.startsWith('GW_ERR_SIGNATURE_')) return rejected('SIG-001', err.message);
      if (err.code.startsWith('GW_ERR_XML_')) return rejected('SCH-001', err.message);
      return rejected('SYS-001', err.message);
    }
    let document: XmlContent;
    try {
      document = parseXml(signedXml, { expectedNamespace: ENVELOPE_NS, arrayPaths: arrays });
    } catch (err) {
      return rejected('SCH-001', (err as Error).message);
    }
    const violations = check(document);
    if (violations.length > 0) return { errorCode: 'SCH-001', problems: violations.map((v) => `SCH-001: ${v.pointer} ${v.message}`), valid: false };
    const envelopeId = envelopeIdOf(document);
    if (held.has(envelopeId)) return rejected('DUP-001', `EnvelopeID ${envelopeId} was received before`, true, envelopeId);
    return { problems: [], envelopeId, valid: true };
  }

  function handle(request: SimulatorRequest, fault: InjectedFault | undefined): HandledRequest {
    const messageId = String(request.headers['x-message-id'] ?? '').trim();
    const judgement = judge(request, messageId);
    const answered = fault?.kind === 'partner-error' ? { ...judgement, errorCode: fault.code, problems: [`${fault.code}: injected by the simulator`] } : judgement;
    const processed = fault === undefined || fault.kind === 'hang' || fault.kind === 'malformed-ack';
    if (judgement.valid && !judgement.errorCode && judgement.envelopeId && processed) held.add(judgement.envelopeId);
    return {
      received: { messageId, valid: judgement.valid, problems: judgement.problems, document: request.body.toString('utf8') },
      response: {
        status: answered.errorCode ? (REJECTION_STATUS[answered.errorCode] ?? 400) : 200,
        headers: { 'content-type': 'application/xml' },
        body: receipt(messageId, answered),
      },
    };
  }

  const verifiesAsGateway = (signed: Buffer): boolean => {
    try {
      verifier.verify(signed, GATEWAY);
      return true;
    } catch {
      return false;
    }
  };
  return startSimulatorServer({ partner: context.partner, path: PATH, handle, controls: { push: pushControl(context, verifiesAsGateway) } }, context.listen);
}

export default defineSimulator({ start: startRuFcsSimulator });
