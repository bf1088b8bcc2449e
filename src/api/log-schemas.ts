// JSON Schemas of the two-direction message log's detail answers: outbound and inbound details with their lineage, and refused pushes.
import { DIAGNOSTIC_KINDS } from '../store/diagnostic-events.js';
import { messageDetailSchema } from './api-schemas.js';

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;

/** One diagnostic event (EEC Decision 5's diagnostic information of an integration gateway). */
const diagnosticEventSchema = {
  type: 'object',
  properties: {
    at: dateTime,
    kind: { enum: [...DIAGNOSTIC_KINDS] },
    partner: { type: 'string' },
    messageId: { type: ['string', 'null'] },
    inboundId: { type: ['string', 'null'] },
    detail: { type: 'string' },
  },
} as const;

/** The diagnostic events of one message. */
const eventsSchema = { type: 'array', items: diagnosticEventSchema, description: 'diagnostic events: transformed, sent, received, delivery timeout …' } as const;

/** GET /v1/diagnostics. */
export const diagnosticPageSchema = { type: 'object', properties: { items: { type: 'array', items: diagnosticEventSchema } } } as const;

/** Query of GET /v1/diagnostics. */
export const diagnosticQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    partner: { type: 'string', pattern: '^[a-z0-9-]+$' },
    kind: { enum: [...DIAGNOSTIC_KINDS] },
    from: { type: 'string', format: 'date-time', description: 'at or after' },
    to: { type: 'string', format: 'date-time', description: 'before' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

/** One lineage step: `step` names it; the other fields depend on the step (see the README, "Message log"). */
const lineageSchema = {
  type: 'array',
  items: { type: 'object', required: ['step'], properties: { step: { type: 'string' } }, additionalProperties: true },
} as const;

const answerSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, partner: { type: 'string' }, messageType: { type: 'string' }, receivedAt: dateTime },
} as const;

/** GET /v1/messages/:id of an outbound message: its detail, its siblings, the inbound messages that answer it, and its lineage. */
export const outboundDetailSchema = {
  type: 'object',
  properties: {
    ...messageDetailSchema.properties,
    direction: { const: 'out' },
    recordMessages: {
      type: 'array',
      description: 'every document made from the same CAIS record',
      items: { type: 'object', properties: { id: { type: 'string' }, partner: { type: 'string' }, messageType: { type: 'string' }, status: { type: 'string' } } },
    },
    answeredBy: { type: 'array', items: answerSchema, description: 'inbound messages that answer this one' },
    events: eventsSchema,
    lineage: lineageSchema,
  },
} as const;

/** GET /v1/messages/:id of an inbound message. */
export const inboundDetailSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    direction: { const: 'in' },
    partner: { type: 'string' },
    partnerMessageId: { type: 'string', description: 'the partner\'s id of the message (its deduplication key)' },
    messageType: { type: 'string' },
    status: { enum: ['accepted', 'handed-over'] },
    receivedAt: dateTime,
    updatedAt: dateTime,
    payloadSha256: { type: 'string', description: 'SHA-256 of the exact bytes received' },
    mapping: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, sha256: { type: 'string' } } },
    record: {
      type: 'object',
      properties: { type: { type: 'string' }, recordId: { type: 'string' }, version: { type: 'integer' }, value: { type: 'object', additionalProperties: true } },
    },
    businessKeys: { type: 'object', additionalProperties: { type: 'string' } },
    answers: { type: ['string', 'null'], description: 'our outbound message this one answers' },
    clientCertificate: { type: 'string', description: 'SHA-256 fingerprint of the TLS client certificate' },
    signerCertificate: { type: 'string', description: 'SHA-256 fingerprint of the signing certificate' },
    receiptSha256: { type: 'string', description: 'SHA-256 of the signed receipt sent' },
    handover: {
      type: 'object',
      properties: { via: { type: ['string', 'null'] }, attempts: { type: 'integer' }, nextAttemptAt: nullableDateTime, lastError: { type: ['string', 'null'] }, handedOverAt: nullableDateTime },
    },
    history: { type: 'array', items: { type: 'object', properties: { at: dateTime, status: { type: 'string' }, reason: { type: 'string' } } } },
    events: eventsSchema,
    lineage: lineageSchema,
  },
} as const;

/** GET /v1/inbound/refusals. */
export const refusalPageSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          partner: { type: 'string' },
          code: { type: 'string' },
          reason: { type: 'string' },
          payloadSha256: { type: 'string' },
          size: { type: 'integer' },
          clientCertificate: { type: ['string', 'null'] },
          receivedAt: dateTime,
        },
      },
    },
  },
} as const;

/** Query of GET /v1/inbound/refusals. */
export const refusalQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { partner: { type: 'string', pattern: '^[a-z0-9-]+$' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
} as const;
