import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AreaPlugin } from '../http-shared/area-plugin.ts';
import { Type } from 'typebox';
import { errorHandler } from '../http-shared/error-reply.ts';
import { NoBody } from '../http-shared/success-responses.ts';
import { RENDERED_PAGE_POLICY, setPageHeaders } from '../http-shared/page-headers.ts';
import { AllocationSchema, CellSchema, ExperimentDefinitionSchema, MetricSchema } from './experiment-definition.ts';
import type { ExperimentsArea } from './experiments-area.ts';
import type { StoredExperiment } from './experiment-store.ts';
import { reportPage } from './report-page.ts';

const tags = ['experiments'];
const PREFIX = '/api/experiments/v1/experiments';

const ErrorSchema = Type.Object({ errorCode: Type.Integer(), message: Type.String(), requestId: Type.String() }, { additionalProperties: true });
const NameParams = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$', description: "The experiment's name" }) });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableNumber = Nullable(Type.Number());

const ExperimentSchema = Type.Object({
  name: Type.String(),
  definition: Type.Object({
    allocation: Type.Required(AllocationSchema),
    control: Type.String(),
    cells: Type.Array(Type.Required(CellSchema)),
    alpha: Type.Number(),
    srmThreshold: Type.Number(),
    metrics: Type.Array(MetricSchema),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const MetricCellSchema = Type.Object({
  name: Type.String(),
  members: Type.Integer(),
  mean: NullableNumber,
  variance: NullableNumber,
  adjustedMean: Type.Optional(NullableNumber),
  distribution: Nullable(Type.Object({ min: Type.Number(), max: Type.Number(), quantiles: Type.Array(Type.Object({ q: Type.Number(), value: Type.Number() })) })),
  lift: Type.Union([Type.Number(), Type.Null()], { description: 'treatment − control; null for control' }),
  ciLow: NullableNumber,
  ciHigh: NullableNumber,
  relativeLift: Type.Union([Type.Number(), Type.Null()], { description: 'treatment / control − 1 (delta-method interval in relativeCiLow/High)' }),
  relativeCiLow: NullableNumber,
  relativeCiHigh: NullableNumber,
  pValue: NullableNumber,
  adjustedPValue: Type.Union([Type.Number(), Type.Null()], { description: 'Holm-adjusted over every comparison of the report' }),
  significant: Type.Boolean({ description: 'adjustedPValue < alpha' }),
  note: Type.Optional(Type.String()),
});

export const ReportSchema = Type.Object({
  experiment: Type.String(),
  number: Type.Integer(),
  computedAt: Type.String({ format: 'date-time' }),
  alpha: Type.Number(),
  control: Type.String(),
  cells: Type.Array(Type.Object({ name: Type.String(), members: Type.Integer(), intendedShare: Type.Number(), observedShare: Type.Number() })),
  srm: Type.Object({ chiSquare: Type.Number(), degreesOfFreedom: Type.Integer(), pValue: Type.Number(), mismatch: Type.Boolean(), threshold: Type.Number() }),
  metrics: Type.Array(
    Type.Object({
      name: Type.String(),
      kind: Type.Union([Type.Literal('mean'), Type.Literal('rate')]),
      test: Type.Union([Type.Literal('welch-t'), Type.Literal('two-proportion-z'), Type.Literal('welch-t-cuped')]),
      cuped: Nullable(Type.Object({ theta: Type.Number(), preWindowDays: Type.Integer() })),
      cells: Type.Array(MetricCellSchema),
    }),
  ),
});

function toWire(experiment: StoredExperiment) {
  return { name: experiment.name, definition: experiment.definition, createdAt: new Date(experiment.createdAt).toISOString(), updatedAt: new Date(experiment.updatedAt).toISOString() };
}

/** A/B experiments under /api/experiments/v1: declare, list, compute reports, read the latest as JSON or HTML. */
export const experimentsPlugin: AreaPlugin<ExperimentsArea> = async (fastify, options) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { area } = options;
  app.setErrorHandler(errorHandler());
  const errors = { 400: ErrorSchema, 404: ErrorSchema };

  app.put(
    `${PREFIX}/:name`,
    {
      schema: {
        tags,
        summary: 'Declare an experiment (or replace its declaration)',
        description: 'Its allocation table, control cell, cells with intended shares, alpha and metrics (each a SQL aggregate per member over an events table in a window after allocation, optionally with a CUPED pre-period covariate).',
        params: NameParams,
        body: ExperimentDefinitionSchema,
        response: { 200: ExperimentSchema, 201: ExperimentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { experiment, created } = await area.declare(request.params.name, request.body);
      return reply.status(created ? 201 : 200).send(toWire(experiment));
    },
  );

  app.get(`${PREFIX}/:name`, { schema: { tags, summary: 'An experiment as declared, defaults filled in', params: NameParams, response: { 200: ExperimentSchema, ...errors } } }, async (request) =>
    toWire(await area.get(request.params.name)),
  );

  app.delete(
    `${PREFIX}/:name`,
    { schema: { tags, summary: 'Remove an experiment and its reports (its tables stay)', params: NameParams, response: { 204: NoBody('Removed'), ...errors } } },
    async (request, reply) => {
      await area.remove(request.params.name);
      return reply.status(204).send();
    },
  );

  app.get(PREFIX, { schema: { tags, summary: 'Every declared experiment, by name', response: { 200: Type.Array(ExperimentSchema) } } }, async () => (await area.list()).map(toWire));

  app.post(
    `${PREFIX}/:name/reports`,
    {
      schema: {
        tags,
        summary: 'Compute a report from the warehouse now, store it and answer it',
        description:
          "Per cell: members, each metric's mean, variance and quantiles; against control: absolute and relative lift with (1 − alpha) intervals, p-values (Welch's t-test for means, two-proportion z-test for rates, Welch on CUPED-adjusted values when the metric has a covariate), Holm's correction over every comparison; and the sample-ratio-mismatch check.",
        params: NameParams,
        response: { 201: ReportSchema, ...errors, 412: ErrorSchema },
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      return reply.status(201).send(await area.computeReport(request.params.name, abort.signal));
    },
  );

  app.get(`${PREFIX}/:name/reports/latest`, { schema: { tags, summary: 'The latest stored report', params: NameParams, response: { 200: ReportSchema, ...errors } } }, async (request) =>
    area.latestReport(request.params.name),
  );

  app.get(
    `${PREFIX}/:name/reports/latest.html`,
    {
      schema: {
        tags,
        summary: 'The latest stored report as a self-contained HTML page with charts',
        params: NameParams,
        // The page is HTML; its errors are JSON like every other answer of the area.
        response: { 200: { description: 'The report page', content: { 'text/html': { schema: Type.String() } } }, ...errors },
      },
    },
    async (request, reply) => {
      const page = reportPage(await area.latestReport(request.params.name));
      setPageHeaders(reply, RENDERED_PAGE_POLICY);
      return reply.type('text/html; charset=utf-8').send(page);
    },
  );
};
