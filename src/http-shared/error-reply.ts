import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError } from '../db/connection-health.ts';
import { isQuarryError, type ErrorKind } from '../errors/quarry-error.ts';
import { JsonTooDeepError } from './json-depth.ts';
import { RequestBodyError } from './request-body-error.ts';

/** Seconds a client is told to wait (Retry-After) when the metadata database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
export const DATABASE_UNAVAILABLE_MESSAGE = 'The metadata database is unavailable; retry after a few seconds';

/** Status code per error kind; an HTTP area overrides the kinds its compatible API maps differently. */
export type StatusByKind = Record<ErrorKind, number>;

export const DEFAULT_STATUS_BY_KIND: StatusByKind = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  limit: 429,
  unauthenticated: 401,
  forbidden: 403,
  too_large: 413,
  unsupported: 501,
  unavailable: 503,
};

/** The JSON body of every Quarry error: the status, a sentence that names the problem, the request id. */
export interface ErrorBody {
  errorCode: number;
  message: string;
  requestId: string;
  [extra: string]: unknown;
}

export type ErrorBodyShaper = (status: number, message: string, request: FastifyRequest, error: unknown) => unknown;

const defaultShape: ErrorBodyShaper = (status, message, request, error) => {
  const body: ErrorBody = { errorCode: status, message, requestId: String(request.id) };
  if (isQuarryError(error)) Object.assign(body, error.details);
  return body;
};

/** Fastify's own errors for malformed requests, with sentences users can act on. */
function frameworkError(error: FastifyError, request: FastifyRequest): { status: number; message: string } | undefined {
  // Body refusals of our own (json-depth.ts, request-body-error.ts) carry their status and sentence.
  if (error instanceof JsonTooDeepError || error instanceof RequestBodyError) return { status: error.statusCode, message: error.message };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: `Malformed JSON body: ${error.message}` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `Request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: error.message };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: error.message };
    default:
      break;
  }
  // JSON.parse failures surface as SyntaxError with statusCode 400.
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/.test(error.message))) {
    return { status: 400, message: `Malformed JSON body: ${error.message}` };
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, message: error.message };
  }
  return undefined;
}

/**
 * Builds a Fastify error handler. Domain errors map by kind; framework errors keep their 4xx; a lost
 * or refused database connection is a 503 with Retry-After; anything else is a 500 whose details go to the log, never to the client.
 */
export function errorHandler(overrides: Partial<StatusByKind> = {}, shape: ErrorBodyShaper = defaultShape) {
  const statusByKind: StatusByKind = { ...DEFAULT_STATUS_BY_KIND, ...overrides };
  return function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    let status: number;
    let message: string;
    if (isQuarryError(error)) {
      status = statusByKind[error.kind];
      message = error.message;
    } else if (isConnectionError(error)) {
      // An outage, not a bug: the client may retry, and the log already said once that the database
      // is down (ConnectionHealth), so no stack per request.
      status = 503;
      message = DATABASE_UNAVAILABLE_MESSAGE;
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    } else {
      const known = frameworkError(error, request);
      if (known) {
        ({ status, message } = known);
      } else {
        status = 500;
        message = `Internal error; see the server log for request ${String(request.id)}`;
        request.log.error({ err: error }, 'unhandled error');
      }
    }
    if (status >= 500 && isQuarryError(error)) request.log.warn({ err: error }, error.message);
    return reply.status(status).type('application/json').send(shape(status, message, request, error));
  };
}
