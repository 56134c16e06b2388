import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { JobsArea } from '../jobs-area.ts';

const tags = ['admin'];

const SubmissionStateSchema = Type.Object({
  enabled: Type.Boolean({ description: 'Whether POST /api/v3/jobs accepts new jobs.' }),
  message: Type.String({ description: 'What a refused submitter is told (503) while submission is disabled.' }),
  source: Type.Enum(['configuration', 'runtime'], {
    description: '`configuration`: jobs.submission in the configuration decides; `runtime`: an admin override held in the database.',
  }),
});

const SubmissionOverrideSchema = Type.Object(
  {
    enabled: Type.Boolean({ description: 'Accept new jobs (true) or refuse them with 503 (false).' }),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'The refusal message; default jobs.submission.disabledMessage.' })),
  },
  { additionalProperties: false },
);

const CleanupReportSchema = Type.Object({
  started: Type.Integer({ description: 'The clock the run judged ages by (epoch ms).' }),
  finished: Type.Optional(Type.Integer({ description: 'Absent while the run is in progress.' })),
  jobsDeleted: Type.Optional(Type.Integer()),
  archivesDeleted: Type.Optional(Type.Integer()),
  commandsDeactivated: Type.Optional(Type.Integer()),
  commandsDeleted: Type.Optional(Type.Integer()),
  clustersDeleted: Type.Optional(Type.Integer()),
  applicationsDeleted: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String({ description: 'Why the run stopped early; the next run continues.' })),
});

/**
 * Operator endpoints of the jobs area under `/api/admin/v1`: the submission switch, held in the
 * database so a change through any node applies to every node at once without a restart, and the
 * leader's database cleanup: its last run and when the next is due. (Quarry has no user
 * authentication yet: like the rest of the API, these are open to whoever can reach the server.)
 */
export async function adminPlugin(fastify: FastifyInstance, options: { area: JobsArea }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { submission, leader, config } = options.area;
  const path = '/api/admin/v1/jobs/submission';

  app.get(path, { schema: { tags, summary: 'Whether job submission is enabled, and where that comes from', response: { 200: SubmissionStateSchema } } }, async () =>
    submission.state(),
  );

  app.put(
    path,
    {
      schema: {
        tags,
        summary: 'Enable or disable job submission on every node at once (overrides jobs.submission until deleted)',
        body: SubmissionOverrideSchema,
        response: { 200: SubmissionStateSchema },
      },
    },
    async (request) => submission.override(request.body.enabled, request.body.message),
  );

  app.get(
    '/api/admin/v1/jobs/cleanup',
    {
      schema: {
        tags,
        summary: "The leader's database cleanup (jobs.databaseCleanup): its last run, what it deleted, and when the next is due",
        response: {
          200: Type.Object({
            lastRun: Type.Union([CleanupReportSchema, Type.Null()]),
            nextRun: Type.Union([Type.Integer({ description: 'When the next run is due (epoch ms), as this node sees it' }), Type.Null()]),
            schedule: Type.Union([Type.String({ description: 'The cron expression (UTC) runs follow' }), Type.Null()]),
            intervalSeconds: Type.Union([Type.Integer({ description: 'The interval between runs, when no schedule is set' }), Type.Null()]),
          }),
        },
      },
    },
    async () => {
      const { schedule, intervalMs } = config.databaseCleanup;
      return {
        lastRun: (await leader.lastCleanup()) ?? null,
        nextRun: (await leader.nextCleanup()) ?? null,
        schedule: schedule ?? null,
        intervalSeconds: schedule === undefined ? Math.round(intervalMs / 1000) : null,
      };
    },
  );

  app.delete(path, { schema: { tags, summary: 'Drop the runtime override: the configuration decides again', response: { 200: SubmissionStateSchema } } }, async () =>
    submission.reset(),
  );
}
