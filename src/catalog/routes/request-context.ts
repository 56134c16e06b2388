import type { FastifyRequest } from 'fastify';
import { DEFAULT_USER, type RequestContext } from '../request-context.ts';

/** Metacat's ApiFilter headers: the user (`X-Netflix.user.name`, default `metacat`) and the request id. */
export function requestContext(request: FastifyRequest): RequestContext {
  const header = request.headers['x-netflix.user.name'];
  const user = (Array.isArray(header) ? header[0] : header)?.trim();
  return { user: user || DEFAULT_USER, requestId: String(request.id) };
}
