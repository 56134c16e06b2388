import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import jsonPatch from 'fast-json-patch';
import { Type } from 'typebox';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { withAutoTags } from '../registry/auto-tags.ts';
import type { RegistryService, StringSetField } from '../registry/registry-service.ts';
import type { ResourceKind } from '../resources.ts';
import { IdParams, StringArray, errorResponses } from './genie-schemas.ts';
import { formatGenieValidationErrors, upperCaseStatus } from './genie-validation.ts';
import { HalPage, halPage, linkBase, pageRequest, type PageQuery } from './hal-paging.ts';
import { PATHS, fromJson, toDocument, toEntity, type ResourceJson } from './registry-json.ts';
import { JsonPatch, REQUEST_SCHEMAS, RESPONSE_SCHEMAS, SEARCH_QUERIES } from './registry-schemas.ts';

export interface RegistryRouteOptions {
  registry: RegistryService;
  /** Base URL for links and Location headers; absent means derived from each request. */
  publicUrl?: string;
}

export const HAL_JSON = 'application/hal+json';

/** Genie's list keys under `_embedded` and default page sizes. */
const LISTS: Record<ResourceKind, { key: string; size: number; tag: string }> = {
  application: { key: 'applicationList', size: 10, tag: 'Applications' },
  cluster: { key: 'clusterList', size: 64, tag: 'Clusters' },
  command: { key: 'commandList', size: 64, tag: 'Commands' },
};

export function openApiTag(kind: ResourceKind): string {
  return LISTS[kind].tag;
}

