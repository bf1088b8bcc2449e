// Mapping files for admins over HTTP: list what runs and what is on disk, upload (validated, golden cases run), dry-run, activate, roll back.
import type { FastifyInstance } from 'fastify';
import { DRY_RUN_MAX, type MappingAdmin } from '../mapping/mapping-admin.js';
import { errorSchema } from './api-schemas.js';
import { requireRight, type Authorize } from './auth.js';

const uploadIdParams = { type: 'object', required: ['uploadId'], properties: { uploadId: { type: 'string', format: 'uuid' } } } as const;
const mappingIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } } } as const;
const uploadBody = {
  type: 'object',
  required: ['path', 'yaml'],
  additionalProperties: false,
  properties: { path: { type: 'string', maxLength: 200, description: '<partner>/<name>.yaml under the mappings folder' }, yaml: { type: 'string', maxLength: 1_000_000 } },
} as const;
const dryRunBody = { type: 'object', additionalProperties: false, properties: { records: { type: 'integer', minimum: 1, maximum: DRY_RUN_MAX, default: 10 } } } as const;

/** Registers `/v1/mappings…` (right mappings). */
export function registerMappingRoutes(app: FastifyInstance, admin: MappingAdmin, authorize: Authorize): void {
  const admins = requireRight(authorize, 'mappings');
  const tags = ['mappings'];
  const security = [{ bearer: [] }];
  app.get('/v1/mappings', { onRequest: admins, schema: { tags, security, summary: 'Outbound mappings: the version running, the file on disk now, the last activation' } }, async () => ({ items: await admin.list() }));
  app.post(
    '/v1/mappings/uploads',
    { onRequest: admins, schema: { tags, security, summary: 'Upload a mapping file: validated (400 with the pointer) and its golden cases run; nothing changes until it is activated', body: uploadBody, response: { '4xx': errorSchema } } },
    async (request, reply) => {
      const { path, yaml } = request.body as { path: string; yaml: string };
      const staged = await admin.stage(path, yaml, request.principal!.actor);
      return reply.code(201).send(staged);
    },
  );
  app.post(
    '/v1/mappings/uploads/:uploadId/dry-run',
    { onRequest: admins, schema: { tags, security, summary: 'Replay the newest logged records of its type through the active version and the upload, side by side', params: uploadIdParams, body: dryRunBody, response: { '4xx': errorSchema } } },
    async (request) => {
      const { uploadId } = request.params as { uploadId: string };
      const { records } = (request.body ?? {}) as { records?: number };
      const cases = await admin.dryRun(uploadId, records ?? 10);
      return { cases, differing: cases.filter((c) => !c.same).length };
    },
  );
  app.post(
    '/v1/mappings/uploads/:uploadId/activate',
    { onRequest: admins, schema: { tags, security, summary: 'Make the upload the active version, without a restart (409 when the active version changed since the upload)', params: uploadIdParams, response: { '4xx': errorSchema } } },
    async (request) => {
      const { uploadId } = request.params as { uploadId: string };
      const { text: _text, ...activation } = await admin.activate(uploadId, request.principal!.actor);
      return activation;
    },
  );
  app.post(
    '/v1/mappings/:id/rollback',
    { onRequest: admins, schema: { tags, security, summary: 'Restore the version active before the current one', params: mappingIdParams, response: { '4xx': errorSchema } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const { text: _text, ...activation } = await admin.rollback(id, request.principal!.actor);
      return activation;
    },
  );
}
