// The message log over HTTP: search, detail with attempts and history, the exact payload, and resend for admins.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.js';
import type { MessageDetail, MessageFilter, MessageStore, MessageSummary } from '../store/message-store.js';
import { errorSchema, idParamsSchema, messageDetailSchema, messagePageSchema, messageQuerySchema } from './api-schemas.js';
import { requireRole, type Authorize } from './auth.js';

const CONTENT_TYPES: Record<string, string> = { xml: 'application/xml', edi: 'application/edifact', json: 'application/json' };

const iso = (ms: number): string => new Date(ms).toISOString();

function summaryView(m: MessageSummary): Record<string, unknown> {
  return { ...m, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt), nextAttemptAt: m.nextAttemptAt === null ? null : iso(m.nextAttemptAt) };
}

function detailView(m: MessageDetail): Record<string, unknown> {
  return {
    ...summaryView(m),
    history: m.history.map((h) => ({ ...h, at: iso(h.at) })),
    attemptLog: m.attemptLog.map((a) => ({ ...a, startedAt: iso(a.startedAt) })),
  };
}

interface Query {
  key?: string;
  partner?: string;
  status?: MessageFilter['status'];
  type?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

function filterOf(q: Query): MessageFilter {
  return {
    ...(q.key ? { key: q.key } : {}),
    ...(q.partner ? { partner: q.partner } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.from ? { from: Date.parse(q.from) } : {}),
    ...(q.to ? { to: Date.parse(q.to) } : {}),
  };
}

async function found<T>(value: Promise<T | undefined>, id: string): Promise<T> {
  const v = await value;
  if (v === undefined) throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
  return v;
}

/** Registers the message log routes. */
export function registerMessageRoutes(app: FastifyInstance, store: MessageStore, authorize: Authorize, resent: () => void): void {
  const readers = requireRole(authorize, 'auditor', 'admin');
  app.get(
    '/v1/messages',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'Search the message log (newest first)', security: [{ bearer: [] }], querystring: messageQuerySchema, response: { 200: messagePageSchema, '4xx': errorSchema } } },
    async (request) => {
      const q = request.query as Query;
      const page = await store.search(filterOf(q), q.limit, q.cursor);
      return { items: page.items.map(summaryView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  );
  app.get(
    '/v1/messages/:id',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'One message: source record, mapping, history, every attempt', security: [{ bearer: [] }], params: idParamsSchema, response: { 200: messageDetailSchema, '4xx': errorSchema } } },
    async (request) => {
      const { id } = request.params as { id: string };
      return detailView(await found(store.get(id), id));
    },
  );
  app.get(
    '/v1/messages/:id/payload',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'The exact bytes sent to the partner', security: [{ bearer: [] }], params: idParamsSchema } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const detail = await found(store.get(id), id);
      const bytes = await found(store.payload(id), id);
      return reply
        .header('content-type', CONTENT_TYPES[detail.extension] ?? 'application/octet-stream')
        .header('x-payload-sha256', detail.payloadSha256)
        .header('content-disposition', `attachment; filename="${detail.recordId}.${detail.partner}.${detail.messageType}.${detail.extension}"`)
        .send(bytes);
    },
  );
  app.post(
    '/v1/messages/:id/resend',
    { onRequest: requireRole(authorize, 'admin'), schema: { tags: ['messages'], summary: 'Resend a failed, dead-lettered or held message (admin)', security: [{ bearer: [] }], params: idParamsSchema, response: { '4xx': errorSchema } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const detail = await found(store.get(id), id);
      if (!(await store.resend(id, Date.now(), 'resent by an admin'))) {
        throw new GatewayError('GW_ERR_STATE_CONFLICT', `message ${id} is ${detail.status}; only failed, dead-lettered or needs-human messages can be resent`);
      }
      resent();
      return reply.code(202).send({ id, status: 'pending' });
    },
  );
}
