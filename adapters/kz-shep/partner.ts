// Other state agencies through Kazakhstan's e-government gateway (ШЭП, bip.bee.kz SyncChannel/AsyncChannel v10): one adapter, an instance per receiving agency.
import { definePartner, type AcknowledgementCode } from '../../src/partners/kit.js';
import { classifyAttempt } from './classify.js';
import { noteAcceptance, pollDeliveryStates } from './delivery-state.js';
import { DEFAULT_ERROR_CODES } from './error-table.js';
import { shepErrors } from './errors.js';
import { esedoCmsSigning } from './esedo-document.js';
import { shepInbound } from './inbound.js';
import { wrapForLog } from './logged-message.js';
import { buildShepRequest } from './outbound-request.js';
import { registerPermitCheckRoutes } from './permit-check.js';
import { shepTransport } from './shep-transport.js';

const codes: Record<string, AcknowledgementCode> = Object.fromEntries(Object.entries(DEFAULT_ERROR_CODES).map(([code, { meaning, verdict }]) => [code, { meaning, verdict }]));

/** How long a document may stay ON_DELIVERY before it is sent again, by default (option `deliveryWaitMs`). */
const DELIVERY_WAIT_MS = 3_600_000;

export default definePartner({
  id: 'kz-shep',
  name: 'A state agency through the e-government gateway (ШЭП)',
  messages: {
    'agency-document': { description: 'a document for an agency system (its own XML) as an AsyncChannel message', codec: 'xml', signing: 'none' },
    'esedo-document': { description: 'an outgoing document of the unified document system (docOutgoing), its file signed as CMS', codec: 'xml', signing: 'esedo-cms' },
    'permit-query': { description: "a look-up of the agency's SyncChannel service: is this permit, certificate or licence valid for these goods (permit.query records, asked at once)", codec: 'xml', signing: 'none', lookup: true, schema: 'permit-check-request.schema.json' },
  },
  signingProfiles: [esedoCmsSigning],
  transports: [shepTransport],
  services: { sync: 'SyncChannel v10 endpoint: look-ups and uploads to the temporary file service (the default URL is AsyncChannel v10)' },
  options: {
    senderId: { description: 'the sender (system) id the e-government gateway registry issued to customs; never logged' },
    password: { description: 'the sender password; never logged', secret: true },
    serviceId: { description: 'AsyncChannel service id of the receiving agency (e.g. ESEDO_UNIVERSAL_SERVICE); none: the instance takes no documents' },
    messageType: { description: 'async message type when the mapping gives none (business key shepMessageType): REQUEST opens an interaction, the others continue one (a correlation id)', default: 'REQUEST', values: ['REQUEST', 'NOTIFICATION', 'UPDATE', 'RESPONSE'] },
    syncServiceId: { description: 'SyncChannel service id of the agency\'s look-up service; none: the instance answers no look-ups' },
    tempFilesServiceId: { description: 'SyncChannel service id of the temporary file service', default: 'EDS_TEMP_FILES' },
    envelopeSigning: { description: 'signing profile of the SOAP envelope (WS-Security; a GOST profile registered by a plugin adapter goes here)', default: 'ws-security' },
    errorVerdicts: { description: "the agency's own error codes and their verdicts: CODE=verdict,CODE=verdict (verdicts: delivered, retry, failed, needs-human)", default: '' },
    resendCodes: { description: 'status or error codes of a NOT_DELIVERED state that carry the receiver\'s request to send again', default: 'RESEND' },
    deliveryWaitMs: { description: 'how long a document may stay ON_DELIVERY before it is sent again', default: String(DELIVERY_WAIT_MS) },
    resendLimit: { description: 'how often a document is sent again (asked by the receiver, or late) before a person must look', default: '3' },
  },
  participants: { agency: "the receiving agency's sender id on the gateway: its messages to us declare it (the sender check of pushes)" },
  inbound: shepInbound,
  envelope: (message, instance) => wrapForLog(message, instance),
  acknowledgementPlan: (_message, context) => ({
    stages: [{ stage: 'accepted', withinMs: Number(context.options.deliveryWaitMs) || DELIVERY_WAIT_MS, name: 'DELIVERED (delivery state on the e-government gateway)' }],
    repeats: Math.max(0, Number(context.options.resendLimit) || 0),
  }),
  delivered: (message, result, deps) => noteAcceptance(message, result, deps),
  schedules: [{ name: 'delivery-state', everyMs: 15_000, run: pollDeliveryStates }],
  routes: registerPermitCheckRoutes,
  transport: {
    kind: 'kz-shep',
    timeoutMs: 30_000,
    concurrency: 4,
    buildRequest: (message, context) => buildShepRequest(message, context),
  },
  classify: classifyAttempt,
  codes,
  errors: shepErrors,
  retry: { delaysMs: [10_000, 60_000, 300_000, 1_800_000], jitter: 0.2, maxAttempts: 8 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 60_000 },
});
