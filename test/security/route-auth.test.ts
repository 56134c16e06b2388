import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { buildApp } from '../../src/http/app.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/**
 * Routes anyone may call without a credential. A route added to this list is a decision someone
 * made on purpose; a route missing from it must refuse a caller without a credential.
 */
const PUBLIC = [/^\/health(\/ready)?$/, /^\/openapi\.json$/, /^\/docs(\/.*)?$/, /^\/\*?$/];
/** How long a request may take to answer before it counts as let in (refusals are immediate). */
const ANSWER_MS = 5_000;
/** Agents only (their credential), in every mode: users' tokens, even an admin's, are refused. */
const AGENT = /^\/api\/agent\//;

interface Route {
  method: string;
  url: string;
}

/** A concrete request path for a route pattern: each parameter and wildcard filled with a name nothing has. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, 'nothing-here').replace(/\*/g, 'nothing-here');
}

// Walks the whole route table of a node in auth mode tokens, as a stranger, a user and an admin:
// every route, including ones added after this test was written, must know who may call it.
for (const store of STORES) {
  describe(`every route's authentication, on ${store}`, () => {
    let t: TestPlatform;
    let app: FastifyInstance;
    let url: string;
    const routes: Route[] = [];
    let user: string;
    let admin: string;

    before(async () => {
      t = await openTestPlatform(store, { auth: { mode: 'tokens', allowNoneBeyondLoopback: false }, jobs: { leaderIntervalMs: 3_600_000 } });
      app = await buildApp(t.platform, {
        logger: false,
        onRoute: (route: RouteOptions) => {
          for (const method of [route.method].flat()) routes.push({ method, url: route.url });
        },
      });
      url = await app.listen({ port: 0, host: '127.0.0.1' });
      user = (await t.platform.auth.tokens.create({ user: 'walker' })).token;
      admin = (await t.platform.auth.tokens.create({ user: 'boss', admin: true })).token;
    });
    after(async () => {
      app?.server.closeAllConnections();
      await app?.close();
      await t?.close();
    });

    /** The status of one request, by node:http (any method, TRACE too); the body is read only for a refusal: some routes stream without end. */
    const call = (route: Route, token?: string): Promise<{ status: number; message: string }> =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        const hasBody = !['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE'].includes(route.method);
        if (hasBody) headers['content-type'] = 'application/json';
        const request = httpRequest(`${url}${concrete(route.url)}`, { method: route.method, headers }, (response) => {
          const status = response.statusCode ?? 0;
          if (status !== 401 && status !== 403) {
            response.destroy();
            resolve({ status, message: '' });
            return;
          }
          let message = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (message += chunk));
          response.on('end', () => resolve({ status, message }));
          response.on('error', reject);
        });
        request.on('error', reject);
        // A refusal comes from the onRequest hook, before any handler: a route still silent after this
        // long let the caller in (a long poll, a stream that sends its headers with its first event).
        request.setTimeout(ANSWER_MS, () => {
          request.destroy();
          resolve({ status: 0, message: `no answer within ${ANSWER_MS} ms` });
        });
        request.end(hasBody ? '{}' : undefined);
      });

    it('has a route table to walk', () => {
      assert.ok(routes.length > 100, `only ${routes.length} routes were registered`);
      for (const needed of ['/api/v3/jobs', '/api/agent/v1/agents/:agentId', '/api/admin/v1/tokens', '/api/query/v1', '/mds/v1/catalog', '/iceberg/v1/config']) {
        assert.ok(
          routes.some((r) => r.url === needed),
          `${needed} is not in the route table`,
        );
      }
    });

    it('refuses every route outside the public list to a caller without a credential, with 401', async () => {
      const open: string[] = [];
      for (const route of routes) {
        if (PUBLIC.some((p) => p.test(route.url))) continue;
        const { status } = await call(route);
        if (status !== 401) open.push(`${route.method} ${route.url} answered ${status}`);
      }
      assert.deepEqual(open, [], 'routes answering a caller without a credential');
    });

    it("refuses the agent API to users' tokens, even an admin's", async () => {
      const open: string[] = [];
      for (const route of routes.filter((r) => AGENT.test(r.url))) {
        for (const token of [user, admin]) {
          const { status } = await call(route, token);
          if (status !== 401) open.push(`${route.method} ${route.url} answered ${status} to a ${token === admin ? 'admin' : 'user'} token`);
        }
      }
      assert.deepEqual(open, []);
    });

    it("lets a user's token through to every user route, and an admin's to every route but the agent API", async (context) => {
      const refused: string[] = [];
      const adminOnly: string[] = [];
      const silent = new Set<string>();
      for (const route of routes) {
        if (PUBLIC.some((p) => p.test(route.url)) || AGENT.test(route.url)) continue;
        const asAdmin = await call(route, admin);
        if (asAdmin.status === 401 || asAdmin.status === 403) refused.push(`${route.method} ${route.url} refused an admin: ${asAdmin.status} ${asAdmin.message}`);
        const asUser = await call(route, user);
        if (asUser.status === 401) refused.push(`${route.method} ${route.url} refused a valid user token: ${asUser.message}`);
        if (asUser.status === 403 && /needs an admin/.test(asUser.message)) adminOnly.push(`${route.method} ${route.url}`);
        if (asAdmin.status === 0 || asUser.status === 0) silent.add(`${route.method} ${route.url}`);
      }
      if (silent.size > 0) context.diagnostic(`let in, still answering after ${ANSWER_MS} ms: ${[...silent].join(', ')}`);
      assert.deepEqual(refused, []);
      // What a user may not do is admin work (route-policy.ts): registry writes, /api/admin, catalog settings and purges, streams, cancelling queries.
      for (const route of adminOnly) {
        assert.match(route, /^(POST|PUT|PATCH|DELETE) \/api\/v3\/(applications|clusters|commands)|^\w+ \/api\/admin\/|^\w+ \/mds\/v1\/catalog\/:catalog$|^\w+ \/mds\/v1\/metadata\/data\/cleanup$|^\w+ \/api\/pipeline\/v1\/streams\/:name$|^DELETE \/api\/query\/v1\/:id$/, `${route} is admin-only`);
      }
      assert.ok(adminOnly.some((r) => r.startsWith('GET /api/admin/')), 'reads under /api/admin are admin-only too');
    });

    it('answers a HEAD on the catalog event stream and ends it, instead of holding it open', async () => {
      const ended = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${url}/mds/v1/events`, { method: 'HEAD', headers: { authorization: `Bearer ${user}` } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', reject);
        request.setTimeout(120_000, () => reject(new Error('HEAD /mds/v1/events had not ended after 120 s')));
        request.end();
      });
      assert.equal(ended, 200);
    });

    it('declares a security scheme in the API document for every route but the public ones', async () => {
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
      const undeclared: string[] = [];
      for (const [path, operations] of Object.entries(doc.paths)) {
        const pattern = path.replace(/\{([^}]+)\}/g, ':$1');
        for (const [method, operation] of Object.entries(operations)) {
          if (PUBLIC.some((p) => p.test(pattern))) continue;
          if (!operation.security || operation.security.length === 0) undeclared.push(`${method.toUpperCase()} ${path}`);
        }
      }
      assert.deepEqual(undeclared, []);
    });
  });
}
