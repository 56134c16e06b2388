import type { FastifyInstance, RouteOptions } from 'fastify';
import { Type, type TSchema } from 'typebox';

/** Quarry's JSON error body (error-reply.ts ErrorBody): an area may add fields, so more are allowed. */
export const ErrorBodySchema = Type.Object(
  {
    errorCode: Type.Integer({ description: 'The HTTP status, repeated' }),
    message: Type.String({ description: 'What was wrong with the request, naming the input' }),
    requestId: Type.String({ description: 'The id of the request in the server log (x-request-id)' }),
  },
  { additionalProperties: true },
);

/**
 * What Node and Fastify answer themselves, before any route runs, when a request cannot be read at
 * the socket: headers too large (431), too slow (408), or not HTTP (400).
 */
export const SocketErrorBodySchema = Type.Object(
  { error: Type.String({ description: 'The status text' }), message: Type.String(), statusCode: Type.Integer() },
  { additionalProperties: true },
);
const SOCKET_STATUSES = new Set([408, 431]);

/** Why each status can answer any route that it applies to; the OpenAPI document shows these sentences. */
const REASONS: Record<number, string> = {
  400: 'The request is malformed: bad JSON, a body nested too deep, a bad Content-Length, or an invalid parameter',
  401: 'No valid credentials were sent',
  403: 'The credentials do not allow this',
  404: 'Something the path or the body names does not exist',
  408: 'The request did not arrive within the request timeout (http.requestTimeoutMs); the socket is closed',
  412: 'A field or parameter failed validation (Genie answers validation failures with 412)',
  413: 'The body is larger than the configured limit',
  415: 'The body has a media type this operation does not take',
  429: 'The node is too busy; retry later',
  431: 'The request headers (the URL included) are larger than the server takes',
  500: 'An unexpected error; the server log has the details under the request id',
  503: 'The metadata database is unavailable; retry after the Retry-After seconds',
};

/**
 * The statuses a route can answer without its handler saying so — the framework's parse errors,
 * limits, slow or oversized requests, and outages. Statuses for authentication (401, 403) are added by whoever installs it,
 * through `extraStatuses`, so the contract lists them exactly where they apply.
 */
function frameworkStatuses(route: RouteOptions): number[] {
  const methods = ([] as string[]).concat(route.method);
  const statuses = [400, 408, 431, 500, 503];
  const takesBody = methods.some((m) => m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS');
  if (takesBody) statuses.push(413, 415);
  // What the path or the body names may not exist.
  if (takesBody || route.url.includes(':') || route.url.includes('*')) statuses.push(404);
  return statuses;
}

export interface ErrorResponseOptions {
  /** More statuses every route may answer (e.g. 401/403 once authentication is on), by route. */
  extraStatuses?: (route: RouteOptions) => number[];
}

/**
 * Completes every route's response schema with the error statuses it can answer, before the
 * OpenAPI document is generated from the schemas: generated clients and fuzzers then see the real
 * contract. A status the route already declares keeps its schema; a new one takes the route's own
 * error body schema when it declares one (an area with its own error shape, like the Iceberg REST
 * catalog) and Quarry's ErrorBody otherwise. Install before any route is registered.
 */
export function declareErrorResponses(app: FastifyInstance, options: ErrorResponseOptions = {}): void {
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ??= {}) as { hide?: boolean; response?: Record<string, TSchema> };
    if (schema.hide) return;
    const response = (schema.response ??= {});
    const areaBody = areaErrorBody(response);
    const statuses = new Set([...frameworkStatuses(route), ...(options.extraStatuses?.(route) ?? [])]);
    for (const status of statuses) {
      if (response[status] !== undefined) continue;
      const body = SOCKET_STATUSES.has(status) ? SocketErrorBodySchema : (areaBody ?? ErrorBodySchema);
      response[status] = { ...body, description: REASONS[status] ?? `HTTP ${status}` };
    }
  });
}

// An object schema declared for some client error: the shape this area's errors take. (Not a 5xx:
// a readiness probe's 503 carries its health report, not an error.)
function areaErrorBody(response: Record<string, TSchema>): TSchema | undefined {
  for (const [status, schema] of Object.entries(response)) {
    if (Number(status) >= 400 && Number(status) < 500 && (schema as { type?: unknown }).type === 'object') return schema;
  }
  return undefined;
}
