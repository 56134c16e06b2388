import type { FastifyRequest } from 'fastify';
import { authenticatedUser } from '../auth/principal.ts';
import type {} from '../auth/request-principal.ts';

/**
 * The user a request acts as on the catalog APIs (/mds/v1 and /iceberg/v1 alike): the authenticated
 * user when the server authenticates users (ACLs and events then name who really asked, whatever
 * headers say); otherwise the one a request names in `X-Netflix.user.name`, their identity header.
 * Absent or blank: undefined.
 */
export function requestUser(request: FastifyRequest): string | undefined {
  const authenticated = authenticatedUser(request.principal);
  if (authenticated) return authenticated;
  const header = request.headers['x-netflix.user.name'];
  return (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
}
