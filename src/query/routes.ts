import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TooLargeError } from '../errors/too-large-error.ts';
import { errorHandler } from '../http/error-reply.ts';
import type { QueryArea } from './query-area.ts';
import { CONTENT_TYPES, RESULT_FORMATS, resultLines, type ResultFormat } from './result-formats.ts';

const tags = ['query'];

const ErrorSchema = Type.Object({ errorCode: Type.Integer(), message: Type.String(), requestId: Type.String() }, { additionalProperties: true });

const QueryRequestSchema = Type.Object(
  {
    sql: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description:
        'One SELECT over warehouse tables named db.table (or warehouse.db.table). Time travel: `db.t FOR VERSION AS OF <snapshot id>` or `FOR TIMESTAMP AS OF \'<ts>\'` (DuckDB\'s `AT (VERSION => …)` too). `EXPLAIN SELECT …` shows the files planned and skipped per table.',
    }),
    format: Type.Optional(Type.Enum([...RESULT_FORMATS], { description: 'json (default): one document; ndjson or csv: streamed, for results of any size.' })),
    maxRows: Type.Optional(Type.Integer({ minimum: 1, description: 'JSON only: fail rather than answer more rows than this (default and ceiling: query.maxJsonRows).' })),
  },
  { additionalProperties: false },
);

const ColumnSchema = Type.Object({ name: Type.String(), type: Type.String({ description: "DuckDB's type name" }) });

const TablePlanSchema = Type.Object({
  table: Type.String(),
  alias: Type.String(),
  snapshotId: Type.Union([Type.String(), Type.Null()]),
  pushedFilters: Type.Array(Type.Unknown(), { description: "Predicates the scan planning used, as Quarry's filter expressions" }),
  dataFiles: Type.Integer(),
  skippedFiles: Type.Integer(),
  bytesPlanned: Type.Integer(),
  deleteFiles: Type.Integer(),
});

const StatsSchema = Type.Object({
  dataFiles: Type.Integer({ description: 'Data files read, over all tables' }),
  skippedFiles: Type.Integer({ description: 'Data files pruned by partition values or column statistics' }),
  bytesRead: Type.Integer({ description: 'Bytes of the data files read' }),
  elapsedMs: Type.Number(),
});

const QueryResultSchema = Type.Object({
  id: Type.String(),
  columns: Type.Array(ColumnSchema),
  rows: Type.Array(Type.Array(Type.Unknown())),
  stats: StatsSchema,
  tables: Type.Array(TablePlanSchema),
});

const ExplainSchema = Type.Object({ id: Type.String(), tables: Type.Array(TablePlanSchema), stats: StatsSchema, plan: Type.String({ description: "DuckDB's physical plan" }) });

const RunningSchema = Type.Object({ id: Type.String(), sql: Type.String(), user: Type.Optional(Type.String()), startedAt: Type.String() });

const EXPLAIN = /^\s*EXPLAIN\s+/i;

/** SQL over warehouse tables under /api/query/v1: run (JSON, NDJSON or CSV), explain, list and cancel. */
export async function queryRoutes(fastify: FastifyInstance, options: { area: QueryArea }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { area } = options;
  app.setErrorHandler(errorHandler());
  const errors = { 400: ErrorSchema, 404: ErrorSchema, 412: ErrorSchema, 413: ErrorSchema };

  app.post(
    '/api/query/v1',
    {
      schema: {
        tags,
        summary: 'Run a SELECT over warehouse tables',
        description:
          'Each table is read from the files Quarry\'s scan planning keeps for the query\'s predicates (partition and min/max pruning, delete files applied, columns by field id). Read-only: anything but one SELECT is refused, and no file outside the planned ones can be read. The query stops when the client goes away or on DELETE /api/query/v1/{id}. With format ndjson or csv the rows stream (the X-Quarry-Query-Id header names the query).',
        body: QueryRequestSchema,
        response: { 200: Type.Union([QueryResultSchema, ExplainSchema]), ...errors },
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      // The client leaving before the answer is complete cancels the query.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const explain = EXPLAIN.test(request.body.sql);
      const query = await area.start(explain ? request.body.sql.replace(EXPLAIN, '') : request.body.sql, abort.signal);
      const format: ResultFormat = request.body.format ?? 'json';
      let streaming = false;
      try {
        if (explain) return { id: query.id, tables: [...query.tables], stats: query.stats(), plan: await query.explain() };
        const columns = await query.columns();
        if (format !== 'json') {
          const body = Readable.from(resultLines(format, columns, query.rows()));
          body.once('close', () => area.finish(query));
          streaming = true;
          return reply.header('content-type', CONTENT_TYPES[format]).header('x-quarry-query-id', query.id).send(body as never);
        }
        const limit = Math.min(request.body.maxRows ?? area.config.maxJsonRows, area.config.maxJsonRows);
        const rows: unknown[][] = [];
        for await (const chunk of query.rows()) {
          rows.push(...chunk);
          if (rows.length > limit) {
            throw new TooLargeError(`The result has more than ${limit} rows: add a LIMIT, or ask for format "ndjson" or "csv" to stream it`, { maxRows: limit });
          }
        }
        return { id: query.id, columns, rows, stats: query.stats(), tables: [...query.tables] };
      } finally {
        if (!streaming) area.finish(query);
      }
    },
  );
  app.get('/api/query/v1', { schema: { tags, summary: 'Queries running on this node', response: { 200: Type.Array(RunningSchema) } } }, async () => area.list());

  app.delete(
    '/api/query/v1/:id',
    {
      schema: {
        tags,
        summary: 'Cancel a running query',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: RunningSchema, 404: ErrorSchema },
      },
    },
    async (request) => area.cancel(request.params.id),
  );
}
