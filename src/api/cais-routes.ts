// POST /v1/cais/records: CAIS hands over one record or a batch; accepted means committed to the message log.
import type { FastifyInstance } from 'fastify';
import type { Ingest } from '../pipeline/ingest.js';
import { errorSchema, ingestResponseSchema } from './api-schemas.js';
import { requireRole, type Authorize } from './auth.js';

/** Most records accepted in one request. */
export const MAX_BATCH = 1000;

/**
 * Registers the CAIS ingest route. 202 when every record was accepted (or had been before);
 * 207 when some were rejected and others accepted; 400 when none was accepted. Each result lists
 * the message ids of the documents its record produced, or every violation with its JSON pointer.
 */
export function registerCaisRoutes(app: FastifyInstance, ingest: Ingest, authorize: Authorize): void {
  app.post(
    '/v1/cais/records',
    {
      onRequest: requireRole(authorize, 'cais', 'admin'),
      schema: {
        tags: ['cais'],
        summary: 'Submit CAIS records (one object or an array)',
        security: [{ bearer: [] }],
        body: { oneOf: [{ type: 'object' }, { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: {} }] },
        response: { 202: ingestResponseSchema, 207: ingestResponseSchema, 400: ingestResponseSchema, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const values = Array.isArray(request.body) ? (request.body as unknown[]) : [request.body];
      const results = await ingest.accept(values);
      const rejected = results.filter((r) => r.status === 'rejected').length;
      const duplicates = results.filter((r) => r.status === 'duplicate').length;
      const accepted = results.length - rejected - duplicates;
      const status = rejected === 0 ? 202 : rejected === results.length ? 400 : 207;
      return reply.code(status).send({ accepted, duplicates, rejected, results });
    },
  );
}
