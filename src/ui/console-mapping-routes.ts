// The console's mapping pages for admins (right mappings): list, upload, dry run, activate, roll back; each step the same lifecycle the API drives.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.js';
import type { MappingAdmin } from '../mapping/mapping-admin.js';
import { contextOf, need, sendHtml, UUID } from './console-routes.js';
import type { Languages } from './i18n.js';
import { mappingsPage, stagedPage } from './pages/mappings-page.js';

function uploadIdOf(params: unknown): string {
  const { uploadId } = params as { uploadId: string };
  if (!UUID.test(uploadId)) throw new GatewayError('GW_ERR_NOT_FOUND', `no upload ${uploadId}`);
  return uploadId;
}

/** Registers /ui/mappings… on the console's plugin. */
export function registerConsoleMappingRoutes(ui: FastifyInstance, admin: MappingAdmin, languages: Languages): void {
  ui.get('/ui/mappings', async (request, reply) => {
    need(request, 'mappings');
    return sendHtml(reply, mappingsPage(contextOf(request, reply, languages), await admin.list()));
  });
  ui.post('/ui/mappings/upload', async (request, reply) => {
    const session = need(request, 'mappings');
    const form = request.body as Record<string, unknown>;
    if (typeof form.path !== 'string' || typeof form.yaml !== 'string') throw new GatewayError('GW_ERR_REQUEST_INVALID', 'give the path and the text of the mapping file');
    const staged = await admin.stage(form.path, form.yaml, session.principal.actor);
    return reply.redirect(`/ui/mappings/uploads/${staged.uploadId}`, 303);
  });
  ui.get('/ui/mappings/uploads/:uploadId', async (request, reply) => {
    need(request, 'mappings');
    return sendHtml(reply, stagedPage(contextOf(request, reply, languages), admin.staged(uploadIdOf(request.params)), undefined));
  });
  ui.post('/ui/mappings/uploads/:uploadId/dry-run', async (request, reply) => {
    need(request, 'mappings');
    const uploadId = uploadIdOf(request.params);
    const count = Number((request.body as Record<string, unknown>).records ?? 10);
    if (!Number.isInteger(count) || count < 1) throw new GatewayError('GW_ERR_REQUEST_INVALID', 'records is a whole number from 1');
    return sendHtml(reply, stagedPage(contextOf(request, reply, languages), admin.staged(uploadId), await admin.dryRun(uploadId, count)));
  });
  ui.post('/ui/mappings/uploads/:uploadId/activate', async (request, reply) => {
    const session = need(request, 'mappings');
    await admin.activate(uploadIdOf(request.params), session.principal.actor);
    return reply.redirect('/ui/mappings', 303);
  });
  ui.post('/ui/mappings/:id/rollback', async (request, reply) => {
    const session = need(request, 'mappings');
    await admin.rollback((request.params as { id: string }).id, session.principal.actor);
    return reply.redirect('/ui/mappings', 303);
  });
}
