import type { FastifyRequest } from 'fastify';
import { requestUser } from '../../http-shared/request-user.ts';
import { DEFAULT_USER, type RequestContext } from '../request-context.ts';

/** Metacat's ApiFilter headers: the user (`X-Netflix.user.name`, default `metacat`) and the request id. */
export function requestContext(request: FastifyRequest): RequestContext {
  return { user: requestUser(request) ?? DEFAULT_USER, requestId: String(request.id) };
}
