// The console at /ui: sessions from a token sign-in, CSRF-checked forms, a strict CSP, its assets and languages, HTML error pages, then the log's pages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenLookup } from '../api/auth.js';
import type { Right } from '../api/rights.js';
import { GatewayError, errorSpec } from '../errors.js';
import type { MessageStore } from '../store/message-store.js';
import { ConsoleSessions, cookiesOf, LOGIN_COOKIE, randomToken, sameToken, SESSION_COOKIE, setCookie, type ConsoleSession } from './console-sessions.js';
import { html } from './html.js';
import type { Languages } from './i18n.js';
import { page, type PageContext } from './console-page.js';
import { registerConsoleLogRoutes, type ConsoleLogParts } from './console-log-routes.js';
import { registerConsoleMappingRoutes } from './console-mapping-routes.js';
import type { MappingAdmin } from '../mapping/mapping-admin.js';
import { LoginThrottle } from './login-throttle.js';
import { loginPage } from './pages/login-page.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session of a signed-in request. */
    consoleSession?: ConsoleSession;
  }
}

/** What the console serves and reads. */
export interface ConsoleParts extends ConsoleLogParts {
  store: MessageStore;
  tokens: TokenLookup;
  languages: Languages;
  /** Folder of console.css, console.js and favicon.svg. */
  assetsDir: string;
  /** The mapping lifecycle, for admins' pages (none when unset). */
  mappingAdmin?: MappingAdmin;
}

/** No inline script or style, nothing from elsewhere, no framing. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const ASSETS: Readonly<Record<string, string>> = { 'console.css': 'text/css; charset=utf-8', 'console.js': 'text/javascript; charset=utf-8', 'favicon.svg': 'image/svg+xml' };

/** Paths a request may reach before signing in. */
const PUBLIC = /^\/ui\/(login|assets\/[\w.-]+)$/;

/** The form fields of a urlencoded body. */
function formOf(request: FastifyRequest): Record<string, string> {
  return (request.body ?? {}) as Record<string, string>;
}

/**
 * Whether a state-changing request came from our own pages: its Origin (when sent) names this host.
 * The scheme is not compared: behind a TLS-terminating proxy the browser's https origin reaches a
 * plain-HTTP server.
 */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.host === request.headers.host;
  } catch {
    return false;
  }
}

/** Builds a page context for a request (language from `lang`, its cookie, or Accept-Language). */
export function contextOf(request: FastifyRequest, reply: FastifyReply, languages: Languages): PageContext {
  const asked = (request.query as Record<string, string | undefined>).lang;
  const lang = languages.choose(asked ?? cookiesOf(request).gw_lang, request.headers['accept-language']);
  if (asked !== undefined && asked === lang) setCookie(reply, request, 'gw_lang', lang, 365 * 24 * 3600);
  const session = request.consoleSession;
  return {
    t: languages.translate(lang),
    lang,
    languages: languages.codes(),
    path: request.url,
    ...(session ? { principal: session.principal, csrf: session.csrf } : {}),
  };
}

/** A message id or upload id in a console path. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Answers a drawn page. */
export function sendHtml(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(text);
}

/** Refuses a signed-in request without `right` (the page is never drawn). */
export function need(request: FastifyRequest, ...rights: Right[]): ConsoleSession {
  const session = request.consoleSession!;
  const lacking = rights.find((r) => !session.principal.rights.has(r));
  if (lacking) throw new GatewayError('GW_ERR_FORBIDDEN', `needs the right ${lacking}`);
  return session;
}

