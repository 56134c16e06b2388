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

/**
 * Operator endpoints of the jobs area under `/api/admin/v1`. The submission switch is held in the
 * database, so a change through any node applies to every node at once, without a restart.
 * (Quarry has no authentication yet: like the rest of the API, these are open to whoever can reach
 * the server.)
 */
export async function adminRoutes(fastify: FastifyInstance, options: { area: JobsArea }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { submission } = options.area;
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

  app.delete(path, { schema: { tags, summary: 'Drop the runtime override: the configuration decides again', response: { 200: SubmissionStateSchema } } }, async () =>
    submission.reset(),
  );
}
