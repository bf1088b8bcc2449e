// JSON Schemas of the API's requests and responses: they validate, and they are the OpenAPI document at /docs.

const problem = {
  type: 'object',
  properties: {
    code: { type: 'string', description: 'GW_ERR_* code' },
    pointer: { type: 'string', description: 'JSON pointer into the record (or the mapped document, see target)' },
    message: { type: 'string' },
    target: { type: 'string', description: 'partner/message concerned' },
  },
} as const;

const messageRef = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, partner: { type: 'string' }, messageType: { type: 'string' } },
} as const;

/** One schema violation of a refused request: the part of the request, and a JSON pointer into it. */
const requestViolation = {
  type: 'object',
  properties: {
    code: { type: 'string', description: 'GW_ERR_REQUEST_INVALID' },
    in: { enum: ['params', 'querystring', 'headers', 'body'], description: 'the part of the request' },
    pointer: { type: 'string', description: 'JSON pointer into that part' },
    message: { type: 'string' },
  },
} as const;

/** An error answer: `{ error: { code, message, retryable, violations? } }`; violations list a schema failure of the request. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, retryable: { type: 'boolean' }, violations: { type: 'array', items: requestViolation } },
    },
  },
} as const;

/** Answer of POST /v1/cais/records: one result per record, in input order. */
export const ingestResponseSchema = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    duplicates: { type: 'integer' },
    rejected: { type: 'integer' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          recordId: { type: 'string' },
          status: { enum: ['accepted', 'duplicate', 'rejected'] },
          messages: { type: 'array', items: messageRef },
          violations: { type: 'array', items: problem },
        },
      },
    },
  },
} as const;

/** Statuses of both directions: outbound deliveries, then inbound hand-overs. */
const LOG_STATUSES = ['pending', 'delivered', 'failed', 'dead-lettered', 'needs-human', 'accepted', 'handed-over'] as const;

const summaryProperties = {
  direction: { enum: ['out', 'in'], description: 'out: a document we send; in: a document a partner pushed' },
  id: { type: 'string' },
  partner: { type: 'string' },
  messageType: { type: 'string' },
  recordType: { type: 'string' },
  recordId: { type: 'string' },
  recordVersion: { type: 'integer' },
  status: { enum: LOG_STATUSES },
  attempts: { type: 'integer', description: 'delivery attempts (out) or hand-over attempts to CAIS (in)' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
  businessKeys: { type: 'object', additionalProperties: { type: 'string' } },
} as const;

/** One message in a listing. */
export const messageSummarySchema = { type: 'object', properties: summaryProperties } as const;

/** A page of GET /v1/messages. */
export const messagePageSchema = {
  type: 'object',
  properties: { items: { type: 'array', items: messageSummarySchema }, nextCursor: { type: 'string' } },
} as const;

/** GET /v1/messages/:id. */
export const messageDetailSchema = {
  type: 'object',
  properties: {
    ...summaryProperties,
    mapping: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, sha256: { type: 'string' } } },
    payloadSha256: { type: 'string', description: 'SHA-256 of the exact bytes sent' },
    extension: { type: 'string' },
    record: { type: 'object', additionalProperties: true, description: 'the source CAIS record as accepted' },
    history: {
      type: 'array',
      items: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, from: { type: ['string', 'null'] }, to: { type: 'string' }, reason: { type: 'string' } } },
    },
    attemptLog: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          number: { type: 'integer' },
          startedAt: { type: 'string', format: 'date-time' },
          durationMs: { type: 'integer' },
          outcome: { type: 'string' },
          httpStatus: { type: ['integer', 'null'] },
          partnerCode: { type: ['string', 'null'] },
          error: { type: ['string', 'null'] },
          batchId: { type: 'string', description: 'the batch (one partner request for several messages) this attempt travelled in' },
        },
      },
    },
    acknowledgements: {
      type: 'array',
      description: 'signals and answers the partner pushed for the message after taking it, oldest first',
      items: {
        type: 'object',
        properties: {
          partnerMessageId: { type: 'string' },
          stage: { enum: ['received', 'accepted', 'answered'] },
          rejected: { type: 'boolean' },
          code: { type: ['string', 'null'] },
          text: { type: ['string', 'null'] },
          effect: { enum: ['advanced', 'late', 'failed', 'resent'], description: 'moved the message on, came after its stage was reached, failed the message, or had it sent again (the partner asked for it again)' },
          receivedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    awaiting: {
      type: ['object', 'null'],
      description: 'the acknowledgement the delivered message waits for, per the partner transaction template',
      properties: {
        stage: { enum: ['received', 'accepted', 'answered'] },
        name: { type: 'string' },
        dueAt: { type: 'string', format: 'date-time' },
        repeats: { type: 'integer' },
        repeatsAllowed: { type: 'integer' },
      },
    },
  },
} as const;

/** Query of GET /v1/messages. */
export const messageQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 255, description: 'any business key value, e.g. a carnet number' },
    partner: { type: 'string', pattern: '^[a-z0-9-]+$' },
    status: { enum: LOG_STATUSES },
    direction: { enum: ['out', 'in'] },
    type: { type: 'string', pattern: '^[a-z0-9-]+$', description: 'partner message type' },
    from: { type: 'string', format: 'date-time', description: 'created at or after' },
    to: { type: 'string', format: 'date-time', description: 'created before' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

/** Path parameter :id. */
export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } },
} as const;