function registerSignIn(app: FastifyInstance, parts: ConsoleParts, sessions: ConsoleSessions): void {
  const throttle = new LoginThrottle();
  const showLogin = (request: FastifyRequest, reply: FastifyReply, refused?: string) => {
    const csrf = randomToken();
    setCookie(reply, request, LOGIN_COOKIE, csrf);
    return reply.code(refused ? 401 : 200).type('text/html; charset=utf-8').send(loginPage(contextOf(request, reply, parts.languages), csrf, refused));
  };
  app.get('/ui/login', async (request, reply) => showLogin(request, reply));
  app.post('/ui/login', async (request, reply) => {
    const form = formOf(request);
    const t = contextOf(request, reply, parts.languages).t;
    if (!sameOrigin(request) || !sameToken(form.csrf, cookiesOf(request)[LOGIN_COOKIE])) return showLogin(request, reply, t('login.expired'));
    if (!throttle.allows(request.ip)) throw new GatewayError('GW_ERR_TOO_MANY_ATTEMPTS', 'too many refused sign-ins from this address; wait a few minutes');
    const principal = parts.tokens(form.token ?? '');
    if (!principal) {
      // Each refusal is an event until the address reaches the limit; the last one says so, later tries are not recorded one by one.
      const limited = throttle.refused(request.ip);
      await parts.store.audit.appendAudit([{ at: Date.now(), actor: 'unknown', action: 'console.login-refused', subject: 'gateway', detail: `from ${request.ip}${limited ? '; further sign-ins from this address are refused for 5 minutes' : ''}` }]);
      return showLogin(request, reply, t('login.refused'));
    }
    const id = sessions.open(principal);
    await parts.store.audit.appendAudit([{ at: Date.now(), actor: principal.actor, action: 'console.login', subject: 'gateway', detail: `roles ${principal.roles.join(',')} from ${request.ip}` }]);
    setCookie(reply, request, SESSION_COOKIE, id);
    setCookie(reply, request, LOGIN_COOKIE, '', 0);
    return reply.redirect('/ui/messages', 303);
  });
  app.post('/ui/logout', async (request, reply) => {
    const session = request.consoleSession!;
    sessions.close(request);
    await parts.store.audit.appendAudit([{ at: Date.now(), actor: session.principal.actor, action: 'console.logout', subject: 'gateway', detail: '' }]);
    setCookie(reply, request, SESSION_COOKIE, '', 0);
    return reply.redirect('/ui/login', 303);
  });
}

function answerError(parts: ConsoleParts, err: FastifyError | GatewayError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const code = err instanceof GatewayError ? err.code : 'GW_ERR_REQUEST_INVALID';
  const status = err instanceof GatewayError ? err.httpStatus : (err.statusCode ?? 500);
  if (status >= 500) request.log.error({ err }, 'console page failed');
  const ctx = contextOf(request, reply, parts.languages);
  const reason = status < 500 ? (err.message.replace(/^GW_ERR_\w+: /, '') ?? errorSpec(code)?.message) : ctx.t('error.internal');
  const violations = err instanceof GatewayError && status < 500 && Array.isArray(err.detail.violations) ? (err.detail.violations as Array<{ code: string; pointer: string; message: string }>) : [];
  const listed = violations.length > 0 ? html`<ul class="violations">${violations.map((v) => html`<li><code>${v.code}</code> <code>${v.pointer || '/'}</code> ${v.message}</li>`)}</ul>` : '';
  return reply.code(status).type('text/html; charset=utf-8').send(page(ctx, ctx.t('error.title', { status }), html`<p class="error" role="alert"><code>${code}</code> ${reason}</p>${listed}`));
}

/** Registers the console under /ui (an encapsulated plugin: its form parser, hooks and error pages apply to /ui only). */
export async function registerConsole(app: FastifyInstance, parts: ConsoleParts): Promise<void> {
  const sessions = new ConsoleSessions();
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(parts.assetsDir, name))]));
  await app.register(async (ui) => {
    ui.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    ui.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin').header('x-frame-options', 'DENY');
      if (!reply.getHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
    ui.addHook('onRequest', async (request, reply) => {
      if (PUBLIC.test(request.url.split('?')[0] ?? '')) return;
      const session = sessions.of(request);
      if (!session) return reply.redirect('/ui/login', 303);
      request.consoleSession = session;
    });
    ui.addHook('preHandler', async (request) => {
      if (request.method !== 'POST' || request.url.split('?')[0] === '/ui/login') return;
      if (!sameOrigin(request) || !sameToken(formOf(request).csrf, request.consoleSession?.csrf)) throw new GatewayError('GW_ERR_FORBIDDEN', 'the form is stale or from another site (CSRF check); reload the page');
    });
    ui.setErrorHandler((err: FastifyError | GatewayError, request, reply) => answerError(parts, err, request, reply));
    ui.get('/ui', async (_request, reply) => reply.redirect('/ui/messages', 303));
    ui.get('/ui/assets/:file', async (request, reply) => {
      const { file } = request.params as { file: string };
      const bytes = assets.get(file);
      if (!bytes) throw new GatewayError('GW_ERR_NOT_FOUND', `no console asset ${file}`);
      return reply.type(ASSETS[file]!).header('cache-control', 'max-age=300').send(bytes);
    });
    registerSignIn(ui, parts, sessions);
    registerConsoleLogRoutes(ui, parts);
    if (parts.mappingAdmin) registerConsoleMappingRoutes(ui, parts.mappingAdmin, parts.languages);
  });
}
