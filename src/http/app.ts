import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Server } from 'node:http';
import Fastify, { LogController, type FastifyHttpOptions, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { catalogPlugin } from '../catalog/routes.ts';
import { authPlugin } from '../auth/routes.ts';
import { registerAuth, securitySchemes } from '../auth/auth-hook.ts';
import { registerBrowserGuard } from '../auth/browser-guard.ts';
import { QUARRY_VERSION } from '../config/version.ts';
import type { AreaPlugin } from '../http-shared/area-plugin.ts';
import { errorHandler } from '../http-shared/error-reply.ts';
import { MESSAGE_KEYWORD, formatValidationErrors } from '../http-shared/validation-messages.ts';
import { icebergRestPlugin } from '../iceberg-rest/routes.ts';
import { jobsPlugin } from '../jobs/routes.ts';
import { adminPlugin } from '../jobs/routes/admin-routes.ts';
import { agentApiPlugin } from '../jobs/routes/agent-routes.ts';
import { pipelinePlugin } from '../pipeline/routes.ts';
import { queryPlugin } from '../query/routes.ts';
import { healthPlugin } from './health.ts';
import { declareErrorResponses } from '../http-shared/error-responses.ts';
import { humanLogStream } from './log-lines.ts';
import { installJsonBodyParsers } from '../http-shared/json-body-parser.ts';
import { registerMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { experimentsPlugin } from '../experiments/routes.ts';
import { serveWebPage, webPlugin } from '../ui/routes.ts';
import { WebUi } from '../ui/web-ui.ts';
import type { Platform } from './platform.ts';

export { QUARRY_VERSION };

export interface AppOptions {
  /** Fastify logger setting; tests pass false. Defaults to the configured level and format (one line per record for people, or JSON). */
  logger?: FastifyServerOptions['logger'];
  /** Called with every route as it is registered (the route table, e.g. for a test that checks each route's auth). */
  onRoute?: (route: RouteOptions) => void;
}

// Incoming request ids are echoed only when they look like ids, so a client cannot inject log lines.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type AjvPlugin = Extract<NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number], (...args: never[]) => unknown>;
const registerMessageKeyword: AjvPlugin = (ajv) => ajv.addKeyword({ keyword: MESSAGE_KEYWORD, schemaType: 'string' });

/** One entry of the area list: an area's plugin bound to the area object it receives. */
interface AreaRoutes {
  register(app: FastifyInstance): Promise<unknown>;
}

/** Binds a plugin to its area object; the type parameter ties the two together. */
function area<Area>(plugin: AreaPlugin<Area>, object: Area, prefix?: string): AreaRoutes {
  return { register: async (app) => app.register(plugin, prefix === undefined ? { area: object } : { area: object, prefix }) };
}

/**
 * Every area's HTTP surface, in registration order: one plugin per area, each given only its own
 * area object from the platform. A new area adds one line here (and its object to Platform).
 * Plugins without a prefix here write their routes' full paths.
 */
function areaRoutes(platform: Platform, web: WebUi): AreaRoutes[] {
  return [
    area(healthPlugin, platform.database),
    area(jobsPlugin, platform.jobs, '/api/v3'),
    area(agentApiPlugin, { jobs: platform.jobs, credentials: platform.auth.agents }),
    area(adminPlugin, platform.jobs),
    area(authPlugin, platform.auth),
    area(catalogPlugin, platform.catalog, '/mds/v1'),
    area(icebergRestPlugin, platform.icebergCatalog, '/iceberg/v1'),
    area(pipelinePlugin, platform.pipeline),
    area(queryPlugin, platform.query),
    area(experimentsPlugin, platform.experiments),
    // The UI's files; its deep links are served by the app's not-found handler.
    area(webPlugin, web),
  ];
}

/** Assembles the HTTP server for a platform: common plumbing first (docs, metrics), then the area list. */
export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = platform;
  const fastifyOptions: FastifyHttpOptions<Server> = {
    logger: options.logger ?? { level: config.logLevel, ...(config.logFormat === 'json' ? {} : { stream: humanLogStream() }) },
    // Agents heartbeat every few seconds and long-poll for work: logged only when debugging.
    logController: new LogController({
      disableRequestLogging: (req: { url?: string }) => !['debug', 'trace'].includes(config.logLevel) && (req.url ?? '').startsWith('/api/agent/'),
    }),
    bodyLimit: config.http.bodyLimitBytes,
    // Slow senders are closed (408) rather than holding sockets: see HttpConfig.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: config.http.timeoutCheckIntervalMs },
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
  const { onRoute } = options;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Answers carry users' text (names, job output, error messages): a browser takes each as its declared type, never guesses HTML.
    if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
  });
  installJsonBodyParsers(app);

  app.setErrorHandler(errorHandler());
  const web = new WebUi();
  app.setNotFoundHandler((request, reply) => {
    if (serveWebPage(web, request, reply)) return;
    reply.status(404).send({ errorCode: 404, message: `No route for ${request.method} ${request.url.split('?')[0]}`, requestId: request.id });
  });

  // Before authentication: requests a web page forged (DNS rebinding, cross-site writes) stop here.
  registerBrowserGuard(app, { auth: config.auth, publicUrl: config.publicUrl });
  // Before every route: its onRoute hook declares each route's security in the OpenAPI document.
  registerAuth(app, platform.auth);
  // Before any route: every route's schema gets the error statuses it can answer (OpenAPI, fuzzers).
  declareErrorResponses(app);
  await registerOpenApi(app, QUARRY_VERSION, securitySchemes(config.auth));
  registerMetrics(app, [platform.pipeline.metrics]);
  // Each area's plugin in an encapsulation context of its own, under its prefix.
  for (const entry of areaRoutes(platform, web)) await entry.register(app);

  return app;
}
