// EAEU members' customs (Russia, Kyrgyzstan …) through the Union's integrated system: P.* messages in the Decision 5 envelope, one adapter, an instance per member.
import { definePartner, type AttemptResult, type Outcome } from '../../src/partners/kit.js';
import { envelopeSigning } from './envelope-signing.js';
import { acknowledgementPlanOf } from './acknowledgement-plan.js';
import { eaeuErrors } from './errors.js';
import { inboundSpec } from './inbound.js';
import { loggedSoapCall } from './logged-envelope-call.js';
import { wrapOutbound } from './outbound-envelope.js';
import { messageTypeOf, shippedProcesses } from './process-table.js';
import { SIGNAL_CODES } from './signals.js';
import { readTechnologicalError, TECHNOLOGICAL_ERRORS } from './technological-errors.js';

const processes = shippedProcesses();

/** The member gateway's synchronous answer: 200/202 takes the message for delivery; a SOAP fault is a technological error message. */
function classify(result: AttemptResult): Outcome {
  if (result.kind === 'error') return { verdict: 'retry', reason: `${result.error}: ${result.message}` };
  const { status } = result;
  const error = readTechnologicalError(result.body);
  if (error) {
    const known = TECHNOLOGICAL_ERRORS[error.code];
    return { verdict: known?.verdict ?? (status >= 500 ? 'retry' : 'needs-human'), partnerCode: error.code, reason: `technological error message: ${known?.meaning ?? 'code not in the table'} (${error.text})` };
  }
  if (status === 200 || status === 202) return { verdict: 'delivered', reason: `the member's gateway took the message (HTTP ${status})` };
  if (status >= 500 || status === 408 || status === 429) return { verdict: 'retry', reason: `HTTP ${status}` };
  return { verdict: 'needs-human', reason: `HTTP ${status} without a technological error message` };
}

export default definePartner({
  id: 'eaeu-iis',
  name: 'Customs of an EAEU member through the integrated information system',
  // Every message that opens a transaction of the process files, and our replies to the member's own:
  // the signals and the answers. All rendered as XML and signed over the whole envelope.
  messages: Object.fromEntries([
    ...processes.requests().map((route) => [messageTypeOf(route.message), `${route.process}: ${route.title} (${[route.structure.code, route.carries?.code].filter(Boolean).join(' carrying ')})`]),
    [messageTypeOf(SIGNAL_CODES.received), 'signal «Получено» for a member\'s message whose structure we checked'],
    [messageTypeOf(SIGNAL_CODES.accepted), 'signal «Принято в обработку» for a member\'s message we accepted'],
    ...processes.answers().map((route) => [messageTypeOf(route.message), `${route.process}: ${route.title} (${route.structure.code}), our answer to a member's message`]),
  ].map(([type, description]) => [type, { description, codec: 'xml', signing: 'iis-xmldsig' }])),
  signingProfiles: [envelopeSigning],
  options: {
    soapVersion: { description: 'SOAP version of the envelope (Decision 5 §19 names SOAP 1.2)', default: '1.2', values: ['1.2', '1.1'] },
    eecDataModelDir: { description: "simulator only: the folder of the EEC data-model schemas (EEC_M_*.xsd) its content check imports; default the shared reference's eaeu/eec-r048 beside the project" },
  },
  participants: {
    member: "the member's participant code in the integrated system (RU, KG …): wsa:To of our messages, the sender of its own",
    us: "Kazakhstan's participant code (KZ): the participant of our Actions and our wsa:ReplyTo",
  },
  envelope: (message, instance) => wrapOutbound(processes, message, instance),
  inbound: inboundSpec(processes),
  acknowledgementPlan: (message) => acknowledgementPlanOf(processes, message.messageType),
  transport: {
    timeoutMs: 15_000,
    concurrency: 4,
    buildRequest: (message) => ({ transport: 'soap', ...loggedSoapCall(message.payload), envelope: message.payload }),
  },
  classify,
  codes: TECHNOLOGICAL_ERRORS,
  errors: eaeuErrors,
  retry: { delaysMs: [5_000, 30_000, 120_000, 600_000], jitter: 0.2, maxAttempts: 6 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 30_000 },
});
