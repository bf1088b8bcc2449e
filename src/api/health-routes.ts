// Liveness, readiness (store and queue reachable) and the Prometheus scrape endpoint; no token needed.
import type { FastifyInstance } from 'fastify';
import type { MessageStore } from '../store/message-store.js';
import type { GatewayMetrics } from './metrics.js';

/** Registers /healthz, /readyz and /metrics. */
export function registerHealthRoutes(app: FastifyInstance, store: MessageStore, metrics: GatewayMetrics, queueReady: () => boolean): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is alive' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'The message log and the queue are reachable' } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    try {
      await store.ping();
      checks.store = 'ok';
    } catch (err) {
      checks.store = `unreachable: ${(err as Error).message}`;
    }
    checks.queue = queueReady() ? 'ok' : 'not running';
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.render());
  });
}
