import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { metadataToJson, type TableMetadata } from '../../table/table-metadata.ts';
import type { TableIdentifier } from '../../table/table-pointer-store.ts';
import { NoSuchWarehouseError } from '../iceberg-rest/catalog-errors.ts';
import { decodeNamespace, NAMESPACE_SEPARATOR } from '../iceberg-rest/catalog-names.ts';
import type { IcebergRestCatalog, TableChange } from '../iceberg-rest/iceberg-rest-catalog.ts';
import type { CreateTableRequest as CreateTableBody } from '../iceberg-rest/new-table-metadata.ts';
import type { TableRequirement as Requirement } from '../../table/table-requirements.ts';
import type { TableUpdate as Update } from '../../table/table-update.ts';
import { runAsAuthor } from '../events/change-author.ts';
import { icebergErrorBody, icebergErrorHandler } from './iceberg-rest-error-reply.ts';
import { requestUser } from './request-context.ts';
import {
  CatalogConfig,
  CommitTableRequest,
  CommitTableResponse,
  CommitTransactionRequest,
  CreateNamespaceRequest,
  CreateTableRequest,
  ErrorResponse,
  ListNamespacesResponse,
  ListTablesResponse,
  LoadTableResult,
  NamespaceParams,
  NamespaceResponse,
  PageQuery,
  QueryBoolean,
  RegisterTableRequest,
  RenameTableRequest,
  ReportMetricsRequest,
  TableParams,
  UpdateNamespacePropertiesRequest,
  UpdateNamespacePropertiesResponse,
} from './iceberg-rest-schemas.ts';
import { exactBody, useLosslessJsonBodies } from './lossless-json-body.ts';
import { dropNullOptionalFields } from './null-optional-fields.ts';

/** The endpoints this server implements, advertised by GET /config in the spec's notation. */
export const ICEBERG_REST_ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/tables/rename',
  'POST /v1/{prefix}/transactions/commit',
];

const TAGS = ['Iceberg REST catalog'];
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
const NO_CONTENT = { 204: Type.Null({ description: 'Success, no content' }) };
const EXISTS = { ...NO_CONTENT, 404: Type.Null({ description: 'Does not exist' }) };
const DEFAULT_PAGE_SIZE = 100;

/**
 * The Iceberg REST catalog API, registered under `/iceberg/v1`: a client configured with
 * `uri = <server>/iceberg` reaches every route. The catalog routes are also served under the
 * spec's `{prefix}` segment when it names this catalog (`/iceberg/v1/quarry/namespaces`), for
 * clients that put the warehouse name there; /config advertises no prefix. Errors use the spec's
 * body `{"error": {"message", "type", "code"}}`; table metadata is written with exact 64-bit ids.
 * Changes are announced as the user of `X-Netflix.user.name`, as in /mds/v1 (`iceberg-rest` without).
 */
export function icebergRestRoutes(catalog: IcebergRestCatalog): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    useLosslessJsonBodies(app);
    app.setErrorHandler(icebergErrorHandler);
    // Spark sends explicit nulls for optional fields; they mean "absent" (see dropNullOptionalFields).
    app.addHook('preValidation', async (request) => {
      const schema = request.routeOptions.schema?.body;
      if (schema !== undefined && request.body !== undefined) request.body = dropNullOptionalFields(schema, request.body);
    });
    // The catalog's events name the user of `X-Netflix.user.name` (PyIceberg: the catalog property
    // `header.X-Netflix.user.name`). Set once the body is parsed, so the handler runs inside it.
    app.addHook('preHandler', (request, _reply, done) => {
      const user = requestUser(request);
      if (user) runAsAuthor(user, done);
      else done();
    });
    app.setNotFoundHandler((request, reply) => {
      const message = `No route for ${request.method} ${request.url.split('?')[0]}; this catalog serves config, namespaces, tables, rename and transactions (no views, scan planning or vended credentials)`;
      return reply.status(404).type('application/json').send(icebergErrorBody(404, 'NotFoundException', message));
    });

    app.get(
      '/config',
      {
        schema: {
          tags: TAGS,
          summary: 'Catalog configuration for clients',
          querystring: Type.Object({ warehouse: Type.Optional(Type.String({ description: "This catalog's name or warehouse root" })) }),
          response: { 200: CatalogConfig, ...errors(400, 404) },
        },
      },
      async (request) => ({ ...catalog.config(request.query.warehouse), endpoints: ICEBERG_REST_ENDPOINTS }),
    );

    await app.register(catalogRoutes(catalog));
    await app.register(
      async (prefixed) => {
        // The same routes again, undocumented, behind a check that the prefix names this catalog.
        prefixed.addHook('onRoute', (route) => {
          route.schema = { ...route.schema, hide: true };
        });
        prefixed.addHook('onRequest', async (request) => {
          const { prefix } = request.params as { prefix: string };
          if (prefix !== catalog.catalogName) throw new NoSuchWarehouseError(prefix, [catalog.catalogName]);
        });
        await prefixed.register(catalogRoutes(catalog));
      },
      { prefix: '/:prefix' },
    );
  };
}

