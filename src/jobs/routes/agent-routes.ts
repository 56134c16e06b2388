import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  AdoptionSchema,
  AgentRegistrationSchema,
  AgentSettingsSchema,
  ArchiveStatusChangeSchema,
  ClaimResponseSchema,
  HeartbeatRequestSchema,
  JobStatesRequestSchema,
  JobStatesSchema,
  KillListSchema,
  StatusChangeResultSchema,
  StatusChangeSchema,
} from '../agent-protocol.ts';
import { MAX_POLL_MS } from '../agent-service.ts';
import { AGENT_TOKEN_REQUIRED, carriesAgentToken } from '../agent-token.ts';
import { UnauthenticatedError } from '../../errors/unauthenticated-error.ts';
import type { JobsArea } from '../jobs-area.ts';
import { NoBody } from '../../http/success-responses.ts';

const tags = ['agent'];
const AgentParams = Type.Object({ agentId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,255}$' }) });
const JobParams = Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 255 }) });
const WaitQuery = Type.Object({ waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_POLL_MS })) });

/** Aborts when the agent hangs up, so a long poll does not outlive its caller. */
function hangUp(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  // The response's 'close' means the exchange ended or the connection dropped; the request's
  // 'close' fires as soon as its (empty) body has been read, which is too early.
  reply.raw.once('close', () => controller.abort());
  return controller.signal;
}

/**
 * The agent API under `/api/agent/v1` (schemas in src/jobs/agent-protocol.ts): how agents on any
 * host register, claim jobs, heartbeat, learn of kills (long poll) and report status changes as
 * compare-and-set. With an agent token configured, a call without it is a 401 before anything runs.
 */
export async function agentRoutes(fastify: FastifyInstance, options: { area: JobsArea; token?: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { agents } = options.area;
  const { token } = options;
  if (token) {
    app.addHook('onRequest', async (request, reply) => {
      if (carriesAgentToken(request.headers.authorization, token)) return;
      reply.header('www-authenticate', 'Bearer realm="quarry-agent"');
      throw new UnauthenticatedError(AGENT_TOKEN_REQUIRED);
    });
  }

  app.put(
    '/api/agent/v1/agents/:agentId',
    { schema: { tags, summary: 'Register an agent (idempotent; repeat after a server restart)', params: AgentParams, body: AgentRegistrationSchema, response: { 200: AgentSettingsSchema } } },
    async (request) => agents.register(request.params.agentId, request.body),
  );

  app.post(
    '/api/agent/v1/agents/:agentId/claims',
    {
      schema: {
        tags,
        summary: 'Claim the oldest accepted job, waiting up to waitMs for one (204 when none came)',
        params: AgentParams,
        querystring: WaitQuery,
        response: { 200: ClaimResponseSchema, 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const claim = await agents.claimNext(request.params.agentId, request.query.waitMs ?? 0, hangUp(reply));
      if (!claim) return reply.status(204).send(null);
      return claim;
    },
  );

  app.post(
    '/api/agent/v1/agents/:agentId/jobs/:jobId/claim',
    {
      schema: {
        tags,
        summary: 'Claim one named job (409 if it is not claimable)',
        params: Type.Object({ agentId: AgentParams.properties.agentId, jobId: JobParams.properties.jobId }),
        response: { 200: ClaimResponseSchema },
      },
    },
    async (request) => agents.claim(request.params.agentId, request.params.jobId),
  );

  app.post(
    '/api/agent/v1/agents/:agentId/jobs/:jobId/adopt',
    {
      schema: {
        tags,
        summary: 'Take over a running job whose agent (on this host) died (409 if it ended or has another owner)',
        params: Type.Object({ agentId: AgentParams.properties.agentId, jobId: JobParams.properties.jobId }),
        body: AdoptionSchema,
        response: { 200: StatusChangeResultSchema },
      },
    },
    async (request) => agents.adopt(request.params.agentId, request.params.jobId, request.body.previousAgentId),
  );

  app.post(
    '/api/agent/v1/agents/:agentId/heartbeat',
    { schema: { tags, summary: "Renew the agent's and its jobs' liveness; answers jobs to kill", params: AgentParams, body: HeartbeatRequestSchema, response: { 200: KillListSchema } } },
    async (request) => ({ jobIds: await agents.heartbeat(request.params.agentId, request.body.jobIds) }),
  );

  app.get(
    '/api/agent/v1/agents/:agentId/kills',
    {
      schema: {
        tags,
        summary: "Long poll for kill requests of the agent's jobs, other than those named in `ack`",
        params: AgentParams,
        querystring: Type.Object({ ...WaitQuery.properties, ack: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 10_000 })) }),
        response: { 200: KillListSchema },
      },
    },
    async (request, reply) => ({ jobIds: await agents.waitForKills(request.params.agentId, request.query.waitMs ?? 0, request.query.ack ?? [], hangUp(reply)) }),
  );

  app.post(
    '/api/agent/v1/agents/:agentId/job-states',
    {
      schema: {
        tags,
        summary: 'Status, archive status and end time of the named jobs (unknown ids are left out), for cleaning up job directories',
        params: AgentParams,
        body: JobStatesRequestSchema,
        response: { 200: JobStatesSchema },
      },
    },
    async (request) => agents.jobStates(request.params.agentId, request.body.jobIds),
  );

  app.put(
    '/api/agent/v1/jobs/:jobId/status',
    { schema: { tags, summary: "Change a job's status if it still has the expected one (compare-and-set)", params: JobParams, body: StatusChangeSchema, response: { 200: StatusChangeResultSchema } } },
    async (request) => agents.changeStatus(request.params.jobId, request.body),
  );

  app.put(
    '/api/agent/v1/jobs/:jobId/archive-status',
    { schema: { response: { 204: NoBody('Recorded') }, tags, summary: "Report a job's archive status", params: JobParams, body: ArchiveStatusChangeSchema } },
    async (request, reply) => {
      await agents.setArchiveStatus(request.params.jobId, request.body.agentId, request.body.archiveStatus);
      return reply.status(204).send();
    },
  );
}
