import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError } from '../../db/connection-health.ts';
import { isQuarryError, type QuarryError } from '../../errors/quarry-error.ts';
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE } from '../../http/error-reply.ts';
import { CommitFailedError, CommitStateUnknownError, NoSuchTableError, TableExistsError } from '../../table/table-errors.ts';
import { ContradictoryRequestError, NamespaceExistsError, NamespaceNotEmptyError, NoSuchNamespaceError, NoSuchWarehouseError } from '../iceberg-rest/catalog-errors.ts';

/** The Iceberg REST error body: `{"error": {"message", "type", "code"}}`. */
export function icebergErrorBody(code: number, type: string, message: string): string {
  return JSON.stringify({ error: { message, type, code } });
}

/** The status and exception type a domain error has in the Iceberg REST protocol. */
function classify(error: QuarryError): { status: number; type: string } {
  if (error instanceof NoSuchTableError) return { status: 404, type: 'NoSuchTableException' };
  if (error instanceof NoSuchNamespaceError) return { status: 404, type: 'NoSuchNamespaceException' };
  if (error instanceof NoSuchWarehouseError) return { status: 404, type: 'NoSuchWarehouseException' };
  if (error instanceof NamespaceNotEmptyError) return { status: 409, type: 'NamespaceNotEmptyException' };
  if (error instanceof NamespaceExistsError || error instanceof TableExistsError) return { status: 409, type: 'AlreadyExistsException' };
  if (error instanceof CommitFailedError) return { status: 409, type: 'CommitFailedException' };
  // 500 (not 503): clients read 500/502/504 on a commit as "state unknown" and keep their files.
  if (error instanceof CommitStateUnknownError) return { status: 500, type: 'CommitStateUnknownException' };
  if (error instanceof ContradictoryRequestError) return { status: 422, type: 'UnprocessableEntityException' };
  switch (error.kind) {
    case 'invalid':
      return { status: 400, type: 'BadRequestException' };
    case 'not_found':
      return { status: 404, type: 'NotFoundException' };
    case 'conflict':
      return { status: 409, type: 'AlreadyExistsException' };
    case 'precondition':
      return { status: 409, type: 'CommitFailedException' };
    case 'limit':
      return { status: 429, type: 'TooManyRequestsException' };
    case 'too_large':
      return { status: 413, type: 'BadRequestException' };
    case 'unsupported':
      return { status: 406, type: 'UnsupportedOperationException' };
    case 'unavailable':
      return { status: 503, type: 'ServiceUnavailableException' };
    case 'unauthenticated':
      return { status: 401, type: 'NotAuthorizedException' };
    case 'forbidden':
      return { status: 403, type: 'ForbiddenException' };
  }
}

/**
 * The error handler of the /iceberg/v1 routes: domain errors by class, Fastify's request errors
 * (malformed JSON, oversized body) as 4xx, anything else a 500 whose details stay in the log.
 */
export function icebergErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  let status: number;
  let type: string;
  let message: string;
  if (isQuarryError(error)) {
    ({ status, type } = classify(error));
    message = error.message;
    if (status >= 500) request.log.warn({ err: error }, error.message);
  } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    status = error.statusCode;
    type = status === 400 ? 'BadRequestException' : status === 413 ? 'RequestTooLargeException' : status === 415 ? 'UnsupportedMediaTypeException' : 'BadRequestException';
    message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `Request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes` : error.message;
  } else if (isConnectionError(error)) {
    // The metadata database is away: the spec's 503, which clients retry (logged once by ConnectionHealth).
    status = 503;
    type = 'ServiceUnavailableException';
    message = DATABASE_UNAVAILABLE_MESSAGE;
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  } else {
    status = 500;
    type = 'InternalServerError';
    message = `Internal error; see the server log for request ${String(request.id)}`;
    request.log.error({ err: error }, 'unhandled error');
  }
  return reply.status(status).type('application/json').send(icebergErrorBody(status, type, message));
}
