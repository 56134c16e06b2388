import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { CatalogArea } from '../catalog-area.ts';
import { DataMetadataRequestSchema, QualifiedNameSchema } from './metacat-schemas.ts';
import { DEFINITION_SORT_COLUMNS, type DefinitionSortKey } from '../metadata/definition-metadata-store.ts';
import { QualifiedName } from '../qualified-name.ts';
import { flag } from './path-names.ts';
import { requestContext } from './request-context.ts';
import { AnyJson, NoBody } from '../../http-shared/success-responses.ts';

const tags = ['catalog metadata (Metacat /mds/v1/metadata)'];
const SORT_KEYS = Object.keys(DEFINITION_SORT_COLUMNS) as DefinitionSortKey[];

/** Data metadata by URI, definition metadata listing and deletion, owner search, cleanup. */
export function registerMetadataRoutes(scope: FastifyInstance, area: CatalogArea): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const service = area.metadata;

  app.post(
    '/metadata/data',
    { schema: { response: { 200: AnyJson('DataMetadataDto') }, tags, summary: 'The data metadata of a data URI', body: DataMetadataRequestSchema } },
    async (request) => service.dataMetadata(request.body.uri.replace(/\/+$/, '')),
  );

  app.get(
    '/metadata/definition/list',
    {
      schema: { response: { 200: AnyJson('DefinitionMetadataDto list') },
        tags,
        summary: 'Definition metadata documents, filtered, sorted and paged',
        querystring: Type.Object({
          sortBy: Type.Optional(Type.Enum(SORT_KEYS)),
          sortOrder: Type.Optional(Type.Enum(['ASC', 'DESC'])),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 0 })),
          lifetime: Type.Optional(Type.Integer({ description: 'Only documents whose lifetime.days is this' })),
          type: Type.Optional(Type.Enum(['catalog', 'database', 'table', 'partition', 'mview', 'CATALOG', 'DATABASE', 'TABLE', 'PARTITION', 'MVIEW'])),
          name: Type.Optional(Type.String({ description: 'Qualified-name pattern with SQL wildcards % and _' })),
          'data-property': Type.Optional(Type.Array(Type.String(), { description: 'Only documents with all of these top-level keys' })),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      return service.listDefinitions({
        sortBy: q.sortBy,
        sortOrder: q.sortOrder,
        offset: q.offset,
        limit: q.limit,
        lifetime: q.lifetime,
        type: q.type,
        namePattern: q.name,
        properties: q['data-property'],
      });
    },
  );

  app.get(
    '/metadata/searchByOwners',
    { schema: { tags, summary: 'Names whose definition metadata owner.userId is one of the owners', querystring: Type.Object({ owner: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }) }), response: { 200: Type.Array(QualifiedNameSchema) } } },
    async (request) => service.searchByOwners(request.query.owner),
  );

  app.delete(
    '/metadata/definition',
    {
      schema: { response: { 204: NoBody('Deleted') },
        tags,
        summary: "Delete a name's definition metadata (skipped while the entity exists, unless force)",
        querystring: Type.Object({ name: Type.String({ minLength: 1 }), force: flag(false) }),
      },
    },
    async (request, reply) => {
      await service.deleteDefinition(requestContext(request), QualifiedName.parse(request.query.name), request.query.force ?? false);
      return reply.status(204).send();
    },
  );

  app.delete('/metadata/data/cleanup', { schema: { response: { 204: NoBody('Purged') }, tags, summary: 'Purge the data metadata of dropped tables' } }, async (_request, reply) => {
    await service.purgeDeletedData();
    return reply.status(204).send();
  });
}
