import type { FastifyRequest } from 'fastify';
import { DEFAULT_USER, type RequestContext } from '../request-context.ts';

/** Metacat's ApiFilter headers: the user (`X-Netflix.user.name`, default `metacat`) and the request id. */
export function requestContext(request: FastifyRequest): RequestContext {
  return { user: requestUser(request) ?? DEFAULT_USER, requestId: String(request.id) };
}

/** The user a request names in `X-Netflix.user.name`, the one identity header of Quarry's catalog APIs. */
export function requestUser(request: FastifyRequest): string | undefined {
  const header = request.headers['x-netflix.user.name'];
  return (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
}
