// Authentication and authorisation of API requests: bearer tokens, each a named principal whose roles give rights.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken, Role } from '../config.js';
import { GatewayError } from '../errors.js';
import { rightsOf, type Principal, type Right } from './rights.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as, once a role or right hook admitted it. */
    principal?: Principal;
  }
}

/** What a request must hold: one of `roles`, or `right`. */
export type Requirement = { roles: readonly Role[] } | { right: Right };

/** Checks a request's credentials against a requirement; throws GatewayError on failure, else returns its principal. */
export type Authorize = (request: FastifyRequest, requirement: Requirement) => Principal;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Finds the principal a bearer token stands for; tokens are compared as SHA-256 digests in constant time, so neither length nor prefix leaks through timing. */
export type TokenLookup = (token: string) => Principal | undefined;

/** The token table as a lookup. */
export function createTokenLookup(tokens: readonly ApiToken[], roles: Readonly<Record<string, readonly Right[]>>): TokenLookup {
  const known = tokens.map((t) => ({ digest: digest(t.token), principal: { actor: t.name, roles: [...t.roles], rights: rightsOf(t.roles, roles) } }));
  return (token) => {
    const presented = digest(token);
    return known.find((k) => timingSafeEqual(k.digest, presented))?.principal;
  };
}

function admits(principal: Principal, requirement: Requirement): boolean {
  return 'right' in requirement ? principal.rights.has(requirement.right) : requirement.roles.some((r) => principal.roles.includes(r));
}

/** Creates the check of an `Authorization: Bearer` token (the console has its own sessions, see src/ui). */
export function createAuthorize(lookup: TokenLookup): Authorize {
  return (request, requirement) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw new GatewayError('GW_ERR_UNAUTHENTICATED', 'send Authorization: Bearer <token>');
    const principal = lookup(match[1]);
    if (!principal) throw new GatewayError('GW_ERR_UNAUTHENTICATED', 'unknown token');
    if (!admits(principal, requirement)) {
      throw new GatewayError('GW_ERR_FORBIDDEN', 'right' in requirement ? `needs the right ${requirement.right}` : `needs one of the roles ${requirement.roles.join(', ')}`);
    }
    request.principal = principal;
    return principal;
  };
}

/** A fastify onRequest hook that admits only principals holding one of `roles`. */
export function requireRole(authorize: Authorize, ...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    authorize(request, { roles });
  };
}

/** A fastify onRequest hook that admits only principals holding `right`. */
export function requireRight(authorize: Authorize, right: Right) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    authorize(request, { right });
  };
}
