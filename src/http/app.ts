import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerCatalogApi } from '../catalog/routes.ts';
import { icebergRestRoutes } from '../catalog/routes/iceberg-rest-routes.ts';
import { adminRoutes } from '../jobs/routes/admin-routes.ts';
import { agentRoutes } from '../jobs/routes/agent-routes.ts';
import { QUARRY_VERSION } from '../config/version.ts';
import { errorHandler } from './error-reply.ts';
import { registerJobsRoutes } from '../jobs/routes.ts';
import { pipelineRoutes } from '../pipeline/routes.ts';
import { registerHealth } from './health.ts';
import { humanLogStream } from './log-lines.ts';
import { registerMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { queryRoutes } from '../query/routes.ts';
import { webRoutes } from '../ui/routes.ts';
import { WebUi } from '../ui/web-ui.ts';
import type { Platform } from './platform.ts';
import { MESSAGE_KEYWORD, formatValidationErrors } from './validation-messages.ts';

export { QUARRY_VERSION };

export interface AppOptions {
  /** Fastify logger setting; tests pass false. Defaults to the configured level and format (one line per record for people, or JSON). */
  logger?: FastifyServerOptions['logger'];
}

// Incoming request ids are echoed only when they look like ids, so a client cannot inject log lines.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type AjvPlugin = Extract<NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number], (...args: never[]) => unknown>;
const registerMessageKeyword: AjvPlugin = (ajv) => ajv.addKeyword({ keyword: MESSAGE_KEYWORD, schemaType: 'string' });

/** Assembles the HTTP server for a platform: common plumbing first, then each area's routes. */
export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = platform;
  const fastifyOptions: FastifyServerOptions = {
    logger: options.logger ?? { level: config.logLevel, ...(config.logFormat === 'json' ? {} : { stream: humanLogStream() }) },
    // Agents heartbeat every few seconds and long-poll for work: logged only when debugging.
    logController: new LogController({
      disableRequestLogging: (req: { url?: string }) => !['debug', 'trace'].includes(config.logLevel) && (req.url ?? '').startsWith('/api/agent/'),
    }),
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    ajv: {
      // verbose gives the error formatter the failing schema node, where x-message lives.
      customOptions: { verbose: true, allErrors: false },
      plugins: [registerMessageKeyword],
    },
    schemaErrorFormatter: formatValidationErrors,
  };
  const app = Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // JSON Patch bodies (RFC 6902) are JSON with their own media type.
  app.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.setErrorHandler(errorHandler());
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ errorCode: 404, message: `No route for ${request.method} ${request.url.split('?')[0]}`, requestId: request.id });
  });

  await registerOpenApi(app, QUARRY_VERSION);
  registerMetrics(app, [platform.pipeline.metrics]);
  registerHealth(app, platform.database);
  // Area routes register here as they are built, each under its own prefix and error mapping.
  await registerJobsRoutes(app, platform);
  await app.register(agentRoutes, { area: platform.jobs, token: platform.config.agentToken });
  await app.register(adminRoutes, { area: platform.jobs });
  await registerCatalogApi(app, platform.catalog);
  await app.register(icebergRestRoutes(platform.icebergCatalog), { prefix: '/iceberg/v1' });
  await app.register(pipelineRoutes, { area: platform.pipeline });
  await app.register(queryRoutes, { area: platform.query });
  await app.register(webRoutes, { area: new WebUi() });

  return app;
}
