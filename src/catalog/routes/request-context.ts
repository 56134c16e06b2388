import type { FastifyRequest } from 'fastify';
import { authenticatedUser } from '../../auth/principal.ts';
import type {} from '../../auth/request-principal.ts';
import { DEFAULT_USER, type RequestContext } from '../request-context.ts';

/** Metacat's ApiFilter headers: the user (`X-Netflix.user.name`, default `metacat`) and the request id. */
export function requestContext(request: FastifyRequest): RequestContext {
  return { user: requestUser(request) ?? DEFAULT_USER, requestId: String(request.id) };
}

/**
 * The user a request acts as: the authenticated user when the server authenticates users (ACLs and
 * events then name who really asked, whatever headers say); otherwise the one a request names in
 * `X-Netflix.user.name`, the identity header of Quarry's catalog APIs.
 */
export function requestUser(request: FastifyRequest): string | undefined {
  const authenticated = authenticatedUser(request.principal);
  if (authenticated) return authenticated;
  const header = request.headers['x-netflix.user.name'];
  return (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
}
