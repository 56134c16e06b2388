import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { CatalogArea } from '../catalog-area.ts';
import { QualifiedNameSchema, TagCreateRequestSchema, TagRemoveRequestSchema } from './metacat-schemas.ts';
import { QualifiedName } from '../qualified-name.ts';
import { TableParams, flag, tableName } from './path-names.ts';
import { requestContext } from './request-context.ts';
import { NoBody } from '../../http-shared/success-responses.ts';

const tags = ['catalog tags (Metacat /mds/v1/tag)'];
const Strings = Type.Array(Type.String());
const Names = Type.Array(QualifiedNameSchema);
const Scope = {
  sourceName: Type.Optional(Type.String({ description: 'Catalog name' })),
  databaseName: Type.Optional(Type.String()),
  tableName: Type.Optional(Type.String()),
};

/** Tags on any qualified name: set, remove, list and search. */
export function registerTagRoutes(scope: FastifyInstance, area: CatalogArea): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const service = area.tags;

  app.get('/tag/tags', { schema: { tags, summary: 'Every tag in use', response: { 200: Strings } } }, async () => service.allTags());

  app.get(
    '/tag/list',
    {
      schema: {
        tags,
        summary: 'Names carrying any of the included tags and none of the excluded ones',
        querystring: Type.Object({
          include: Type.Optional(Strings),
          exclude: Type.Optional(Strings),
          ...Scope,
          type: Type.Optional(Type.Enum(['CATALOG', 'DATABASE', 'TABLE', 'PARTITION', 'MVIEW'])),
        }),
        response: { 200: Names },
      },
    },
    async (request) => {
      const q = request.query;
      return service.list({ include: q.include, exclude: q.exclude, catalog: q.sourceName, database: q.databaseName, table: q.tableName, type: q.type });
    },
  );

  app.get(
    '/tag/search',
    { schema: { tags, summary: 'Names carrying a tag that contains the given text', querystring: Type.Object({ tag: Type.String({ minLength: 1 }), ...Scope }), response: { 200: Names } } },
    async (request) => {
      const q = request.query;
      return service.search(q.tag, { catalog: q.sourceName, database: q.databaseName, table: q.tableName });
    },
  );

  app.post('/tag', { schema: { tags, summary: 'Tag any qualified name; answers the tags now set', body: TagCreateRequestSchema, response: { 201: Strings } } }, async (request, reply) => {
    const tagsNow = await service.add(requestContext(request), QualifiedName.fromJson(request.body.name), request.body.tags);
    return reply.status(201).send(tagsNow);
  });

  app.delete('/tag', { schema: { response: { 204: NoBody('Removed') }, tags, summary: 'Remove tags (or all with deleteAll) from any qualified name', body: TagRemoveRequestSchema } }, async (request, reply) => {
    const { name, deleteAll, tags: remove } = request.body;
    await service.remove(requestContext(request), QualifiedName.fromJson(name), deleteAll ? 'all' : (remove ?? []));
    return reply.status(204).send();
  });

  app.post(
    '/tag/catalog/:catalog/database/:database/table/:table',
    { schema: { tags, summary: 'Tag a table; answers the tags now set', params: TableParams, body: Strings, response: { 201: Strings } } },
    async (request, reply) => reply.status(201).send(await service.add(requestContext(request), tableName(request.params), request.body)),
  );

  app.delete(
    '/tag/catalog/:catalog/database/:database/table/:table',
    {
      schema: { response: { 204: NoBody('Removed') },
        tags,
        summary: 'Remove tags from a table (all=true removes every tag)',
        params: TableParams,
        querystring: Type.Object({ all: flag(false) }),
        body: Type.Optional(Type.Union([Strings, Type.Null()])),
      },
    },
    async (request, reply) => {
      await service.remove(requestContext(request), tableName(request.params), request.query.all ? 'all' : (request.body ?? []));
      return reply.status(204).send();
    },
  );
}
