// Builds the fastify application: OpenAPI at /docs, bearer auth, the CAIS, message-log and health routes, and one error answer for every failure.
import type { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { registerConsole } from '../ui/console-routes.js';
import { Languages } from '../ui/i18n.js';
import type { Socket } from 'node:net';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CORE_ERRORS, errorSpec, GatewayError, type ErrorCode } from '../errors.js';
import { OneLinePerRequest } from './request-log.js';
import type { PartnerRoute } from '../partners/partner-definition.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { MessageStore } from '../store/message-store.js';
import { createAuthorize, createTokenLookup, requireRole, type Authorize } from './auth.js';
import type { ApiToken, CaisSinkConfig } from '../config.js';
import type { Right } from './rights.js';
import type { SigningCapability } from '../security/key-capabilities.js';
import { EvidenceExporter, registerEvidenceRoutes } from './evidence-routes.js';
import type { MappingAdmin } from '../mapping/mapping-admin.js';
import { registerMappingRoutes } from './mapping-routes.js';
import type { InboundStore } from '../store/inbound-store.js';
import { registerCaisInboundRoutes } from './cais-inbound-routes.js';
import { registerCaisRoutes } from './cais-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerMessageRoutes } from './message-routes.js';
import type { GatewayMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Code a route refuses a missing or unreadable JSON body with; GW_ERR_REQUEST_INVALID when unset.
     * The CAIS records route sets GW_ERR_RECORD_UNREADABLE, the code the CAIS queue gives the same bytes.
     */
    unreadableBodyCode?: 'GW_ERR_RECORD_UNREADABLE';
  }
}

/** What the API serves. */
export interface ApiParts {
  store: MessageStore;
  /** The inbound half of the log, and the pull API's records. */
  inbound: InboundStore;
  /** How accepted inbound records reach CAIS (the pull routes answer only for `pull`). */
  caisSink: CaisSinkConfig['kind'];
  ingest: Ingest;
  metrics: GatewayMetrics;
  /** API clients: their tokens, names and roles. */
  tokens: readonly ApiToken[];
  /** Every role and the rights it gives. */
  roles: Readonly<Record<string, readonly Right[]>>;
  logger: Logger;
  /** Tell the delivery loop that messages became due (a resend). */
  wake(): void;
  queueReady(): boolean;
  /** The certificates a logged document of `partner` must be signed by: ours for it (`out`), its pinned ones (`in`). */
  signers(partner: string, direction: 'in' | 'out'): readonly X509Certificate[];
  /** The console's folder (`src/ui`: its assets and translations), and the partner ids its search offers; no console when unset. */
  console?: { dir: string; partners: readonly string[] };
  /** The mapping lifecycle (upload, dry run, activation, rollback); no mapping routes when unset. */
  mappingAdmin?: MappingAdmin;
  /** The gateway's own key: it signs evidence manifests. */
  signer: SigningCapability;
  /** Routes the partner adapters add (queries, reconciliation …). */
  partnerRoutes: readonly PartnerRoute[];
}

/** What a client is told to wait when the outbox is full or the log cannot be reached. */
const RETRY_AFTER_SECONDS = 5;

/** Largest request body: a batch of CAIS records. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Longest path parameter (fastify's default, named here so the error message can say it). */
const MAX_PARAM_LENGTH = 100;

/** One schema violation of a request: which part, where in it, and what is wrong. */
interface RequestViolation {
  code: 'GW_ERR_REQUEST_INVALID';
  in: string;
  pointer: string;
  message: string;
}

/** Why a body of another media type is refused: the API's routes take JSON only. */
const UNSUPPORTED_MEDIA_TYPE_REASON = 'send the request body as application/json';

