import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { UnsupportedError } from '../../errors/unsupported-error.ts';
import type { CatalogArea } from '../catalog-area.ts';
import { QualifiedName } from '../qualified-name.ts';
import { databaseRequest, tableRequest } from './metacat-requests.ts';
import { CreateCatalogSchema, DatabaseCreateRequestSchema, QualifiedNameSchema, TableDtoSchema } from './metacat-schemas.ts';
import { CatalogParams, DatabaseParams, TableParams, databaseName, flag, tableName } from './path-names.ts';
import { requestContext } from './request-context.ts';
import { QueryInteger } from '../../http-shared/query-integer.ts';
import { AnyJson, NoBody } from '../../http-shared/success-responses.ts';

const tags = ['catalog (Metacat /mds/v1)'];
const NameList = Type.Array(QualifiedNameSchema);
const DtoObject = Type.Object({}, { additionalProperties: true });

/** Catalogs, databases, tables, table names and table search. */
export function registerCatalogRoutes(scope: FastifyInstance, area: CatalogArea): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { catalogs } = area;

  app.get('/', { schema: { response: { 204: NoBody('The catalog API is up') }, tags, summary: 'Liveness of the catalog API (204)' } }, async (_request, reply) => reply.status(204).send());

  app.get('/catalog', { schema: { response: { 200: AnyJson('The catalogs: name and connector type of each') }, tags, summary: 'Every configured catalog with its connector type' } }, async () => catalogs.listCatalogs());

  app.post('/catalog', { schema: { tags, summary: 'Not supported: catalogs come from configuration', body: Type.Optional(CreateCatalogSchema) } }, async () => {
    throw new UnsupportedError('Catalogs are declared in configuration (the catalogs list of the config file) and cannot be created through the API');
  });

  app.get(
    '/catalog/:catalog',
    {
      schema: { response: { 200: AnyJson('CatalogDto') },
        tags,
        summary: 'A catalog: type, database names, definition metadata',
        params: CatalogParams,
        querystring: Type.Object({ includeDatabaseNames: flag(true), includeUserMetadata: flag(true) }),
      },
    },
    async (request) =>
      catalogs.getCatalog(QualifiedName.ofCatalog(request.params.catalog).catalogName, {
        includeDatabaseNames: request.query.includeDatabaseNames ?? true,
        includeUserMetadata: request.query.includeUserMetadata ?? true,
      }),
  );

  app.put(
    '/catalog/:catalog',
    { schema: { response: { 204: NoBody('Merged') }, tags, summary: "Merge into a catalog's definition metadata", params: CatalogParams, body: CreateCatalogSchema } },
    async (request, reply) => {
      await catalogs.updateCatalog(requestContext(request), QualifiedName.ofCatalog(request.params.catalog).catalogName, request.body.definitionMetadata);
      return reply.status(204).send();
    },
  );

  app.post(
    '/catalog/:catalog/database/:database',
    { schema: { response: { 201: NoBody('Created') }, tags, summary: 'Create a database', params: DatabaseParams, body: Type.Optional(Type.Union([DatabaseCreateRequestSchema, Type.Null()])) } },
    async (request, reply) => {
      await catalogs.createDatabase(requestContext(request), databaseName(request.params), databaseRequest(request.body ?? {}));
      return reply.status(201).send();
    },
  );

  app.get(
    '/catalog/:catalog/database/:database',
    {
      schema: { response: { 200: AnyJson('DatabaseDto') },
        tags,
        summary: 'A database with its table names and definition metadata',
        params: DatabaseParams,
        querystring: Type.Object({ includeUserMetadata: flag(true), includeTableNames: flag(true) }),
      },
    },
    async (request) =>
      catalogs.getDatabase(databaseName(request.params), {
        includeUserMetadata: request.query.includeUserMetadata ?? true,
        includeTableNames: request.query.includeTableNames ?? true,
      }),
  );

  app.put(
    '/catalog/:catalog/database/:database',
    { schema: { response: { 204: NoBody('Updated') }, tags, summary: 'Update a database (parameters, location; definition metadata is merged)', params: DatabaseParams, body: DatabaseCreateRequestSchema } },
    async (request, reply) => {
      await catalogs.updateDatabase(requestContext(request), databaseName(request.params), databaseRequest(request.body));
      return reply.status(204).send();
    },
  );

  app.delete(
    '/catalog/:catalog/database/:database',
    { schema: { response: { 204: NoBody('Deleted') }, tags, summary: 'Delete an empty database', params: DatabaseParams } },
    async (request, reply) => {
      await catalogs.deleteDatabase(requestContext(request), databaseName(request.params));
      return reply.status(204).send();
    },
  );

  app.post(
    '/catalog/:catalog/database/:database/table/:table',
    { schema: { response: { 201: AnyJson('The TableDto as created') }, tags, summary: 'Create a table (name.tableName must match the path)', params: TableParams, body: TableDtoSchema } },
    async (request, reply) => {
      const name = tableName(request.params);
      const table = await catalogs.createTable(requestContext(request), name, tableRequest(name, request.body));
      return reply.status(201).send(table);
    },
  );

  app.get(
    '/catalog/:catalog/database/:database/table/:table',
    {
      exposeHeadRoute: false,
      schema: {
        tags,
        summary: 'A table: fields, storage, parameters, definition and data metadata',
        params: TableParams,
        querystring: Type.Object({
          includeInfo: flag(true),
          includeDefinitionMetadata: flag(true),
          includeDataMetadata: flag(true),
          includeInfoDetails: flag(false),
          includeMetadataLocationOnly: flag(false),
        }),
        response: { 200: DtoObject },
      },
    },
    async (request) => {
      const q = request.query;
      return catalogs.getTable(tableName(request.params), {
        includeInfo: q.includeInfo ?? true,
        includeDefinitionMetadata: q.includeDefinitionMetadata ?? true,
        includeDataMetadata: q.includeDataMetadata ?? true,
        includeInfoDetails: q.includeInfoDetails ?? false,
        includeMetadataLocationOnly: q.includeMetadataLocationOnly ?? false,
      });
    },
  );

  app.head(
    '/catalog/:catalog/database/:database/table/:table',
    { schema: { tags, summary: 'Whether a table exists (200 or 404)', params: TableParams } },
    async (request, reply) => reply.status((await catalogs.tableExists(tableName(request.params))) ? 200 : 404).send(),
  );

  app.put(
    '/catalog/:catalog/database/:database/table/:table',
    {
      schema: { response: { 200: AnyJson('The TableDto as updated') },
        tags,
        summary: 'Update a table; definition and data metadata are merged',
        params: TableParams,
        querystring: Type.Object({ shouldThrowExceptionOnMetadataSaveFailure: flag(false) }),
        body: TableDtoSchema,
      },
    },
    async (request) => {
      const name = tableName(request.params);
      return catalogs.updateTable(requestContext(request), name, tableRequest(name, request.body));
    },
  );

  app.delete(
    '/catalog/:catalog/database/:database/table/:table',
    { schema: { response: { 200: AnyJson('The TableDto as it was, or nothing for a missing table') }, tags, summary: 'Delete a table (a missing table is not an error)', params: TableParams } },
    async (request) => catalogs.deleteTable(requestContext(request), tableName(request.params)),
  );

  app.post(
    '/catalog/:catalog/database/:database/table/:table/rename',
    {
      schema: { response: { 204: NoBody('Renamed') },
        tags,
        summary: 'Rename a table within its database',
        params: TableParams,
        querystring: Type.Object({ newTableName: Type.String({ minLength: 1 }) }),
      },
    },
    async (request, reply) => {
      await catalogs.renameTable(requestContext(request), tableName(request.params), request.query.newTableName);
      return reply.status(204).send();
    },
  );

  const TableNamesQuery = Type.Object({
    filter: Type.String({ minLength: 1, description: 'Hive metastore table filter, e.g. hive_filter_field_owner__ = "alice"' }),
    limit: Type.Optional(QueryInteger({ minimum: -1, default: -1 })),
  });
  app.get(
    '/catalog/:catalog/table-names',
    { schema: { tags, summary: 'Names of tables matching a Hive table filter', params: CatalogParams, querystring: TableNamesQuery, response: { 200: NameList } } },
    async (request) => catalogs.listTableNames(QualifiedName.ofCatalog(request.params.catalog), request.query.filter, request.query.limit ?? -1),
  );
  app.get(
    '/catalog/:catalog/database/:database/table-names',
    { schema: { tags, summary: 'Names of tables of a database matching a Hive table filter', params: DatabaseParams, querystring: TableNamesQuery, response: { 200: NameList } } },
    async (request) => catalogs.listTableNames(databaseName(request.params), request.query.filter, request.query.limit ?? -1),
  );

  // Metacat views ("mviews": staging tables over another table's partitions) are not part of Quarry's catalog.
  const noViews = async () => {
    throw new UnsupportedError('Metacat views (mviews) are not supported by this catalog');
  };
  for (const url of ['/catalog/:catalog/mviews', '/catalog/:catalog/database/:database/table/:table/mviews', '/catalog/:catalog/database/:database/table/:table/mview/:view']) {
    app.all(url, { schema: { hide: true } }, noViews);
  }
  app.all('/partition/catalog/:catalog/database/:database/table/:table/mview/*', { schema: { hide: true } }, noViews);

  app.get(
    '/search/table',
    {
      schema: { response: { 200: AnyJson('Matching TableDto list') },
        tags,
        summary: 'Tables whose name contains q, or whose owner or a tag is q (at most 100)',
        querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 255 }) }),
      },
    },
    async (request) => catalogs.searchTables(request.query.q),
  );
}
