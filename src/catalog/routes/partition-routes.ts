import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { CatalogArea } from '../catalog-area.ts';
import type { PartitionQuery } from '../partition-service.ts';
import { partitionsSaveRequest } from './metacat-requests.ts';
import { GetPartitionsRequestSchema, PartitionsSaveRequestSchema } from './metacat-schemas.ts';
import { TableParams, flag, tableName } from './path-names.ts';
import { requestContext } from './request-context.ts';
import { QueryInteger } from '../../http-shared/query-integer.ts';
import { AnyJson, NoBody } from '../../http-shared/success-responses.ts';

const tags = ['catalog partitions (Metacat /mds/v1/partition)'];
const PREFIX = '/partition/catalog/:catalog/database/:database/table/:table';

const Paging = {
  sortBy: Type.Optional(
    Type.Enum(['name', 'createdDate', 'lastModifiedDate', 'uri'], { description: 'Sort key (default name); createdDate and lastModifiedDate sort by the audit dates.' }),
  ),
  sortOrder: Type.Optional(Type.Enum(['ASC', 'DESC'])),
  offset: Type.Optional(QueryInteger()),
  limit: Type.Optional(QueryInteger()),
};
const ListQuery = Type.Object({
  filter: Type.Optional(Type.String({ description: 'Partition filter, e.g. dateint >= 20240101 and hour in (1,2)' })),
  ...Paging,
  includeUserMetadata: flag(false),
});
const RequestQuery = Type.Object({ ...Paging, includeUserMetadata: flag(false) });

function fromQuery(query: Static<typeof ListQuery>): PartitionQuery {
  return { ...query, includeUserMetadata: query.includeUserMetadata ?? false };
}

function fromRequest(query: Static<typeof RequestQuery>, body: Static<typeof GetPartitionsRequestSchema> | null | undefined): PartitionQuery {
  return {
    ...query,
    filter: body?.filter ?? undefined,
    names: body?.partitionNames ?? undefined,
    includeUserMetadata: (query.includeUserMetadata ?? false) || (body?.includePartitionDetails ?? false),
  };
}

/** Partition listing (GET and the POST *-request forms), keys, URIs, count, save and delete. */
export function registerPartitionRoutes(scope: FastifyInstance, area: CatalogArea): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { partitions } = area;
  const RequestBody = Type.Optional(Type.Union([GetPartitionsRequestSchema, Type.Null()]));

  app.get(PREFIX, { schema: { response: { 200: AnyJson('PartitionDto list') }, tags, summary: 'Partitions of a table, filtered, sorted and paged', params: TableParams, querystring: ListQuery } }, async (request) =>
    partitions.list(tableName(request.params), fromQuery(request.query)),
  );
  app.post(
    `${PREFIX}/request`,
    { schema: { response: { 200: AnyJson('PartitionDto list') }, tags, summary: 'Partitions by filter and/or names given in the body', params: TableParams, querystring: RequestQuery, body: RequestBody } },
    async (request) => partitions.list(tableName(request.params), fromRequest(request.query, request.body)),
  );

  const ListQueryNoMetadata = Type.Object({ filter: ListQuery.properties.filter, ...Paging });
  const RequestQueryNoMetadata = Type.Object(Paging);
  const Names = Type.Array(Type.String());

  app.get(`${PREFIX}/keys`, { schema: { tags, summary: 'Names of the matching partitions', params: TableParams, querystring: ListQueryNoMetadata, response: { 200: Names } } }, async (request) =>
    (await partitions.list(tableName(request.params), request.query)).map((p) => p.name.partitionName!),
  );
  app.post(
    `${PREFIX}/keys-request`,
    { schema: { tags, summary: 'Names of the matching partitions (filter/names in the body)', params: TableParams, querystring: RequestQueryNoMetadata, body: RequestBody, response: { 200: Names } } },
    async (request) => (await partitions.list(tableName(request.params), fromRequest(request.query, request.body))).map((p) => p.name.partitionName!),
  );
  app.get(`${PREFIX}/uris`, { schema: { tags, summary: 'Locations of the matching partitions', params: TableParams, querystring: ListQueryNoMetadata, response: { 200: Names } } }, async (request) =>
    (await partitions.list(tableName(request.params), request.query)).flatMap((p) => (p.serde.uri ? [p.serde.uri] : [])),
  );
  app.post(
    `${PREFIX}/uris-request`,
    { schema: { tags, summary: 'Locations of the matching partitions (filter/names in the body)', params: TableParams, querystring: RequestQueryNoMetadata, body: RequestBody, response: { 200: Names } } },
    async (request) => (await partitions.list(tableName(request.params), fromRequest(request.query, request.body))).flatMap((p) => (p.serde.uri ? [p.serde.uri] : [])),
  );
  app.get(`${PREFIX}/count`, { schema: { tags, summary: 'Number of partitions (0 for a missing table)', params: TableParams, response: { 200: Type.Integer() } } }, async (request) =>
    partitions.count(tableName(request.params)),
  );

  app.post(
    PREFIX,
    {
      schema: {
        tags,
        summary: 'Save partitions; reports which were added and which updated',
        params: TableParams,
        body: PartitionsSaveRequestSchema,
        response: { 201: Type.Object({ added: Names, updated: Names }) },
      },
    },
    async (request, reply) => reply.status(201).send(await partitions.save(requestContext(request), tableName(request.params), partitionsSaveRequest(request.body))),
  );

  app.delete(
    PREFIX,
    { schema: { response: { 204: NoBody('Deleted') }, tags, summary: 'Delete the partitions named in the body (all must exist)', params: TableParams, body: Type.Array(Type.String({ minLength: 1 })) } },
    async (request, reply) => {
      await partitions.delete(requestContext(request), tableName(request.params), request.body);
      return reply.status(204).send();
    },
  );
}
