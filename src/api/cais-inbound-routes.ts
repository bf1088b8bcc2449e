// The pull API of the CAIS sink: CAIS fetches accepted inbound records after a cursor and acknowledges those it holds.
import type { FastifyInstance } from 'fastify';
import type { CaisSinkConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import type { InboundStore } from '../store/inbound-store.js';
import { errorSchema } from './api-schemas.js';
import { requireRole, type Authorize } from './auth.js';

/** Records returned per pull, at most. */
export const MAX_PULL = 500;

const pullQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^[0-9]{1,15}$', default: '0', description: 'cursor of the last record seen (0 to start)' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PULL, default: 100 },
  },
} as const;

const pullItemSchema = {
  type: 'object',
  properties: {
    cursor: { type: 'string', description: 'position of this record; pass the last one as `after`' },
    id: { type: 'string', format: 'uuid', description: 'our inbound message id: acknowledge with it; the same on every pull' },
    partner: { type: 'string' },
    messageType: { type: 'string' },
    recordType: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    record: { type: 'object', additionalProperties: true, description: 'the canonical CAIS record' },
  },
} as const;

const pullPageSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: pullItemSchema },
    cursor: { type: 'string', description: 'the cursor to pass as `after` next time' },
  },
} as const;

const ackBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ids'],
  properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: { type: 'string', format: 'uuid' } } },
} as const;

/**
 * Registers `GET /v1/cais/inbound` and `POST /v1/cais/inbound/ack` for CAIS tokens. They answer 409
 * GW_ERR_STATE_CONFLICT unless the sink is `pull`, so two ways of handing over never race.
 */
export function registerCaisInboundRoutes(app: FastifyInstance, store: InboundStore, sink: CaisSinkConfig['kind'], authorize: Authorize): void {
  const cais = requireRole(authorize, 'cais');
  const pullOnly = (): void => {
    if (sink !== 'pull') throw new GatewayError('GW_ERR_STATE_CONFLICT', `inbound records go to CAIS by ${sink} (GATEWAY_CAIS_SINK), not by pull`);
  };
  app.get(
    '/v1/cais/inbound',
    { onRequest: cais, schema: { tags: ['cais'], summary: 'Accepted inbound records CAIS has not acknowledged, after a cursor, oldest first', security: [{ bearer: [] }], querystring: pullQuerySchema, response: { 200: pullPageSchema, '4xx': errorSchema } } },
    async (request) => {
      pullOnly();
      const { after, limit } = request.query as { after: string; limit: number };
      const items = await store.pullAfter(Number(after), limit);
      return {
        items: items.map((i) => ({ cursor: String(i.seq), id: i.id, partner: i.partner, messageType: i.messageType, recordType: i.recordType, receivedAt: new Date(i.receivedAt).toISOString(), record: JSON.parse(i.recordJson) as unknown })),
        cursor: items.length > 0 ? String(items[items.length - 1]?.seq) : after,
      };
    },
  );
  app.post(
    '/v1/cais/inbound/ack',
    { onRequest: cais, schema: { tags: ['cais'], summary: 'CAIS holds these inbound records: they are handed over', security: [{ bearer: [] }], body: ackBodySchema, response: { 200: { type: 'object', properties: { acknowledged: { type: 'integer' } } }, '4xx': errorSchema } } },
    async (request) => {
      pullOnly();
      const { ids } = request.body as { ids: string[] };
      return { acknowledged: await store.acknowledge(ids, Date.now()) };
    },
  );
}
