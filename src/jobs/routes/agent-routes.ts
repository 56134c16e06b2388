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
  ServerNodeListSchema,
  StatusChangeResultSchema,
  StatusChangeSchema,
} from '../../protocol/agent/agent-protocol.ts';
import { MAX_POLL_MS } from '../agent-service.ts';
import type { AgentCredentials } from '../../auth/agent-credentials.ts';
import { registeringWithInstallationSecret } from '../../auth/auth-hook.ts';
import type { JobsArea } from '../jobs-area.ts';
import { NoBody } from '../../http-shared/success-responses.ts';

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
 * The agent API under `/api/agent/v1` (schemas in src/protocol/agent/agent-protocol.ts): how agents on any
 * host register, claim jobs, heartbeat, learn of kills (long poll) and report status changes as
 * compare-and-set. Who may call is settled before any handler (src/auth/auth-hook.ts): the
 * installation's agent secret registers a new id, and the credential issued then is the only one
 * that acts as that id afterwards.
 */
export interface AgentApiArea {
  readonly jobs: JobsArea;
  readonly credentials: AgentCredentials;
}

export async function agentApiPlugin(fastify: FastifyInstance, options: { area: AgentApiArea }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { agents } = options.area.jobs;
  const { credentials } = options.area;
  // Held long polls would keep the server from closing, and must not outlive the database: end them first.
  app.addHook('preClose', () => agents.close());

  app.put(
    '/api/agent/v1/agents/:agentId',
    {
      schema: {
        tags,
        summary: "Register an agent (idempotent with the agent's credential; repeat after a server restart). A new id, registered with the installation secret, is answered its credential",
        params: AgentParams,
        body: AgentRegistrationSchema,
        response: { 200: AgentSettingsSchema },
      },
    },
    async (request) => {
      // Bound before the row is written, so a refused registration changes nothing.
      const credential = registeringWithInstallationSecret(request) ? await credentials.bind(request.params.agentId) : undefined;
      const settings = await agents.register(request.params.agentId, request.body);
      return credential ? { ...settings, credential } : settings;
    },
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
        summary: "A restarted agent takes back a running job it holds, proven by its own credential (403 when previousAgentId is another agent; 409 if the job ended or is no longer the agent's)",
        params: Type.Object({ agentId: AgentParams.properties.agentId, jobId: JobParams.properties.jobId }),
        body: AdoptionSchema,
        response: { 200: StatusChangeResultSchema },
      },
    },
    async (request) => agents.adopt(request.params.agentId, request.params.jobId, request.body.previousAgentId),
  );

  app.get(
    '/api/agent/v1/nodes',
    { schema: { tags, summary: 'The server nodes alive now (their advertised URLs), for agents to fail over between', response: { 200: ServerNodeListSchema } } },
    async () => ({ nodes: await options.area.jobs.nodes.live() }),
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
