// Console sessions: a random id in an HttpOnly, SameSite=Strict cookie, the principal it signed in as, and the CSRF token its forms carry.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../api/rights.js';

/** One signed-in console user. */
export interface ConsoleSession {
  principal: Principal;
  /** Every state-changing form carries it; compared in constant time. */
  csrf: string;
  expiresAt: number;
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'gw_session';
/** The login form's own CSRF cookie (double submit, before there is a session). */
export const LOGIN_COOKIE = 'gw_login';
/** Idle time after which a session ends. */
const IDLE_MS = 30 * 60_000;

/** The cookies of a request, by name. */
export function cookiesOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // Another application's cookie on the host, not percent-encoding: not ours, ignored.
    }
  }
  return out;
}

/**
 * Whether the browser reached the console over TLS: directly, or through a TLS-terminating proxy that
 * says so (X-Forwarded-Proto, or the page's Origin). A forged claim only makes the cookie stricter.
 */
function overTls(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https' || (request.headers.origin ?? '').startsWith('https://');
}

/** Sets a console cookie: HttpOnly, SameSite=Strict, path /ui, Secure when the browser came over TLS; `maxAgeS` 0 deletes it. */
export function setCookie(reply: FastifyReply, request: FastifyRequest, name: string, value: string, maxAgeS?: number): void {
  const attributes = ['Path=/ui', 'HttpOnly', 'SameSite=Strict', ...(overTls(request) ? ['Secure'] : []), ...(maxAgeS === undefined ? [] : [`Max-Age=${maxAgeS}`])];
  // fastify adds each set-cookie header to the ones set before.
  reply.header('set-cookie', `${name}=${encodeURIComponent(value)}; ${attributes.join('; ')}`);
}

/** A random token for a session id or a CSRF token. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether two tokens are equal, in constant time. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sessions held in memory: a restart signs everyone out (tokens are the durable credential). */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  /** Starts a session for `principal`; returns its id. */
  open(principal: Principal, now = Date.now()): string {
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    const id = randomToken();
    this.sessions.set(id, { principal, csrf: randomToken(), expiresAt: now + IDLE_MS });
    return id;
  }

  /** The live session of a request (its expiry pushed back), if any. */
  of(request: FastifyRequest, now = Date.now()): ConsoleSession | undefined {
    const id = cookiesOf(request)[SESSION_COOKIE];
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session || session.expiresAt <= now) return undefined;
    session.expiresAt = now + IDLE_MS;
    return session;
  }

  /** Ends a request's session. */
  close(request: FastifyRequest): void {
    const id = cookiesOf(request)[SESSION_COOKIE];
    if (id !== undefined) this.sessions.delete(id);
  }
}