interface SearchQuery extends PageQuery {
  name?: string;
  user?: string;
  type?: string;
  status?: string[];
  tag?: string[];
  minUpdateTime?: number;
  maxUpdateTime?: number;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * The routes every registry kind has: create, search, get, replace, patch, delete, delete all, and
 * the configs / dependencies / tags sub-resources. Registered once per kind under /api/v3.
 */
export function registerResourceRoutes(app: FastifyInstance, kind: ResourceKind, options: RegistryRouteOptions): void {
  const { registry } = options;
  const base = `/${PATHS[kind]}`;
  const tags = [openApiTag(kind)];
  const entity = RESPONSE_SCHEMAS[kind];
  const body = REQUEST_SCHEMAS[kind];
  const links = (request: FastifyRequest) => linkBase(request, options.publicUrl);

  app.post(
    base,
    {
      schema: { tags, summary: `Create ${kind === 'application' ? 'an' : 'a'} ${kind}`, body, response: { 201: Type.Null(), ...errorResponses(409, 412) } },
      preValidation: async (request) => upperCaseStatus(request.body),
    },
    async (request, reply) => {
      const id = await registry.create(kind, fromJson(kind, request.body as ResourceJson));
      return reply.code(201).header('location', `${links(request)}/api/v3${base}/${encodeURIComponent(id)}`).send();
    },
  );

  app.get(
    base,
    { schema: { tags, summary: `Search ${kind}s`, querystring: SEARCH_QUERIES[kind], response: { 200: HalPage(LISTS[kind].key, entity), ...errorResponses(412) } } },
    async (request, reply) => {
      const query = request.query as SearchQuery;
      const page = pageRequest(query, { size: LISTS[kind].size, sort: [{ field: 'updated', direction: 'desc' }] });
      const result = await registry.search(
        kind,
        {
          name: query.name,
          user: query.user,
          type: query.type,
          statuses: query.status,
          tags: query.tag,
          minUpdated: query.minUpdateTime,
          maxUpdated: query.maxUpdateTime,
        },
        page,
      );
      const origin = links(request);
      return reply.type(HAL_JSON).send(halPage(request, origin, LISTS[kind].key, result, page, (r) => toEntity(kind, r, origin)));
    },
  );

  app.delete(base, { schema: { tags, summary: `Delete every ${kind}`, response: { 204: Type.Null(), ...errorResponses(400) } } }, async (_request, reply) => {
    await registry.deleteAll(kind);
    return reply.code(204).send();
  });

  app.get(
    `${base}/:id`,
    { schema: { tags, summary: `Get ${kind === 'application' ? 'an' : 'a'} ${kind}`, params: IdParams, response: { 200: entity, ...errorResponses(404) } } },
    async (request: IdRequest, reply) => {
      const resource = await registry.get(kind, request.params.id);
      return reply.type(HAL_JSON).send(toEntity(kind, resource, links(request)));
    },
  );

  app.put<{ Params: { id: string } }>(
    `${base}/:id`,
    {
      schema: { tags, summary: `Replace ${kind === 'application' ? 'an' : 'a'} ${kind}`, params: IdParams, body, response: { 204: Type.Null(), ...errorResponses(400, 404, 412) } },
      preValidation: async (request) => upperCaseStatus(request.body),
    },
    async (request, reply) => {
      await registry.replace(kind, request.params.id, fromJson(kind, request.body as ResourceJson));
      return reply.code(204).send();
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Change ${kind === 'application' ? 'an' : 'a'} ${kind} with an RFC 6902 JSON Patch of its v3 document`,
        params: IdParams,
        body: JsonPatch,
        response: { 204: Type.Null(), ...errorResponses(404, 412) },
      },
    },
    async (request: IdRequest, reply) => {
      const operations = request.body as jsonPatch.Operation[];
      const validate = request.compileValidationSchema(body, 'body');
      await registry.update(kind, request.params.id, (current) => {
        const original = toDocument(kind, current);
        const patched = applyPatch(original, operations);
        upperCaseStatus(patched);
        // Genie lets the list form of a command's executable win; when a patch changed only the
        // string form, the string form is what the client meant.
        if (kind === 'command' && patched.executable !== original.executable && jsonEqual(patched.executableAndArguments, original.executableAndArguments)) {
          delete patched.executableAndArguments;
        }
        if (!validate(patched)) throw formatGenieValidationErrors(validate.errors ?? [], 'body');
        return fromJson(kind, patched as unknown as ResourceJson);
      });
      return reply.code(204).send();
    },
  );

  app.delete(
    `${base}/:id`,
    { schema: { tags, summary: `Delete ${kind === 'application' ? 'an' : 'a'} ${kind}`, params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 404) } } },
    async (request: IdRequest, reply) => {
      await registry.delete(kind, request.params.id);
      return reply.code(204).send();
    },
  );

  for (const field of ['configs', 'dependencies', 'tags'] as const) {
    registerStringSet(app, kind, field, registry);
  }

  app.delete(
    `${base}/:id/tags/:tag`,
    {
      schema: { tags, summary: 'Remove one tag', params: Type.Object({ id: IdParams.properties.id, tag: Type.String() }), response: { 204: Type.Null(), ...errorResponses(404) } },
    },
    async (request: FastifyRequest<{ Params: { id: string; tag: string } }>, reply) => {
      await registry.removeString(kind, request.params.id, 'tags', request.params.tag);
      return reply.code(204).send();
    },
  );
}

/** GET / POST (add) / PUT (replace) / DELETE (clear) of a JSON string array sub-resource. */
function registerStringSet(app: FastifyInstance, kind: ResourceKind, field: StringSetField, registry: RegistryService): void {
  const url = `/${PATHS[kind]}/:id/${field}`;
  const tags = [openApiTag(kind)];
  const noContent = (reply: FastifyReply) => reply.code(204).send();
  app.get(url, { schema: { tags, summary: `The ${kind}'s ${field}`, params: IdParams, response: { 200: StringArray, ...errorResponses(404) } } }, async (request: IdRequest) => {
    const resource = await registry.get(kind, request.params.id);
    return field === 'tags' ? withAutoTags(resource) : resource[field];
  });
  app.post(url, { schema: { tags, summary: `Add ${field}`, params: IdParams, body: StringArray, response: { 204: Type.Null(), ...errorResponses(404, 412) } } }, async (request: IdRequest, reply) => {
    await registry.addStrings(kind, request.params.id, field, request.body as string[]);
    return noContent(reply);
  });
  app.put(url, { schema: { tags, summary: `Replace the ${field}`, params: IdParams, body: StringArray, response: { 204: Type.Null(), ...errorResponses(404, 412) } } }, async (request: IdRequest, reply) => {
    await registry.setStrings(kind, request.params.id, field, request.body as string[]);
    return noContent(reply);
  });
  app.delete(url, { schema: { tags, summary: `Remove every one of the ${field}`, params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } } }, async (request: IdRequest, reply) => {
    await registry.setStrings(kind, request.params.id, field, []);
    return noContent(reply);
  });
}

function applyPatch(document: Record<string, unknown>, operations: jsonPatch.Operation[]): Record<string, unknown> {
  try {
    const result = jsonPatch.applyPatch(jsonPatch.deepClone(document), operations, true, true).newDocument as unknown;
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new InvalidInputError('The patch must leave a JSON object', 'body');
    }
    return result as Record<string, unknown>;
  } catch (error) {
    if (error instanceof jsonPatch.JsonPatchError) {
      const index = error.index === undefined ? '' : ` in operation ${error.index}`;
      throw new InvalidInputError(`The JSON Patch cannot be applied${index}: ${error.message.split('\n')[0]}`, 'body');
    }
    throw error;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
