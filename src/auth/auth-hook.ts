import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import { ForbiddenError } from '../errors/forbidden-error.ts';
import { isQuarryError } from '../errors/quarry-error.ts';
import { UnauthenticatedError } from '../errors/unauthenticated-error.ts';
import { AGENT_TOKEN_REQUIRED } from '../protocol/agent/agent-token.ts';
import type { AuthArea } from './auth-area.ts';
import type { AuthConfig } from '../config/auth-config.ts';
import { presentedCredential } from './presented-credential.ts';
import { describePrincipal, isAdmin, type Principal } from './principal.ts';
import './request-principal.ts';
import { accessFor, type Access } from './route-policy.ts';

const AGENT_CHALLENGE = 'Bearer realm="quarry-agent"';

/**
 * Authentication and role checks for the whole HTTP surface, once per request before any handler:
 * an `onRequest` hook decides who the caller is (route-policy.ts says what each route needs) and
 * refuses with 401 (who are you?) or 403 (you may not), saying what is missing; on the agent API the
 * agent ids a request names must be the caller's own. Refusals — these and the ones handlers make
 * later (a job's owner, a catalog ACL) — are logged with the user and the route. Register before
 * any route, so the `onRoute` hook can declare each route's security in the OpenAPI document.
 */
export function registerAuth(app: FastifyInstance, auth: AuthArea): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => declareSecurity(route, auth.config));

  app.addHook('onRequest', async (request, reply) => {
    const access = accessFor(request.method, request.routeOptions.url);
    if (access === 'public') {
      request.principal = { kind: 'public' };
      return;
    }
    const credential = presentedCredential(request.headers.authorization);
    if (access === 'agent') {
      const principal = credential ? await auth.agents.authenticate(credential.secret) : undefined;
      if (!principal) {
        reply.header('www-authenticate', AGENT_CHALLENGE);
        throw new UnauthenticatedError(AGENT_TOKEN_REQUIRED);
      }
      request.principal = principal;
      checkAgentRoute(principal, request);
      return;
    }
    try {
      request.principal = await auth.users.authenticate(credential);
    } catch (error) {
      if (auth.users.challenge && isQuarryError(error) && error.kind === 'unauthenticated') reply.header('www-authenticate', auth.users.challenge);
      throw error;
    }
    if (access === 'admin' && !isAdmin(request.principal)) {
      throw new ForbiddenError(`${request.method} ${request.routeOptions.url} needs an admin, and ${describePrincipal(request.principal)} is not one`);
    }
  });

  // An agent id in the body (status and archive reports) must be the caller's too; bodies are only
  // parsed after onRequest, so this half of the check waits for them.
  app.addHook('preHandler', async (request) => {
    if (request.principal?.kind !== 'agent') return;
    const named = (request.body as { agentId?: unknown } | undefined)?.agentId;
    if (typeof named === 'string' && named !== request.principal.agentId) throw new ForbiddenError(NOT_YOURS);
  });

  app.addHook('onError', async (request, _reply, error) => {
    if (!isQuarryError(error) || (error.kind !== 'unauthenticated' && error.kind !== 'forbidden')) return;
    request.log.warn({ user: describePrincipal(request.principal), method: request.method, route: request.routeOptions.url ?? request.url.split('?')[0], reason: error.message }, 'request refused');
  });
}

const NOT_YOURS = 'The agent credential belongs to another agent id: an agent registers, heartbeats, claims and reports only as the id the server issued its credential to';
const REGISTER_FIRST =
  'The installation agent secret only registers a new agent id (PUT /api/agent/v1/agents/{agentId}); every other call carries the credential the server issued at registration';

/** The agent API: the installation secret may only register; an agent acts only as itself. */
function checkAgentRoute(principal: Principal, request: FastifyRequest): void {
  const named = (request.params as { agentId?: string } | undefined)?.agentId;
  if (principal.kind === 'installation') {
    if (request.method === 'PUT' && request.routeOptions.url === '/api/agent/v1/agents/:agentId') return;
    throw new ForbiddenError(REGISTER_FIRST);
  }
  if (principal.kind === 'agent' && named !== undefined && named !== principal.agentId) throw new ForbiddenError(NOT_YOURS);
}

/** The credential an agent registration was made with, for the route to bind a new id to. */
export function registeringWithInstallationSecret(request: FastifyRequest): boolean {
  return request.principal?.kind === 'installation';
}

/** The OpenAPI security schemes of this node's auth mode (the agent scheme always). */
export function securitySchemes(config: AuthConfig): Record<string, unknown> {
  const schemes: Record<string, unknown> = {
    agentCredential: { type: 'http', scheme: 'bearer', description: 'Agents only: the installation agent secret to register, then the credential issued at registration.' },
  };
  if (config.mode === 'tokens') {
    schemes.bearerAuth = { type: 'http', scheme: 'bearer', description: 'An API token from `quarry token create`.' };
    schemes.basicAuth = { type: 'http', scheme: 'basic', description: 'Any user name, and an API token as the password.' };
  }
  if (config.mode === 'oidc') schemes.bearerAuth = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `A JWT from ${config.oidc?.issuer ?? 'the issuer'}.` };
  return schemes;
}

const QuarryRefusal = Type.Object(
  { errorCode: Type.Integer(), message: Type.String({ description: 'What is missing: a credential, or the right to do this' }), requestId: Type.String() },
  { additionalProperties: true },
);
const IcebergRefusal = Type.Object({ error: Type.Object({ message: Type.String(), type: Type.String(), code: Type.Integer() }) });

function declareSecurity(route: RouteOptions, config: AuthConfig): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const access: Access = accessFor(methods[0] ?? 'GET', route.url);
  if (access === 'public' || (route.schema as { hide?: boolean } | undefined)?.hide) return;
  const userSecurity = config.mode === 'tokens' ? [{ bearerAuth: [] }, { basicAuth: [] }] : config.mode === 'oidc' ? [{ bearerAuth: [] }] : undefined;
  const security = access === 'agent' ? [{ agentCredential: [] }] : userSecurity;
  if (!security) return;
  const refusal = route.url.startsWith('/iceberg/') ? IcebergRefusal : QuarryRefusal;
  const schema = (route.schema ??= {}) as { security?: unknown; response?: Record<string, unknown> };
  schema.security = security;
  schema.response = {
    401: { ...refusal, description: 'No valid credential was presented' },
    403: { ...refusal, description: 'The caller may not do this' },
    ...schema.response,
  };
}