/** The answer fastify's own failures get: a catalogue code and a reason that names no internals. */
const FASTIFY_FAILURES: Readonly<Record<string, { code: ErrorCode; reason: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'GW_ERR_REQUEST_TOO_LARGE', reason: `the request body exceeds ${BODY_LIMIT_BYTES} bytes` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'GW_ERR_UNSUPPORTED_MEDIA_TYPE', reason: UNSUPPORTED_MEDIA_TYPE_REASON },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'GW_ERR_REQUEST_INVALID', reason: 'the request body is not as long as its Content-Length header says' },
  FST_ERR_BAD_URL: { code: 'GW_ERR_REQUEST_INVALID', reason: 'the URL path is not valid percent-encoding' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'GW_ERR_REQUEST_INVALID', reason: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` },
};

function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): { error: Record<string, unknown> } {
  return { error: { code, message, retryable: errorSpec(code)?.retryable ?? false, ...extra } };
}

function reasonOf(err: GatewayError): string {
  return err.message.slice(err.code.length + 2);
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Each ajv error of a failed params, querystring, headers or body check, pointing at the offending value. */
function violationsOf(err: FastifyError): RequestViolation[] {
  return (err.validation ?? []).map((v) => {
    const name = v.params.missingProperty ?? v.params.additionalProperty;
    const pointer = typeof name === 'string' ? `${v.instancePath}/${escapePointer(name)}` : v.instancePath;
    const message = v.keyword === 'required' ? 'is required' : v.keyword === 'additionalProperties' ? 'is not a property this request takes' : (v.message ?? 'is not valid');
    return { code: 'GW_ERR_REQUEST_INVALID', in: err.validationContext ?? 'request', pointer, message };
  });
}

/**
 * The catalogue error behind any failure: GatewayErrors with a registered code as they are, fastify's
 * parser, limit, URL and schema failures as request errors, and everything else (an unregistered code
 * included) as GW_ERR_INTERNAL that keeps the original as its cause.
 */
function gatewayErrorOf(err: FastifyError | Error): GatewayError {
  if (err instanceof GatewayError) {
    return errorSpec(err.code) ? err : new GatewayError('GW_ERR_INTERNAL', `unregistered error code ${err.code}`, {}, { cause: err });
  }
  const fastifyError = err as FastifyError;
  if (fastifyError.validation) {
    const violations = violationsOf(fastifyError);
    return new GatewayError('GW_ERR_REQUEST_INVALID', violations.map((v) => `${v.in}${v.pointer} ${v.message}`).join('; '), { violations });
  }
  const known = FASTIFY_FAILURES[fastifyError.code];
  if (known) return new GatewayError(known.code, known.reason);
  return new GatewayError('GW_ERR_INTERNAL', 'unexpected error', {}, { cause: err });
}

/**
 * Answers a failure in the `{ error: { code, message, retryable } }` shape with the catalogue's status,
 * whatever response schema the route declares, and logs it once: refusals (4xx) at info, the gateway's
 * own faults (500) at error with the stack, unavailable partners, store or queue (502–504) at warn.
 * A 5xx answer carries the catalogue's message, never the internal reason, unless a partner gave a
 * code: then the reason, which names the partner's return code or fault.
 */
function answerError(failure: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A client that hangs up mid-body makes the body stream fail: its mistake, not ours, though nobody reads the answer.
  const err = request.raw.readableAborted && !(failure instanceof GatewayError)
    ? new GatewayError('GW_ERR_REQUEST_INVALID', 'the connection closed before the request body was complete')
    : gatewayErrorOf(failure);
  const status = err.httpStatus;
  const spec = errorSpec(err.code) ?? CORE_ERRORS.GW_ERR_INTERNAL;
  if (status < 500) request.log.info({ code: err.code, status, reason: reasonOf(err) }, 'request refused');
  else if (status === 500) request.log.error({ code: err.code, status, err }, 'request failed');
  else request.log.warn({ code: err.code, status, reason: reasonOf(err) }, 'request not served now');
  const message = status < 500 || err.detail.partnerCode !== undefined ? reasonOf(err) : spec.message;
  const extra = Array.isArray(err.detail.violations) ? { violations: err.detail.violations } : {};
  if (err.code === 'GW_ERR_OUTBOX_FULL' || err.code === 'GW_ERR_STORE_UNAVAILABLE') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(errorBody(err.code, message, extra)));
}

/**
 * Answers what fails before fastify has a request: a malformed request line or headers, oversize
 * headers, a request that never completes. A client that reset or closed its connection is gone:
 * nothing to answer, and a request it left unfinished is logged by {@link answerError}.
 */
function answerClientError(logger: Logger, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
    socket.destroy();
    return;
  }
  const reason =
    err.code === 'HPE_HEADER_OVERFLOW' ? 'the request headers exceed the allowed size'
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'the request did not arrive in time'
    : 'the request is not valid HTTP/1.1';
  logger.info({ code: 'GW_ERR_REQUEST_INVALID', status: 400, reason, cause: err.code }, 'request refused');
  const body = JSON.stringify(errorBody('GW_ERR_REQUEST_INVALID', reason));
  if (socket.writable) {
    socket.write(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * Why a JSON body was refused: not JSON (V8's reason without the excerpt of the body it quotes, so no
 * document content reaches the log), or a prototype-poisoning key that fastify's secure parsing refused.
 */
function unreadableBody(request: FastifyRequest, text: string): GatewayError {
  const code = request.routeOptions.config.unreadableBodyCode ?? 'GW_ERR_REQUEST_INVALID';
  try {
    JSON.parse(text);
  } catch (err) {
    return new GatewayError(code, `the request body is not valid JSON: ${(err as Error).message.replace(/, .*is not valid JSON$/s, '')}`);
  }
  return new GatewayError(code, 'the request body has a "__proto__" or "constructor.prototype" key, which is refused');
}

/**
 * JSON bodies (any charset parameter, any case) through fastify's secure parser; an empty body is no
 * body; every other media type is refused unless the body is empty. Routes with a body schema refuse a
 * missing body. An unknown route reads no body: it answers 404 whatever it was sent.
 */
function registerBodyParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const secureJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0 || request.is404) done(null, undefined);
    else secureJson(request, text, (err, value) => done(err ? unreadableBody(request, text) : null, value));
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    if (request.headers['content-length'] === '0' || request.is404) done(null, undefined);
    else done(new GatewayError('GW_ERR_UNSUPPORTED_MEDIA_TYPE', UNSUPPORTED_MEDIA_TYPE_REASON), undefined);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) {
      throw new GatewayError(request.routeOptions.config.unreadableBodyCode ?? 'GW_ERR_REQUEST_INVALID', 'the request has no body; send one as application/json');
    }
  });
}

function registerPartnerRoute(app: FastifyInstance, route: PartnerRoute, authorize: Authorize): void {
  app.route({
    method: route.method,
    url: route.path,
    onRequest: requireRole(authorize, ...route.roles),
    schema: { tags: ['partners'], summary: route.summary, security: [{ bearer: [] }], ...route.schema },
    handler: async (request, reply) => {
      const answer = await route.handler({ params: request.params as Record<string, string>, query: request.query as Record<string, unknown>, body: request.body });
      if (answer.status < 200 || answer.status > 299) {
        throw new GatewayError('GW_ERR_INTERNAL', `adapter route ${route.method} ${route.path} answered ${answer.status}; adapters throw a GatewayError to refuse`);
      }
      return reply.code(answer.status).send(answer.body);
    },
  });
}

/** Creates the API (not listening yet). */
export async function buildApi(parts: ApiParts): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ajv: { customOptions: { allErrors: true } },
    frameworkErrors: (err, request, reply) => answerError(err, request, reply),
    clientErrorHandler: (err, socket) => answerClientError(parts.logger, err, socket),
    logController: new OneLinePerRequest(),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Customs exchange gateway API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  registerBodyParsing(app);
  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => answerError(err, request, reply));
  // fastify routes by path and method together and cannot tell a wrong method from an unknown path, so both are 404.
  app.setNotFoundHandler(async (request) => {
    throw new GatewayError('GW_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}: the path is unknown or does not take ${request.method}`);
  });
  const tokens = createTokenLookup(parts.tokens, parts.roles);
  const authorize = createAuthorize(tokens);
  const exporter = new EvidenceExporter(parts.store, parts.inbound, parts.signer);
  registerCaisRoutes(app, parts.ingest, authorize);
  registerCaisInboundRoutes(app, parts.inbound, parts.caisSink, authorize);
  registerMessageRoutes(app, parts, authorize);
  registerEvidenceRoutes(app, exporter, authorize);
  if (parts.mappingAdmin) registerMappingRoutes(app, parts.mappingAdmin, authorize);
  if (parts.console) {
    const { dir, partners } = parts.console;
    await registerConsole(app, { ...parts, tokens, exporter, partners, languages: Languages.load(join(dir, 'i18n')), assetsDir: join(dir, 'assets') });
  }
  registerHealthRoutes(app, parts.store, parts.metrics, parts.queueReady);
  for (const route of parts.partnerRoutes) registerPartnerRoute(app, route, authorize);
  return app;
}
