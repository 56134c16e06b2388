import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorHandler } from '../http/error-reply.ts';
import { declareErrorResponses } from '../http/error-responses.ts';
import type { Platform } from '../http/platform.ts';
import { registerCommandRoutes } from './routes/command-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { Links } from './routes/genie-schemas.ts';
import { acceptEmptyJsonBodies, formatGenieValidationErrors } from './routes/genie-validation.ts';
import { linkBase } from './routes/hal-paging.ts';
import { HAL_JSON, registerResourceRoutes, type RegistryRouteOptions } from './routes/resource-routes.ts';

/**
 * The jobs area's HTTP surface: Genie's `/api/v3`. One encapsulated plugin gives every route below
 * Genie's status codes (validation failures and resolution failures 412, failed preconditions
 * 400), Genie's validation sentences, and Spring's tolerance of empty JSON bodies. Sub-plugins for
 * the registry and for jobs register inside it.
 */
export const GENIE_STATUS_BY_KIND = { invalid: 412, precondition: 400 } as const;

export async function registerJobsRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler(errorHandler(GENIE_STATUS_BY_KIND));
      api.setSchemaErrorFormatter(formatGenieValidationErrors);
      acceptEmptyJsonBodies(api);
      declareErrorResponses(api, { extraStatuses: () => [412] });

      api.get(
        '/',
        {
          schema: {
            tags: ['Genie'],
            summary: 'The API root and its links',
            response: { 200: Type.Object({ description: Type.String(), _links: Links('self', 'applications', 'commands', 'clusters', 'jobs') }) },
          },
        },
        async (request, reply) => {
          const root = `${linkBase(request, platform.config.publicUrl)}/api/v3`;
          return reply.type(HAL_JSON).send({
            description: 'Genie V3 API',
            _links: {
              self: { href: root },
              applications: { href: `${root}/applications` },
              commands: { href: `${root}/commands` },
              clusters: { href: `${root}/clusters` },
              jobs: { href: `${root}/jobs` },
            },
          });
        },
      );

      const registry: RegistryRouteOptions = { registry: platform.registry, publicUrl: platform.config.publicUrl };
      for (const kind of ['application', 'cluster', 'command'] as const) registerResourceRoutes(api, kind, registry);
      registerCommandRoutes(api, registry);
      await api.register(jobRoutes, { area: platform.jobs, publicUrl: platform.config.publicUrl });
    },
    { prefix: '/api/v3' },
  );
}