/** Namespace, table, rename and transaction routes, relative to `/v1` or `/v1/{prefix}`. */
function catalogRoutes(catalog: IcebergRestCatalog): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    // ---- namespaces

    app.get(
      '/namespaces',
      {
        schema: {
          tags: TAGS,
          summary: 'List namespaces, optionally below a parent',
          querystring: Type.Object({ ...PageQuery, parent: Type.Optional(Type.String({ description: 'Parent namespace, levels joined by 0x1F' })) }),
          response: { 200: ListNamespacesResponse, ...errors(400, 404) },
        },
      },
      async (request) => {
        const parent = request.query.parent ? decodeNamespace(request.query.parent, 'parent') : [];
        const all = await catalog.listNamespaces(parent);
        const { items, next } = page(all, (ns) => ns.join(NAMESPACE_SEPARATOR), request.query);
        return { namespaces: items, 'next-page-token': next };
      },
    );

    app.post(
      '/namespaces',
      { schema: { tags: TAGS, summary: 'Create a namespace', body: CreateNamespaceRequest, response: { 200: NamespaceResponse, ...errors(400, 409) } } },
      async (request) => {
        const body = exactBody<{ namespace: string[]; properties?: Record<string, string> }>(request);
        const properties = await catalog.createNamespace(body.namespace, body.properties ?? {});
        return { namespace: body.namespace, properties };
      },
    );

    app.get(
      '/namespaces/:namespace',
      { exposeHeadRoute: false, schema: { tags: TAGS, summary: "Load a namespace's properties", params: NamespaceParams, response: { 200: NamespaceResponse, ...errors(400, 404) } } },
      async (request) => {
        const namespace = decodeNamespace(request.params.namespace);
        return { namespace, properties: await catalog.loadNamespace(namespace) };
      },
    );

    app.head(
      '/namespaces/:namespace',
      { schema: { tags: TAGS, summary: 'Whether a namespace exists (204 or 404)', params: NamespaceParams, response: EXISTS } },
      async (request, reply) => {
        const namespace = decodeNamespace(request.params.namespace);
        return reply.status((await catalog.namespaceExists(namespace)) ? 204 : 404).send(null);
      },
    );

    app.delete(
      '/namespaces/:namespace',
      { schema: { tags: TAGS, summary: 'Drop an empty namespace', params: NamespaceParams, response: { ...NO_CONTENT, ...errors(400, 404, 409) } } },
      async (request, reply) => {
        await catalog.dropNamespace(decodeNamespace(request.params.namespace));
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/namespaces/:namespace/properties',
      {
        schema: {
          tags: TAGS,
          summary: 'Set and remove namespace properties',
          params: NamespaceParams,
          body: UpdateNamespacePropertiesRequest,
          response: { 200: UpdateNamespacePropertiesResponse, ...errors(400, 404, 422) },
        },
      },
      async (request) => {
        const body = exactBody<{ removals?: string[]; updates?: Record<string, string> }>(request);
        return catalog.updateNamespaceProperties(decodeNamespace(request.params.namespace), body.removals ?? [], body.updates ?? {});
      },
    );

    // ---- tables

    app.get(
      '/namespaces/:namespace/tables',
      {
        schema: { tags: TAGS, summary: 'List the tables of a namespace', params: NamespaceParams, querystring: Type.Object(PageQuery), response: { 200: ListTablesResponse, ...errors(400, 404) } },
      },
      async (request) => {
        const tables = await catalog.listTables(decodeNamespace(request.params.namespace));
        const { items, next } = page(tables, (t) => t.name, request.query);
        return { identifiers: items.map((t) => ({ namespace: [...t.namespace], name: t.name })), 'next-page-token': next };
      },
    );

    app.post(
      '/namespaces/:namespace/tables',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a table, or stage its creation (stage-create)',
          params: NamespaceParams,
          body: CreateTableRequest,
          response: { 200: LoadTableResult, ...errors(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const result = await catalog.createTable(decodeNamespace(request.params.namespace), exactBody<CreateTableBody>(request));
        return sendTable(reply, result.metadataLocation, result.metadata, 'all', { withConfig: true });
      },
    );

    app.post(
      '/namespaces/:namespace/register',
      {
        schema: {
          tags: TAGS,
          summary: 'Register an existing metadata file as a table',
          params: NamespaceParams,
          body: RegisterTableRequest,
          response: { 200: LoadTableResult, ...errors(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const body = exactBody<{ name: string; 'metadata-location': string; overwrite?: boolean }>(request);
        const state = await catalog.registerTable(decodeNamespace(request.params.namespace), body.name, body['metadata-location'], body.overwrite ?? false);
        return sendTable(reply, state.metadataLocation, state.metadata, 'all', { withConfig: true });
      },
    );

    app.get(
      '/namespaces/:namespace/tables/:table',
      {
        exposeHeadRoute: false,
        schema: {
          tags: TAGS,
          summary: 'Load a table',
          params: TableParams,
          querystring: Type.Object({ snapshots: Type.Optional(Type.Enum(['all', 'refs'], { description: 'refs: only snapshots that branches and tags point at' })) }),
          headers: Type.Object({ 'if-none-match': Type.Optional(Type.String()) }),
          response: { 200: LoadTableResult, 304: Type.Null({ description: 'Not modified' }), ...errors(400, 404) },
        },
      },
      async (request, reply) => {
        const state = await catalog.loadTable(tableId(request.params));
        const mode = request.query.snapshots ?? 'all';
        const etag = `"${createHash('sha256').update(`${state.metadataLocation}|${mode}`).digest('hex').slice(0, 32)}"`;
        if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).header('etag', etag).send(null);
        reply.header('etag', etag);
        return sendTable(reply, state.metadataLocation, state.metadata, mode, { withConfig: true });
      },
    );

    app.head('/namespaces/:namespace/tables/:table', { schema: { tags: TAGS, summary: 'Whether a table exists (204 or 404)', params: TableParams, response: EXISTS } }, async (request, reply) =>
      reply.status((await catalog.tableExists(tableId(request.params))) ? 204 : 404).send(null),
    );

    app.post(
      '/namespaces/:namespace/tables/:table',
      {
        schema: {
          tags: TAGS,
          summary: 'Commit requirements and updates to a table (also completes a staged create)',
          params: TableParams,
          body: CommitTableRequest,
          response: { 200: CommitTableResponse, ...errors(400, 404, 409, 500) },
        },
      },
      async (request, reply) => {
        const id = tableId(request.params);
        const body = exactBody<{ identifier?: TableIdentifier; requirements: Requirement[]; updates: Update[] }>(request);
        if (body.identifier && (body.identifier.name !== id.name || body.identifier.namespace.join(NAMESPACE_SEPARATOR) !== id.namespace.join(NAMESPACE_SEPARATOR))) {
          throw new InvalidInputError(`Field 'identifier' names ${[...body.identifier.namespace, body.identifier.name].join('.')}, but the path names ${[...id.namespace, id.name].join('.')}`, 'identifier');
        }
        const state = await catalog.commitTable({ id, requirements: body.requirements, updates: body.updates });
        return sendTable(reply, state.metadataLocation, state.metadata, 'all', { withConfig: false });
      },
    );

    app.delete(
      '/namespaces/:namespace/tables/:table',
      {
        schema: {
          tags: TAGS,
          summary: 'Drop a table; purgeRequested also deletes its files',
          params: TableParams,
          querystring: Type.Object({ purgeRequested: Type.Optional(QueryBoolean) }),
          response: { ...NO_CONTENT, ...errors(400, 404) },
        },
      },
      async (request, reply) => {
        await catalog.dropTable(tableId(request.params), request.query.purgeRequested?.toLowerCase() === 'true');
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/namespaces/:namespace/tables/:table/metrics',
      { schema: { tags: TAGS, summary: 'Accept a scan or commit report (discarded)', params: TableParams, body: ReportMetricsRequest, response: { ...NO_CONTENT, ...errors(400, 404) } } },
      async (request, reply) => {
        await catalog.loadTable(tableId(request.params));
        return reply.status(204).send(null);
      },
    );

    app.post('/tables/rename', { schema: { tags: TAGS, summary: 'Rename or move a table', body: RenameTableRequest, response: { ...NO_CONTENT, ...errors(400, 404, 409) } } }, async (request, reply) => {
      const body = exactBody<{ source: TableIdentifier; destination: TableIdentifier }>(request);
      await catalog.renameTable(body.source, body.destination);
      return reply.status(204).send(null);
    });

    app.post(
      '/transactions/commit',
      { schema: { tags: TAGS, summary: 'Commit changes to several tables atomically', body: CommitTransactionRequest, response: { ...NO_CONTENT, ...errors(400, 404, 409, 500) } } },
      async (request, reply) => {
        const body = exactBody<{ 'table-changes': { identifier: TableIdentifier; requirements: Requirement[]; updates: Update[] }[] }>(request);
        const changes: TableChange[] = body['table-changes'].map((c) => ({ id: c.identifier, requirements: c.requirements, updates: c.updates }));
        await catalog.commitTables(changes);
        return reply.status(204).send(null);
      },
    );
  };
}

function tableId(params: { namespace: string; table: string }): TableIdentifier {
  return { namespace: decodeNamespace(params.namespace), name: params.table };
}

/** Sends a LoadTableResult (or CommitTableResponse) as text, so snapshot ids keep all 64 bits. */
function sendTable(reply: FastifyReply, location: string | null, metadata: TableMetadata, snapshots: 'all' | 'refs', options: { withConfig: boolean }) {
  const shown = snapshots === 'refs' ? onlyReferencedSnapshots(metadata) : metadata;
  const body = `{"metadata-location":${JSON.stringify(location)},"metadata":${metadataToJson(shown)}${options.withConfig ? ',"config":{}' : ''}}`;
  return reply.status(200).type('application/json').send(body);
}

function onlyReferencedSnapshots(md: TableMetadata): TableMetadata {
  const referenced = new Set(Object.values(md.refs).map((r) => r.snapshotId));
  return { ...md, snapshots: md.snapshots.filter((s) => referenced.has(s.snapshotId)) };
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*');
}

/**
 * Pages a sorted list as the spec asks: without `pageToken` everything comes back (and the token is
 * null); with it (empty to start), `pageSize` items after the token's key. Tokens are opaque keys.
 */
function page<T>(unsorted: readonly T[], key: (item: T) => string, query: { pageToken?: string; pageSize?: number }): { items: T[]; next: string | null } {
  // Sorted here by code unit, as the token comparison below is, whatever the database's collation.
  const items = [...unsorted].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (query.pageToken === undefined) return { items, next: null };
  let after: string | undefined;
  if (query.pageToken !== '') {
    after = Buffer.from(query.pageToken, 'base64url').toString('utf8');
    if (Buffer.from(after, 'utf8').toString('base64url') !== query.pageToken) throw new InvalidInputError(`The query parameter 'pageToken' is not a token this server issued`, 'pageToken');
  }
  const start = after === undefined ? 0 : items.findIndex((item) => key(item) > after!);
  const rest = start === -1 ? [] : items.slice(start);
  const size = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const chosen = rest.slice(0, size);
  return { items: chosen, next: rest.length > size ? Buffer.from(key(chosen[chosen.length - 1]), 'utf8').toString('base64url') : null };
}
