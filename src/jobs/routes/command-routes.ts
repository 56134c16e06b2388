import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { CriterionRequest, CriterionResponse, IdParams, errorResponses } from './genie-schemas.ts';
import { linkBase } from './hal-paging.ts';
import { criterionFromJson, criterionToJson, toDocument, toEntity, type CriterionJson } from './registry-json.ts';
import { ApplicationResponse, ClusterResponse, CommandResponse, ResolvedClustersResponse, StatusQuery } from './registry-schemas.ts';
import { HAL_JSON, openApiTag, type RegistryRouteOptions } from './resource-routes.ts';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type PriorityRequest = FastifyRequest<{ Params: { id: string; priority: number } }>;

const PriorityParams = Type.Object({ id: IdParams.properties.id, priority: Type.Integer({ minimum: 0, description: '0-based priority' }) });
const ApplicationIds = Type.Array(Type.String({ maxLength: 255 }), { description: 'Application ids, in set-up order' });

/**
 * The command-specific routes: its ordered applications, its cluster criteria, the clusters those
 * select; and the two relations that end at commands (`/applications/{id}/commands`, and the
 * `/clusters/{id}/commands` endpoints that Genie 4 keeps as no-ops).
 */
export function registerCommandRoutes(app: FastifyInstance, options: RegistryRouteOptions): void {
  const { registry } = options;
  const tags = [openApiTag('command')];
  const origin = (request: FastifyRequest) => linkBase(request, options.publicUrl);

  // ---- applications of a command ----
  app.get(
    '/commands/:id/applications',
    { schema: { tags, summary: "The command's applications, in order", params: IdParams, response: { 200: Type.Array(ApplicationResponse), ...errorResponses(404) } } },
    async (request: IdRequest, reply) => {
      const apps = await registry.getCommandApplications(request.params.id);
      return reply.type(HAL_JSON).send(apps.map((a) => toEntity('application', a, origin(request))));
    },
  );
  app.post(
    '/commands/:id/applications',
    { schema: { tags, summary: 'Append applications', params: IdParams, body: ApplicationIds, response: { 204: Type.Null(), ...errorResponses(400, 404, 412) } } },
    async (request: IdRequest, reply) => {
      await registry.addCommandApplications(request.params.id, request.body as string[]);
      return reply.code(204).send();
    },
  );
  app.put(
    '/commands/:id/applications',
    { schema: { tags, summary: 'Replace the applications', params: IdParams, body: ApplicationIds, response: { 204: Type.Null(), ...errorResponses(400, 404, 412) } } },
    async (request: IdRequest, reply) => {
      await registry.setCommandApplications(request.params.id, request.body as string[]);
      return reply.code(204).send();
    },
  );
  app.delete(
    '/commands/:id/applications',
    { schema: { tags, summary: 'Remove every application', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } } },
    async (request: IdRequest, reply) => {
      await registry.setCommandApplications(request.params.id, []);
      return reply.code(204).send();
    },
  );
  app.delete(
    '/commands/:id/applications/:applicationId',
    {
      schema: {
        tags,
        summary: 'Remove one application',
        params: Type.Object({ id: IdParams.properties.id, applicationId: IdParams.properties.id }),
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string; applicationId: string } }>, reply) => {
      await registry.removeCommandApplication(request.params.id, request.params.applicationId);
      return reply.code(204).send();
    },
  );

  // ---- cluster criteria ----
  app.get(
    '/commands/:id/clusterCriteria',
    { schema: { tags, summary: 'The cluster criteria, highest priority first', params: IdParams, response: { 200: Type.Array(CriterionResponse), ...errorResponses(404) } } },
    async (request: IdRequest) => (await registry.getClusterCriteria(request.params.id)).map(criterionToJson),
  );
  app.post(
    '/commands/:id/clusterCriteria',
    { schema: { tags, summary: 'Append a criterion with the lowest priority', params: IdParams, body: CriterionRequest, response: { 200: Type.Null(), ...errorResponses(404, 412) } } },
    async (request: IdRequest, reply) => {
      await registry.addClusterCriterion(request.params.id, criterionFromJson(request.body as CriterionJson));
      return reply.code(200).send();
    },
  );
  app.put(
    '/commands/:id/clusterCriteria',
    { schema: { tags, summary: 'Replace the criteria', params: IdParams, body: Type.Array(CriterionRequest), response: { 200: Type.Null(), ...errorResponses(404, 412) } } },
    async (request: IdRequest, reply) => {
      await registry.setClusterCriteria(request.params.id, (request.body as CriterionJson[]).map(criterionFromJson));
      return reply.code(200).send();
    },
  );
  app.delete(
    '/commands/:id/clusterCriteria',
    { schema: { tags, summary: 'Remove every criterion', params: IdParams, response: { 200: Type.Null(), ...errorResponses(404) } } },
    async (request: IdRequest, reply) => {
      await registry.setClusterCriteria(request.params.id, []);
      return reply.code(200).send();
    },
  );
  app.put(
    '/commands/:id/clusterCriteria/:priority',
    { schema: { tags, summary: 'Insert a criterion at a 0-based priority', params: PriorityParams, body: CriterionRequest, response: { 200: Type.Null(), ...errorResponses(404, 412) } } },
    async (request: PriorityRequest, reply) => {
      await registry.addClusterCriterion(request.params.id, criterionFromJson(request.body as CriterionJson), request.params.priority);
      return reply.code(200).send();
    },
  );
  app.delete(
    '/commands/:id/clusterCriteria/:priority',
    { schema: { tags, summary: 'Remove the criterion at a 0-based priority', params: PriorityParams, response: { 200: Type.Null(), ...errorResponses(404, 412) } } },
    async (request: PriorityRequest, reply) => {
      await registry.removeClusterCriterion(request.params.id, request.params.priority);
      return reply.code(200).send();
    },
  );

  // ---- clusters a command reaches ----
  app.get(
    '/commands/:id/clusters',
    {
      schema: {
        tags,
        summary: "Clusters matching any of the command's criteria (any status unless filtered)",
        params: IdParams,
        querystring: StatusQuery,
        response: { 200: Type.Array(ClusterResponse), ...errorResponses(404, 412) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { status?: string[] } }>, reply) => {
      const clusters = await registry.clustersForCommand(request.params.id, request.query.status);
      return reply.type(HAL_JSON).send(clusters.map((c) => toEntity('cluster', c, origin(request))));
    },
  );
  app.get(
    '/commands/:id/resolvedClusters',
    {
      schema: {
        tags,
        summary: 'Per criterion, in priority order, the clusters it selects (a debugging aid)',
        params: IdParams,
        querystring: Type.Object({ addDefaultStatus: Type.Optional(Type.Boolean({ description: 'Add status UP to criteria naming none (default true)' })) }),
        response: { 200: ResolvedClustersResponse, ...errorResponses(404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { addDefaultStatus?: boolean } }>) => {
      const resolved = await registry.resolvedClustersForCommand(request.params.id, request.query.addDefaultStatus ?? true);
      return resolved.map((r) => ({ criterion: criterionToJson(r.criterion), resources: r.clusters.map((c) => toDocument('cluster', c)) }));
    },
  );

  // ---- relations ending at commands ----
  app.get(
    '/applications/:id/commands',
    {
      schema: {
        tags: [openApiTag('application')],
        summary: 'Commands that use the application',
        params: IdParams,
        querystring: StatusQuery,
        response: { 200: Type.Array(CommandResponse), ...errorResponses(404, 412) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { status?: string[] } }>, reply) => {
      const commands = await registry.commandsForApplication(request.params.id, request.query.status);
      return reply.type(HAL_JSON).send(commands.map((c) => toEntity('command', c, origin(request))));
    },
  );

  // Genie 4 moved the cluster → command relation into command cluster criteria; these answer as it does.
  const clusterTags = [openApiTag('cluster')];
  app.get(
    '/clusters/:id/commands',
    { schema: { tags: clusterTags, summary: 'Always empty since Genie 4 (404 if the cluster does not exist)', params: IdParams, querystring: StatusQuery, response: { 200: Type.Array(CommandResponse), ...errorResponses(404) } } },
    async (request: IdRequest, reply) => {
      await registry.getCluster(request.params.id);
      return reply.type(HAL_JSON).send([]);
    },
  );
  const noOp = { tags: clusterTags, summary: 'No-op since Genie 4', response: { 204: Type.Null() } };
  for (const method of ['POST', 'PUT', 'DELETE'] as const) {
    app.route({ method, url: '/clusters/:id/commands', schema: noOp, handler: async (_request, reply) => reply.code(204).send() });
  }
  app.delete('/clusters/:id/commands/:commandId', { schema: noOp }, async (_request, reply) => reply.code(204).send());
}
