// Builds the fastify application: OpenAPI at /docs, bearer auth, the CAIS, message-log and health routes, one error format.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { CORE_ERRORS, errorSpec, GatewayError, type ErrorCode } from '../errors.js';
import type { PartnerRoute } from '../partners/partner-definition.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { MessageStore } from '../store/message-store.js';
import { createAuthorize, requireRole } from './auth.js';
import { registerCaisRoutes } from './cais-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerMessageRoutes } from './message-routes.js';
import type { GatewayMetrics } from './metrics.js';

/** What the API serves. */
export interface ApiParts {
  store: MessageStore;
  ingest: Ingest;
  metrics: GatewayMetrics;
  tokens: ReadonlyArray<{ token: string; roles: readonly ('cais' | 'admin' | 'auditor')[] }>;
  logger: Logger;
  /** Tell the delivery loop that messages became due (a resend). */
  wake(): void;
  queueReady(): boolean;
  /** Routes the partner adapters add (queries, reconciliation …). */
  partnerRoutes: readonly PartnerRoute[];
}

/** What a client is told to wait when the outbox is full. */
const RETRY_AFTER_SECONDS = 5;

/** Largest request body: a batch of CAIS records. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): { error: Record<string, unknown> } {
  return { error: { code, message, retryable: errorSpec(code)?.retryable ?? false, ...extra } };
}

function codeOf(err: FastifyError): 'GW_ERR_REQUEST_INVALID' | 'GW_ERR_REQUEST_TOO_LARGE' | 'GW_ERR_INTERNAL' {
  if (err.validation) return 'GW_ERR_REQUEST_INVALID';
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'GW_ERR_REQUEST_TOO_LARGE';
  if (err.code?.startsWith('FST_ERR_CTP') || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) return 'GW_ERR_REQUEST_INVALID';
  return 'GW_ERR_INTERNAL';
}

function registerPartnerRoute(app: FastifyInstance, route: PartnerRoute, authorize: ReturnType<typeof createAuthorize>): void {
  app.route({
    method: route.method,
    url: route.path,
    onRequest: requireRole(authorize, ...route.roles),
    schema: { tags: ['partners'], summary: route.summary, security: [{ bearer: [] }], ...route.schema },
    handler: async (request, reply) => {
      const answer = await route.handler({ params: request.params as Record<string, string>, query: request.query as Record<string, unknown>, body: request.body });
      return reply.code(answer.status).send(answer.body);
    },
  });
}

/** Creates the API (not listening yet). */
export async function buildApi(parts: ApiParts): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({ loggerInstance: parts.logger as FastifyBaseLogger, bodyLimit: BODY_LIMIT_BYTES, ajv: { customOptions: { allErrors: true } } });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Customs exchange gateway API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => {
    if (err instanceof GatewayError) {
      if (err.code === 'GW_ERR_OUTBOX_FULL') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.code(err.httpStatus).send(errorBody(err.code, err.message.replace(/^GW_ERR_\w+: /, '')));
    }
    const code = codeOf(err);
    if (code === 'GW_ERR_INTERNAL') request.log.error({ err }, 'unexpected error');
    return reply.code(CORE_ERRORS[code].httpStatus).send(errorBody(code, code === 'GW_ERR_INTERNAL' ? CORE_ERRORS[code].message : err.message));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('GW_ERR_NOT_FOUND', `no route ${request.method} ${request.url}`)));
  const authorize = createAuthorize(parts.tokens);
  registerCaisRoutes(app, parts.ingest, authorize);
  registerMessageRoutes(app, parts.store, authorize, parts.wake);
  registerHealthRoutes(app, parts.store, parts.metrics, parts.queueReady);
  for (const route of parts.partnerRoutes) registerPartnerRoute(app, route, authorize);
  return app;
}
