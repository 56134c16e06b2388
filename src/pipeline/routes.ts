import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { LogUnavailableError } from './event-log.ts';
import type { PipelineArea } from './pipeline-area.ts';
import type { StreamDefinition } from './stream-definition.ts';
import { NoBody } from '../http-shared/success-responses.ts';

const tags = ['pipeline'];
const PREFIX = '/api/pipeline/v1/streams';

const FieldSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: 'Field name: letters, digits and _.' }),
    type: Type.String({ minLength: 1, description: 'Iceberg primitive type: boolean, int, long, float, double, decimal(P,S), date, timestamp, timestamptz, string, uuid.' }),
    required: Type.Optional(Type.Boolean({ description: 'Events without it are dead letters (default false).' })),
  },
  { additionalProperties: false },
);

const DefinitionSchema = Type.Object(
  {
    table: Type.String({ minLength: 3, description: 'Target table, `db.table`; its dead-letter table is `db.table_dead_letters`.' }),
    fields: Type.Array(FieldSchema, { minItems: 1, maxItems: 1000 }),
    eventTime: Type.String({ minLength: 1, description: 'The required timestamptz/timestamp/date field of each event\'s time.' }),
    partitionBy: Type.Optional(
      Type.Array(
        Type.Object({ column: Type.String({ minLength: 1 }), transform: Type.Optional(Type.String({ minLength: 1 })), name: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
        { description: 'Partition fields (default hour(<eventTime>)).' },
      ),
    ),
    sortBy: Type.Optional(
      Type.Array(
        Type.Object(
          {
            column: Type.String({ minLength: 1 }),
            transform: Type.Optional(Type.String({ minLength: 1 })),
            direction: Type.Optional(Type.Enum(['asc', 'desc'])),
            nullOrder: Type.Optional(Type.Enum(['nulls-first', 'nulls-last'])),
          },
          { additionalProperties: false },
        ),
        { description: 'Sort order of the Parquet files the sink writes.' },
      ),
    ),
    keyField: Type.Optional(Type.String({ minLength: 1, description: 'Field keying events in the log: one key, one partition, in order.' })),
    partitions: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'Log partitions (Kafka topic partitions), default 1; can only grow.' })),
  },
  { additionalProperties: false },
);

const StatusSchema = Type.Object({
  name: Type.String(),
  active: Type.Boolean(),
  table: Type.String(),
  deadLetterTable: Type.String(),
  definition: Type.Unknown(),
  log: Type.String({ description: 'embedded or kafka' }),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  committed: Type.Integer({ description: 'Events committed to the table.' }),
  deadLettersCommitted: Type.Integer(),
  lag: Type.Object({ events: Type.Integer(), seconds: Type.Number() }),
  lastCommit: Type.Union([Type.String(), Type.Null()]),
  files: Type.Integer(),
  bytes: Type.Integer(),
});

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });

const CollectResultSchema = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer({ description: 'NDJSON line or array element, from 1.' }), reason: Type.String() })),
});

/**
 * The pipeline's HTTP API under /api/pipeline/v1: declare, list, inspect and stop streams, and the
 * collector. The collector reads its body raw (JSON, NDJSON, gzip) and validates each event itself,
 * so one bad event does not refuse the batch.
 */
export async function pipelinePlugin(fastify: FastifyInstance, options: { area: PipelineArea }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { area } = options;

  app.put(
    `${PREFIX}/:name`,
    { schema: { tags, summary: 'Declare a stream (creates its table and dead-letter table) or evolve it compatibly', params: NameParams, body: DefinitionSchema, response: { 200: StatusSchema, 201: StatusSchema } } },
    async (request, reply) => {
      const { status, created } = await area.declare(request.params.name, request.body as StreamDefinition);
      return reply.status(created ? 201 : 200).send(status);
    },
  );

  app.get(PREFIX, { schema: { tags, summary: 'Every stream with its status', response: { 200: Type.Object({ streams: Type.Array(StatusSchema) }) } } }, async () => ({
    streams: await area.list(),
  }));

  app.get(`${PREFIX}/:name`, { schema: { tags, summary: 'A stream\'s status: counts, lag, last commit', params: NameParams, response: { 200: StatusSchema } } }, async (request) =>
    area.status(request.params.name),
  );

  app.delete(`${PREFIX}/:name`, { schema: { response: { 204: NoBody('Stopped') }, tags, summary: 'Stop a stream (its tables stay)', params: NameParams } }, async (request, reply) => {
    await area.remove(request.params.name);
    return reply.status(204).send();
  });

  await app.register(async (collector) => {
    // Bodies arrive as bytes: gzip and NDJSON are decoded by the collector, which numbers the lines.
    collector.removeAllContentTypeParsers();
    collector.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: area.config.maxBatchBytes }, (_request, body, done) => done(null, body));
    collector.withTypeProvider<TypeBoxTypeProvider>().post(
      `${PREFIX}/:name/events`,
      {
        bodyLimit: area.config.maxBatchBytes,
        schema: {
          tags,
          summary: 'Send events: one JSON object, a JSON array, or NDJSON (application/x-ndjson); gzip allowed. Answers after the events are durable.',
          params: NameParams,
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
          response: { 200: CollectResultSchema },
        },
      },
      async (request, reply) => {
        try {
          return await area.collect({
            stream: request.params.name,
            body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
            contentType: request.headers['content-type'],
            contentEncoding: request.headers['content-encoding'],
            idempotencyKey: request.headers['idempotency-key'],
          });
        } catch (error) {
          if (error instanceof LogUnavailableError) reply.header('retry-after', String(error.retryAfterSeconds));
          throw error;
        }
      },
    );
  });
}
