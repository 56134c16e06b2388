import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AreaPlugin } from '../http-shared/area-plugin.ts';
import { APP_PAGE_POLICY, setPageHeaders } from '../http-shared/page-headers.ts';
import type { WebUi } from './web-ui.ts';

/**
 * Serves the web UI at /: `/` and the built files by exact path. Deep links (/jobs/abc,
 * /catalog/warehouse/db/t) are not routes: the app's not-found handler hands them to
 * `serveWebPage`, so a path no route claims stays with the not-found handler of the area whose prefix
 * it is under (the Iceberg REST catalog answers its own 404s in its spec's format). Hidden from OpenAPI.
 */
export const webPlugin: AreaPlugin<WebUi> = async (app, options) => {
  const ui = options.area;
  app.get('/', { schema: { hide: true } }, (_request, reply) => sendIndex(ui, reply));
  for (const urlPath of ui.paths()) {
    const file = ui.file(urlPath)!;
    app.get(urlPath, { schema: { hide: true } }, (_request, reply) => {
      reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      setPageHeaders(reply, APP_PAGE_POLICY);
      return reply.type(file.contentType).send(createReadStream(file.path));
    });
  }
};

/**
 * For the app's not-found handler: a browser navigating to a page of the app (a GET asking for HTML,
 * outside the API prefixes and the assets folder) gets index.html, and the app routes in the
 * browser. Answers false, sending nothing, for every other request (API clients keep their JSON 404).
 */
export function serveWebPage(ui: WebUi, request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0]!;
  if (!ui.isAppPath(path) || path.startsWith('/assets/') || !(request.headers.accept ?? '').includes('text/html')) return false;
  void sendIndex(ui, reply);
  return true;
}

function sendIndex(ui: WebUi, reply: FastifyReply): FastifyReply {
  const index = ui.file('/index.html');
  if (!index) {
    return reply.status(503).send({
      errorCode: 503,
      message: `The web UI is not built: ${ui.root}/index.html is missing. Run "npm run build:web" (npm ci runs it too), then restart the server.`,
    });
  }
  reply.header('cache-control', 'no-cache');
  setPageHeaders(reply, APP_PAGE_POLICY);
  return reply.type(index.contentType).send(createReadStream(index.path));
}
