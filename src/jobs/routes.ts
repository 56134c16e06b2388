import { Type } from 'typebox';
import type { AreaPlugin } from '../http-shared/area-plugin.ts';
import { errorHandler } from '../http-shared/error-reply.ts';
import type { JobsArea } from './jobs-area.ts';
import { declareErrorResponses } from '../http-shared/error-responses.ts';
import { registerCommandRoutes } from './routes/command-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { Links } from './routes/genie-schemas.ts';
import { acceptEmptyJsonBodies, formatGenieValidationErrors } from './routes/genie-validation.ts';
import { linkBase } from './routes/hal-paging.ts';
import { HAL_JSON, registerResourceRoutes, type RegistryRouteOptions } from './routes/resource-routes.ts';

/** Genie's status codes for the kinds of error whose code differs from Quarry's defaults. */
export const GENIE_STATUS_BY_KIND = { invalid: 412, precondition: 400 } as const;

/**
 * The jobs area's HTTP surface: Genie's `/api/v3` (the app registers it under that prefix). Every
 * route below gets Genie's status codes (validation failures and resolution failures 412, failed
 * preconditions 400), Genie's validation sentences, and Spring's tolerance of empty JSON bodies.
 * The registry's routes and the jobs sub-plugin register inside it.
 */
export const jobsPlugin: AreaPlugin<JobsArea> = async (api, { area }) => {
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
      const root = `${linkBase(request, area.publicUrl)}/api/v3`;
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

  const registry: RegistryRouteOptions = { registry: area.registry, publicUrl: area.publicUrl };
  for (const kind of ['application', 'cluster', 'command'] as const) registerResourceRoutes(api, kind, registry);
  registerCommandRoutes(api, registry);
  await api.register(jobRoutes, { area, publicUrl: area.publicUrl });
};
