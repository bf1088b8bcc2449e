// POST /v1/cais/records: CAIS hands over one record or a batch; accepted means committed to the message log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';
import type { Ingest } from '../pipeline/ingest.js';
import { errorSchema, ingestResponseSchema } from './api-schemas.js';
import { requireRight, type Authorize } from './auth.js';

/** Most records accepted in one request. */
export const MAX_BATCH = 1000;

/**
 * Refuses a batch outside 1…{@link MAX_BATCH} records before the schema check, so the answer names the limit.
 * @throws GatewayError GW_ERR_REQUEST_TOO_LARGE for too many records (split the batch), GW_ERR_REQUEST_INVALID for none.
 */
async function checkBatchSize(request: FastifyRequest): Promise<void> {
  if (!Array.isArray(request.body)) return;
  const count = request.body.length;
  if (count > MAX_BATCH) throw new GatewayError('GW_ERR_REQUEST_TOO_LARGE', `${count} records in one request; at most ${MAX_BATCH} records per request`);
  if (count === 0) throw new GatewayError('GW_ERR_REQUEST_INVALID', `the batch is empty; send one record or an array of 1 to ${MAX_BATCH} records`);
}

/**
 * Registers the CAIS ingest route. 202 when every record was accepted (or had been before);
 * 207 when some were rejected and others accepted; 400 when none was accepted. Each result lists
 * the message ids of the documents its record produced, or every violation with its JSON pointer.
 * A body that is missing or not readable JSON is refused whole with GW_ERR_RECORD_UNREADABLE, more
 * than {@link MAX_BATCH} records with 413 GW_ERR_REQUEST_TOO_LARGE, both in the error shape.
 */
export function registerCaisRoutes(app: FastifyInstance, ingest: Ingest, authorize: Authorize): void {
  app.post(
    '/v1/cais/records',
    {
      onRequest: requireRight(authorize, 'records'),
      preValidation: checkBatchSize,
      config: { unreadableBodyCode: 'GW_ERR_RECORD_UNREADABLE' },
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
      const results = await ingest.accept(values, request.principal?.actor);
      const rejected = results.filter((r) => r.status === 'rejected').length;
      const duplicates = results.filter((r) => r.status === 'duplicate').length;
      const accepted = results.length - rejected - duplicates;
      const status = rejected === 0 ? 202 : rejected === results.length ? 400 : 207;
      return reply.code(status).send({ accepted, duplicates, rejected, results });
    },
  );
}
