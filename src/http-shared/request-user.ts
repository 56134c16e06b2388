import type { FastifyRequest } from 'fastify';

/**
 * The user a request names in `X-Netflix.user.name`, the one identity header of Quarry's catalog
 * APIs (/mds/v1 and /iceberg/v1 alike); absent or blank: undefined.
 */
export function requestUser(request: FastifyRequest): string | undefined {
  const header = request.headers['x-netflix.user.name'];
  return (Array.isArray(header) ? header[0] : header)?.trim() || undefined;
}
