// Evidence exports over HTTP: one message, or a search whose count the client confirms first; each export an audit event of every message it holds.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { buildEvidence, EVIDENCE_CAP, type EvidenceMessage } from '../audit/evidence-export.js';
import { GatewayError } from '../errors.js';
import type { SigningCapability } from '../security/key-capabilities.js';
import type { InboundStore } from '../store/inbound-store.js';
import type { MessageStore } from '../store/message-store.js';
import { errorSchema, idParamsSchema, messageQuerySchema } from './api-schemas.js';
import { requireRight, type Authorize } from './auth.js';
import { found } from './message-routes.js';
import { detailView, filterOf, inboundView, type LogQuery } from './message-views.js';
import type { Principal } from './rights.js';

/** Most audit events of one message an export carries. */
const TRAIL_LIMIT = 10_000;

/** A search's filters (its paging is the export's own). */
function searchProperties(): Record<string, unknown> {
  const { limit: _limit, cursor: _cursor, ...filters } = messageQuerySchema.properties;
  return filters;
}

/** The search a bulk export names, and the count its client confirms. */
const bulkBodySchema = {
  type: 'object',
  required: ['confirmCount'],
  additionalProperties: false,
  properties: { ...searchProperties(), confirmCount: { type: 'integer', minimum: 1, maximum: EVIDENCE_CAP } },
} as const;

/** Exports the log's evidence; the gateway's key signs each manifest. */
export class EvidenceExporter {
  constructor(
    private readonly store: MessageStore,
    private readonly inbound: InboundStore,
    private readonly signer: SigningCapability,
  ) {}

  /** Ids of the messages a search finds, at most one more than the cap (so "too many" is known). */
  async matching(query: LogQuery): Promise<string[]> {
    const page = await this.store.search(filterOf(query), EVIDENCE_CAP + 1);
    return page.items.map((m) => m.id);
  }

  /** Whether the log holds message `id`, either direction. */
  async matchesOne(id: string): Promise<boolean> {
    return (await this.store.get(id)) !== undefined || (await this.inbound.getInbound(id)) !== undefined;
  }

  /** Records the export of each message in its trail, then builds the archive. */
  async export(ids: readonly string[], actor: string, scope: string): Promise<{ zip: Buffer; name: string }> {
    const at = new Date();
    await this.store.audit.appendAudit(ids.map((id) => ({ at: at.getTime(), actor, action: 'evidence.exported', subject: `message:${id}`, detail: scope })));
    const messages: EvidenceMessage[] = [];
    for (const id of ids) messages.push(await this.gather(id));
    const { zip } = buildEvidence(messages, this.signer, { actor, scope, at });
    return { zip, name: `evidence-${at.toISOString().replace(/[:.]/g, '-')}.zip` };
  }

  private async gather(id: string): Promise<EvidenceMessage> {
    const audit = await this.store.audit.auditTrail(`message:${id}`, TRAIL_LIMIT);
    const outbound = await this.store.get(id);
    if (outbound) {
      const answeredBy = await this.inbound.answersTo(id);
      const answers = [];
      for (const a of answeredBy) answers.push({ id: a.id, bytes: await found(this.inbound.inboundPayload(a.id), a.id) });
      return { id, detail: detailView(outbound, answeredBy), payload: { bytes: await found(this.store.payload(id), id), extension: outbound.extension }, answers, audit };
    }
    const received = await found(this.inbound.getInbound(id), id);
    return { id, detail: inboundView(received), payload: { bytes: await found(this.inbound.inboundPayload(id), id), extension: 'xml' }, answers: [], audit };
  }
}

function needsContent(principal: Principal): void {
  if (!principal.rights.has('content')) throw new GatewayError('GW_ERR_FORBIDDEN', 'needs the right content: an export holds the exact bytes');
}

/** Answers an evidence archive as a download. */
export function sendZip(reply: FastifyReply, archive: { zip: Buffer; name: string }): FastifyReply {
  return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${archive.name}"`).send(archive.zip);
}

/** Registers `GET /v1/messages/:id/evidence`, `GET /v1/evidence/count` and `POST /v1/evidence` (rights export and content). */
export function registerEvidenceRoutes(app: FastifyInstance, exporter: EvidenceExporter, authorize: Authorize): void {
  const exporters = requireRight(authorize, 'export');
  app.get(
    '/v1/messages/:id/evidence',
    { onRequest: exporters, schema: { tags: ['evidence'], summary: 'Evidence export of one message: a ZIP with its exact bytes, its answers, its account and audit trail, and a signed manifest', security: [{ bearer: [] }], params: idParamsSchema } },
    async (request, reply) => {
      needsContent(request.principal!);
      const { id } = request.params as { id: string };
      if (!(await exporter.matchesOne(id))) throw new GatewayError('GW_ERR_NOT_FOUND', `no message ${id}`);
      return sendZip(reply, await exporter.export([id], request.principal!.actor, `message ${id}`));
    },
  );
  app.get(
    '/v1/evidence/count',
    { onRequest: exporters, schema: { tags: ['evidence'], summary: 'How many messages a bulk export of this search would hold (confirm it in POST /v1/evidence)', security: [{ bearer: [] }], querystring: messageQuerySchema, response: { '4xx': errorSchema } } },
    async (request) => {
      const ids = await exporter.matching(request.query as LogQuery);
      return { count: Math.min(ids.length, EVIDENCE_CAP), cap: EVIDENCE_CAP, overCap: ids.length > EVIDENCE_CAP };
    },
  );
  app.post(
    '/v1/evidence',
    { onRequest: exporters, schema: { tags: ['evidence'], summary: 'Evidence export of a search, newest first, once its count is confirmed', security: [{ bearer: [] }], body: bulkBodySchema, response: { '4xx': errorSchema } } },
    async (request, reply) => {
      needsContent(request.principal!);
      const { confirmCount, ...query } = request.body as LogQuery & { confirmCount: number };
      const ids = await exporter.matching(query as LogQuery);
      if (ids.length > EVIDENCE_CAP) throw new GatewayError('GW_ERR_EXPORT_TOO_LARGE', `the search finds more than ${EVIDENCE_CAP} messages; narrow it (partner, status, time window)`, { cap: EVIDENCE_CAP });
      if (ids.length !== confirmCount) throw new GatewayError('GW_ERR_COUNT_UNCONFIRMED', `the search finds ${ids.length} messages, not the ${confirmCount} confirmed; confirm ${ids.length}`, { count: ids.length });
      return sendZip(reply, await exporter.export(ids, request.principal!.actor, `search ${JSON.stringify(query)}`));
    },
  );
}
