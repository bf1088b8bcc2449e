// The message log over HTTP, both directions: search, detail with lineage, the exact payload (content right, audited), its audit trail, refused pushes, and resend.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.js';
import { recheckSignature } from '../audit/signature-recheck.js';
import type { ApiParts } from './build-api.js';
import { errorSchema, idParamsSchema, messagePageSchema, messageQuerySchema } from './api-schemas.js';
import { requireRight, type Authorize } from './auth.js';
import { detailView, eventView, filterOf, inboundView, iso, summaryView, withheld, type LogQuery } from './message-views.js';
import { diagnosticPageSchema, diagnosticQuerySchema, inboundDetailSchema, outboundDetailSchema, refusalPageSchema, refusalQuerySchema } from './log-schemas.js';
import type { DiagnosticKind } from '../store/diagnostic-events.js';

/** Media types of the codecs' extensions. */
export const CONTENT_TYPES: Record<string, string> = { xml: 'application/xml', edi: 'application/edifact', json: 'application/json' };

/** The value, or GW_ERR_NOT_FOUND naming message `id`. */
export async function found<T>(value: Promise<T | undefined>, id: string): Promise<T> {
  const v = await value;
  if (v === undefined) throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
  return v;
}

/** Most events one subject's trail route returns. */
const TRAIL_LIMIT = 1_000;

/** What the message routes read and call. */
export type MessageRouteParts = Pick<ApiParts, 'store' | 'inbound' | 'wake' | 'signers'>;

/** Registers the message log routes. */
export function registerMessageRoutes(app: FastifyInstance, parts: MessageRouteParts, authorize: Authorize): void {
  const { store, inbound } = parts;
  const readers = requireRight(authorize, 'metadata');
  app.get(
    '/v1/messages',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'Search the message log (newest first)', security: [{ bearer: [] }], querystring: messageQuerySchema, response: { 200: messagePageSchema, '4xx': errorSchema } } },
    async (request) => {
      const q = request.query as LogQuery;
      const page = await store.search(filterOf(q), q.limit, q.cursor);
      return { items: page.items.map(summaryView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  );
  app.get(
    '/v1/messages/:id',
    {
      onRequest: readers,
      schema: {
        tags: ['messages'],
        summary: 'One message, outbound or inbound: record, mapping, history, attempts or hand-over, and its lineage',
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 200: { anyOf: [outboundDetailSchema, inboundDetailSchema] }, '4xx': errorSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const outbound = await store.get(id);
      const view = outbound ? detailView(outbound, await inbound.answersTo(id)) : inboundView(await found(inbound.getInbound(id), id));
      return withheld(view, request.principal);
    },
  );
  app.get(
    '/v1/messages/:id/payload',
    {
      onRequest: requireRight(authorize, 'content'),
      schema: { tags: ['messages'], summary: 'The exact bytes sent to the partner, or received from it (content right; each view is an audit event)', security: [{ bearer: [] }], params: idParamsSchema },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const detail = await store.get(id);
      const received = detail ? undefined : await found(inbound.getInbound(id), id);
      const bytes = await found(detail ? store.payload(id) : inbound.inboundPayload(id), id);
      await store.audit.appendAudit([{ at: Date.now(), actor: request.principal!.actor, action: 'payload.viewed', subject: `message:${id}`, detail: `${bytes.length} bytes over the API` }]);
      // Inbound documents are signed XML: the only kind the inbound pipeline verifies.
      const extension = detail?.extension ?? 'xml';
      const name = detail ? `${detail.recordId}.${detail.partner}.${detail.messageType}` : `${received?.partnerMessageId ?? id}.${received?.partner ?? ''}.${received?.messageType ?? ''}`;
      return reply
        .header('content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream')
        .header('x-payload-sha256', (detail ?? received)?.payloadSha256 ?? '')
        .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}.${extension}"`)
        .send(bytes);
    },
  );
  app.get(
    '/v1/messages/:id/audit',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'The audit trail of one message, oldest first: every state change, view, export and resend, with actor', security: [{ bearer: [] }], params: idParamsSchema } },
    async (request) => {
      const { id } = request.params as { id: string };
      if (!(await store.get(id)) && !(await inbound.getInbound(id))) throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
      const events = await store.audit.auditTrail(`message:${id}`, TRAIL_LIMIT);
      return { items: events.map((e) => ({ ...e, at: iso(e.at) })) };
    },
  );
  app.get(
    '/v1/messages/:id/signature',
    {
      onRequest: readers,
      schema: { tags: ['messages'], summary: "Verifies the logged document's own signature again: ours for what we sent, the partner's pinned certificates for what it sent", security: [{ bearer: [] }], params: idParamsSchema },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const outbound = await store.get(id);
      const partner = outbound?.partner ?? (await found(inbound.getInbound(id), id)).partner;
      const bytes = await found(outbound ? store.payload(id) : inbound.inboundPayload(id), id);
      const checked = recheckSignature(bytes, parts.signers(partner, outbound ? 'out' : 'in'));
      await store.audit.appendAudit([{ at: Date.now(), actor: request.principal!.actor, action: 'signature.verified', subject: `message:${id}`, detail: `${checked.result}: ${checked.detail}` }]);
      return { id, ...checked, checkedAt: iso(Date.now()) };
    },
  );
  app.get(
    '/v1/inbound/refusals',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'Pushes refused before acceptance, newest first: code, reason and evidence, never content', security: [{ bearer: [] }], querystring: refusalQuerySchema, response: { 200: refusalPageSchema, '4xx': errorSchema } } },
    async (request) => {
      const { partner, limit } = request.query as { partner?: string; limit: number };
      const items = await inbound.refusals(limit, partner);
      return { items: items.map((r) => ({ ...r, receivedAt: iso(r.receivedAt) })) };
    },
  );
  app.get(
    '/v1/diagnostics',
    { onRequest: readers, schema: { tags: ['messages'], summary: 'Diagnostic events of the exchange, newest first: received, transformed, sent, delivery timeout, header error', security: [{ bearer: [] }], querystring: diagnosticQuerySchema, response: { 200: diagnosticPageSchema, '4xx': errorSchema } } },
    async (request) => {
      const q = request.query as { partner?: string; kind?: DiagnosticKind; from?: string; to?: string; limit: number };
      const filter = { ...(q.partner ? { partner: q.partner } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(q.from ? { from: Date.parse(q.from) } : {}), ...(q.to ? { to: Date.parse(q.to) } : {}) };
      return { items: (await store.diagnostics(filter, q.limit)).map(eventView) };
    },
  );
  app.post(
    '/v1/messages/:id/resend',
    { onRequest: requireRight(authorize, 'resend'), schema: { tags: ['messages'], summary: 'Resend a failed, dead-lettered or held message (resend right)', security: [{ bearer: [] }], params: idParamsSchema, response: { '4xx': errorSchema } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const detail = await store.get(id);
      if (!detail) {
        if (await inbound.getInbound(id)) throw new GatewayError('GW_ERR_STATE_CONFLICT', `message ${id} is inbound: only messages we send can be resent`);
        throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
      }
      if (!(await store.resend(id, Date.now(), `resent by ${request.principal!.actor}`))) {
        throw new GatewayError('GW_ERR_STATE_CONFLICT', `message ${id} is ${detail.status}; only failed, dead-lettered or needs-human messages can be resent`);
      }
      await store.audit.appendAudit([{ at: Date.now(), actor: request.principal!.actor, action: 'resend.requested', subject: `message:${id}`, detail: `was ${detail.status}` }]);
      parts.wake();
      return reply.code(202).send({ id, status: 'pending' });
    },
  );
}
