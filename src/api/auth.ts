// Bearer-token authentication with roles: cais posts records, admins resend, auditors read.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../config.js';
import { GatewayError } from '../errors.js';

/** Checks a request's bearer token and required roles; throws GatewayError on failure. */
export type Authorize = (request: FastifyRequest, roles: readonly Role[]) => Role[];

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Creates the token check. Tokens are compared as SHA-256 digests in constant time, so neither
 * their length nor their prefix leaks through timing.
 */
export function createAuthorize(tokens: ReadonlyArray<{ token: string; roles: readonly Role[] }>): Authorize {
  const known = tokens.map((t) => ({ digest: digest(t.token), roles: [...t.roles] }));
  return (request, required) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new GatewayError('GW_ERR_UNAUTHENTICATED', 'send Authorization: Bearer <token>');
    const presented = digest(match[1]);
    const entry = known.find((k) => timingSafeEqual(k.digest, presented));
    if (!entry) throw new GatewayError('GW_ERR_UNAUTHENTICATED', 'unknown token');
    if (!required.some((r) => entry.roles.includes(r))) throw new GatewayError('GW_ERR_FORBIDDEN', `needs one of the roles ${required.join(', ')}`);
    return entry.roles;
  };
}

/** A fastify onRequest hook that admits only tokens holding one of `roles`. */
export function requireRole(authorize: Authorize, ...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    authorize(request, roles);
  };
}
