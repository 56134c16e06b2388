import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AreaPlugin } from '../http-shared/area-plugin.ts';
import type { WebUi } from './web-ui.ts';

/**
 * Serves the web UI at /: built files by exact path, and index.html for every other page path a
 * browser navigates to (Accept: text/html), so deep links (/jobs/abc, /catalog/warehouse/db/t) open
 * the app, which routes in the browser. Paths under the API prefixes, and requests from API clients
 * that do not ask for HTML, keep the server's JSON 404. Hidden from OpenAPI.
 */
export const webPlugin: AreaPlugin<WebUi> = async (app, options) => {
  const ui = options.area;

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    if (!ui.isAppPath(path)) return reply.callNotFound();
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = path;
    }
    const exact = decoded === '/' ? undefined : ui.file(decoded);
    if (exact) {
      reply.header('cache-control', exact.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.type(exact.contentType).send(createReadStream(exact.path));
    }
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    if (decoded.startsWith('/assets/') || (decoded !== '/' && !wantsHtml)) return reply.callNotFound();
    const index = ui.file('/index.html');
    if (!index) {
      return reply.status(503).send({
        errorCode: 503,
        message: `The web UI is not built: ${ui.root}/index.html is missing. Run "npm run build:web" (npm ci runs it too), then restart the server.`,
      });
    }
    reply.header('cache-control', 'no-cache');
    return reply.type(index.contentType).send(createReadStream(index.path));
  };

  app.get('/', { schema: { hide: true } }, serve);
  app.get('/*', { schema: { hide: true } }, serve);
};
